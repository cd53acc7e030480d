using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad.Layers;

/// <summary>
/// Weight initialisers, filling a tensor in place (like <c>torch.nn.init</c>), with every draw taken row-major
/// from the caller's <see cref="Random"/>. A weight is fanIn × fanOut, MiniGrad's x·W layout; each scheme
/// keeps the variance of activations (or gradients) roughly constant from layer to layer.
/// </summary>
/// <remarks>Every layer with weights starts through <see cref="Affine{T}"/>, so one rule says how a weight and its bias begin.</remarks>
public static class Init
{
    /// <summary>
    /// Initialises one affine map y = x·W + b: W by <paramref name="scheme"/>; b from U(±1/√fanIn) under
    /// <see cref="WeightInit.Default"/> (PyTorch's <c>nn.Linear</c>), zero under every other scheme. W is drawn first
    /// (row-major), then b.
    /// </summary>
    public static void Affine<T>(WeightInit scheme, Tensor<T> weight, Tensor<T> bias, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(bias);
        Apply(scheme, weight, rng);
        if (scheme == WeightInit.Default)
        {
            double bound = 1 / Math.Sqrt(FanIn(weight));
            Uniform(bias, -bound, bound, rng);
        }
        else
        {
            bias.AsSpan().Clear();
        }
    }

    /// <summary>√2, He's gain for ReLU: it makes up for ReLU zeroing half of its inputs.</summary>
    public const double Sqrt2 = 1.4142135623730951;

    /// <summary>Fills with samples of U[<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static void Uniform<T>(Tensor<T> tensor, double low, double high, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.ThrowIfReleased();
        tensor.FillUniform(low, high, rng);
    }

    /// <summary>Fills with samples of N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public static void Normal<T>(Tensor<T> tensor, double mean, double std, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.ThrowIfReleased();
        tensor.FillNormal(mean, std, rng);
    }

    /// <summary>Xavier/Glorot uniform: U(±√(6 / (fanIn + fanOut))).</summary>
    public static void XavierUniform<T>(Tensor<T> weight, Random rng) where T : unmanaged, IFloatingPointIeee754<T> =>
        XavierUniform(weight, 1, rng);

    /// <summary>Xavier/Glorot uniform with a gain: U(±gain·√(6 / (fanIn + fanOut))).</summary>
    public static void XavierUniform<T>(Tensor<T> weight, double gain, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double bound = Gain(gain) * Math.Sqrt(6.0 / FanSum(weight));
        Uniform(weight, -bound, bound, rng);
    }

    /// <summary>Xavier/Glorot normal: N(0, 2 / (fanIn + fanOut)).</summary>
    public static void XavierNormal<T>(Tensor<T> weight, Random rng) where T : unmanaged, IFloatingPointIeee754<T> =>
        XavierNormal(weight, 1, rng);

    /// <summary>Xavier/Glorot normal with a gain: N(0, gain² · 2 / (fanIn + fanOut)).</summary>
    public static void XavierNormal<T>(Tensor<T> weight, double gain, Random rng) where T : unmanaged, IFloatingPointIeee754<T> =>
        Normal(weight, 0, Gain(gain) * Math.Sqrt(2.0 / FanSum(weight)), rng);

    /// <summary>He/Kaiming uniform (fan-in mode) for ReLU: U(±√(6 / fanIn)).</summary>
    public static void HeUniform<T>(Tensor<T> weight, Random rng) where T : unmanaged, IFloatingPointIeee754<T> =>
        HeUniform(weight, Sqrt2, rng);

    /// <summary>He/Kaiming uniform (fan-in mode) with a gain: U(±gain·√(3 / fanIn)).</summary>
    public static void HeUniform<T>(Tensor<T> weight, double gain, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double bound = Gain(gain) * Math.Sqrt(3.0 / FanIn(weight));
        Uniform(weight, -bound, bound, rng);
    }

    /// <summary>He/Kaiming normal (fan-in mode) for ReLU: N(0, 2 / fanIn).</summary>
    public static void HeNormal<T>(Tensor<T> weight, Random rng) where T : unmanaged, IFloatingPointIeee754<T> =>
        HeNormal(weight, Sqrt2, rng);

    /// <summary>He/Kaiming normal (fan-in mode) with a gain: N(0, gain² / fanIn).</summary>
    public static void HeNormal<T>(Tensor<T> weight, double gain, Random rng) where T : unmanaged, IFloatingPointIeee754<T> =>
        Normal(weight, 0, Gain(gain) / Math.Sqrt(FanIn(weight)), rng);

    /// <summary>LeCun uniform: U(±√(3 / fanIn)).</summary>
    public static void LeCunUniform<T>(Tensor<T> weight, Random rng) where T : unmanaged, IFloatingPointIeee754<T> =>
        HeUniform(weight, 1, rng);

    /// <summary>LeCun normal: N(0, 1 / fanIn).</summary>
    public static void LeCunNormal<T>(Tensor<T> weight, Random rng) where T : unmanaged, IFloatingPointIeee754<T> =>
        HeNormal(weight, 1, rng);

    /// <summary>Fills a weight by the named scheme (<see cref="WeightInit.Default"/>: U(±1/√fanIn)).</summary>
    public static void Apply<T>(WeightInit scheme, Tensor<T> weight, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (scheme)
        {
            case WeightInit.Default:
                double bound = 1 / Math.Sqrt(FanIn(weight));
                Uniform(weight, -bound, bound, rng);
                break;
            case WeightInit.XavierUniform: XavierUniform(weight, rng); break;
            case WeightInit.XavierNormal: XavierNormal(weight, rng); break;
            case WeightInit.HeUniform: HeUniform(weight, rng); break;
            case WeightInit.HeNormal: HeNormal(weight, rng); break;
            case WeightInit.LeCunUniform: LeCunUniform(weight, rng); break;
            case WeightInit.LeCunNormal: LeCunNormal(weight, rng); break;
            default: throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown weight initialisation scheme.");
        }
    }

    private static int FanIn<T>(Tensor<T> weight) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rows == 0) throw new ArgumentException("Cannot initialise a weight with fanIn 0.", nameof(weight));
        return weight.Rows;
    }

    private static int FanSum<T>(Tensor<T> weight) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rows + weight.Cols == 0) throw new ArgumentException("Cannot initialise an empty weight.", nameof(weight));
        return weight.Rows + weight.Cols;
    }

    private static double Gain(double gain) =>
        Require.NonNegative(gain, nameof(gain));
}
