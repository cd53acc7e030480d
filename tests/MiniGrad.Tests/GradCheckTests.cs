using System.Numerics;
using MiniGrad.Activations;

namespace MiniGrad.Tests;

public class GradCheckTests
{
    /// <summary>Softsign-like f(x) = x³ whose backward kernel deliberately uses 2x² instead of 3x².</summary>
    private sealed class WrongCube : ElementwiseActivation<double>
    {
        public override double Apply(double x) => x * x * x;
        public override double Derivative(double x) => 2 * x * x; // wrong on purpose: f'(x) = 3x²
    }

    private sealed class RightCube : ElementwiseActivation<double>
    {
        public override double Apply(double x) => x * x * x;
        public override double Derivative(double x) => 3 * x * x;
    }

    [Fact]
    public void Fails_on_a_wrong_derivative_and_names_the_worst_element()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 0.1, -0.2 }, { 2.0, 0.3 } }, requiresGrad: true);
        var result = GradCheck.Check(() => new WrongCube().Forward(x).Sum(), x);

        Assert.False(result.Passed);
        // The error x² is largest at x = 2.0, element [1, 0] of input 0.
        Assert.Equal((0, 1, 0), (result.Input, result.Row, result.Col));
        Assert.Equal(8.0, result.Analytic, 1e-9);   // 2 · 2²
        Assert.Equal(12.0, result.Numeric, 1e-4);   // 3 · 2²
        Assert.Equal(4, result.Checked);
        Assert.Contains("failed", result.ToString());
        Assert.Contains("input 0 [1, 0]", result.ToString());
    }

    [Fact]
    public void Passes_on_the_right_derivative()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 0.1, -0.2 }, { 2.0, 0.3 } }, requiresGrad: true);
        var result = GradCheck.Check(() => new RightCube().Forward(x).Sum(), x);
        Numerics.Passes(result);
        Assert.Equal(12.0, x.Grad![1, 0], 1e-12); // the analytic gradient stays in .Grad
    }

    [Fact]
    public void Finds_a_wrong_gradient_in_the_second_input()
    {
        var a = Tensor<double>.RandomUniform(2, 2, -1, 1, new Random(1), requiresGrad: true);
        var b = Tensor<double>.RandomUniform(2, 2, -1, 1, new Random(2), requiresGrad: true);
        var result = GradCheck.Check(() => (a + new WrongCube().Forward(b)).Sum(), a, b);
        Assert.False(result.Passed);
        Assert.Equal(1, result.Input);
    }

    [Fact]
    public void Rejects_inputs_that_do_not_require_grad()
    {
        var x = Tensor<double>.Ones(2, 2);
        var error = Assert.Throws<ArgumentException>(() => GradCheck.Check(() => x.Sum(), x));
        Assert.Contains("input 0", error.Message);
    }

    [Fact]
    public void Rejects_a_function_that_is_not_scalar()
    {
        var x = Tensor<double>.Ones(2, 2, requiresGrad: true);
        var error = Assert.Throws<ArgumentException>(() => GradCheck.Check(() => x.Square(), x));
        Assert.Contains("1x1", error.Message);
    }

    [Fact]
    public void Refuses_to_run_inside_an_open_tape()
    {
        var x = Tensor<double>.Ones(1, 1, requiresGrad: true);
        using var tape = new Tape();
        Assert.Throws<InvalidOperationException>(() => GradCheck.Check(() => x.Sum(), x));
    }
}
