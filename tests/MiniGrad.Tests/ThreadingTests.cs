using MiniGrad.Activations;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Tests;

/// <summary>
/// <see cref="Threading.MaxDegreeOfParallelism"/>: honoured, checked, and without effect on results. Runs alone (the
/// allocation collection), since it changes a process-wide setting.
/// </summary>
[Collection(nameof(AllocationTests))]
public class ThreadingTests : IDisposable
{
    /// <summary>
    /// The tests below that split work decide for themselves whether the cores are far apart, so that a probe that finds
    /// this machine's cores apart (a VM's virtual CPUs on different chiplets) cannot change what they test.
    /// </summary>
    public ThreadingTests() => WorkerPool.FarApartOverride = false;

    public void Dispose()
    {
        WorkerPool.FarApartOverride = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Trains a network large enough that its products and activations are split over threads; returns every weight.</summary>
    private static float[] Train(int threads)
    {
        int saved = Threading.MaxDegreeOfParallelism;
        try
        {
            Threading.MaxDegreeOfParallelism = threads;
            var rng = new Random(3);
            var model = new Sequential<float>(new Dense<float>(784, 512, rng), new GELU<float>(), new Dense<float>(512, 256, rng), new Softplus<float>(), new Dense<float>(256, 10, rng));
            var optimizer = new Adam<float>(model.Parameters(), lr: 1e-3);
            var x = Tensor<float>.RandomNormal(256, 784, rng);
            int[] labels = Enumerable.Range(0, 256).Select(i => i % 10).ToArray();
            for (int step = 0; step < 3; step++)
            {
                optimizer.ZeroGrad();
                using (var tape = new Tape()) tape.Backward(new CrossEntropyLoss<float>().Forward(model.Forward(x), labels));
                optimizer.Step();
            }
            return model.Parameters().SelectMany(p => p.AsSpan().ToArray()).ToArray();
        }
        finally
        {
            Threading.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void One_thread_and_all_threads_give_bit_identical_weights()
    {
        var alone = Train(1);
        var together = Train(Environment.ProcessorCount);
        Assert.Equal(alone.Length, together.Length);
        Assert.True(alone.AsSpan().SequenceEqual(together), "the weights differ between 1 thread and all");
        Assert.True(alone.AsSpan().SequenceEqual(Train(1)), "the weights differ between two runs with 1 thread");
    }

    /// <summary>
    /// A batch of at most four rows times a stored B, large enough to be split (1 to 4 × 1,000 × 300, with and without bias
    /// and accumulation, n not a multiple of any vector width): one thread reads B along its rows, several read it in
    /// strips, and C must come out the same, bit for bit.
    /// </summary>
    [Theory]
    [InlineData(1, false, false)]
    [InlineData(1, true, false)]
    [InlineData(3, true, true)]
    [InlineData(4, false, true)]
    public void A_few_rows_product_is_bit_identical_with_one_thread_or_all(int m, bool withBias, bool accumulate)
    {
        const int n = 1000, k = 300;
        var rng = new Random(m);
        float[] a = Tensor<float>.RandomNormal(m, k, rng).Values, b = Tensor<float>.RandomNormal(k, n, rng).Values;
        float[] start = Tensor<float>.RandomNormal(m, n, rng).Values;
        float[]? bias = withBias ? Tensor<float>.RandomNormal(1, n, rng).Values : null;
        float[] Product(int threads)
        {
            int saved = Threading.MaxDegreeOfParallelism;
            try
            {
                Threading.MaxDegreeOfParallelism = threads;
                var c = (float[])start.Clone();
                Gemm.Multiply(m, n, k, a, false, b, false, c, accumulate, bias);
                return c;
            }
            finally
            {
                Threading.MaxDegreeOfParallelism = saved;
            }
        }
        var alone = Product(1);
        Assert.True(alone.AsSpan().SequenceEqual(Product(Math.Max(2, Environment.ProcessorCount))), "C differs between 1 thread and several");
    }

    /// <summary>
    /// A layer's two backward products, dX = dY·Wᵀ and dW = Xᵀ·dY, handed to <see cref="Gemm.MultiplyBoth"/>: in the
    /// side-by-side range they run at once, each whole on its own thread, and must give, bit for bit, what two calls of
    /// <see cref="Gemm.Multiply"/> on one thread give (spirals' hidden layer, a 64-wide layer, and one accumulating).
    /// On a one-core machine both sides run one after the other and the test checks only that path.
    /// </summary>
    [Theory]
    [InlineData(300, 100, 100, false)]
    [InlineData(64, 64, 64, false)]
    [InlineData(61, 70, 67, true)]
    public void A_layer_s_two_backward_products_side_by_side_equal_them_one_after_the_other(int batch, int inputs, int outputs, bool accumulate)
    {
        Assert.InRange((long)batch * inputs * outputs, Gemm.SideBySideMinimum, Gemm.SideBySideLimit);
        var rng = new Random(batch + inputs);
        float[] x = Tensor<float>.RandomNormal(batch, inputs, rng).Values, w = Tensor<float>.RandomNormal(inputs, outputs, rng).Values;
        float[] dy = Tensor<float>.RandomNormal(batch, outputs, rng).Values;
        float[] dxStart = Tensor<float>.RandomNormal(batch, inputs, rng).Values, dwStart = Tensor<float>.RandomNormal(inputs, outputs, rng).Values;
        float[] dx = (float[])dxStart.Clone(), dw = (float[])dwStart.Clone();
        Gemm.MultiplyBoth(
            new Gemm.Product<float>(batch, inputs, outputs, dy, false, w, true, dx, accumulate),
            new Gemm.Product<float>(inputs, outputs, batch, x, true, dy, false, dw, accumulate));

        int saved = Threading.MaxDegreeOfParallelism;
        try
        {
            Threading.MaxDegreeOfParallelism = 1;
            float[] dxAlone = (float[])dxStart.Clone(), dwAlone = (float[])dwStart.Clone();
            Gemm.Multiply(batch, inputs, outputs, dy, false, w, true, dxAlone, accumulate);
            Gemm.Multiply(inputs, outputs, batch, x, true, dy, false, dwAlone, accumulate);
            Assert.True(dxAlone.AsSpan().SequenceEqual(dx), "dX differs between side by side and one after the other");
            Assert.True(dwAlone.AsSpan().SequenceEqual(dw), "dW differs between side by side and one after the other");
        }
        finally
        {
            Threading.MaxDegreeOfParallelism = saved;
        }
    }

    /// <summary>
    /// Which pairs run at once: independent mid-sized ones with two threads or more; never a pair where one writes what the
    /// other reads or writes, nor one with a product too small, too large or too shallow, nor on one thread. A pair that
    /// shares an array runs in order (the second sees the first's result), and a second product whose arrays are too
    /// small is refused before the first has written anything.
    /// </summary>
    [Fact]
    public void Only_independent_mid_sized_products_run_side_by_side_and_a_bad_one_is_refused_before_either_runs()
    {
        const int n = 64;
        var rng = new Random(9);
        float[] a = Tensor<float>.RandomNormal(n, n, rng).Values, b = Tensor<float>.RandomNormal(n, n, rng).Values;
        float[] first = new float[n * n], second = new float[n * n];
        Gemm.Product<float> Of(float[] left, float[] right, float[] c, int m = n, int k = n) => new(m, n, k, left, false, right, false, c, false);
        int saved = Threading.MaxDegreeOfParallelism;
        try
        {
            Threading.MaxDegreeOfParallelism = 2;
            bool twoThreads = Environment.ProcessorCount >= 2;
            Assert.Equal(twoThreads, Gemm.RunsSideBySide(Of(a, b, first), Of(b, a, second)));
            Assert.False(Gemm.RunsSideBySide(Of(a, b, first), Of(first, b, second)), "the second reads the first's C");
            Assert.False(Gemm.RunsSideBySide(Of(a, b, first), Of(b, a, first)), "both write one C");
            Assert.False(Gemm.RunsSideBySide(Of(a, b, first), Of(b, second, a)), "the second writes the first's A");
            float[] tall = new float[1100 * n], tallResult = new float[1100 * n];
            Assert.False(Gemm.RunsSideBySide(Of(a, b, first), Of(b, a, second, m: 8)), "the second is too small");
            Assert.False(Gemm.RunsSideBySide(Of(a, b, first), Of(tall, a, tallResult, m: 1100)), "the second is too large");
            Assert.False(Gemm.RunsSideBySide(Of(a, b, first), Of(tall, a, tallResult, m: 256, k: 16)), "the second is too shallow");
            Threading.MaxDegreeOfParallelism = 1;
            Assert.False(Gemm.RunsSideBySide(Of(a, b, first), Of(b, a, second)), "one thread");
        }
        finally
        {
            Threading.MaxDegreeOfParallelism = saved;
        }

        Gemm.MultiplyBoth(Of(a, b, first), Of(first, b, second));
        float[] expectedFirst = new float[n * n], expectedSecond = new float[n * n];
        Gemm.Multiply(n, n, n, a, false, b, false, expectedFirst, accumulate: false);
        Gemm.Multiply(n, n, n, expectedFirst, false, b, false, expectedSecond, accumulate: false);
        Assert.True(expectedFirst.AsSpan().SequenceEqual(first), "the first product differs");
        Assert.True(expectedSecond.AsSpan().SequenceEqual(second), "the second product did not read the first's result");

        var untouched = new float[n * n];
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyBoth(
            new Gemm.Product<float>(n, n, n, a, false, b, false, untouched, false),
            new Gemm.Product<float>(n, n, n, a, false, new float[n], false, second, false)));
        Assert.Contains("do not hold", error.Message);
        Assert.All(untouched, value => Assert.Equal(0f, value));
    }

    /// <summary>
    /// The optimizers' update of one parameter of 300 × 311 = 93,300 elements (above BandWork's parallel length, and not a
    /// multiple of any vector width), five steps: split over every thread, it must give what one thread gives, bit for bit.
    /// </summary>
    [Theory]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("sgd momentum")]
    [InlineData("sgd nesterov")]
    public void A_large_parameter_is_updated_to_the_same_bits_with_one_thread_or_all(string name)
    {
        float[] Steps(int threads)
        {
            int saved = Threading.MaxDegreeOfParallelism;
            try
            {
                Threading.MaxDegreeOfParallelism = threads;
                var rng = new Random(5);
                var weight = Tensor<float>.RandomNormal(300, 311, rng, requiresGrad: true);
                Assert.True(weight.Length >= Kernels.BandWork.ParallelLength);
                Optimizer<float> optimizer = name switch
                {
                    "adam" => new Adam<float>([weight], lr: 1e-2, weightDecay: 1e-3),
                    "adamw" => new AdamW<float>([weight], lr: 1e-2),
                    "sgd momentum" => new SGD<float>([weight], lr: 0.1, momentum: 0.9, weightDecay: 1e-3),
                    _ => new SGD<float>([weight], lr: 0.1, momentum: 0.9, nesterov: true),
                };
                for (int step = 0; step < 5; step++)
                {
                    optimizer.ZeroGrad();
                    using (var tape = new Tape()) tape.Backward((weight * weight).Sum()); // gradient 2w: every element moves
                    optimizer.Step();
                }
                return weight.AsSpan().ToArray();
            }
            finally
            {
                Threading.MaxDegreeOfParallelism = saved;
            }
        }

        var alone = Steps(1);
        var together = Steps(Environment.ProcessorCount);
        Assert.NotEqual(Tensor<float>.RandomNormal(300, 311, new Random(5)).AsSpan().ToArray(), alone); // the steps moved it
        Assert.True(alone.AsSpan().SequenceEqual(together), $"{name}: one thread and {Environment.ProcessorCount} differ");
    }

    public static TheoryData<string> SampleNetworks => ["xor", "spirals", "deep sigmoid (GradientFlow)", "wide relu at a high rate (DeadRelu)", "mnist", "iris"];

    private static readonly Lazy<Samples.Mnist.MnistData> Digits = new(() => Samples.Mnist.MnistTraining.Load(System.IO.Path.Combine(AppContext.BaseDirectory, "data", "mnist")));

    /// <summary>Trains one sample's network briefly, as the sample does, and returns every number it ends with.</summary>
    private static float[] TrainSample(string name)
    {
        static float[] Weights(Module<float> model) => model.Parameters().SelectMany(p => p.AsSpan().ToArray()).ToArray();
        switch (name)
        {
            case "xor":
                var xor = Samples.Xor.XorTraining.Train(seed: 3, epochs: 100);
                return [(float)xor.Loss, .. xor.Probabilities.Select(p => (float)p)];
            case "spirals":
                return Weights(Samples.Spirals.SpiralsTraining.Train("relu", 50, 0.01, seed: 3).Model);
            case "mnist":
                return Weights(Samples.Mnist.MnistTraining.Train(Digits.Value, "relu", epochs: 1, 1e-3, maxShift: 2, seed: 3, (trainer, train, test) => trainer.Fit(train, 1, test)).Model);
            case "iris":
            {
                var iris = Data.Csv.ReadClassification<float>(TestData.Path("iris.csv"), "species");
                var (train, _) = Data.Split.TrainTest(iris.Features, iris.Labels, 0.2, stratify: true, new Random(3));
                var rng = new Random(3);
                var model = new Sequential<float>(new Dense<float>(4, 16, rng), new ReLU<float>(), new Dense<float>(16, 3, rng));
                new Training.Trainer<float>(model, new CrossEntropyLoss<float>(), new Adam<float>(model.Parameters(), lr: 0.01))
                    .Fit(new Data.DataLoader<float>(new Data.StandardScaler<float>().FitTransform(train.Features), train.Labels, 16, seed: 3), epochs: 20);
                return Weights(model);
            }
            default:
            {
                bool deep = name.StartsWith("deep");
                var rng = new Random(3);
                var (x, labels) = Data.Datasets.Spirals<float>(100, 3, noise: 0.2, rng);
                var model = Samples.DeepMlp.Build(2, deep ? 10 : 3, 64, 3, deep ? "sigmoid" : "relu", deep ? WeightInit.XavierUniform : WeightInit.HeUniform, WeightInit.Default, rng);
                Samples.DeepMlp.TrainMonitored(model, x, labels, epochs: 20, deep ? 1e-3 : 0.1, (_, _, _) => { });
                return Weights(model);
            }
        }
    }

    [Theory]
    [MemberData(nameof(SampleNetworks))]
    public void Every_sample_network_trains_to_the_same_bits_with_one_thread_or_all_and_run_after_run(string name)
    {
        int saved = Threading.MaxDegreeOfParallelism;
        try
        {
            Threading.MaxDegreeOfParallelism = 1;
            var alone = TrainSample(name);
            var again = TrainSample(name);
            Threading.MaxDegreeOfParallelism = Environment.ProcessorCount;
            var together = TrainSample(name);
            Assert.True(alone.AsSpan().SequenceEqual(again), $"{name}: two runs with one thread differ");
            Assert.True(alone.AsSpan().SequenceEqual(together), $"{name}: one thread and {Environment.ProcessorCount} differ");
        }
        finally
        {
            Threading.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void The_setting_caps_the_threads_a_kernel_uses_and_refuses_zero()
    {
        int saved = Threading.MaxDegreeOfParallelism;
        try
        {
            Threading.MaxDegreeOfParallelism = 1;
            Assert.Equal(1, WorkerPool.Threads);
            Threading.MaxDegreeOfParallelism = 64;
            Assert.Equal(Math.Min(64, Threading.ThreadsAvailable ? Environment.ProcessorCount : 1), WorkerPool.Threads);
            Assert.Throws<ArgumentOutOfRangeException>(() => Threading.MaxDegreeOfParallelism = 0);
            Assert.Equal(64, Threading.MaxDegreeOfParallelism);
        }
        finally
        {
            Threading.MaxDegreeOfParallelism = saved;
        }
    }

    /// <summary>
    /// While the cores are far apart two 64 × 64 × 64 products (2¹⁸ multiply-adds each) no longer run side by side: the
    /// side-by-side minimum is <see cref="WorkerPool.FarApartScale"/> times higher. A product or pass split in bands keeps its
    /// threshold either way; and with one thread allowed nothing is split or paired, far apart or not.
    /// </summary>
    [Fact]
    public void Far_apart_cores_keep_two_small_products_on_one_thread()
    {
        int saved = Threading.MaxDegreeOfParallelism;
        try
        {
            Threading.MaxDegreeOfParallelism = 2;
            int threads = WorkerPool.Threads;
            const int n = 64;
            var rng = new Random(5);
            float[] a = Tensor<float>.RandomNormal(n, n, rng).Values, b = Tensor<float>.RandomNormal(n, n, rng).Values;
            var first = new Gemm.Product<float>(n, n, n, a, false, b, false, new float[n * n], false);
            var second = new Gemm.Product<float>(n, n, n, b, false, a, false, new float[n * n], false);
            Assert.Equal(threads >= 2, Gemm.RunsSideBySide(first, second));
            Assert.Equal(Gemm.SideBySideMinimum, WorkerPool.Threshold(Gemm.SideBySideMinimum));

            WorkerPool.FarApartOverride = true;
            Assert.False(Gemm.RunsSideBySide(first, second), "far apart, 2^18 multiply-adds each");
            if (threads >= 2)
                Assert.Equal(Gemm.SideBySideMinimum * WorkerPool.FarApartScale, WorkerPool.Threshold(Gemm.SideBySideMinimum));
            Assert.Equal(threads, WorkerPool.PartsFor(Gemm.ParallelThreshold, Gemm.ParallelThreshold));
            Assert.Equal(1, WorkerPool.PartsFor(Gemm.ParallelThreshold - 1, Gemm.ParallelThreshold));

            Threading.MaxDegreeOfParallelism = 1;
            Assert.Equal(Gemm.SideBySideMinimum, WorkerPool.Threshold(Gemm.SideBySideMinimum));
            Assert.Equal(1, WorkerPool.PartsFor(long.MaxValue / 2, Gemm.ParallelThreshold));
        }
        finally
        {
            Threading.MaxDegreeOfParallelism = saved;
            WorkerPool.FarApartOverride = false;
        }
    }

    /// <summary>
    /// The probe passes a cache line to the worker and back and times it: on a machine with a worker it measures a round
    /// trip between 1 ns and a millisecond (it gives up on a slower one, when a thread was descheduled, so it is tried a
    /// few times); without a worker it returns at once and there is no measurement.
    /// </summary>
    [Fact]
    public void The_probe_times_a_round_trip_to_a_worker()
    {
        if (WorkerPool.ThreadsStarted == 0)
        {
            WorkerPool.ProbeCores();
            Assert.True(double.IsNaN(WorkerPool.LastRoundTripNanoseconds), "a round trip was measured without a worker");
            return;
        }
        double roundTrip = double.NaN;
        for (int attempt = 0; attempt < 5 && (double.IsNaN(roundTrip) || roundTrip == 0); attempt++)
        {
            WorkerPool.ProbeCores();
            roundTrip = WorkerPool.LastRoundTripNanoseconds;
        }
        Assert.InRange(roundTrip, 1, 1_000_000);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData(" 3 ", 3)]
    [InlineData("0", -1)]
    [InlineData("-2", -1)]
    [InlineData("two", -1)]
    [InlineData(null, -1)]
    public void The_environment_variable_gives_the_default_when_it_is_a_count(string? text, int expected) =>
        Assert.Equal(expected == -1 ? Environment.ProcessorCount : expected, WorkerPool.ParseDegree(text));
}
