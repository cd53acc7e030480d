namespace MiniGrad.Kernels;

/// <summary>
/// An element-wise pass over [0, length) as parallel work: each part runs <see cref="RunBand"/> on its own band, cut at
/// multiples of <see cref="Granule"/> elements, a multiple of every vector width, so each element takes the same vector or
/// scalar path however the pass is split and the result does not depend on the thread count. Passes shorter than
/// <see cref="ParallelLength"/> run on the calling thread alone, where waking a worker would cost more than it saves.
/// </summary>
/// <remarks>A subclass keeps what its bands read and write in fields, set before <see cref="RunAll"/>; the object is
/// made once and reused, so a pass allocates nothing.</remarks>
internal abstract class BandWork : IParallelWork
{
    /// <summary>Below this many elements a pass runs on the calling thread (as for the activations' kernels).</summary>
    internal const int ParallelLength = 1 << 16;

    /// <summary>Bands start at multiples of this many elements: 64 floats are four 512-bit vectors, eight 256-bit ones.</summary>
    private const int Granule = 64;

    private int length;

    /// <summary>Runs the pass over [0, <paramref name="length"/>), split over the worker pool when it is long enough.</summary>
    internal void RunAll(int length)
    {
        this.length = length;
        WorkerPool.Run(this, WorkerPool.PartsFor(length, ParallelLength));
    }

    /// <inheritdoc/>
    public void Run(int part, int parts)
    {
        var (start, end) = WorkerPool.Band(length, Granule, part, parts);
        if (start < end) RunBand(start, end);
    }

    /// <summary>The pass over elements [<paramref name="start"/>, <paramref name="end"/>).</summary>
    protected abstract void RunBand(int start, int end);
}
