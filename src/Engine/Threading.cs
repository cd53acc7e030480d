using MiniGrad.Kernels;

namespace MiniGrad;

/// <summary>
/// How many threads MiniGrad's kernels may use at once (matrix products, large activations, optimizer updates of large
/// parameters): PyTorch's
/// <c>torch.set_num_threads</c>. Results do not depend on it: work is split by output region, never by a sum, so 1 and 2
/// threads give bit-identical results.
/// </summary>
/// <remarks>
/// <para>The default is the processor count, or the <c>MINIGRAD_NUM_THREADS</c> environment variable when it holds a
/// whole number ≥ 1, read when MiniGrad is first used. MiniGrad keeps one background thread per core beyond the caller's,
/// so a value above the processor count uses every core and no more.</para>
/// <para>Small work stays on the calling thread, where handing it over would cost more than it saves. MiniGrad times a
/// cache line's round trip to its background thread now and then; while the two cores are far apart (a virtual machine's
/// CPUs placed on different chiplets) it keeps pairs of small matrix products on one thread as well.</para>
/// <para>In the browser (WebAssembly without threads) every kernel runs on the calling thread, whatever the setting.</para>
/// </remarks>
public static class Threading
{
    /// <summary>The name of the environment variable read for the default.</summary>
    public const string EnvironmentVariable = WorkerPool.EnvironmentVariable;

    /// <summary>The most threads a kernel may use, the caller's included; at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => WorkerPool.MaxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxDegreeOfParallelism));
            WorkerPool.MaxDegreeOfParallelism = value;
        }
    }

    /// <summary>Whether this platform runs MiniGrad's background threads (not single-threaded WebAssembly).</summary>
    public static bool ThreadsAvailable => WorkerPool.ThreadsAvailable;
}
