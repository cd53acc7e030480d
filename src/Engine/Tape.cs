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
/// <para>A tape is single-use: <c>Backward</c> replays once, then returns the intermediates' memory to a
/// pool (the loss stays readable until the tape is disposed); a second <c>Backward</c> is an
/// <see cref="InvalidOperationException"/>. With no tape open nothing is recorded, so inference costs only
/// its arithmetic. One tape may be open per thread, and only that thread may use it.</para>
/// <para><c>Tape</c> is a handle to the thread's recorder, which is made once and reused, so opening a
/// tape each training step allocates nothing. Copies of the handle refer to the same tape.</para>
/// </remarks>
public readonly struct Tape : IDisposable
{
    private readonly TapeRecorder? recorder;
    private readonly int session;

    /// <summary>Opens a tape on this thread.</summary>
    /// <exception cref="InvalidOperationException">Another tape is still open on this thread.</exception>
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
    /// requires grad. Then releases the intermediates.
    /// </summary>
    /// <exception cref="ArgumentException">The loss is not 1 × 1 or does not require grad.</exception>
    /// <exception cref="InvalidOperationException">The tape has already run backward or been disposed.</exception>
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

    /// <summary>Closes the tape and returns whatever it still holds to the pool.</summary>
    public void Dispose() => recorder?.Dispose(session);

    private TapeRecorder Recorder =>
        recorder ?? throw new InvalidOperationException("This Tape was never opened: create it with `new Tape()`, not `default`.");
}
