using MiniGrad.Activations;
using MiniGrad.Losses;

namespace MiniGrad.Tests;

/// <summary>
/// The pieces a training loop adds to the engine: taking rows, arg-max and one-hot; the new losses; Dropout, AlphaDropout,
/// BatchNorm1d and LayerNorm, each against central differences in double and in its Train/Eval behaviour.
/// </summary>
public class TrainingLayerTests
{
    /// <summary>Σ y ⊙ w for fixed random w: a scalar whose gradient reaches every element of y differently.</summary>
    private static Tensor<double> Weighted(Tensor<double> y) => (y * Tensor<double>.RandomNormal(y.Rows, y.Cols, new Random(99))).Sum();

    private static Tensor<double> Normal(int rows, int cols, int seed, double mean = 0, double std = 1) =>
        Tensor<double>.RandomNormal(rows, cols, mean, std, new Random(seed), requiresGrad: true);

    [Fact]
    public void Taking_rows_by_range_and_by_index_list_has_the_right_gradient()
    {
        var x = Normal(5, 3, 1);
        Numerics.Passes(GradCheck.Check(() => Weighted(x.TakeRows(1, 3)), x));
        Numerics.Passes(GradCheck.Check(() => Weighted(x.TakeRows([4, 0, 4, 2])), x)); // row 4 taken twice gathers both shares
        Numerics.Passes(GradCheck.Check(() => x.TakeRows(5, 0).Sum() + x.Sum(), x));
    }

    [Fact]
    public void Taken_rows_hold_the_rows_asked_for()
    {
        var x = Tensor<float>.FromArray(3, 2, [0, 1, 10, 11, 20, 21]);
        Assert.Equal([10f, 11, 20, 21], x.TakeRows(1, 2).AsSpan().ToArray());
        Assert.Equal([20f, 21, 0, 1, 20, 21], x.TakeRows([2, 0, 2]).AsSpan().ToArray());
        Assert.Contains("rows 2 to 3", Assert.Throws<ArgumentOutOfRangeException>(() => x.TakeRows(2, 2)).Message);
        Assert.Contains("index 3 at position 1", Assert.Throws<ArgumentOutOfRangeException>(() => x.TakeRows([0, 3])).Message);
    }

    [Fact]
    public void ArgMax_takes_the_first_of_equal_maxima_and_OneHot_marks_the_label()
    {
        var x = Tensor<float>.FromArray(3, 3, [1, 3, 3, -1, -2, -0.5f, 0, float.NaN, 5]);
        Assert.Equal([1, 2, 1], x.ArgMax()); // NaN counts as the largest, as in PyTorch
        var oneHot = Tensor<double>.OneHot([2, 0], classes: 3);
        Assert.Equal([0.0, 0, 1, 1, 0, 0], oneHot.AsSpan().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor<double>.OneHot([3], classes: 3));
        Assert.Throws<InvalidOperationException>(() => Tensor<float>.Zeros(2, 0).ArgMax());
    }

    [Fact]
    public void The_new_losses_have_the_right_gradients()
    {
        var logits = Normal(6, 4, 2, std: 2);
        var prediction = Normal(5, 3, 3);
        var target = Tensor<double>.RandomNormal(5, 3, 0, 2, new Random(4));
        int[] labels = [0, 3, 1, 1, 2, 3];
        double[] weights = [0.5, 2, 1, 0.25];

        Numerics.Passes(GradCheck.Check(() => new CrossEntropyLoss<double>(weights, labelSmoothing: 0.2).Forward(logits * 1.0, labels), logits));
        Numerics.Passes(GradCheck.Check(() => new CrossEntropyLoss<double>(labelSmoothing: 0.1).Forward(logits * 1.0, labels), logits));
        Numerics.Passes(GradCheck.Check(() => new NLLLoss<double>(weights).Forward(new LogSoftmax<double>().Forward(logits), labels), logits));
        Numerics.Passes(GradCheck.Check(() => new L1Loss<double>().Forward(prediction * 1.0, target), prediction));
        Numerics.Passes(GradCheck.Check(() => new HuberLoss<double>(delta: 0.7).Forward(prediction * 1.0, target), prediction));
    }

    [Fact]
    public void Huber_is_quadratic_inside_delta_and_linear_outside()
    {
        var huber = new HuberLoss<double>(delta: 2);
        double Loss(double d) => huber.Forward(Tensor<double>.Full(1, 1, d), Tensor<double>.Zeros(1, 1)).Item;
        Assert.Equal(0.5 * 1.5 * 1.5, Loss(1.5), 15);
        Assert.Equal(2 * (5 - 1), Loss(-5), 15);   // δ(|d| − δ/2)
        Assert.Equal(2.0, Loss(2), 15);             // both pieces meet at |d| = δ
        Assert.Throws<ArgumentOutOfRangeException>(() => new HuberLoss<double>(delta: 0));
    }

    [Fact]
    public void Class_weights_must_fit_the_classes_and_the_batch_must_weigh_something()
    {
        var logits = Tensor<float>.Zeros(2, 3);
        Assert.Contains("2 class weights for 3 classes", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss<float>([1, 2]).Forward(logits, [0, 1])).Message);
        Assert.Contains("sum to 0", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss<float>([0, 0, 1]).Forward(logits, [0, 1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss<float>([1, -1, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss<float>(labelSmoothing: 1.5));
    }

    [Fact]
    public void Dropout_zeroes_about_p_scales_the_rest_and_does_nothing_in_eval()
    {
        var x = Tensor<double>.Full(200, 100, 2.0);
        var dropout = new Dropout<double>(0.3, new Random(1));

        var y = dropout.Forward(x).AsSpan().ToArray();

        Assert.InRange(y.Count(v => v == 0) / (double)y.Length, 0.28, 0.32);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(2.0 / 0.7, v, 12)); // inverted: survivors scaled by 1/(1 − p)
        Assert.InRange(y.Average(), 1.95, 2.05);                               // so the expected value is kept
        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
        Assert.Equal(0.0, new Dropout<double>(1.0, new Random(1)).Forward(x).AsSpan().ToArray().Max());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<double>(1.5));
    }

    [Fact]
    public void Dropout_and_AlphaDropout_gradients_flow_through_the_kept_elements_only()
    {
        var x = Normal(6, 5, 5);
        Numerics.Passes(GradCheck.Check(() => Weighted(new Dropout<double>(0.4, new Random(7)).Forward(x)), x)); // same seed: same mask each call
        Numerics.Passes(GradCheck.Check(() => Weighted(new AlphaDropout<double>(0.4, new Random(7)).Forward(x)), x));
    }

    [Fact]
    public void AlphaDropout_keeps_mean_zero_and_variance_one_and_does_nothing_in_eval()
    {
        var x = Tensor<double>.RandomNormal(400, 500, new Random(2));
        var dropout = new AlphaDropout<double>(0.2, new Random(3));

        var y = dropout.Forward(x).AsSpan().ToArray();

        double mean = y.Average(), variance = y.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
        double a = 1 / Math.Sqrt(0.8 * (1 + 0.2 * 1.7580993408473766 * 1.7580993408473766));
        double droppedValue = -a * 1.7580993408473766 + a * 1.7580993408473766 * 0.2;
        Assert.InRange(y.Count(v => Math.Abs(v - droppedValue) < 1e-12) / (double)y.Length, 0.19, 0.21); // dropped to SELU's saturation
        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
    }

    [Fact]
    public void BatchNorm1d_has_the_right_gradients_in_training_and_in_evaluation()
    {
        var x = Normal(7, 4, 6, mean: 1, std: 3);
        var layer = new BatchNorm1d<double>(4);
        Tensor<double>.RandomNormal(1, 4, new Random(8)).AsSpan().CopyTo(layer.Weight.AsSpan());
        Tensor<double>.RandomNormal(1, 4, new Random(9)).AsSpan().CopyTo(layer.Bias.AsSpan());
        Numerics.Passes(GradCheck.Check(() => Weighted(layer.Forward(x)), x, layer.Weight, layer.Bias));
        layer.Eval();
        Numerics.Passes(GradCheck.Check(() => Weighted(layer.Forward(x)), x, layer.Weight, layer.Bias));
    }

    [Fact]
    public void BatchNorm1d_normalises_each_feature_over_the_batch_in_training_and_by_its_running_statistics_in_eval()
    {
        var x = Tensor<double>.FromArray(4, 2, [1, 10, 2, 10, 3, 10, 6, 14]);
        var layer = new BatchNorm1d<double>(2);

        var y = layer.Forward(x);

        double mean = 3, variance = (4 + 1 + 0 + 9) / 4.0; // biased, for normalising
        Assert.Equal((1 - mean) / Math.Sqrt(variance + 1e-5), y[0, 0], 12);
        Assert.Equal(0.1 * mean, layer.RunningMean[0, 0], 12);                                  // (1 − 0.1)·0 + 0.1·μ
        Assert.Equal(0.9 * 1 + 0.1 * variance * 4 / 3, layer.RunningVar[0, 0], 12);            // the unbiased estimate
        Assert.Equal(1, layer.NumBatchesTracked);

        layer.Eval();
        var z = layer.Forward(Tensor<double>.FromArray(1, 2, [3, 10])); // one row is fine in eval
        Assert.Equal((3 - layer.RunningMean[0, 0]) / Math.Sqrt(layer.RunningVar[0, 0] + 1e-5), z[0, 0], 12);
        Assert.Equal(1, layer.NumBatchesTracked);

        layer.Train();
        Assert.Contains("more than one row", Assert.Throws<ArgumentException>(() => layer.Forward(Tensor<double>.Zeros(1, 2))).Message);
        Assert.Contains("expects 2", Assert.Throws<ArgumentException>(() => layer.Forward(Tensor<double>.Zeros(3, 3))).Message);
        Assert.Equal(["weight", "bias"], layer.NamedParameters().Select(p => p.Name)); // running statistics are state, not parameters
    }

    [Fact]
    public void LayerNorm_normalises_each_row_and_has_the_right_gradient()
    {
        var layer = new LayerNorm<double>(4);
        var y = layer.Forward(Tensor<double>.FromArray(2, 4, [1, 2, 3, 4, -5, 0, 5, 10]));
        for (int r = 0; r < 2; r++)
        {
            var row = Enumerable.Range(0, 4).Select(c => y[r, c]).ToArray();
            Assert.Equal(0, row.Average(), 12);
            Assert.Equal(1, row.Select(v => v * v).Average(), 4); // variance 1 up to ε
        }

        var x = Normal(5, 4, 10, mean: 2, std: 3);
        Tensor<double>.RandomNormal(1, 4, new Random(11)).AsSpan().CopyTo(layer.Weight.AsSpan());
        Tensor<double>.RandomNormal(1, 4, new Random(12)).AsSpan().CopyTo(layer.Bias.AsSpan());
        Numerics.Passes(GradCheck.Check(() => Weighted(layer.Forward(x)), x, layer.Weight, layer.Bias));
    }

    [Fact]
    public void A_model_with_batch_norm_saves_and_loads_its_running_statistics_and_batch_count()
    {
        var rng = new Random(3);
        var model = new Sequential<float>(new Dense<float>(3, 5, rng), new BatchNorm1d<float>(5), new ReLU<float>(), new Dropout<float>(0.2, rng), new LayerNorm<float>(5), new Dense<float>(5, 2, rng));
        for (int i = 0; i < 4; i++) model.Forward(Tensor<float>.RandomNormal(8, 3, rng));
        model.Eval();
        var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;

        var loaded = Sequential<float>.Load(stream);

        var probe = Tensor<float>.RandomNormal(6, 3, rng);
        Assert.Equal(model.Forward(probe).AsSpan().ToArray(), loaded.Forward(probe).AsSpan().ToArray());
        Assert.Equal(4, ((BatchNorm1d<float>)loaded.Children[1].Module).NumBatchesTracked);
        Assert.Equal(model.ToString(), loaded.ToString());
    }
}
