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
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1.5), MaxWarmUp = TimeSpan.FromSeconds(6), Window = TimeSpan.FromSeconds(0.25);
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(0.4);

    public static void Run(string prefix)
    {
        var selected = Workloads.Select(prefix);
        if (selected.Length == 0)
            throw new ArgumentException($"No workload starts with '{prefix}'. Known: {string.Join(", ", Workloads.Names)}.");
        foreach (var name in selected)
        {
            var (microseconds, fastest, slowest, bytes) = Measure(Workloads.Create(name));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"peer\":\"minigrad\",\"path\":\"{Machine.Path}\",\"threads\":{WorkerPool.Threads},\"workload\":\"{name}\",\"us_per_step\":{microseconds:F2},\"us_min\":{fastest:F2},\"us_max\":{slowest:F2},\"bytes_per_step\":{bytes}{GigaFlops(name, microseconds)}{RoundTrip()}{Stamp()}}}"));
            if (name.StartsWith("infer-b", StringComparison.Ordinal)) // ONNX Runtime on the same exported model, right after
            {
                var (peer, peerFastest, peerSlowest, _) = Measure(Workloads.Inference(int.Parse(name["infer-b".Length..], CultureInfo.InvariantCulture), new Random(0)).OnnxRuntime);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"peer\":\"onnxruntime\",\"path\":\"{Machine.Path}\",\"threads\":{WorkerPool.Threads},\"workload\":\"{name}\",\"us_per_step\":{peer:F2},\"us_min\":{peerFastest:F2},\"us_max\":{peerSlowest:F2}}}"));
            }
        }
    }

    /// <summary>
    /// The <c>,"core_round_trip_ns":…</c> field on two threads or more: the worker pool's last probe of a cache line's
    /// round trip between the cores (above <see cref="WorkerPool.FarApartRoundTripNanoseconds"/> they count as far apart).
    /// </summary>
    private static string RoundTrip() =>
        WorkerPool.Threads >= 2 && !double.IsNaN(WorkerPool.LastRoundTripNanoseconds)
            ? string.Create(CultureInfo.InvariantCulture, $",\"core_round_trip_ns\":{WorkerPool.LastRoundTripNanoseconds:F0}")
            : "";

    /// <summary>The <c>,"utc":…</c> field: when the measurement ended, to the second, so a report names its sitting.</summary>
    private static string Stamp() => string.Create(CultureInfo.InvariantCulture, $",\"utc\":\"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\"");

    /// <summary>The <c>,"gflops":…</c> field of a workload whose operations are counted, else nothing.</summary>
    private static string GigaFlops(string name, double microseconds) =>
        Workloads.Flops(name) is { } flops ? string.Create(CultureInfo.InvariantCulture, $",\"gflops\":{flops / microseconds / 1e3:F1}") : "";

    /// <summary>Median, fastest and slowest round's µs per step, and managed bytes allocated per warm step (all threads).</summary>
    public static (double Microseconds, double Fastest, double Slowest, long BytesPerStep) Measure(Action step)
    {
        // Warm up until tiered compilation has reached its optimised code: at least WarmUp, then until two windows in a
        // row agree within 5% per step (at most MaxWarmUp), so a late recompilation does not land in the timed rounds.
        int steps = 0;
        var clock = Stopwatch.StartNew();
        double previous = double.NaN;
        while (clock.Elapsed < MaxWarmUp)
        {
            var window = Stopwatch.StartNew();
            int inWindow = 0;
            while (window.Elapsed < Window || inWindow < 3)
            {
                step();
                inWindow++;
            }
            steps += inWindow;
            double perStep = window.Elapsed.TotalMicroseconds / inWindow;
            if (clock.Elapsed >= WarmUp && Math.Abs(perStep - previous) <= 0.05 * previous) break;
            previous = perStep;
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
