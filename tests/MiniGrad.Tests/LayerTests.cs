using MiniGrad.Activations;
using MiniGrad.Layers;

namespace MiniGrad.Tests;

public class LayerTests
{
    [Fact]
    public void Dense_computes_x_times_W_plus_b()
    {
        var dense = new Dense<double>(inFeatures: 3, outFeatures: 2, new Random(0));
        Assert.Equal("3x2", dense.Weight.Shape);
        Assert.Equal("1x2", dense.Bias.Shape);
        Assert.True(dense.Weight.RequiresGrad && dense.Bias.RequiresGrad);

        var x = Tensor<double>.FromArray(new double[,] { { 1, 2, 3 }, { -1, 0, 1 } });
        var y = dense.Forward(x);
        var (w, b) = (dense.Weight, dense.Bias);
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 2; c++)
                Assert.Equal(x[r, 0] * w[0, c] + x[r, 1] * w[1, c] + x[r, 2] * w[2, c] + b[0, c], y[r, c], 1e-14);
    }

    [Fact]
    public void Dense_gradients_match_central_differences()
    {
        var rng = new Random(1);
        var dense = new Dense<double>(4, 3, rng);
        var x = Tensor<double>.RandomUniform(5, 4, -1, 1, rng, requiresGrad: true);
        var weights = Tensor<double>.RandomUniform(5, 3, -1, 1, rng);
        Numerics.Passes(GradCheck.Check(() => (dense.Forward(x) * weights).Sum(), [dense.Weight, dense.Bias, x]));
    }

    [Fact]
    public void Dense_given_the_wrong_width_names_the_layer_and_both_widths()
    {
        var dense = new Dense<float>(3, 5, new Random(0));
        using var tape = new Tape();
        var error = Assert.Throws<ArgumentException>(() => dense.Forward(Tensor<float>.Ones(2, 4)));
        Assert.Contains("Dense(3 → 5)", error.Message);
        Assert.Contains("4 features", error.Message);
        Assert.Contains("expects 3", error.Message);
        Assert.Equal(0, tape.Count);
    }

    [Fact]
    public void Dense_rejects_empty_sizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dense<float>(0, 5, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dense<float>(5, 0, new Random(0)));
        Assert.Throws<ArgumentNullException>(() => new Dense<float>(5, 5, null!));
    }

    [Fact]
    public void Default_init_is_PyTorch_Linear_uniform_in_plus_minus_one_over_root_fan_in()
    {
        var dense = new Dense<double>(16, 200, new Random(2));
        double bound = 1 / Math.Sqrt(16);
        Assert.All(dense.Weight.AsSpan().ToArray(), w => Assert.InRange(w, -bound, bound));
        Assert.All(dense.Bias.AsSpan().ToArray(), b => Assert.InRange(b, -bound, bound));
        Assert.InRange(Variance(dense.Weight), 0.9 * bound * bound / 3, 1.1 * bound * bound / 3); // var U(±a) = a²/3
        Assert.Contains(dense.Bias.AsSpan().ToArray(), b => b != 0);
    }

    [Theory]
    [InlineData(WeightInit.XavierUniform, 2.0 / (300 + 200))]
    [InlineData(WeightInit.XavierNormal, 2.0 / (300 + 200))]
    [InlineData(WeightInit.HeUniform, 2.0 / 300)]
    [InlineData(WeightInit.HeNormal, 2.0 / 300)]
    [InlineData(WeightInit.LeCunUniform, 1.0 / 300)]
    [InlineData(WeightInit.LeCunNormal, 1.0 / 300)]
    public void Init_schemes_give_their_variance_and_a_zero_bias(WeightInit scheme, double variance)
    {
        var dense = new Dense<double>(300, 200, scheme, new Random(3));
        Assert.InRange(Variance(dense.Weight), 0.95 * variance, 1.05 * variance);
        Assert.All(dense.Bias.AsSpan().ToArray(), b => Assert.Equal(0.0, b));
        if (scheme.ToString().EndsWith("Uniform"))
        {
            double bound = Math.Sqrt(3 * variance);
            Assert.All(dense.Weight.AsSpan().ToArray(), w => Assert.InRange(w, -bound, bound));
        }
    }

    [Fact]
    public void Init_is_reproducible_from_the_callers_random()
    {
        var a = new Dense<float>(4, 4, WeightInit.HeNormal, new Random(9));
        var b = new Dense<float>(4, 4, WeightInit.HeNormal, new Random(9));
        Assert.Equal(a.Weight.ToArray(), b.Weight.ToArray());
    }

    [Fact]
    public void Init_gain_scales_the_spread()
    {
        var weight = Tensor<double>.Zeros(400, 400);
        Init.XavierNormal(weight, gain: 5.0 / 3, new Random(4));
        Assert.InRange(Variance(weight), 0.95 * 25.0 / 9 * 2 / 800, 1.05 * 25.0 / 9 * 2 / 800);
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.HeUniform(weight, gain: double.NaN, new Random(0)));
    }

    [Fact]
    public void Sequential_chains_lists_parameters_once_and_passes_on_the_mode()
    {
        var rng = new Random(5);
        var first = new Dense<double>(2, 3, rng);
        var shared = new Dense<double>(3, 3, rng);
        var tanh = new Tanh<double>();
        var model = new Sequential<double>(first, tanh, shared, tanh, shared);

        Assert.Equal([first.Weight, first.Bias, shared.Weight, shared.Bias], model.Parameters());
        Assert.Equal("Sequential(Dense(2 → 3), Tanh, Dense(3 → 3), Tanh, Dense(3 → 3))", model.ToString());
        Assert.Same(shared, model[2]);
        Assert.Equal(5, model.Layers.Count);

        Assert.True(model.IsTraining && first.IsTraining);
        model.Eval();
        Assert.False(model.IsTraining || first.IsTraining || tanh.IsTraining);
        model.Train();
        Assert.True(shared.IsTraining);
    }

    [Fact]
    public void A_layer_used_twice_accumulates_both_gradients()
    {
        var rng = new Random(6);
        var shared = new Dense<double>(3, 3, rng);
        var model = new Sequential<double>(shared, new Tanh<double>(), shared);
        var x = Tensor<double>.RandomUniform(2, 3, -1, 1, rng);
        Numerics.Passes(GradCheck.Check(() => model.Forward(x).Square().Sum(), [.. model.Parameters()]));
    }

    [Fact]
    public void Module_ZeroGrad_clears_every_parameter()
    {
        var model = new Sequential<float>(new Dense<float>(2, 2, new Random(0)), new ReLU<float>(), new Dense<float>(2, 1, new Random(1)));
        using (var tape = new Tape()) tape.Backward(model.Forward(Tensor<float>.Ones(3, 2)).Sum());
        Assert.All(model.Parameters(), p => Assert.NotNull(p.Grad));
        model.ZeroGrad();
        Assert.All(model.Parameters(), p => Assert.All(p.Grad!.AsSpan().ToArray(), g => Assert.Equal(0f, g)));
    }

    [Fact]
    public void Sequential_rejects_a_null_layer()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new Sequential<float>(new ReLU<float>(), null!));
        Assert.Contains("layer 1", error.Message);
    }

    private static double Variance(Tensor<double> tensor)
    {
        var values = tensor.AsSpan().ToArray();
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }
}
