using System.Numerics;

namespace MiniGrad;

/// <summary>
/// The state behind <see cref="Tape"/>: one per thread, made once and reused by every tape opened on that
/// thread, so opening a tape allocates nothing. It holds the recorded results in recording order, which is a
/// valid topological order, so backward is a reverse walk with no graph search.
/// </summary>
internal sealed class TapeRecorder
{
    private enum State { Closed, Recording, Finished }

    [ThreadStatic] private static TapeRecorder? current;

    private readonly List<ITapeNode> nodes = [];
    private readonly int thread = Environment.CurrentManagedThreadId;
    private State state;
    private int session;
    private ITapeNode? loss; // kept readable after Backward until the tape is disposed

    /// <summary>Whether ops on this thread are being recorded now.</summary>
    internal static bool IsRecording => current is { state: State.Recording };

    /// <summary>Appends a result; only called while <see cref="IsRecording"/>.</summary>
    internal static void Add(ITapeNode node) => current!.nodes.Add(node);

    internal static TapeRecorder Open(out int session)
    {
        var recorder = current ??= new TapeRecorder();
        if (recorder.state != State.Closed)
            throw new InvalidOperationException(
                "A tape is already open on this thread. Dispose it first: open tapes with `using (var tape = new Tape())`.");
        recorder.state = State.Recording;
        session = ++recorder.session;
        return recorder;
    }

    internal int Count(int session)
    {
        ThrowIfNotOpen(session);
        return nodes.Count;
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
        try
        {
            if (seed is null) root.GradAccumulator()[0] += T.One; // dL/dL = 1
            else root.SeedGradient(seed);

            if (Anomaly.IsDetecting) BackwardCheckingAnomalies(root);
            else for (int i = nodes.Count - 1; i >= 0; i--) nodes[i].Backward();
        }
        finally
        {
            foreach (var node in nodes)
            {
                if (ReferenceEquals(node, root))
                {
                    node.ReleaseGradient();
                    loss = node;
                }
                else
                {
                    node.Release();
                }
            }
            nodes.Clear();
        }
    }

    /// <summary>The reverse walk in anomaly mode: each step's input gradients are checked as soon as it has run.</summary>
    private void BackwardCheckingAnomalies<T>(Tensor<T> root) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Anomaly.CheckSeed(root);
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            nodes[i].Backward();
            nodes[i].CheckInputGradients();
        }
    }

    internal void Dispose(int session)
    {
        if (session != this.session || state == State.Closed) return; // disposing twice is harmless
        ThrowIfWrongThread();
        foreach (var node in nodes) node.Release(); // a tape disposed without Backward
        nodes.Clear();
        loss?.Release();
        loss = null;
        state = State.Closed;
    }

    private void ThrowIfNotOpen(int session)
    {
        if (session != this.session || state == State.Closed)
            throw new InvalidOperationException("This tape has been disposed; open a new Tape.");
        ThrowIfWrongThread();
    }

    private void ThrowIfWrongThread()
    {
        if (Environment.CurrentManagedThreadId != thread)
            throw new InvalidOperationException("A tape belongs to the thread that opened it; use it (and dispose it) on that thread.");
    }
}
