using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad;

/// <summary>
/// The state behind <see cref="Tape"/>: one per thread, made once and reused by every tape opened on that thread, so
/// opening a tape allocates nothing. It holds the recorded ops in recording order and the buffers they saved.
/// </summary>
/// <remarks>
/// <para>A tape's life: <c>Open</c> (recording) → <c>Backward</c> (finished: replayed once; intermediates' gradients and
/// saved buffers go back to the pool, their values stay readable) → <c>Dispose</c> (closed: intermediates go back to the
/// pool, except the root of backward, the loss, which stays readable until the next tape opens).</para>
/// <para>Opening a tape closes any tape still open on this thread first, so a tape that was never disposed (created
/// without <c>using</c>, or left behind by an exception) costs its memory until the next tape opens, and never blocks it.</para>
/// </remarks>
internal sealed class TapeRecorder
{
    private enum State { Closed, Recording, Finished }

    [ThreadStatic] private static TapeRecorder? current;

    /// <summary>The observer of this thread's tapes (anomaly mode), or null; set by diagnostics.</summary>
    [ThreadStatic] internal static ITapeObserver? Observer;

    /// <summary>The layer now running forward, named by <c>Sequential</c> while an <see cref="Observer"/> is attached.</summary>
    [ThreadStatic] internal static string? Scope;

    private readonly List<TapeNode> nodes = []; // the first `count` are this tape's; the rest wait to be refilled
    private int count;
    private readonly List<IReleasable> saved = [];
    private readonly List<IClaimable> claimed = []; // the parameters this open tape has recorded, marked as this thread's
    private readonly int thread = Environment.CurrentManagedThreadId;
    private State state;
    private int session;
    private TapeNode? root; // the loss of the last backward, kept readable after dispose
    private IReleasable? rootOutput; // …until the next tape opens, when it goes back to the pool

    /// <summary>Whether ops on this thread are being recorded now.</summary>
    internal static bool IsRecording => current is { state: State.Recording };

    /// <summary>This thread's recorder; only read while <see cref="IsRecording"/>.</summary>
    internal static TapeRecorder Current => current!;

    /// <summary>
    /// The node for the next recorded op: the one a previous tape used at this position when it is of the same kind, so
    /// that a repeated step allocates none, else a new one.
    /// </summary>
    internal TNode Next<TNode>() where TNode : TapeNode, new()
    {
        if (count < nodes.Count)
        {
            if (nodes[count] is not TNode node) nodes[count] = node = new TNode();
            count++;
            return node;
        }
        var added = new TNode();
        nodes.Add(added);
        count++;
        return added;
    }

    /// <summary>Tells the observer, if there is one, that <paramref name="node"/> has just been recorded.</summary>
    internal void Recorded<T>(Node<T> node) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Observer is { } observer)
        {
            node.Scope = Scope;
            observer.Recorded(node);
        }
    }

    /// <summary>
    /// Marks <paramref name="parameter"/> (a leaf that requires grad, read by an op being recorded) as trained by this
    /// thread until the tape closes.
    /// </summary>
    /// <exception cref="InvalidOperationException">An open tape on another thread has recorded it: two threads are training
    /// one model at once, and their gradients would mix.</exception>
    internal void Claim(IClaimable parameter)
    {
        switch (parameter.TryClaim(this))
        {
            case ClaimResult.Claimed:
                claimed.Add(parameter);
                break;
            case ClaimResult.Taken:
                throw new InvalidOperationException(
                    $"A {parameter.Shape} parameter is being trained on another thread right now: a tape there has recorded it and is still open. " +
                    "Training one model from two threads at once would mix their gradients; train it from one thread, or give each thread its own model. " +
                    "(Inference from many threads is fine: run it with no tape open.)");
        }
    }

    /// <summary>Keeps a buffer an op saved for backward, to give it back once backward has run; only while recording.</summary>
    internal void KeepUntilBackward(IReleasable buffer) => saved.Add(buffer);

    internal static TapeRecorder Open(out int session)
    {
        var recorder = current ??= new TapeRecorder();
        recorder.Close();
        recorder.rootOutput?.Release();
        recorder.rootOutput = null;
        recorder.state = State.Recording;
        session = ++recorder.session;
        return recorder;
    }

    internal int Count(int session)
    {
        ThrowIfNotOpen(session);
        return count;
    }

    internal void Backward<T>(int session, Tensor<T> root, Tensor<T>? seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowIfNotOpen(session);
        if (state == State.Finished)
            throw new InvalidOperationException("Backward has already run on this tape; a tape is single-use. Open a new Tape for the next pass.");
        ArgumentNullException.ThrowIfNull(root);
        root.ThrowIfReleased();
        if (!root.RequiresGrad)
            throw new ArgumentException(
                $"Backward: the {root.Shape} tensor does not require grad, so no recorded op leads to it. " +
                "Was it computed while this tape was open, from a tensor created with requiresGrad: true?", nameof(root));
        if (seed is null && root.Length != 1)
            throw new ArgumentException(
                $"Backward(loss) needs a 1x1 loss, got {root.Shape}. Reduce it with Sum() or Mean(), or pass the upstream gradient.", nameof(root));
        if (seed is not null)
        {
            seed.ThrowIfReleased();
            if (seed.Rows != root.Rows || seed.Cols != root.Cols)
                throw new ArgumentException($"Backward: the upstream gradient is {seed.Shape} but the output is {root.Shape}.", nameof(seed));
        }

        state = State.Finished;
        this.root = root.Node;
        try
        {
            if (seed is null) root.GradAccumulator()[0] += T.One; // dL/dL = 1
            else root.SeedGradient(seed);

            // Once a node's step has run, nothing reads its output's gradient again: it goes back to the pool at once.
            if (Observer is { } observer)
            {
                observer.Seeded(root);
                for (int i = count - 1; i >= 0; i--)
                {
                    nodes[i].Backward();
                    nodes[i].NotifyStepped(observer);
                    nodes[i].ReleaseGradient();
                }
            }
            else
            {
                for (int i = count - 1; i >= 0; i--)
                {
                    nodes[i].Backward();
                    nodes[i].ReleaseGradient();
                }
            }
        }
        finally
        {
            ReleaseSaved();
        }
    }

    internal void Dispose(int session)
    {
        if (session != this.session || state == State.Closed) return; // disposing twice is harmless
        ThrowIfWrongThread();
        Close();
    }

    /// <summary>Gives everything the open tape holds back to the pool, but the root's value, and marks the tape closed.</summary>
    private void Close()
    {
        if (state == State.Closed) return;
        for (int i = 0; i < count; i++)
        {
            if (ReferenceEquals(nodes[i], root)) rootOutput = nodes[i].ReleaseKeepingOutput();
            else nodes[i].Release();
        }
        count = 0;
        ReleaseSaved();
        foreach (var parameter in claimed) parameter.Unclaim(this);
        claimed.Clear();
        root = null;
        state = State.Closed;
    }

    private void ReleaseSaved()
    {
        foreach (var buffer in saved) buffer.Release();
        saved.Clear();
    }

    private void ThrowIfNotOpen(int session)
    {
        if (session != this.session || state == State.Closed)
            throw new InvalidOperationException(
                "This tape has been closed: it was disposed, or a later `new Tape()` on this thread closed it. Open a new Tape.");
        ThrowIfWrongThread();
    }

    private void ThrowIfWrongThread()
    {
        if (Environment.CurrentManagedThreadId != thread)
            throw new InvalidOperationException("A tape belongs to the thread that opened it; use it (and dispose it) on that thread.");
    }
}

/// <summary>What <see cref="IClaimable.TryClaim"/> found.</summary>
internal enum ClaimResult
{
    /// <summary>The parameter was free and is now the caller's.</summary>
    Claimed,

    /// <summary>The caller had already claimed it.</summary>
    AlreadyMine,

    /// <summary>Another thread's open tape holds it.</summary>
    Taken,
}

/// <summary>A parameter that one thread's open tape at a time may record.</summary>
internal interface IClaimable
{
    /// <summary>The shape, for messages.</summary>
    string Shape { get; }

    /// <summary>Marks the parameter as <paramref name="recorder"/>'s, unless another recorder holds it.</summary>
    ClaimResult TryClaim(TapeRecorder recorder);

    /// <summary>Frees the parameter, if <paramref name="recorder"/> holds it.</summary>
    void Unclaim(TapeRecorder recorder);
}

/// <summary>A pooled buffer the tape gives back when it is done with it.</summary>
internal interface IReleasable
{
    /// <summary>Returns the buffer to its pool.</summary>
    void Release();
}
