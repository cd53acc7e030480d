using MiniGrad.Kernels;
using System.Diagnostics;
using System.Globalization;

namespace MiniGrad.Benchmarks;

/// <summary>
/// The step mode: for each workload, a warm-up, then the median over 5 rounds of many steps, printed as the
/// JSON line BENCHMARKS.md defines. bytes_per_step counts this thread's allocations and the worker pool's.
/// </summary>
public static class StepBenchmark
{
    private const int Rounds = 5;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(0.4);

    public static void Run(string prefix)
    {
        var selected = Workloads.Names.Where(name => name.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
        if (selected.Length == 0)
            throw new ArgumentException($"No workload starts with '{prefix}'. Known: {string.Join(", ", Workloads.Names)}.");
        foreach (var name in selected)
        {
            var (microseconds, fastest, slowest, bytes) = Measure(Workloads.Create(name));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"peer\":\"minigrad\",\"threads\":{WorkerPool.Threads},\"workload\":\"{name}\",\"us_per_step\":{microseconds:F2},\"us_min\":{fastest:F2},\"us_max\":{slowest:F2},\"bytes_per_step\":{bytes}}}"));
            if (name.StartsWith("infer-b", StringComparison.Ordinal)) // ONNX Runtime on the same exported model, right after
            {
                var (peer, peerFastest, peerSlowest, _) = Measure(Workloads.Inference(int.Parse(name["infer-b".Length..], CultureInfo.InvariantCulture), new Random(0)).OnnxRuntime);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"peer\":\"onnxruntime\",\"threads\":2,\"workload\":\"{name}\",\"us_per_step\":{peer:F2},\"us_min\":{peerFastest:F2},\"us_max\":{peerSlowest:F2}}}"));
            }
        }
    }

    /// <summary>Median, fastest and slowest round's µs per step, and managed bytes allocated per warm step (all threads).</summary>
    public static (double Microseconds, double Fastest, double Slowest, long BytesPerStep) Measure(Action step)
    {
        // Warm up long enough for tiered compilation to reach its optimised code, then size the rounds.
        int steps = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < WarmUp || steps < 10)
        {
            step();
            steps++;
        }
        int perRound = Math.Max(3, (int)(steps * (Round / clock.Elapsed)));

        var times = new double[Rounds];
        long bytes = 0;
        for (int round = 0; round < Rounds; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes;
            clock.Restart();
            for (int i = 0; i < perRound; i++) step();
            times[round] = clock.Elapsed.TotalMicroseconds / perRound;
            bytes = Math.Max(bytes, (GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes - before) / perRound);
        }
        Array.Sort(times);
        return (times[Rounds / 2], times[0], times[^1], bytes);
    }
}
