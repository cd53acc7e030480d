using MiniGrad.Activations;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Tests;

/// <summary>
/// Real threads: separate models trained at once give exactly what they give alone (tapes and pools are per thread), many
/// threads share one model for inference, and two threads training one model at once is refused. Each test is bounded in time.
/// </summary>
public class ConcurrencyTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static Sequential<float> Network(int seed)
    {
        var rng = new Random(seed);
        return new Sequential<float>(new Dense<float>(64, 256, rng), new GELU<float>(), new Dense<float>(256, 256, rng), new ReLU<float>(), new Dense<float>(256, 10, rng));
    }

    /// <summary>Trains a seeded network for some steps (large enough for the parallel GEMM); returns its weights.</summary>
    private static float[] Train(int seed)
    {
        var model = Network(seed);
        var optimizer = new Adam<float>(model.Parameters(), lr: 1e-3);
        var rng = new Random(seed + 100);
        var x = Tensor<float>.RandomNormal(128, 64, rng);
        int[] labels = Enumerable.Range(0, 128).Select(_ => rng.Next(10)).ToArray();
        for (int step = 0; step < 15; step++)
        {
            optimizer.ZeroGrad();
            using (var tape = new Tape()) tape.Backward(new CrossEntropyLoss<float>().Forward(model.Forward(x), labels));
            optimizer.Step();
        }
        return model.Parameters().SelectMany(p => p.AsSpan().ToArray()).ToArray();
    }

    private static void RunAll(IReadOnlyList<Action> work)
    {
        var failures = new Exception?[work.Count];
        var threads = work.Select((action, i) => new Thread(() => failures[i] = Record.Exception(action))).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) Assert.True(thread.Join(Limit), "a thread did not finish in time");
        foreach (var failure in failures) Assert.Null(failure);
    }

    [Fact]
    public void Separate_models_trained_on_separate_threads_at_once_end_as_they_do_alone()
    {
        int[] seeds = [1, 2, 3, 4];
        var alone = seeds.Select(Train).ToArray();
        var together = new float[seeds.Length][];
        RunAll([.. seeds.Select((seed, i) => (Action)(() => together[i] = Train(seed)))]);
        for (int i = 0; i < seeds.Length; i++)
            Assert.True(alone[i].AsSpan().SequenceEqual(together[i]), $"model {seeds[i]} differs when trained beside the others");
    }

    [Fact]
    public void Many_threads_can_run_inference_on_one_shared_model_with_no_tape()
    {
        var model = new Sequential<float>(Network(5), new Softmax<float>());
        model.Eval();
        var inputs = Enumerable.Range(0, 8).Select(i => Tensor<float>.RandomNormal(200, 64, new Random(i))).ToArray(); // 200 × 256 is split over the workers
        var expected = inputs.Select(x => model.Forward(x).AsSpan().ToArray()).ToArray();
        var results = new bool[inputs.Length];
        RunAll([.. inputs.Select((x, i) => (Action)(() =>
        {
            bool same = true;
            for (int repeat = 0; repeat < 20; repeat++) same &= model.Forward(x).AsSpan().SequenceEqual(expected[i]);
            results[i] = same;
        }))]);
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void Training_one_model_from_two_threads_at_once_is_refused()
    {
        var model = Network(6);
        var x = Tensor<float>.RandomNormal(8, 64, new Random(1));
        int[] labels = [0, 1, 2, 3, 4, 5, 6, 7];
        using var recorded = new ManualResetEventSlim();
        using var checkedByOther = new ManualResetEventSlim();
        Exception? second = null;
        float loss = float.NaN;

        var first = new Thread(() =>
        {
            using var tape = new Tape();
            var value = new CrossEntropyLoss<float>().Forward(model.Forward(x), labels);
            recorded.Set();
            checkedByOther.Wait(Limit); // hold the tape open while the other thread tries
            tape.Backward(value);
            loss = value.Item;
        });
        var other = new Thread(() =>
        {
            recorded.Wait(Limit);
            second = Record.Exception(() =>
            {
                using var tape = new Tape();
                tape.Backward(new CrossEntropyLoss<float>().Forward(model.Forward(x), labels));
            });
            checkedByOther.Set();
        });
        first.Start();
        other.Start();
        Assert.True(first.Join(Limit) && other.Join(Limit), "the threads did not finish in time");

        Assert.IsType<InvalidOperationException>(second);
        Assert.Contains("another thread", second!.Message);
        Assert.True(float.IsFinite(loss)); // the first thread's step was not disturbed

        // Once the first tape has closed, the other thread may train the model.
        RunAll([() =>
        {
            using var tape = new Tape();
            tape.Backward(new CrossEntropyLoss<float>().Forward(model.Forward(x), labels));
        }]);
    }
}
