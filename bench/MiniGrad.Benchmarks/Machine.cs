using System.Runtime.Intrinsics;
using MiniGrad.Kernels;

namespace MiniGrad.Benchmarks;

/// <summary>
/// What the machine can do on the vector path this process runs, measured, so the report can judge kernels against it
/// rather than against another library: the peak of independent fused multiply-adds (the ceiling of any GEMM), and a
/// copy the size of the act-* workloads (the floor of any element-wise pass).
/// </summary>
public static class Machine
{
    /// <summary>
    /// Independent multiply-add chains per thread: enough to keep both multiply-add pipes busy on every current core,
    /// with the two constants, in the sixteen vector registers of the 256- and 128-bit paths. A fused multiply-add
    /// needs latency × pipes = 4 × 2 = 8 chains; without FMA (the 128-bit path) a·m + c is a multiply and then an
    /// add, at least 6 cycles deep on Zen 5, since 12 chains fell short of the pipes' rate there (53 GFLOP/s on one
    /// thread) where 14 reached it (56).
    /// </summary>
    private const int Chains = 14;

    /// <summary>Multiply-adds per chain in one step.</summary>
    private const int Iterations = 200_000;

    /// <summary>The vector path this process runs, as the report names it.</summary>
    public static string Path =>
        Vector512.IsHardwareAccelerated ? "avx512" : Vector256.IsHardwareAccelerated ? "avx2" : Vector128.IsHardwareAccelerated ? "128" : "scalar";

    /// <summary>
    /// The peak: every thread (<see cref="WorkerPool.Threads"/>) runs <see cref="Chains"/> independent chains of
    /// a·m + c at the widest accelerated width. Returns the step and the floating-point operations it does.
    /// </summary>
    public static (Action Step, double Flops) Peak()
    {
        int threads = WorkerPool.Threads, lanes = Lanes;
        var work = new ChainsWork(lanes switch
        {
            16 => ChainsAt<Lanes512<float>>,
            8 => ChainsAt<Lanes256<float>>,
            4 => ChainsAt<Lanes128<float>>,
            _ => ChainsAt<Lanes1<float>>,
        }, new float[threads]);
        return (() => WorkerPool.Run(work, threads), PeakFlops);
    }

    /// <summary>The floating-point operations of one <see cref="Peak"/> step on this path and thread count.</summary>
    public static double PeakFlops => 2.0 * Lanes * Chains * Iterations * WorkerPool.Threads;

    /// <summary>Floats per vector at the widest accelerated width.</summary>
    private static int Lanes => Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256.IsHardwareAccelerated ? Vector256<float>.Count
        : Vector128.IsHardwareAccelerated ? Vector128<float>.Count : 1;

    /// <summary>Each part runs the chains once, on the pool's threads as GEMM does.</summary>
    private sealed class ChainsWork(Func<float> chains, float[] sink) : IParallelWork
    {
        public void Run(int part, int parts) => sink[part] = chains();
    }

    private static float ChainsAt<TLanes>() where TLanes : struct, ILanes<float, TLanes>
    {
        var m = TLanes.Create(0.9999f);
        var c = TLanes.Create(1e-4f);
        TLanes a0 = TLanes.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0,
            a12 = a0, a13 = a0;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = TLanes.MultiplyAdd(a0, m, c); a1 = TLanes.MultiplyAdd(a1, m, c); a2 = TLanes.MultiplyAdd(a2, m, c);
            a3 = TLanes.MultiplyAdd(a3, m, c); a4 = TLanes.MultiplyAdd(a4, m, c); a5 = TLanes.MultiplyAdd(a5, m, c);
            a6 = TLanes.MultiplyAdd(a6, m, c); a7 = TLanes.MultiplyAdd(a7, m, c); a8 = TLanes.MultiplyAdd(a8, m, c);
            a9 = TLanes.MultiplyAdd(a9, m, c); a10 = TLanes.MultiplyAdd(a10, m, c); a11 = TLanes.MultiplyAdd(a11, m, c);
            a12 = TLanes.MultiplyAdd(a12, m, c); a13 = TLanes.MultiplyAdd(a13, m, c);
        }
        return TLanes.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13);
    }

    /// <summary>One thread copying 256 × 4096 floats (4 MiB), the size of each act-* tensor.</summary>
    public static Action Copy()
    {
        var source = new float[256 * 4096];
        var destination = new float[source.Length];
        new Random(0).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(source.AsSpan()));
        return () => source.AsSpan().CopyTo(destination);
    }
}
