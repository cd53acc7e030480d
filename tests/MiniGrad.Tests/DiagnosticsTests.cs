using MiniGrad.Activations;
using MiniGrad.Diagnostics;
using MiniGrad.Layers;
using MiniGrad.Losses;

namespace MiniGrad.Tests;

/// <summary>The gradient-flow monitor and anomaly mode, on networks built so the right answer is known.</summary>
public class DiagnosticsTests
{
    /// <summary>One training pass of <paramref name="model"/> on x with an MSE loss against zero targets.</summary>
    private static void Step(Sequential<double> model, Tensor<double> x, int outputs)
    {
        using var tape = new Tape();
        var loss = new MSELoss<double>().Forward(model.Forward(x), Tensor<double>.Ones(x.Rows, outputs));
        tape.Backward(loss);
    }

    [Fact]
    public void A_unit_whose_inputs_are_all_negative_is_reported_dead()
    {
        var rng = new Random(1);
        var dense = new Dense<double>(2, 3, rng);
        // Unit 1 ignores x and has bias −100: its pre-activation is negative for every example. Units 0 and 2 get +100.
        for (int i = 0; i < 2; i++) dense.Weight[i, 1] = 0;
        dense.Bias[0, 0] = 100; dense.Bias[0, 1] = -100; dense.Bias[0, 2] = 100;
        var model = new Sequential<double>(dense, new ReLU<double>(), new Dense<double>(3, 1, rng));
        using var monitor = new GradientFlowMonitor<double>(model);

        Step(model, Tensor<double>.RandomNormal(16, 2, rng), 1);
        var hidden = monitor.Report().Layers[0];

        Assert.Equal(1, hidden.Number); // layers count from 1, as in every table and picture
        Assert.Equal("Dense(2 → 3)", hidden.Layer);
        Assert.Equal("ReLU", hidden.Activation);
        Assert.Equal(1.0 / 3, hidden.InactiveFraction, 12);
        Assert.Equal([false, true, false], hidden.InactiveUnits);
        Assert.Equal(0.0, hidden.InactiveMeanAbsDerivative); // ReLU's inactive unit passes nothing
        Assert.Equal(1.0 / 3, hidden.DeadFraction, 12);
        Assert.Equal(1.0 / 3, hidden.SaturatedFraction, 12);
        Assert.Equal(2.0 / 3, hidden.MeanAbsDerivative, 12);
        string table = monitor.Report().ToString();
        Assert.Contains("Dense(2 → 3)", table);
        Assert.Contains("0.weight", table);
        // The dead unit passes no gradient to its weights: column 1 of ∂L/∂W is exactly zero.
        Assert.All(Enumerable.Range(0, 2), i => Assert.Equal(0.0, dense.Weight.Grad![i, 1]));
    }

    [Fact]
    public void A_leaky_unit_with_only_negative_inputs_is_inactive_but_not_dead_and_passes_its_slope()
    {
        var rng = new Random(1);
        var dense = new Dense<double>(2, 3, rng);
        for (int i = 0; i < 2; i++) dense.Weight[i, 1] = 0;
        dense.Bias[0, 0] = 100; dense.Bias[0, 1] = -100; dense.Bias[0, 2] = 100;
        var model = new Sequential<double>(dense, new LeakyReLU<double>(0.05), new Dense<double>(3, 1, rng));
        using var monitor = new GradientFlowMonitor<double>(model);

        Step(model, Tensor<double>.RandomNormal(16, 2, rng), 1);
        var hidden = monitor.Report().Layers[0];

        Assert.Equal(1.0 / 3, hidden.InactiveFraction, 12);
        Assert.Equal(0.0, hidden.DeadFraction);
        Assert.Equal(0.05, hidden.InactiveMeanAbsDerivative, 12);
        Assert.All(Enumerable.Range(0, 2), i => Assert.NotEqual(0.0, dense.Weight.Grad![i, 1])); // its weights still learn
    }

    [Fact]
    public void The_report_shows_a_dash_where_a_value_does_not_apply_never_NaN()
    {
        var rng = new Random(6);
        var model = new Sequential<double>(new Dense<double>(2, 4, rng), new Tanh<double>(), new Dense<double>(4, 1, rng));
        using var monitor = new GradientFlowMonitor<double>(model);
        Step(model, Tensor<double>.RandomNormal(8, 2, rng), 1);

        var report = monitor.Report();
        string table = report.ToString();

        Assert.DoesNotContain("NaN", table);
        string output = table.Split('\n').Single(line => line.StartsWith(" 2 "));
        Assert.Contains("Dense(4 → 1)", output);
        Assert.True(output.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(cell => cell == "—") >= 5, output); // activation, mean|f'|, inactive, dead, saturated
        Assert.True(double.IsNaN(report.Layers[1].MeanAbsDerivative)); // the record keeps NaN for code to test
        Assert.True(double.IsNaN(report.Layers[0].InactiveMeanAbsDerivative)); // no inactive tanh unit here
    }

    [Fact]
    public void A_sigmoid_stack_reports_gradient_norms_shrinking_towards_the_input()
    {
        var rng = new Random(2);
        var modules = new List<Module<double>>();
        for (int i = 0; i < 6; i++) modules.AddRange([new Dense<double>(32, 32, WeightInit.XavierUniform, rng), new Sigmoid<double>()]);
        modules.Add(new Dense<double>(32, 1, rng));
        var model = new Sequential<double>([.. modules]);
        using var monitor = new GradientFlowMonitor<double>(model);

        Step(model, Tensor<double>.RandomNormal(64, 32, rng), 1);
        var layers = monitor.Report().Layers;

        Assert.Equal(7, layers.Count);
        Assert.Null(layers[6].Activation);
        for (int l = 0; l < 6; l++)
        {
            Assert.Equal("Sigmoid", layers[l].Activation);
            Assert.InRange(layers[l].MeanAbsDerivative, 0.1, 0.25); // σ' ≤ 1/4 everywhere
        }
        // σ' ≤ 1/4 and Xavier weights keep the rest near 1: each layer back loses at least half of the gradient.
        for (int l = 0; l < 5; l++)
            Assert.True(layers[l].GradientNorm < 0.5 * layers[l + 1].GradientNorm,
                $"layer {l}: ‖∂L/∂z‖ = {layers[l].GradientNorm}, layer {l + 1}: {layers[l + 1].GradientNorm}");
        double perLayer = Math.Pow(layers[0].GradientNorm / layers[5].GradientNorm, 1.0 / 5);
        Assert.True(perLayer < 0.25, $"the gradient shrinks by {1 / perLayer:F2}× per layer, less than 4×");
    }

    [Fact]
    public void Reported_norms_equal_the_gradients_the_tape_computes()
    {
        var rng = new Random(3);
        var first = new Dense<double>(3, 5, rng);
        var tanh = new Tanh<double>();
        var second = new Dense<double>(5, 2, rng);
        var model = new Sequential<double>(first, tanh, second);
        var x = Tensor<double>.RandomNormal(7, 3, rng);
        using var monitor = new GradientFlowMonitor<double>(model);
        Step(model, x, 2);
        var report = monitor.Report();
        Assert.Equal(Norm(first.Weight.Grad!), report.Layers[0].Parameters[0].GradientNorm, 12);
        Assert.Equal(Norm(second.Bias.Grad!), report.Layers[1].Parameters[1].GradientNorm, 12);

        // The same network split at z = x·W₁ + b₁, with z made a leaf so the tape leaves its gradient in z.Grad.
        var z = x.MatMul(first.Weight) + first.Bias;
        var zLeaf = Tensor<double>.FromArray(z.ToArray(), requiresGrad: true);
        using (var tape = new Tape())
        {
            var output = second.Forward(tanh.Forward(zLeaf));
            tape.Backward(new MSELoss<double>().Forward(output, Tensor<double>.Ones(7, 2)));
        }
        Assert.Equal(Norm(zLeaf.Grad!), report.Layers[0].GradientNorm, 12);

        double meanDerivative = z.ToArray().Cast<double>().Average(v => Math.Abs(tanh.Derivative(v)));
        Assert.Equal(meanDerivative, report.Layers[0].MeanAbsDerivative, 12);
        Assert.Equal(["0.weight", "0.bias"], report.Layers[0].Parameters.Select(p => p.Name));
        Assert.Equal(["2.weight", "2.bias"], report.Layers[1].Parameters.Select(p => p.Name));
    }

    [Fact]
    public void Derivatives_use_each_feature_slope_of_PReLU_and_each_random_slope_of_RReLU()
    {
        var rng = new Random(4);
        var prelu = new PReLU<double>(init: 0.25, numParameters: 4);
        for (int c = 0; c < 4; c++) prelu.Slope[0, c] = 0.1 * (c + 1);
        var rrelu = new RReLU<double>(rng: rng);
        var x = Tensor<double>.RandomNormal(50, 4, rng);

        var y = prelu.Forward(x);
        var derivative = new double[x.Length];
        ((IElementwise<double>)prelu).Derivatives(x, y, derivative);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(x.Span[i] > 0 ? 1 : 0.1 * (i % 4 + 1), derivative[i], 15);

        y = rrelu.Forward(x);
        ((IElementwise<double>)rrelu).Derivatives(x, y, derivative);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(x.Span[i] > 0 ? 1 : y.Span[i] / x.Span[i], derivative[i], 15);
        Assert.Contains(derivative, d => d > 1.0 / 8 && d < 1.0 / 3 && Math.Abs(d - (1.0 / 8 + 1.0 / 3) / 2) > 1e-3);

        // Recorded on a tape, the slopes forward saved are used: exactly what backward multiplies dy by.
        var leaf = Tensor<double>.FromArray(x.ToArray(), requiresGrad: true);
        using (var tape = new Tape())
        {
            y = rrelu.Forward(leaf);
            ((IElementwise<double>)rrelu).Derivatives(leaf, y, derivative);
            tape.Backward(y, Tensor<double>.Ones(y.Rows, y.Cols));
        }
        for (int i = 0; i < x.Length; i++) Assert.Equal(leaf.Grad!.Span[i], derivative[i]);
    }

    [Fact]
    public void The_monitor_sees_only_training_passes_and_detaches()
    {
        var rng = new Random(5);
        var model = new Sequential<double>(new Dense<double>(2, 4, rng), new ReLU<double>(), new Dense<double>(4, 1, rng));
        var monitor = new GradientFlowMonitor<double>(model);
        Assert.Throws<InvalidOperationException>(() => new GradientFlowMonitor<double>(model));

        model.Forward(Tensor<double>.RandomNormal(3, 2, rng)); // no tape open: inference, not observed
        Assert.True(double.IsNaN(monitor.Report().Layers[0].MeanAbsDerivative));

        Step(model, Tensor<double>.RandomNormal(3, 2, rng), 1);
        Assert.False(double.IsNaN(monitor.Report().Layers[0].GradientNorm));
        monitor.Dispose();
        using var again = new GradientFlowMonitor<double>(model); // detached, so another may attach
        Assert.Equal(2, again.Report().Layers.Count);
    }

    /// <summary>A module that takes the logarithm of its input: log of a negative number is NaN.</summary>
    private sealed class LogModule : Module<double>
    {
        public override Tensor<double> Forward(Tensor<double> x) => x.Log();
    }

    [Fact]
    public void Anomaly_mode_names_the_op_and_layer_that_first_produce_a_NaN()
    {
        var rng = new Random(6);
        var model = new Sequential<double>(new Dense<double>(2, 3, rng), new LogModule(), new Dense<double>(3, 1, rng));
        var x = Tensor<double>.FromArray(new double[,] { { 1, 2 }, { -3, 5 }, { 100, -100 } });

        using (Anomaly.Detect())
        using (var tape = new Tape())
        {
            var error = Assert.Throws<AnomalyException>(() => model.Forward(x));
            Assert.Equal(AnomalyPass.Forward, error.Pass);
            Assert.Equal("Log", error.Op);
            Assert.Equal("layer 1 (LogModule)", error.Layer);
            Assert.Contains("Log in layer 1 (LogModule) produced NaN", error.Message);
        }
        Assert.False(Anomaly.IsDetecting);

        using (var tape = new Tape()) // off: the NaN flows on silently, as it would in PyTorch
            Assert.Contains(model.Forward(x).ToArray().Cast<double>(), double.IsNaN);
    }

    [Fact]
    public void Anomaly_mode_names_the_backward_step_that_first_produces_an_infinity()
    {
        // y = 1/x is finite at x = 1e-200, but dy/dx = −1/x² overflows to −Inf.
        var x = Tensor<double>.FromArray(new double[,] { { 1, 1e-200 } }, requiresGrad: true);
        using (Anomaly.Detect())
        using (var tape = new Tape())
        {
            var loss = (1.0 / x).Sum();
            var error = Assert.Throws<AnomalyException>(() => tape.Backward(loss));
            Assert.Equal(AnomalyPass.Backward, error.Pass);
            Assert.Equal("ScalarDivide", error.Op);
            Assert.Equal((0, 1), error.Element);
            Assert.Contains("-Inf", error.Message);
        }
    }

    [Fact]
    public void Anomaly_mode_says_when_the_NaN_was_already_in_the_data()
    {
        var rng = new Random(7);
        var model = new Sequential<double>(new Dense<double>(2, 2, rng), new Tanh<double>());
        var x = Tensor<double>.FromArray(new double[,] { { 1, double.NaN } });
        using (Anomaly.Detect())
        using (var tape = new Tape())
        {
            var error = Assert.Throws<AnomalyException>(() => model.Forward(x));
            Assert.Equal("Linear", error.Op);
            Assert.Equal("layer 0 (Dense(2 → 2))", error.Layer);
            Assert.Contains("input 1 of Linear", error.Message);
            Assert.Contains("already holds NaN at [0, 1]", error.Message);
        }
    }

    private static double Norm(Tensor<double> t) => Math.Sqrt(t.ToArray().Cast<double>().Sum(v => v * v));
}
