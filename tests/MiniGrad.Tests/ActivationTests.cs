using System.Numerics;
using MiniGrad.Activations;
using MiniGrad.Layers;
using MiniGrad.Losses;

namespace MiniGrad.Tests;

public class ActivationTests
{
    private static readonly Dictionary<string, Func<object>> Activations = new()
    {
        ["Sigmoid"] = () => new Sigmoid<double>(),
        ["Tanh"] = () => new Tanh<double>(),
        ["ReLU"] = () => new ReLU<double>(),
        ["Identity"] = () => new Identity<double>(),
    };

    public static TheoryData<string> Names => new(Activations.Keys);

    private static ElementwiseActivation<T> Create<T>(string name) where T : unmanaged, IFloatingPointIeee754<T> => name switch
    {
        "Sigmoid" => new Sigmoid<T>(),
        "Tanh" => new Tanh<T>(),
        "ReLU" => new ReLU<T>(),
        "Identity" => new Identity<T>(),
        _ => throw new ArgumentException(name),
    };

    // ---- Vector kernels against the scalar reference, every length 0..257 -------------------------------

    [Theory]
    [Trait("Category", "Kernels")]
    [MemberData(nameof(Names))]
    public void Float_kernels_match_the_scalar_reference_for_every_length(string name) => KernelsMatchReference<float>(name, 2e-6);

    [Theory]
    [Trait("Category", "Kernels")]
    [MemberData(nameof(Names))]
    public void Double_kernels_match_the_scalar_reference_for_every_length(string name) => KernelsMatchReference<double>(name, 1e-14);

    private static void KernelsMatchReference<T>(string name, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var activation = Create<T>(name);
        var rng = new Random(1);
        for (int length = 0; length <= 257; length++)
        {
            // Values over the interesting range, with the kink x = 0 and both signs of tiny values among them.
            var x = new T[length];
            for (int i = 0; i < length; i++)
                x[i] = T.CreateTruncating((i % 7) switch { 0 => 0.0, 1 => 1e-30, 2 => -1e-30, _ => rng.NextDouble() * 16 - 8 });
            var dy = Enumerable.Range(0, length).Select(_ => T.CreateTruncating(rng.NextDouble() * 2 - 1)).ToArray();
            var dxStart = Enumerable.Range(0, length).Select(_ => T.CreateTruncating(rng.NextDouble())).ToArray();

            var y = new T[length];
            activation.ForwardKernel(x, y);
            var dx = (T[])dxStart.Clone();
            activation.BackwardKernel(x, y, dy, dx);

            for (int i = 0; i < length; i++)
            {
                Numerics.Close(activation.Apply(x[i]), y[i], tolerance, $"{name} f at length {length}, element {i} (x = {x[i]})");
                // The backward kernel accumulates: dx = previous dx + dy · f'(x).
                Numerics.Close(dxStart[i] + dy[i] * activation.Derivative(x[i]), dx[i], tolerance, $"{name} f' at length {length}, element {i} (x = {x[i]})");
            }
        }
    }

    [Fact]
    public void Kernels_reject_spans_of_different_lengths()
    {
        var identity = new Identity<double>();
        Assert.Throws<ArgumentException>(() => identity.ForwardKernel(new double[3], new double[4]));
        Assert.Throws<ArgumentException>(() => new Tanh<double>().BackwardKernel(new double[3], new double[3], new double[2], new double[3]));
    }

    // ---- Values at named points ------------------------------------------------------------------------

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
    public void ReLU_follows_PyTorch_at_the_kink()
    {
        var relu = new ReLU<double>();
        Assert.Equal(0.0, relu.Apply(-2));
        Assert.Equal(3.0, relu.Apply(3));
        Assert.Equal(0.0, relu.Derivative(0));  // PyTorch: ReLU'(0) = 0
        Assert.Equal(1.0, relu.Derivative(1e-300));
        Assert.Equal(0.0, relu.Derivative(-1));
        Assert.True(double.IsNaN(relu.Apply(double.NaN)));
    }

    [Fact]
    public void Identity_passes_values_and_gradients_through()
    {
        var identity = new Identity<double>();
        Assert.Equal(-4.5, identity.Apply(-4.5));
        Assert.Equal(1.0, identity.Derivative(123));
    }

    // ---- Gradients through a small network, in double ---------------------------------------------------

    [Theory]
    [MemberData(nameof(Names))]
    public void GradCheck_through_a_small_network(string name)
    {
        var rng = new Random(3);
        var model = new Sequential<double>(new Dense<double>(3, 5, rng), Create<double>(name), new Dense<double>(5, 2, rng));
        var x = Tensor<double>.RandomUniform(4, 3, -2, 2, rng, requiresGrad: true);
        var target = Tensor<double>.RandomUniform(4, 2, -1, 1, rng);
        var loss = new MSELoss<double>();
        var inputs = model.Parameters().Append(x).ToArray();
        Numerics.Passes(GradCheck.Check(() => loss.Forward(model.Forward(x), target), inputs));
    }

    // ---- Extremes ----------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Names))]
    public void Finite_values_and_gradients_at_plus_and_minus_1000_in_float(string name)
    {
        var activation = Create<float>(name);
        var x = Tensor<float>.FromArray(new float[,] { { -1000f, 1000f, -88.8f, 88.8f, 0f } }, requiresGrad: true);
        using (var tape = new Tape())
        {
            var y = activation.Forward(x);
            Assert.True(Numerics.AllFinite(y), $"{name}: {y}");
            tape.Backward(y.Sum());
        }
        Assert.True(Numerics.AllFinite(x.Grad!), $"{name}: {x.Grad}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void An_empty_batch_gives_an_empty_result(string name)
    {
        var x = Tensor<float>.Zeros(0, 3, requiresGrad: true);
        using var tape = new Tape();
        var y = Create<float>(name).Forward(x);
        Assert.Equal("0x3", y.Shape);
        tape.Backward(y, Tensor<float>.Zeros(0, 3));
        Assert.Equal("0x3", x.Grad!.Shape);
    }

    [Fact]
    public void Saturated_sigmoid_and_tanh_reach_their_bounds()
    {
        Assert.Equal(0f, new Sigmoid<float>().Apply(-1000f));
        Assert.Equal(1f, new Sigmoid<float>().Apply(1000f));
        Assert.Equal(-1f, new Tanh<float>().Apply(-1000f));
        Assert.Equal(0f, new Tanh<float>().Derivative(1000f));
    }

    [Fact]
    public void Activations_name_themselves()
    {
        Assert.Equal("Sigmoid", new Sigmoid<float>().ToString());
        Assert.Equal("ReLU", new ReLU<double>().ToString());
    }
}
