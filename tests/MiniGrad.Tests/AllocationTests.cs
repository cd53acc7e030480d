using MiniGrad.Activations;
using MiniGrad.Layers;
using MiniGrad.Losses;
using MiniGrad.Optimizers;
using MiniGrad.Data;
using MiniGrad.Training;

namespace MiniGrad.Tests;

/// <summary>Once warm, a whole training step (zero grads, forward, loss, backward, optimizer step) allocates nothing.</summary>
/// <remarks>
/// The worker threads' allocations count, and other tests' work on those threads would count with them, so these tests
/// run alone (the collection below is never run in parallel with another).
/// </remarks>
[Collection(nameof(AllocationTests))]
public class AllocationTests
{
    /// <summary>Managed bytes one warm step allocates: zero the gradients, forward and loss, backward, step.</summary>
    private static long BytesPerStep<T>(Optimizer<T> optimizer, Func<Tensor<T>> loss, int warmSteps = 50, int measuredSteps = 20) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        void Step()
        {
            optimizer.ZeroGrad();
            using (var tape = new Tape()) tape.Backward(loss());
            optimizer.Step();
        }

        for (int i = 0; i < warmSteps; i++) Step(); // warm: pool filled, optimizer state made, code jitted
        long before = GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes;
        for (int i = 0; i < measuredSteps; i++) Step();
        return (GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes - before) / measuredSteps;
    }

    /// <summary>
    /// The training workloads of the step benchmark (BENCHMARKS.md), at their real sizes: large enough that
    /// their products and activations are split over the worker threads, whose allocations count too.
    /// </summary>
    [Theory]
    [InlineData("xor")]
    [InlineData("spirals")]
    [InlineData("mlp-mnist")]
    [InlineData("mlp-wide")]
    [InlineData("mlp-deep-sigmoid")]
    public void Benchmark_training_workloads_allocate_nothing_on_any_thread(string workload)
    {
        var (sizes, batch, activation, adam, lr) = workload switch
        {
            "xor" => (new[] { 2, 8, 1 }, 4, "tanh", false, 0.5),
            "spirals" => ([2, 100, 100, 3], 300, "relu", true, 1e-2),
            "mlp-mnist" => ([784, 512, 256, 10], 128, "relu", true, 1e-3),
            "mlp-wide" => ([784, 2048, 2048, 10], 256, "relu", true, 1e-3),
            _ => ([64, 64, 64, 64, 64, 64, 64, 64, 64, 10], 64, "sigmoid", false, 0.1),
        };
        var rng = new Random(0);
        var layers = new List<Module<float>>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            layers.Add(new Dense<float>(sizes[i], sizes[i + 1], rng));
            if (i + 2 < sizes.Length) layers.Add(Activation.Create<float>(activation));
        }
        var model = new Sequential<float>([.. layers]);
        Optimizer<float> optimizer = adam ? new Adam<float>(model.Parameters(), lr) : new SGD<float>(model.Parameters(), lr, momentum: 0.9);
        var x = Tensor<float>.RandomNormal(batch, sizes[0], rng);
        int[] labels = Enumerable.Range(0, batch).Select(i => i % sizes[^1]).ToArray();
        var targets = Tensor<float>.Full(batch, 1, 1f);
        var crossEntropy = new CrossEntropyLoss<float>();
        var binary = new BCEWithLogitsLoss<float>();
        Func<Tensor<float>> loss = sizes[^1] == 1 ? () => binary.Forward(model.Forward(x), targets) : () => crossEntropy.Forward(model.Forward(x), labels);
        bool large = sizes.Max() > 1000; // mlp-wide: a few steps say as much as many
        Assert.Equal(0, BytesPerStep(optimizer, loss, warmSteps: large ? 3 : 20, measuredSteps: large ? 2 : 10));
    }

    [Fact]
    public void An_activation_step_seeded_with_an_upstream_gradient_allocates_nothing_on_any_thread()
    {
        var rng = new Random(0);
        var x = Tensor<float>.RandomNormal(256, 4096, rng, requiresGrad: true); // split over the workers
        var upstream = Tensor<float>.RandomNormal(256, 4096, rng);
        foreach (var activation in new Module<float>[] { new GELU<float>(), new Softmax<float>() })
        {
            void Step()
            {
                x.ZeroGrad();
                using var tape = new Tape();
                tape.Backward(activation.Forward(x), upstream);
            }
            for (int i = 0; i < 5; i++) Step();
            long before = GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes;
            for (int i = 0; i < 5; i++) Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes - before);
        }
    }

    [Fact]
    public void Tanh_network_with_BCE_with_logits_and_SGD_momentum()
    {
        var rng = new Random(0);
        var model = new Sequential<float>(new Dense<float>(2, 8, rng), new Tanh<float>(), new Dense<float>(8, 1, rng));
        var (x, y) = Data.Datasets.Xor<float>();
        var loss = new BCEWithLogitsLoss<float>();
        var optimizer = new SGD<float>(model.Parameters(), lr: 0.5, momentum: 0.9, weightDecay: 1e-4, nesterov: true);
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), y)));
    }

    [Fact]
    public void ReLU_network_with_cross_entropy_and_Adam()
    {
        var rng = new Random(0);
        var model = new Sequential<float>(new Dense<float>(2, 32, rng), new ReLU<float>(), new Dense<float>(32, 32, rng), new ReLU<float>(), new Dense<float>(32, 3, rng));
        var x = Tensor<float>.RandomUniform(60, 2, -1, 1, rng);
        int[] labels = Enumerable.Range(0, 60).Select(i => i % 3).ToArray();
        var loss = new CrossEntropyLoss<float>();
        var optimizer = new Adam<float>(model.Parameters(), lr: 1e-2);
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), labels)));
    }

    [Fact]
    public void Sigmoid_network_with_MSE_and_AdamW()
    {
        var rng = new Random(0);
        var model = new Sequential<double>(new Dense<double>(4, 6, rng), new Sigmoid<double>(), new Dense<double>(6, 2, rng), new Identity<double>());
        var x = Tensor<double>.RandomUniform(10, 4, -1, 1, rng);
        var target = Tensor<double>.RandomUniform(10, 2, -1, 1, rng);
        var loss = new MSELoss<double>();
        var optimizer = new AdamW<double>(model.Parameters());
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), target)));
    }

    [Theory]
    [MemberData(nameof(ActivationCases.ModuleNames), MemberType = typeof(ActivationCases))]
    public void Every_activation_trains_without_allocating(string name)
    {
        var rng = new Random(0);
        var model = new Sequential<float>(new Dense<float>(2, 15, rng), ActivationCases.CreateModule<float>(name, features: 15), new Dense<float>(15, 3, rng));
        var x = Tensor<float>.RandomUniform(20, 2, -1, 1, rng);
        var target = Tensor<float>.RandomUniform(20, 3, -1, 1, rng);
        var loss = new MSELoss<float>();
        var optimizer = new Adam<float>(model.Parameters(), lr: 1e-3);
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), target)));
    }

    /// <summary>
    /// Inference without a tape at the benchmark's size (the MNIST MLP at batch 256, its products split over the workers):
    /// once warm, a pass allocates the tensor it returns and nothing else; the intermediates (1.6 MB) come from the pool.
    /// </summary>
    [Fact]
    public void A_warm_inference_pass_allocates_only_the_tensor_it_returns()
    {
        var rng = new Random(5);
        var model = new Sequential<float>(new Dense<float>(784, 512, rng), new ReLU<float>(), new Dropout<float>(0.2, rng),
            new Dense<float>(512, 256, rng), new ReLU<float>(), new Dense<float>(256, 10, rng));
        model.Eval();
        var x = Tensor<float>.RandomNormal(256, 784, rng);
        for (int i = 0; i < 5; i++) model.Forward(x);

        long before = GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes;
        for (int i = 0; i < 5; i++) model.Forward(x);
        long perPass = (GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes - before) / 5;

        long output = 256 * 10 * sizeof(float);
        Assert.InRange(perPass, output, output + 256); // the output's values, plus its array's and its tensor's headers
    }

    /// <summary>
    /// Cross-entropy's row maxima are scratch, taken from the pool and given back within forward: evaluated without a
    /// tape, it allocates its loss and the probabilities it would keep for backward, not a buffer per row as well.
    /// </summary>
    [Fact]
    public void Cross_entropy_without_a_tape_allocates_no_scratch_for_its_row_maxima()
    {
        var rng = new Random(6);
        var logits = Tensor<float>.RandomNormal(4096, 2, rng);
        int[] labels = Enumerable.Range(0, 4096).Select(i => i % 2).ToArray();
        var loss = new CrossEntropyLoss<float>();
        for (int i = 0; i < 3; i++) loss.Forward(logits, labels);

        long before = GC.GetAllocatedBytesForCurrentThread();
        loss.Forward(logits, labels);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long probabilities = 4096 * 2 * sizeof(float);
        Assert.InRange(allocated, probabilities, probabilities + 512); // not + 4096 floats of maxima
    }

    [Fact]
    public void Maxout_network_trains_without_allocating()
    {
        var rng = new Random(0);
        var model = new Sequential<float>(new Maxout<float>(2, 8, 3, rng), new Dense<float>(8, 1, rng));
        var (x, y) = Data.Datasets.Xor<float>();
        var loss = new BCEWithLogitsLoss<float>();
        var optimizer = new SGD<float>(model.Parameters(), lr: 0.1, momentum: 0.9);
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), y)));
    }

    [Fact]
    public void A_warm_training_batch_allocates_nothing_with_metrics_schedule_and_clipping()
    {
        var rng = new Random(4);
        var x = Tensor<float>.RandomNormal(512, 32, rng);
        int[] labels = Enumerable.Range(0, 512).Select(i => i % 10).ToArray();
        var model = new Sequential<float>(new Dense<float>(32, 64, rng), new ReLU<float>(), new Dropout<float>(0.1, rng), new BatchNorm1d<float>(64), new Dense<float>(64, 10, rng));
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), new Adam<float>(model.Parameters(), lr: 1e-3))
        {
            Metrics = { new Accuracy<float>() },
            Schedule = new CosineAnnealingLR(4),
            MaxGradientNorm = 1.0,
        };
        var loader = new DataLoader<float>(x, labels, batchSize: 64); // 8 full batches
        var allocated = new long[4 * loader.BatchCount];
        int batch = 0;
        trainer.BatchEnded += (_, _) => allocated[batch++] = GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes;

        trainer.Fit(loader, epochs: 4);

        for (int epoch = 1; epoch < 4; epoch++) // the first epoch warms up; after it, batch to batch within an epoch costs nothing
        {
            int first = epoch * loader.BatchCount, last = first + loader.BatchCount - 1;
            Assert.Equal(0, allocated[last] - allocated[first]);
        }
    }
}

/// <summary>Runs <see cref="AllocationTests"/> with no other test at the same time.</summary>
[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public class AllocationCollection
{
}
