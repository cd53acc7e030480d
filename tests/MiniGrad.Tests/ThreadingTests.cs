using MiniGrad.Activations;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Tests;

/// <summary>
/// <see cref="Threading.MaxDegreeOfParallelism"/>: honoured, checked, and without effect on results. Runs alone (the
/// allocation collection), since it changes a process-wide setting.
/// </summary>
[Collection(nameof(AllocationTests))]
public class ThreadingTests
{
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
