using System.Diagnostics;
using MiniGrad.Data;
using MiniGrad.Losses;
using MiniGrad.Optimizers;
using Xunit.Abstractions;

namespace MiniGrad.Tests;

/// <summary>
/// Long runs: the spirals and MNIST networks trained step after step, with the managed heap, the bytes allocated and the
/// threads sampled along the way. After warm-up the heap does not grow, no step allocates a byte, MiniGrad starts no thread
/// beyond its workers (the process's count moves by at most the runtime's one or two), and no loss is NaN. CI runs a short version (10,000 spirals steps and 2,000 MNIST steps, about ten seconds); set the environment
/// variable <c>MINIGRAD_SOAK=full</c> for 10,000 MNIST steps too. Runs alone, so that no other test's threads or
/// allocations are counted.
/// </summary>
[Collection(nameof(AllocationTests))]
public class SoakTests(ITestOutputHelper output)
{
    private static readonly bool Full = Environment.GetEnvironmentVariable("MINIGRAD_SOAK") == "full";

    /// <summary>What one sample point saw: the bytes allocated so far when it started and when it had measured the rest.</summary>
    private readonly record struct Sample(int Step, long HeapBytes, long AllocatedBefore, long AllocatedAfter, int Threads, double Loss);

    private static long Allocated() => GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes;

    /// <summary>
    /// Runs <paramref name="step"/> (which returns the step's loss) <paramref name="steps"/> times, sampling every
    /// <paramref name="every"/> steps, and checks the samples after the first (the warm-up).
    /// </summary>
    private void Soak(string name, int steps, int every, Func<double> step)
    {
        var samples = new List<Sample>(steps / every + 1);
        var clock = Stopwatch.StartNew();
        for (int i = 1; i <= steps; i++)
        {
            double loss = step();
            if (!double.IsFinite(loss)) Assert.Fail($"{name}: the loss at step {i} is {loss}"); // the message only when it fails: building it allocates
            if (i % every != 0) continue;
            long before = Allocated();
            long heap = GC.GetTotalMemory(forceFullCollection: true);
            int threads;
            using (var process = Process.GetCurrentProcess()) threads = process.Threads.Count;
            samples.Add(new Sample(i, heap, before, Allocated(), threads, loss)); // the list has room: adding allocates nothing
        }
        foreach (var s in samples)
            output.WriteLine($"{name} step {s.Step}: heap {s.HeapBytes / 1024} KB, allocated {s.AllocatedBefore / 1024} KB in all, {s.Threads} threads, loss {s.Loss:G4}");
        output.WriteLine($"{name}: {steps} steps in {clock.Elapsed.TotalSeconds:F1} s");

        string all = string.Join("; ", samples.Select(s => $"step {s.Step}: heap {s.HeapBytes / 1024} KB, +{(s.AllocatedBefore - samples[0].AllocatedAfter) / 1024} KB, {s.Threads} threads"));
        var warm = samples[(samples.Count / 5)..]; // the first fifth is warm-up: pools filled, code compiled and recompiled
        Assert.True(warm.Count >= 3, $"{name}: too few samples");
        for (int i = 1; i < warm.Count; i++)
        {
            // Between two samples, not counting what the measuring itself allocated, the steps allocate nothing.
            long allocated = warm[i].AllocatedBefore - warm[i - 1].AllocatedAfter;
            Assert.True(allocated == 0, $"{name}: {allocated} bytes allocated between steps {warm[i - 1].Step} and {warm[i].Step} ({all})");
            // MiniGrad starts its workers once; the runtime's own threads (tiered compilation, the thread pool) may come and
            // go by one or two, which is not a leak.
            Assert.True(warm[i].Threads <= warm[0].Threads + 2, $"{name}: {warm[i].Threads} threads at step {warm[i].Step}, {warm[0].Threads} after warm-up ({all})");
        }
        Assert.Equal(Math.Max(0, Environment.ProcessorCount - 1), WorkerPool.ThreadsStarted);
        // A leak makes the heap grow; no sample may sit 1 MB above the lowest before it. The heap may drop: when a thread
        // that earlier tests used exits, its thread-static buffers are collected (seen once in CI: −8.8 MB as the
        // process went from 23 to 22 threads), which is not the soak's doing.
        long lowest = warm[0].HeapBytes;
        foreach (var s in warm)
        {
            Assert.True(s.HeapBytes - lowest < 1 << 20, $"{name}: the heap grew from {lowest / 1024} KB to {s.HeapBytes / 1024} KB by step {s.Step} ({all})");
            lowest = Math.Min(lowest, s.HeapBytes);
        }
    }

    [Fact]
    public void Spirals_trains_10000_steps_with_flat_memory_and_threads()
    {
        var rng = new Random(0);
        var (x, labels) = Datasets.Spirals<float>(100, 3, noise: 0.2, rng);
        var model = Samples.DeepMlp.Build(2, 2, 64, 3, "relu", WeightInit.HeUniform, WeightInit.Default, rng);
        var optimizer = new Adam<float>(model.Parameters(), lr: 0.01);
        var lossFunction = new CrossEntropyLoss<float>();
        Soak("spirals", 10_000, 1_000, () =>
        {
            optimizer.ZeroGrad();
            float loss;
            using (var tape = new Tape())
            {
                var value = lossFunction.Forward(model.Forward(x), labels);
                tape.Backward(value);
                loss = value.Item;
            }
            optimizer.Step();
            return loss;
        });
    }

    [Fact]
    public void Mnist_trains_thousands_of_steps_with_flat_memory_and_threads()
    {
        var data = Samples.Mnist.MnistTraining.Load(Path.Combine(AppContext.BaseDirectory, "data", "mnist"));
        var model = Samples.Mnist.MnistTraining.Network("relu", new Random(0));
        var optimizer = new Adam<float>(model.Parameters(), lr: 1e-3);
        var lossFunction = new CrossEntropyLoss<float>();
        var loader = new DataLoader<float>(data.TrainImages, data.TrainLabels, Samples.Mnist.MnistTraining.BatchSize, seed: 0);
        var batches = loader.GetEnumerator();
        Soak("mnist", Full ? 10_000 : 2_000, Full ? 1_000 : 200, () =>
        {
            if (!batches.MoveNext())
            {
                batches = loader.GetEnumerator(); // a new epoch
                batches.MoveNext();
            }
            var (images, labels) = batches.Current;
            optimizer.ZeroGrad();
            float loss;
            using (var tape = new Tape())
            {
                var value = lossFunction.Forward(model.Forward(images), labels);
                tape.Backward(value);
                loss = value.Item;
            }
            optimizer.Step();
            return loss;
        });
    }
}
