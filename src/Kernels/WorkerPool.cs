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

    private static readonly Worker[] workers = ThreadsAvailable ? CreateWorkers(Environment.ProcessorCount - 1) : [];
    private static int maxDegreeOfParallelism = DefaultDegree();
    private static int busy;
    private static long workerAllocatedBytes;

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
