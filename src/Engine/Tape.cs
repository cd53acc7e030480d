using System.Numerics;

namespace MiniGrad;

/// <summary>
/// Records every differentiable op that touches a tensor requiring grad while it is open on this thread;
/// <see cref="Backward{T}(Tensor{T})"/> replays the record in reverse and applies the chain rule.
/// </summary>
/// <remarks>
/// <code>
/// using (var tape = new Tape())
/// {
///     var loss = lossFunction.Forward(model.Forward(x), y);
///     tape.Backward(loss);   // seeds dL/dL = 1, replays in reverse, accumulates (+=) into every .Grad
/// }
/// </code>
/// <para>A tape is single-use: <c>Backward</c> replays once; a second <c>Backward</c> is an
/// <see cref="InvalidOperationException"/>. Every intermediate (the logits, a hidden layer's output) stays readable until
/// the tape is disposed, when its memory goes back to a pool for the next step; the loss <c>Backward</c> started from
/// stays readable after that, until the next tape opens on this thread, so <c>losses.Add(loss.Item)</c> after the
/// <c>using</c> block works. With no tape open nothing is recorded, so inference costs only its arithmetic.</para>
/// <para>One tape is open per thread, and only that thread may use it. Opening a tape closes the one still open on this
/// thread, if any: a tape that was never disposed (made without <c>using</c>, or left behind by an exception) keeps its
/// intermediates until then, and never blocks the thread. Using a closed tape is an <see cref="InvalidOperationException"/>.</para>
/// <para><c>Tape</c> is a handle to the thread's recorder, which is made once and reused, so opening a
/// tape each training step allocates nothing. Copies of the handle refer to the same tape.</para>
/// </remarks>
public readonly struct Tape : IDisposable
{
    private readonly TapeRecorder? recorder;
    private readonly int session;

    /// <summary>Opens a tape on this thread, closing the one still open here, if any.</summary>
    public Tape()
    {
        recorder = TapeRecorder.Open(out session);
    }

    /// <summary>Whether a tape is recording on this thread now.</summary>
    public static bool IsRecording => TapeRecorder.IsRecording;

    /// <summary>How many ops this tape has recorded so far.</summary>
    public int Count => Recorder.Count(session);

    /// <summary>
    /// Back-propagates from a 1 × 1 <paramref name="loss"/>: seeds dL/dL = 1, runs every recorded step in
    /// reverse and adds (<c>+=</c>) dL/dx into the <see cref="Tensor{T}.Grad"/> of every leaf x that
    /// requires grad. Intermediates keep their values until the tape is disposed, not their gradients.
    /// </summary>
    /// <exception cref="ArgumentException">The loss is not 1 × 1 or does not require grad.</exception>
    /// <exception cref="InvalidOperationException">The tape has already run backward or been closed, or belongs to another thread.</exception>
    public void Backward<T>(Tensor<T> loss) where T : unmanaged, IFloatingPointIeee754<T> =>
        Recorder.Backward(session, loss, seed: null);

    /// <summary>
    /// Back-propagates from any <paramref name="output"/>, given the upstream gradient dL/d output
    /// (<paramref name="outputGradient"/>, same shape), like PyTorch's <c>output.backward(gradient)</c>.
    /// </summary>
    public void Backward<T>(Tensor<T> output, Tensor<T> outputGradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        Recorder.Backward(session, output, outputGradient);
    }

    /// <summary>Closes the tape: its intermediates go back to the pool (the loss of its backward pass only when the next tape opens).</summary>
    public void Dispose() => recorder?.Dispose(session);

    private TapeRecorder Recorder =>
        recorder ?? throw new InvalidOperationException("This Tape was never opened: create it with `new Tape()`, not `default`.");
}
