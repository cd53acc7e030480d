using System.Globalization;
using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad.Layers;

/// <summary>
/// Alpha dropout (Klambauer et al., 2017), the dropout that keeps SELU networks self-normalising: in training each element
/// is set with probability p to SELU's negative saturation −λα ≈ −1.7581 instead of 0, then the whole is mapped by an affine
/// a·x + b chosen so that inputs of mean 0 and variance 1 keep mean 0 and variance 1; in evaluation y = x. PyTorch's
/// <c>nn.AlphaDropout</c>.
/// </summary>
/// <remarks>
/// With α' = λα = 1.7580993408473766, a = ((1 − p)(1 + p·α'²))^(−1/2) and m ~ Bernoulli(1 − p):
/// y = a·x for a kept element, a·(−α') for a dropped one, plus a·α'·p for both. dx = dy·a·m.
/// </remarks>
public sealed class AlphaDropout<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double SaturationMagnitude = 1.7580993408473766; // λα of SELU
    private readonly Random rng;

    /// <summary>Creates an alpha-dropout layer.</summary>
    /// <param name="p">The probability of dropping an element, in [0, 1); 0.5 by default, as in PyTorch.</param>
    /// <param name="rng">The source of the masks; <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1).</exception>
    public AlphaDropout(double p = 0.5, Random? rng = null)
    {
        P = Require.UnitInterval(p, nameof(p));
        this.rng = rng ?? Random.Shared;
    }

    internal override int? OutputFeatures(int? input) => input;

    /// <summary>The probability of dropping an element in training.</summary>
    public double P { get; }

    /// <summary>The mapped mixture of x and SELU's saturation value in training, x itself in evaluation.</summary>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        if (!IsTraining || P == 0) return x;
        double a = 1 / Math.Sqrt((1 - P) * (1 + P * SaturationMagnitude * SaturationMagnitude));
        T scale = T.CreateTruncating(a), dropped = T.CreateTruncating(-a * SaturationMagnitude), shift = T.CreateTruncating(a * SaturationMagnitude * P);
        var y = Tensor<T>.Result(x.Rows, x.Cols, x);
        var mask = Tensor<T>.Saved(y, x.Rows, x.Cols); // a where kept, 0 where dropped: the derivative
        Span<T> input = x.Span, output = y.Span, m = mask.Span;
        for (int i = 0; i < input.Length; i++)
        {
            bool drop = rng.NextDouble() < P;
            m[i] = drop ? T.Zero : scale;
            output[i] = (drop ? dropped : scale * input[i]) + shift;
        }
        return Dropout<T>.RecordMasked(Name, y, x, mask);
    }

    internal override ModuleSpec Spec() => ModuleSpec.Of("AlphaDropout", ("p", P));

    internal static AlphaDropout<T> FromSpec(ModuleSpec spec) => new(spec.Double("p"));

    /// <summary><c>AlphaDropout(p: 0.1)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"AlphaDropout(p: {P})");
}
