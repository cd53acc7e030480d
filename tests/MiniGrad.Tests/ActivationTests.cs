using System.Numerics;
using MiniGrad.Activations;
using MiniGrad.Layers;
using MiniGrad.Losses;

namespace MiniGrad.Tests;

/// <summary>Activations as modules: values, gradients, extremes. In the Kernels category too, because the gradient
/// checks reach every vector width of each op, and CI reruns them with the wider ones switched off.</summary>
[Trait("Category", "Kernels")]
public class ActivationTests
{
    // ---- Values at named points, from the literature -----------------------------------------------------

    [Fact]
    public void Sigmoid_at_named_points()
    {
        var sigmoid = new Sigmoid<double>();
        Assert.Equal(0.5, sigmoid.Apply(0));
        Assert.Equal(0.25, sigmoid.Derivative(0));                     // the maximum of σ'
        Assert.Equal(0.7310585786300049, sigmoid.Apply(1), 1e-16);    // 1 / (1 + e⁻¹)
        Assert.Equal(0.19661193324148185, sigmoid.Derivative(1), 1e-16);
        for (double x = -10; x <= 10; x += 0.01)
            Assert.True(sigmoid.Derivative(x) <= 0.25, $"σ'({x}) = {sigmoid.Derivative(x)} > 1/4");
    }

    [Fact]
    public void Tanh_at_named_points()
    {
        var tanh = new Tanh<double>();
        Assert.Equal(0.0, tanh.Apply(0));
        Assert.Equal(1.0, tanh.Derivative(0));
        Assert.Equal(0.7615941559557649, tanh.Apply(1), 1e-16);
        Assert.Equal(0.41997434161402614, tanh.Derivative(1), 1e-16);  // 1 − tanh²(1)
        Assert.Equal(-tanh.Apply(0.7), tanh.Apply(-0.7));             // odd, so zero-centred
    }

    [Fact]
    public void SELU_constants_and_values()
    {
        Assert.Equal(1.0507009873554805, SELU<double>.Scale);
        Assert.Equal(1.6732632423543772, SELU<double>.Alpha);
        Assert.Equal(1.0507009873554805f, new SELU<float>().Apply(1f));
        var selu = new SELU<double>();
        Assert.Equal(1.0507009873554805, selu.Apply(1), 1e-16);
        Assert.Equal(1.0507009873554805 * 1.6732632423543772 * (Math.Exp(-1) - 1), selu.Apply(-1), 1e-15);
        Assert.Equal(1.0507009873554805, selu.Derivative(1), 1e-16);
        Assert.Equal(1.0507009873554805 * 1.6732632423543772, selu.Derivative(0), 1e-15); // PyTorch: x ≤ 0 takes λα·eˣ
    }

    [Fact]
    public void GELU_exact_and_tanh_at_one()
    {
        Assert.Equal(0.8413447460685429, new GELU<double>().Apply(1), 1e-16);
        Assert.Equal(0.8411919906082768, new GELU<double>(approximate: true).Apply(1), 1e-16);
        Assert.Equal(0.8413447f, new GELU<float>().Apply(1f), 1e-7f);
        Assert.Equal(0.0, new GELU<double>().Apply(0));
        Assert.Equal(0.5, new GELU<double>().Derivative(0), 1e-16);            // Φ(0)
        Assert.Equal(0.5, new GELU<double>(approximate: true).Derivative(0), 1e-16);
        // Φ(1) + φ(1) = 0.8413447460685429 + 0.24197072451914337
        Assert.Equal(1.0833154705876864, new GELU<double>().Derivative(1), 1e-15);
    }

    [Fact]
    public void Mish_SiLU_Softplus_and_ELU_at_named_points()
    {
        Assert.Equal(0.8650983882673103, new Mish<double>().Apply(1), 1e-15);
        Assert.Equal(0.6, new Mish<double>().Derivative(0), 1e-15);           // tanh(ln 2) = 3/5
        Assert.Equal(0.7310585786300049, new SiLU<double>().Apply(1), 1e-16); // 1·σ(1)
        Assert.Equal(0.5, new SiLU<double>().Derivative(0));
        Assert.Equal(Math.Log(2), new Softplus<double>().Apply(0), 1e-16);
        Assert.Equal(Math.Log(2) / 2, new Softplus<double>(beta: 2).Apply(0), 1e-16);
        Assert.Equal(0.5, new Softplus<double>().Derivative(0));
        Assert.Equal(25.0, new Softplus<double>().Apply(25));                 // linear above the threshold
        Assert.Equal(-0.6321205588285577, new ELU<double>().Apply(-1), 1e-16);
        Assert.Equal(-9.9999999995e-11, new ELU<double>().Apply(-1e-10), 1e-24); // e^(−1e−10) − 1: expm1 keeps the digits
        Assert.Equal(-0.5 * 0.6321205588285577, new ELU<double>(alpha: 0.5).Apply(-1), 1e-16);
    }

    [Fact]
    public void Kinks_follow_PyTorch()
    {
        Assert.Equal(0.0, new ReLU<double>().Derivative(0));
        Assert.Equal(0.01, new LeakyReLU<double>().Derivative(0));
        Assert.Equal(0.2, new LeakyReLU<double>(slope: 0.2).Derivative(0));
        Assert.Equal(-0.02, new LeakyReLU<double>().Apply(-2), 1e-17);
        Assert.Equal(0.25, new PReLU<double>().Derivative(0));
        Assert.Equal(1.0, new ELU<double>().Derivative(0));
        Assert.Equal(0.5, new ELU<double>(alpha: 0.5).Derivative(0));
        Assert.Equal((1.0 / 8 + 1.0 / 3) / 2, new RReLU<double>().Derivative(0), 1e-16);
    }

    [Fact]
    public void ReLU_passes_positives_and_NaN()
    {
        var relu = new ReLU<double>();
        Assert.Equal(0.0, relu.Apply(-2));
        Assert.Equal(3.0, relu.Apply(3));
        Assert.Equal(1.0, relu.Derivative(1e-300));
        Assert.True(double.IsNaN(relu.Apply(double.NaN)));
    }

    [Fact]
    public void Saturated_sigmoid_and_tanh_reach_their_bounds()
    {
        Assert.Equal(0f, new Sigmoid<float>().Apply(-1000f));
        Assert.Equal(1f, new Sigmoid<float>().Apply(1000f));
        Assert.Equal(-1f, new Tanh<float>().Apply(-1000f));
        Assert.Equal(0f, new Tanh<float>().Derivative(1000f));
    }

    // ---- Gradients through a small network, in double ---------------------------------------------------

    [Theory]
    [MemberData(nameof(ActivationCases.ModuleNames), MemberType = typeof(ActivationCases))]
    public void GradCheck_through_a_small_network(string name)
    {
        var rng = new Random(3);
        // A hidden layer of 9 × 15 values: rows of 15 = 8 + 4 + 2 + 1 and 135 values in all = 16·8 + 4 + 2 + 1, so in
        // double each vector width (8, 4, 2 lanes) and the scalar tail run, whether a kernel walks rows or the whole.
        const int rows = 9, width = 15;
        var first = new Dense<double>(3, width, rng);
        var last = new Dense<double>(width, 2, rng);
        var x = Tensor<double>.RandomUniform(rows, 3, -2, 2, rng, requiresGrad: true);
        var target = Tensor<double>.RandomUniform(rows, 2, -1, 1, rng);
        var loss = new MSELoss<double>();

        // RReLU in training draws fresh slopes on every call, so each call gets a generator with the same seed.
        bool random = name == "RReLU(train)";
        var activation = ActivationCases.CreateModule<double>(name, features: width);
        var inputs = first.Parameters().Concat(activation.Parameters()).Concat(last.Parameters()).Append(x).ToArray();
        Numerics.Passes(GradCheck.Check(() =>
        {
            var hidden = random ? ActivationCases.CreateModule<double>(name, width) : activation;
            return loss.Forward(last.Forward(hidden.Forward(first.Forward(x))), target);
        }, inputs));
    }

    // ---- Extremes ----------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(ActivationCases.ModuleNames), MemberType = typeof(ActivationCases))]
    public void Finite_values_and_gradients_at_plus_and_minus_1000_in_float(string name)
    {
        var activation = ActivationCases.CreateModule<float>(name, features: 5);
        var x = Tensor<float>.FromArray(new float[,] { { -1000f, 1000f, -88.8f, 88.8f, 0f }, { 1000f, -1000f, 30f, -30f, 1e-30f } }, requiresGrad: true);
        var weights = Tensor<float>.FromArray(new float[,] { { 1, -2, 3, -4, 5 }, { -1, 2, -3, 4, -5 } });
        using (var tape = new Tape())
        {
            var y = activation.Forward(x);
            Assert.True(Numerics.AllFinite(y), $"{name}: {y}");
            tape.Backward((y * weights).Sum()); // weighted, so a row-wise activation gets a gradient that is not 0
        }
        Assert.True(Numerics.AllFinite(x.Grad!), $"{name}: {x.Grad}");
        foreach (var parameter in activation.Parameters()) Assert.True(Numerics.AllFinite(parameter.Grad!), $"{name}: {parameter.Grad}");
    }

    [Theory]
    [MemberData(nameof(ActivationCases.ModuleNames), MemberType = typeof(ActivationCases))]
    public void An_empty_batch_gives_an_empty_result(string name)
    {
        var x = Tensor<float>.Zeros(0, 3, requiresGrad: true);
        using var tape = new Tape();
        var y = ActivationCases.CreateModule<float>(name, features: 3).Forward(x);
        Assert.Equal("0x3", y.Shape);
        tape.Backward(y, Tensor<float>.Zeros(0, 3));
        Assert.Equal("0x3", x.Grad!.Shape);
    }

    [Theory]
    [MemberData(nameof(ActivationCases.ModuleNames), MemberType = typeof(ActivationCases))]
    public void Forward_without_a_tape_gives_the_same_values_and_records_nothing(string name)
    {
        var x = Tensor<double>.RandomUniform(3, 4, -3, 3, new Random(8), requiresGrad: true);
        var free = ActivationCases.CreateModule<double>(name, features: 4).Forward(x);
        Assert.False(free.RequiresGrad);
        using var tape = new Tape();
        var recorded = ActivationCases.CreateModule<double>(name, features: 4).Forward(x);
        Assert.True(recorded.RequiresGrad);
        Numerics.Close(free, recorded, 0);
    }

    // ---- PReLU ---------------------------------------------------------------------------------------------

    [Fact]
    public void PReLU_slope_gradient_is_the_sum_of_dy_times_x_over_non_positive_inputs()
    {
        var prelu = new PReLU<double>(init: 0.25);
        var x = Tensor<double>.FromArray(new double[,] { { -2, 3 }, { 0, -0.5 } }, requiresGrad: true);
        var dy = Tensor<double>.FromArray(new double[,] { { 1, 10 }, { 7, -4 } });
        using (var tape = new Tape())
        {
            var y = prelu.Forward(x);
            Assert.Equal(new double[,] { { -0.5, 3 }, { 0, -0.125 } }, y.ToArray());
            tape.Backward(y, dy);
        }
        Assert.Equal(-2 * 1 + 0 * 7 + -0.5 * -4, prelu.Slope.Grad![0, 0]);                   // 3 is positive: no share
        Assert.Equal(new double[,] { { 0.25, 10 }, { 7 * 0.25, -4 * 0.25 } }, x.Grad!.ToArray()); // x = 0 takes the slope
    }

    [Fact]
    public void PReLU_per_feature_slopes_get_their_own_gradients()
    {
        var prelu = new PReLU<double>(init: 0.5, numParameters: 3);
        Assert.Equal("1x3", prelu.Slope.Shape);
        var x = Tensor<double>.FromArray(new double[,] { { -1, -2, 3 }, { -4, 5, -6 } }, requiresGrad: true);
        using (var tape = new Tape()) tape.Backward(prelu.Forward(x).Sum());
        Assert.Equal(new double[,] { { -5, -2, -6 } }, prelu.Slope.Grad!.ToArray());
        var error = Assert.Throws<ArgumentException>(() => prelu.Forward(Tensor<double>.Zeros(2, 4)));
        Assert.Contains("PReLU(num_parameters: 3)", error.Message);
        Assert.Contains("2x4", error.Message);
    }

    [Fact]
    public void One_PReLU_used_twice_accumulates_both_slope_gradients()
    {
        var rng = new Random(4);
        var prelu = new PReLU<double>();
        var model = new Sequential<double>(new Dense<double>(2, 3, rng), prelu, new Dense<double>(3, 3, rng), prelu, new Dense<double>(3, 1, rng));
        Assert.Single(model.Parameters(), p => ReferenceEquals(p, prelu.Slope)); // listed once
        var x = Tensor<double>.RandomUniform(6, 2, -2, 2, rng);
        var target = Tensor<double>.RandomUniform(6, 1, -1, 1, rng);
        Numerics.Passes(GradCheck.Check(() => new MSELoss<double>().Forward(model.Forward(x), target), model.Parameters().ToArray()));

        // The shared slope's gradient is the sum of what each use would give on its own.
        var slope = prelu.Slope.Grad![0, 0];
        Assert.NotEqual(0.0, slope);
    }

    // ---- RReLU ---------------------------------------------------------------------------------------------

    [Fact]
    public void RReLU_draws_one_slope_per_negative_element_in_training()
    {
        var rrelu = new RReLU<double>(lower: 0.1, upper: 0.3, rng: new Random(6));
        var x = Tensor<double>.FromArray(2, 4, [-1, 2, -3, 0, -5, -6, 7, -8]);
        var y = rrelu.Forward(x);

        var slopes = new List<double>();
        for (int i = 0; i < 8; i++)
        {
            double xi = x.AsSpan()[i], yi = y.AsSpan()[i];
            if (xi > 0) Assert.Equal(xi, yi);
            else if (xi < 0)
            {
                double slope = yi / xi;
                Assert.InRange(slope, 0.1, 0.3);
                slopes.Add(slope);
            }
        }
        Assert.Equal(slopes.Count, slopes.Distinct().Count()); // each element its own draw
    }

    [Fact]
    public void RReLU_backward_multiplies_by_the_slope_drawn_in_forward()
    {
        var rrelu = new RReLU<double>(rng: new Random(6));
        var x = Tensor<double>.FromArray(1, 5, [-1, 2, -3, -4, 0.5], requiresGrad: true);
        using var tape = new Tape();
        var y = rrelu.Forward(x);
        var drawn = y.Detach();
        tape.Backward(y.Sum());
        for (int i = 0; i < 5; i++)
        {
            double xi = x.AsSpan()[i];
            Assert.Equal(xi > 0 ? 1 : drawn.AsSpan()[i] / xi, x.Grad!.AsSpan()[i], 1e-15);
        }
    }

    [Fact]
    public void RReLU_is_reproducible_from_a_seeded_generator_and_deterministic_in_eval()
    {
        var x = Tensor<double>.RandomUniform(4, 6, -3, 3, new Random(1));
        var a = new RReLU<double>(rng: new Random(42));
        var b = new RReLU<double>(rng: new Random(42));
        var first = a.Forward(x);
        Assert.Equal(first.ToArray(), b.Forward(x).ToArray());   // same seed, same draws
        Assert.NotEqual(first.ToArray(), a.Forward(x).ToArray()); // the next call draws anew

        a.Eval();
        double mean = (1.0 / 8 + 1.0 / 3) / 2;
        var evaluated = a.Forward(x);
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x.AsSpan()[i];
            Assert.Equal(xi > 0 ? xi : mean * xi, evaluated.AsSpan()[i], 1e-15);
        }
        Assert.Equal(evaluated.ToArray(), a.Forward(x).ToArray());
    }

    // ---- Swish: SiLU with a learned β ----------------------------------------------------------------------

    [Fact]
    public void Swish_learns_beta_and_SiLU_does_not()
    {
        Assert.Empty(new SiLU<double>().Parameters());
        var swish = new Swish<double>(beta: 1.5);
        var (name, beta) = Assert.Single(swish.NamedParameters());
        Assert.Equal("beta", name);
        Assert.Same(swish.Beta, beta);
        var x = Tensor<double>.FromArray(new double[,] { { -1, 2 } });
        using (var tape = new Tape()) tape.Backward(swish.Forward(x).Sum());
        double Share(double v) { double s = 1 / (1 + Math.Exp(-1.5 * v)); return v * v * s * (1 - s); }
        Assert.Equal(Share(-1) + Share(2), swish.Beta.Grad![0, 0], 1e-15);
        Assert.Equal(new SiLU<double>(1.5).Forward(x).ToArray(), swish.Forward(x).ToArray());
    }

    // ---- Softmax -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(100.0)]
    public void Softmax_rows_sum_to_one_at_any_temperature(double temperature)
    {
        var x = Tensor<double>.RandomUniform(5, 7, -20, 20, new Random(9));
        var y = new Softmax<double>(temperature).Forward(x);
        for (int r = 0; r < 5; r++)
        {
            double sum = 0;
            for (int c = 0; c < 7; c++)
            {
                Assert.InRange(y[r, c], 0, 1);
                sum += y[r, c];
            }
            Assert.Equal(1.0, sum, 1e-14);
        }
    }

    [Fact]
    public void Temperature_sharpens_below_one_and_flattens_above_without_changing_the_order()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 1, 3, 2 } });
        double Largest(double temperature) => new Softmax<double>(temperature).Forward(x)[0, 1];
        Assert.True(Largest(0.5) > Largest(1) && Largest(1) > Largest(2));
        Assert.Equal(1.0, Largest(0.01), 1e-15);
        var flat = new Softmax<double>(1000).Forward(x);
        Assert.Equal(1.0 / 3, flat[0, 0], 1e-2);
        Assert.True(flat[0, 0] < flat[0, 2] && flat[0, 2] < flat[0, 1]);
    }

    [Fact]
    public void Softmax_stays_finite_with_one_logit_500_above_the_rest()
    {
        foreach (var temperature in new[] { 0.1, 1.0, 10.0 })
        {
            var x = Tensor<float>.FromArray(new float[,] { { 0, 500, 1, -2 }, { -1000, 1000, 0, 3 } }, requiresGrad: true);
            var softmax = new Softmax<float>(temperature);
            using (var tape = new Tape())
            {
                var y = softmax.Forward(x);
                Assert.True(Numerics.AllFinite(y), y.ToString());
                Assert.Equal(1f, y[0, 1], 1e-6f);
                tape.Backward((y * Tensor<float>.FromArray(new float[,] { { 1, 2, 3, 4 }, { 4, 3, 2, 1 } })).Sum());
            }
            Assert.True(Numerics.AllFinite(x.Grad!), x.Grad!.ToString());
            var logs = new LogSoftmax<float>().Forward(x);
            Assert.True(Numerics.AllFinite(logs), logs.ToString());
            Assert.Equal(-500f, logs[0, 0], 1e-3f);
        }
    }

    [Fact]
    public void LogSoftmax_of_large_equal_logits_keeps_float_precision()
    {
        // Every entry is −ln 19. Computed as x − (max + ln Σ) it was off by up to half an ulp of 1003 (3e-5); as
        // (x − max) − ln Σ it keeps float's relative precision, as PyTorch's log_softmax does. 19 columns reach the
        // vector loop on every path as well as the scalar tail.
        var x = Tensor<float>.FromArray(1, 19, Enumerable.Repeat(1000f, 19).ToArray());
        var logs = new LogSoftmax<float>().Forward(x);
        for (int j = 0; j < 19; j++) Numerics.Close(-Math.Log(19), (double)logs[0, j], 1e-6 * Math.Log(19));
    }

    [Fact]
    public void LogSoftmax_is_the_log_of_softmax()
    {
        var x = Tensor<double>.RandomUniform(3, 5, -4, 4, new Random(2));
        var p = new Softmax<double>().Forward(x);
        var logs = new LogSoftmax<double>().Forward(x);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 5; c++)
                Assert.Equal(Math.Log(p[r, c]), logs[r, c], 1e-14);
    }

    // ---- Hyperparameters and names -------------------------------------------------------------------------

    [Fact]
    public void Bad_hyperparameters_are_refused_with_their_names()
    {
        Assert.Equal("slope", Assert.Throws<ArgumentOutOfRangeException>(() => new LeakyReLU<float>(double.NaN)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new ELU<float>(double.PositiveInfinity)).ParamName);
        Assert.Equal("init", Assert.Throws<ArgumentOutOfRangeException>(() => new PReLU<float>(double.NaN)).ParamName);
        Assert.Equal("numParameters", Assert.Throws<ArgumentOutOfRangeException>(() => new PReLU<float>(numParameters: 0)).ParamName);
        Assert.Equal("upper", Assert.Throws<ArgumentOutOfRangeException>(() => new RReLU<float>(lower: 0.3, upper: 0.1)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Softplus<float>(beta: 0)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new Softplus<float>(threshold: double.NaN)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new SiLU<float>(beta: double.NaN)).ParamName);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new Softmax<float>(temperature: 0)).ParamName);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new Softmax<float>(temperature: -1)).ParamName);
    }

    [Fact]
    public void Activations_name_themselves_with_their_settings()
    {
        Assert.Equal("Sigmoid", new Sigmoid<float>().ToString());
        Assert.Equal("ReLU", new ReLU<double>().ToString());
        Assert.Equal("LeakyReLU(slope: 0.2)", new LeakyReLU<double>(0.2).ToString());
        Assert.Equal("GELU(approximate: tanh)", new GELU<double>(approximate: true).ToString());
        Assert.Equal("Softmax(temperature: 2)", new Softmax<double>(2).ToString());
        Assert.Equal("PReLU(num_parameters: 4)", new PReLU<double>(numParameters: 4).ToString());
        Assert.Equal("SELU", new SELU<double>().ToString());
    }
}
