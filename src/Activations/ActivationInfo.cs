using System.Globalization;

namespace MiniGrad.Activations;

/// <summary>
/// What an activation is, in a form samples, docs and command lines can read: its name, formula, derivative,
/// output range and shape. A test checks the range, zero-centredness, monotonicity and smoothness claims
/// numerically against the code, so this description cannot drift from it.
/// </summary>
/// <remarks>
/// Claims are for the default hyperparameters. <see cref="ZeroCentred"/> means the mean output for
/// standard-normal inputs is 0 (within 0.01), the property that keeps the next layer's weight gradients from
/// sharing one sign. <see cref="Smooth"/> means f' is continuous (no kink).
/// </remarks>
public sealed record ActivationInfo
{
    /// <summary>The PyTorch functional name, e.g. <c>leaky_relu</c>, as <see cref="Activation.Create{T}"/> takes it.</summary>
    public required string Name { get; init; }

    /// <summary>The class name, e.g. <c>LeakyReLU</c>.</summary>
    public required string Title { get; init; }

    /// <summary>The formula, e.g. <c>f(x) = max(0, x)</c>.</summary>
    public required string Formula { get; init; }

    /// <summary>The derivative, with the value chosen at a kink.</summary>
    public required string Derivative { get; init; }

    /// <summary>The lower end of the output range (−∞ when unbounded).</summary>
    public required double Lower { get; init; }

    /// <summary>Whether the output reaches <see cref="Lower"/> (as ReLU reaches 0) or only approaches it (as sigmoid does).</summary>
    public bool LowerIncluded { get; init; }

    /// <summary>The upper end of the output range (+∞ when unbounded).</summary>
    public required double Upper { get; init; }

    /// <summary>Whether the output reaches <see cref="Upper"/>.</summary>
    public bool UpperIncluded { get; init; }

    /// <summary>Whether the mean output for standard-normal inputs is 0.</summary>
    public required bool ZeroCentred { get; init; }

    /// <summary>Whether f never decreases.</summary>
    public required bool Monotonic { get; init; }

    /// <summary>Whether f' is continuous everywhere.</summary>
    public required bool Smooth { get; init; }

    /// <summary>Where it belongs in a network: hidden layers, the output layer, or both.</summary>
    public required string Use { get; init; }

    /// <summary>The output range in interval notation, e.g. <c>(0, 1)</c> or <c>[0, ∞)</c>.</summary>
    public string Range => $"{(LowerIncluded ? '[' : '(')}{Format(Lower)}, {Format(Upper)}{(UpperIncluded ? ']' : ')')}";

    private static string Format(double bound) => bound switch
    {
        double.PositiveInfinity => "∞",
        double.NegativeInfinity => "−∞",
        _ => bound.ToString("0.####", CultureInfo.InvariantCulture).Replace('-', '−'),
    };
}
