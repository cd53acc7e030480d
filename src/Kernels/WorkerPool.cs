using System.Diagnostics;

namespace MiniGrad.Kernels;

/// <summary>A piece of work split into parts that may run on different threads at once.</summary>
internal interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>; parts must not write the same memory.</summary>
    void Run(int part, int parts);
}

/// <summary>
/// A persistent set of background threads, one per core beyond the caller's, that large kernels (GEMM, big
/// element-wise passes) split their work over. The caller runs part 0 itself, the workers the rest, and
/// <see cref="Run"/> returns when every part has finished. No thread is created per call and a call allocates
/// nothing; the work object is the caller's, reused from step to step.
/// </summary>
/// <remarks>
/// <para>Only one caller uses the workers at a time; a call that finds them busy (another thread is inside
/// <see cref="Run"/>) runs all its parts itself, so nesting or concurrent use is safe, merely serial.</para>
/// <para>A worker spins briefly after finishing a part, so the next call in a training loop finds it awake,
/// then sleeps on an event. Work is split by output region, never by a reduction, so the result does not
/// depend on which thread ran which part.</para>
/// </remarks>
internal static class WorkerPool
{
    /// <summary>The environment variable that sets the default <see cref="MaxDegreeOfParallelism"/>.</summary>
    internal const string EnvironmentVariable = "MINIGRAD_NUM_THREADS";

    /// <summary>
    /// How many times higher a threshold given to <see cref="Threshold"/> is while the cores are far apart
    /// (<see cref="CoresFarApart"/>): work that moves its data between cores only pays when there is this much more of it.
    /// </summary>
    internal const int FarApartScale = 4;

    /// <summary>A round trip of one cache line between the caller's core and a worker's above this is "far apart".</summary>
    internal const double FarApartRoundTripNanoseconds = 200;

    /// <summary>The cores are probed again after this many calls of <see cref="Threshold"/>.</summary>
    internal const int ProbeInterval = 4096;

    private static readonly Worker[] workers = ThreadsAvailable ? CreateWorkers(Environment.ProcessorCount - 1) : [];
    private static readonly CoreProbe probe = new();
    private static int maxDegreeOfParallelism = DefaultDegree();
    private static int busy;
    private static long workerAllocatedBytes;
    private static int callsSinceProbe = ProbeInterval;
    private static volatile bool measuredFarApart;
    private static double lastRoundTrip = double.NaN;

    /// <summary>Whether the platform can run background threads (single-threaded WebAssembly cannot).</summary>
    internal static bool ThreadsAvailable => !OperatingSystem.IsBrowser() && !OperatingSystem.IsWasi();

    /// <summary>The most threads a call may use, the caller's included (set through <c>MiniGrad.Threading</c>).</summary>
    internal static int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref maxDegreeOfParallelism);
        set => Volatile.Write(ref maxDegreeOfParallelism, value);
    }

    /// <summary>How many threads a call can use, the caller's included: the workers and the caller, at most <see cref="MaxDegreeOfParallelism"/>.</summary>
    internal static int Threads => Math.Min(workers.Length + 1, MaxDegreeOfParallelism);

    /// <summary>How many threads MiniGrad has started in this process (its workers; they are made once and live on).</summary>
    internal static int ThreadsStarted => workers.Length;

    /// <summary>Managed bytes the worker threads have allocated while running parts, in total.</summary>
    internal static long WorkerAllocatedBytes => Interlocked.Read(ref workerAllocatedBytes);

    /// <summary>
    /// Whether the caller's core and the workers' are far apart: a cache line took longer than
    /// <see cref="FarApartRoundTripNanoseconds"/> to go to a worker and back when last probed. On a virtual machine the
    /// host may place its two virtual CPUs on different core complexes (chiplets) for minutes at a time; one Zen 4 here
    /// measured 55–85 ns next to each other and 320–360 ns apart, and every kernel that hands data from one thread to the
    /// other paid that, so small steps ran slower on two threads than on one (bench/MiniGrad.Benchmarks/NOTES.md).
    /// </summary>
    internal static bool CoresFarApart => FarApartOverride ?? measuredFarApart;

    /// <summary>For tests: fixes <see cref="CoresFarApart"/> (null: as measured).</summary>
    internal static bool? FarApartOverride { get; set; }

    /// <summary>The last probe's round trip between the caller's core and a worker's, in nanoseconds (NaN before the first).</summary>
    internal static double LastRoundTripNanoseconds => Volatile.Read(ref lastRoundTrip);

    /// <summary>
    /// How many parts to split work of <paramref name="size"/> units (multiply-adds, elements) into: one below
    /// <paramref name="threshold"/>, where handing part of it to another core would cost more than it saves, and
    /// <see cref="Threads"/> from there on. Either way the result is the same, bit for bit.
    /// </summary>
    internal static int PartsFor(long size, long threshold) => size < threshold ? 1 : Threads;

    /// <summary>
    /// <paramref name="threshold"/>, or <see cref="FarApartScale"/> times it while the cores are far apart; every
    /// <see cref="ProbeInterval"/> calls it first measures the cores again (a few microseconds). Only the smallest
    /// hand-offs use it: two mid-sized products side by side (<c>Gemm.RunsSideBySide</c>). A product or pass split in
    /// bands keeps its threshold, since there splitting still paid with the cores apart (NOTES.md).
    /// </summary>
    internal static long Threshold(long threshold)
    {
        if (Threads < 2) return threshold;
        if (++callsSinceProbe >= ProbeInterval) ProbeCores();
        return CoresFarApart ? threshold * FarApartScale : threshold;
    }

    /// <summary>Measures the round trip to the first worker, unless another thread is using the workers.</summary>
    internal static void ProbeCores()
    {
        callsSinceProbe = 0;
        if (workers.Length == 0 || Interlocked.CompareExchange(ref busy, 1, 0) != 0) return;
        try
        {
            probe.Reset();
            workers[0].Start(probe, 1, 2);
            probe.Run(0, 2);
            workers[0].Join();
            if (!double.IsNaN(probe.RoundTripNanoseconds))
            {
                Volatile.Write(ref lastRoundTrip, probe.RoundTripNanoseconds);
                measuredFarApart = probe.RoundTripNanoseconds > FarApartRoundTripNanoseconds;
            }
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Runs parts 0 .. <paramref name="parts"/> − 1 of <paramref name="work"/>, in parallel where possible.</summary>
    internal static void Run(IParallelWork work, int parts)
    {
        parts = Math.Min(parts, Threads);
        if (parts <= 1 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            for (int part = 0; part < parts; part++) work.Run(part, parts);
            return;
        }
        try
        {
            for (int i = 1; i < parts; i++) workers[i - 1].Start(work, i, parts);
            work.Run(0, parts);
            Exception? failure = null;
            for (int i = 1; i < parts; i++) failure ??= workers[i - 1].Join();
            if (failure is not null) throw new AggregateException("A worker thread failed.", failure);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> near-equal bands of [0, <paramref name="length"/>),
    /// cut at multiples of <paramref name="granule"/>; the cuts depend only on these four numbers.
    /// </summary>
    internal static (int Start, int End) Band(int length, int granule, int part, int parts)
    {
        long granules = ((long)length + granule - 1) / granule;
        long start = granules * part / parts * granule, end = granules * (part + 1) / parts * granule;
        return ((int)Math.Min(start, length), (int)Math.Min(end, length));
    }

    /// <summary><c>MINIGRAD_NUM_THREADS</c> when it is a whole number ≥ 1, the processor count otherwise.</summary>
    private static int DefaultDegree() => ParseDegree(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>The thread count in <paramref name="text"/> when it is a whole number ≥ 1, the processor count otherwise.</summary>
    internal static int ParseDegree(string? text) =>
        int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingWhite | System.Globalization.NumberStyles.AllowTrailingWhite,
            System.Globalization.CultureInfo.InvariantCulture, out int threads) && threads >= 1 ? threads : Environment.ProcessorCount;

    private static Worker[] CreateWorkers(int count)
    {
        var created = new Worker[Math.Max(0, count)];
        for (int i = 0; i < created.Length; i++) created[i] = new Worker(i + 1);
        return created;
    }

    /// <summary>
    /// The caller (part 0) and a worker (part 1) pass a count back and forth, each writing its own cache line and spinning
    /// on the other's, in <see cref="Batches"/> batches of <see cref="TripsPerBatch"/> round trips after a first one that
    /// may include waking the worker. The caller keeps the fastest batch: a thread descheduled during one (the JIT's or
    /// the GC's threads share the cores) slows that batch, not the measurement. A round trip that has not come back after
    /// about a millisecond ends the probe without a measurement.
    /// </summary>
    private sealed class CoreProbe : IParallelWork
    {
        private const int Batches = 4, TripsPerBatch = 16, Trips = 1 + Batches * TripsPerBatch;
        private const int Cancelled = -1;

        // ping (written by the caller) and pong (by the worker) 128 bytes apart, each on a line no other object shares.
        private readonly long[] lines = new long[48];
        private ref long Ping => ref lines[15];
        private ref long Pong => ref lines[31];

        internal double RoundTripNanoseconds { get; private set; } = double.NaN;

        internal void Reset()
        {
            Volatile.Write(ref Ping, 0);
            Volatile.Write(ref Pong, 0);
            RoundTripNanoseconds = double.NaN;
        }

        public void Run(int part, int parts)
        {
            if (part == 0) Time();
            else Answer();
        }

        private void Time()
        {
            long fastest = long.MaxValue, batchStart = 0;
            for (int trip = 1; trip <= Trips; trip++)
            {
                if (trip % TripsPerBatch == 2) batchStart = Stopwatch.GetTimestamp(); // trips 2, 18, 34, 50 start a batch
                Volatile.Write(ref Ping, trip);
                if (!AwaitPong(trip))
                {
                    Volatile.Write(ref Ping, Cancelled);
                    return;
                }
                if (trip % TripsPerBatch == 1 && trip > 1) fastest = Math.Min(fastest, Stopwatch.GetTimestamp() - batchStart);
            }
            RoundTripNanoseconds = fastest * 1e9 / Stopwatch.Frequency / TripsPerBatch;
        }

        /// <summary>Spins until the worker answers <paramref name="trip"/>; false after about a millisecond without.</summary>
        private bool AwaitPong(int trip)
        {
            long since = 0;
            for (int spin = 1; Volatile.Read(ref Pong) != trip; spin++)
            {
                if ((spin & 1023) != 0) continue;
                long now = Stopwatch.GetTimestamp();
                if (since == 0) since = now;
                else if (now - since > Stopwatch.Frequency / 1000) return false;
            }
            return true;
        }

        private void Answer()
        {
            for (int trip = 1; trip <= Trips; trip++)
            {
                long seen;
                while ((seen = Volatile.Read(ref Ping)) != trip)
                {
                    if (seen == Cancelled) return;
                }
                Volatile.Write(ref Pong, trip);
            }
        }
    }

    private sealed class Worker
    {
        private const int SpinIterations = 20_000;
        private readonly ManualResetEventSlim wake = new(false);
        private IParallelWork? work;
        private int part, parts;
        private volatile bool hasWork, done;
        private Exception? failure;

        internal Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"MiniGrad worker {index}" };
            thread.Start();
        }

        internal void Start(IParallelWork work, int part, int parts)
        {
            this.work = work;
            this.part = part;
            this.parts = parts;
            failure = null;
            done = false;
            hasWork = true;
            wake.Set();
        }

        internal Exception? Join()
        {
            var spinner = new SpinWait();
            while (!done) spinner.SpinOnce(sleep1Threshold: -1);
            return failure;
        }

        private void Loop()
        {
            while (true)
            {
                for (int spin = 0; !hasWork && spin < SpinIterations; spin++) Thread.SpinWait(10);
                if (!hasWork)
                {
                    wake.Wait();
                }
                wake.Reset();
                if (!hasWork) continue;
                hasWork = false;
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    work!.Run(part, parts);
                }
                catch (Exception exception)
                {
                    failure = exception;
                }
                Interlocked.Add(ref workerAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
                work = null;
                done = true;
            }
        }
    }
}
