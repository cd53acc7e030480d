using System.Numerics;
using MiniGrad.Activations;
using MiniGrad.Data;
using MiniGrad.Losses;
using MiniGrad.Optimizers;
using MiniGrad.Training;

namespace MiniGrad.Tests;

/// <summary>
/// Numerics at the edges: every activation and loss gives finite values and gradients for inputs of ±1e4 and for
/// subnormal inputs, in float and double; Adam with a zero gradient makes no NaN; a diverging run is caught by the Trainer.
/// </summary>
public class EdgeNumericsTests
{
    /// <summary>±1e4, the smallest subnormals and a larger one of each sign, 0, and ordinary values.</summary>
    private static T[] EdgeValues<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
    [
        T.CreateTruncating(1e4), T.CreateTruncating(-1e4), T.Epsilon, -T.Epsilon,
        T.CreateTruncating(typeof(T) == typeof(float) ? 1e-40 : 1e-310), T.CreateTruncating(typeof(T) == typeof(float) ? -1e-40 : -1e-310),
        T.Zero, T.One, -T.One, T.CreateTruncating(30), T.CreateTruncating(-30),
    ];

    private static void AllFinite<T>(Tensor<T> t, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = t.AsSpan().ToArray();
        for (int i = 0; i < values.Length; i++)
            Assert.True(T.IsFinite(values[i]), $"{what}: element {i} is {values[i]}");
    }

    public static TheoryData<string> Activations => [.. Activation.Names];

    [Theory]
    [MemberData(nameof(Activations))]
    public void Every_activation_is_finite_at_the_extremes_and_at_subnormals(string name)
    {
        Check<float>();
        Check<double>();

        void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var values = EdgeValues<T>();
            // A column of edge values, and for row-wise activations the same values spread along a row.
            foreach (var x in new[] { Tensor<T>.FromArray(values.Length, 1, values, requiresGrad: true), Tensor<T>.FromArray(1, values.Length, values, requiresGrad: true) })
            {
                Module<T> module = name == "maxout" ? new Maxout<T>(x.Cols, 3, 2, new Random(1)) : Activation.Create<T>(name, new Random(1));
                if (name == "rrelu") module.Eval();
                using (var tape = new Tape())
                {
                    var y = module.Forward(x);
                    AllFinite(y, $"{name} ({typeof(T).Name}) forward");
                    tape.Backward(y, Tensor<T>.Ones(y.Rows, y.Cols));
                }
                AllFinite(x.Grad!, $"{name} ({typeof(T).Name}) gradient");
            }
        }
    }

    [Fact]
    public void Every_loss_is_finite_at_the_extremes_and_at_subnormals()
    {
        Check<float>();
        Check<double>();

        static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var values = EdgeValues<T>();
            int n = values.Length;
            var logits = Tensor<T>.FromArray(n, 1, values, requiresGrad: true);
            var wide = Tensor<T>.FromArray(1, n, values, requiresGrad: true);
            var target = Tensor<T>.FromArray(n, 1, values.Select((_, i) => T.CreateTruncating(i % 2)).ToArray());
            // Probabilities at and next to 0 and 1, subnormals included.
            T[] p = [T.Zero, T.Epsilon, T.CreateTruncating(1e-30), T.One, T.One - T.CreateTruncating(1e-7), T.CreateTruncating(0.5), T.Epsilon, T.One, T.Zero, T.CreateTruncating(0.25), T.CreateTruncating(0.75)];
            var probabilities = Tensor<T>.FromArray(n, 1, p, requiresGrad: true);

            void Finite(string what, Func<Tensor<T>> loss, Tensor<T> input)
            {
                input.ZeroGrad();
                using (var tape = new Tape())
                {
                    var value = loss();
                    Assert.True(T.IsFinite(value.Item), $"{what} ({typeof(T).Name}) is {value.Item}");
                    tape.Backward(value);
                }
                AllFinite(input.Grad!, $"{what} ({typeof(T).Name}) gradient");
            }

            Finite("MSELoss", () => new MSELoss<T>().Forward(logits, target), logits);
            Finite("L1Loss", () => new L1Loss<T>().Forward(logits, target), logits);
            Finite("HuberLoss", () => new HuberLoss<T>(1).Forward(logits, target), logits);
            Finite("BCEWithLogitsLoss", () => new BCEWithLogitsLoss<T>().Forward(logits, target), logits);
            Finite("BCELoss", () => new BCELoss<T>().Forward(probabilities, target), probabilities);
            Finite("CrossEntropyLoss", () => new CrossEntropyLoss<T>([1.0, 2.0, 0.5, 1, 1, 1, 1, 1, 1, 1, 1], labelSmoothing: 0.1).Forward(wide, [3]), wide);
            Finite("NLLLoss", () => new NLLLoss<T>().Forward(new LogSoftmax<T>().Forward(wide), [1]), wide);
        }
    }

    [Fact]
    public void Adam_with_a_zero_gradient_leaves_the_weights_finite_and_unchanged()
    {
        var w = Tensor<float>.FromArray(1, 3, [1f, -2f, 0f], requiresGrad: true);
        var adam = new Adam<float>([w], lr: 0.1);
        for (int step = 0; step < 3; step++)
        {
            adam.ZeroGrad();
            using (var tape = new Tape()) tape.Backward((w * 0f).Sum()); // ∂L/∂w = 0
            adam.Step();
        }
        Assert.Equal([1f, -2f, 0f], w.AsSpan().ToArray()); // m = v = 0, so the update is 0/(0 + eps) = 0
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void A_run_at_learning_rate_1000_is_stopped_as_diverging_with_its_epoch_and_batch(string optimizer)
    {
        var rng = new Random(0);
        var (x, labels) = Datasets.Spirals<float>(100, 3, noise: 0.2, rng);
        var model = new Sequential<float>(new Dense<float>(2, 64, rng), new ReLU<float>(), new Dense<float>(64, 64, rng), new ReLU<float>(), new Dense<float>(64, 3, rng));
        Optimizer<float> step = optimizer == "sgd" ? new SGD<float>(model.Parameters(), lr: 1e3) : new Adam<float>(model.Parameters(), lr: 1e3);
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), step) { Metrics = { new Accuracy<float>() } };

        var history = trainer.Fit(new DataLoader<float>(x, labels, 32), epochs: 30);

        Assert.True(history.Diverged, history.StopReason);
        Assert.Matches(@"the run is diverging|became (NaN|∞|-∞|Infinity)", history.StopReason);
        Assert.Matches(@"in epoch \d+, batch \d+ of 10", history.StopReason);
        Assert.True(history.Epochs.Count < 30);
        Assert.All(model.Parameters(), p => AllFinite(p, "a weight after the stop"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<float>(model, new CrossEntropyLoss<float>(), step) { DivergenceFactor = 0.5 });
    }
}
