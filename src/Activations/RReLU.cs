using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using MiniGrad.Kernels;
using MiniGrad.Layers;

namespace MiniGrad.Activations;

/// <summary>
/// Randomized leaky ReLU (Xu et al., 2015): f(x) = x for x &gt; 0, r·x otherwise. In training each element draws its own
/// slope r from U(lower, upper), by default U(1/8, 1/3); in evaluation r = (lower + upper)/2. Range (−∞, ∞), not
/// zero-centred; monotonic, not smooth at 0.
/// </summary>
/// <remarks>
/// <para>f'(x) = 1 for x &gt; 0 and r for x ≤ 0 (at the kink, as PyTorch: r). In training, backward uses the very slope
/// each element drew in forward (saved for it): dx += dy·r. The noise acts as a regulariser.</para>
/// <para>Every draw comes from the <see cref="Random"/> given to the constructor, one per element with x ≤ 0 in row-major
/// order, so a seeded generator reproduces a run exactly. <see cref="Apply"/> and <see cref="Derivative"/> are the
/// evaluation-mode function, the leaky ReLU with the mean slope.</para>
/// </remarks>
public sealed class RReLU<T> : Module<T>, IElementwise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Random rng;
    private readonly LeakyReLU<T> evaluation;
    private Tensor<T>? lastSlopes; // the slopes drawn by the last training forward that a tape recorded

    /// <summary>Creates a randomized leaky ReLU.</summary>
    /// <param name="lower">The smallest slope, 1/8 by default.</param>
    /// <param name="upper">The largest slope, 1/3 by default; at least <paramref name="lower"/>.</param>
    /// <param name="rng">The source of the training-mode slopes; <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="upper"/> &lt; <paramref name="lower"/>.</exception>
    public RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3, Random? rng = null)
    {
        Require.Finite(lower, nameof(lower));
        if (!double.IsFinite(upper) || upper < lower)
            throw Require.OutOfRange(nameof(upper), upper, string.Create(CultureInfo.InvariantCulture, $"must be a finite number ≥ lower ({lower})"));
        (Lower, Upper) = (lower, upper);
        evaluation = new LeakyReLU<T>((lower + upper) / 2);
        this.rng = rng ?? Random.Shared;
    }

    /// <summary>The smallest slope drawn in training.</summary>
    public double Lower { get; }

    /// <summary>The largest slope drawn in training.</summary>
    public double Upper { get; }

    /// <summary>The slope in evaluation: (lower + upper)/2.</summary>
    public double EvalSlope => evaluation.Slope;

    /// <summary>Its name, formula and properties (in evaluation), for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "rrelu", Title = "RReLU",
        Formula = "f(x) = x for x > 0, r·x otherwise; r ~ U(1/8, 1/3) in training, 11/48 in evaluation",
        Derivative = "f'(x) = 1 for x > 0, r for x ≤ 0 (the slope drawn in forward)",
        Lower = double.NegativeInfinity, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = true, Smooth = false,
        Use = "hidden layers, as a leaky ReLU with built-in noise",
    };

    /// <summary>f(x) in evaluation mode: x for x &gt; 0, (lower + upper)/2 · x otherwise.</summary>
    public T Apply(T x) => evaluation.Apply(x);

    /// <summary>f'(x) in evaluation mode: 1 for x &gt; 0, (lower + upper)/2 otherwise.</summary>
    public T Derivative(T x) => evaluation.Derivative(x);

    /// <summary>In evaluation the leaky ReLU with the mean slope; in training a fresh random slope per element.</summary>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        var y = Tensor<T>.Result(x.Rows, x.Cols, x);
        if (!IsTraining)
        {
            T mean = T.CreateTruncating(EvalSlope);
            Elementwise.Map(x.Span, y.Span, new LeakyReLU<T>.Function(mean));
            return Tensor<T>.Record(Name, y, [x], mean, static (y, inputs, mean) =>
                Elementwise.AccumulateGradient(inputs[0].Span, y.Span, y.GradSpan, inputs[0].GradAccumulator(), new LeakyReLU<T>.Gradient(mean)));
        }

        var slopes = Tensor<T>.Saved(y, x.Rows, x.Cols);
        Span<T> input = x.Span, output = y.Span, r = slopes.Span;
        double width = Upper - Lower;
        for (int i = 0; i < input.Length; i++)
        {
            r[i] = input[i] <= T.Zero ? T.CreateTruncating(Lower + width * rng.NextDouble()) : T.One;
            output[i] = input[i] * r[i];
        }
        lastSlopes = y.RequiresGrad ? slopes : null;
        return Tensor<T>.Record(Name, y, [x], slopes, static (y, inputs, slopes) =>
        {
            var dx = inputs[0].GradAccumulator();
            TensorPrimitives.MultiplyAdd(y.GradSpan, slopes.Span, dx, dx); // dx += dy·r
        });
    }

    /// <summary>
    /// In training, each element's own random slope: as the last recorded forward pass drew it, or else read back as y/x
    /// where x &lt; 0 (at x = 0, where y tells nothing, the mean slope); in evaluation, the leaky ReLU's derivative.
    /// </summary>
    void IElementwise<T>.Derivatives(Tensor<T> input, Tensor<T> output, Span<T> derivative)
    {
        if (!IsTraining)
        {
            ((IElementwise<T>)evaluation).Derivatives(input, output, derivative);
            return;
        }
        if (lastSlopes is { IsReleased: false } slopes && slopes.Length == derivative.Length)
        {
            slopes.Span.CopyTo(derivative);
            return;
        }
        ReadOnlySpan<T> x = input.Span, y = output.Span;
        T mean = T.CreateTruncating(EvalSlope);
        for (int i = 0; i < x.Length; i++)
            derivative[i] = x[i] > T.Zero ? T.One : x[i] < T.Zero ? y[i] / x[i] : mean;
    }

    internal override ModuleSpec? Spec() => ModuleSpec.Of("RReLU", ("lower", Lower), ("upper", Upper));

    internal static RReLU<T> FromSpec(ModuleSpec spec) => new(spec.Double("lower"), spec.Double("upper"));

    internal override int? OutputFeatures(int? input) => input;

    /// <summary><c>RReLU(lower: 0.125, upper: 0.333…)</c>, in the invariant culture.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RReLU(lower: {Lower}, upper: {Upper})");
}
