using System.Globalization;
using System.Numerics;
using MiniGrad.Kernels;
using MiniGrad.Layers;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// Softplus: f(x) = ln(1 + e^(βx))/β, β = 1 by default, and f(x) = x where βx &gt; threshold (20 by default), as in
/// PyTorch. Range (0, ∞), not zero-centred; monotonic, smooth.
/// </summary>
/// <remarks>
/// <para>f'(x) = σ(βx) = 1/(1 + e^(−βx)), and 1 above the threshold. A smooth ReLU: f(0) = ln 2/β and
/// f(x) − max(0, x) → 0 on both sides; its derivative is the sigmoid.</para>
/// <para>Stability: above the threshold f is x itself, so e^(βx) never overflows (ln(1 + e^(βx)) differs from βx
/// by less than e^(−20) ≈ 2e−9 there); ln(1 + u) is computed as log1p, so f(x) keeps its digits for very negative x
/// where e^(βx) is tiny; the derivative is computed as 1/(1 + e^(−βx)), never e^(βx)/(1 + e^(βx)) = ∞/∞.</para>
/// </remarks>
public sealed class Softplus<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a softplus.</summary>
    /// <param name="beta">β &gt; 0: larger values bend closer to ReLU; 1 by default.</param>
    /// <param name="threshold">Above βx &gt; threshold, f(x) = x; 20 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">β is not a finite positive number, or the threshold is not finite.</exception>
    public Softplus(double beta = 1, double threshold = 20)
    {
        (Beta, betaT) = (Require.Positive(beta, nameof(beta)), T.CreateTruncating(beta));
        (Threshold, thresholdT) = (threshold, Finite(threshold, nameof(threshold)));
    }

    /// <summary>β, the sharpness.</summary>
    public double Beta { get; }

    /// <summary>Above βx &gt; threshold the function is linear.</summary>
    public double Threshold { get; }

    private readonly T betaT, thresholdT;

    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "softplus", Title = "Softplus",
        Formula = "f(x) = ln(1 + e^(βx))/β, x where βx > 20 (β = 1)",
        Derivative = "f'(x) = σ(βx)",
        Lower = 0, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = true, Smooth = true,
        Use = "outputs that must be positive (a scale, a rate); rarely hidden layers",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => betaT * x > thresholdT ? x : ScalarMath.Log1P(T.Exp(betaT * x)) / betaT;

    /// <inheritdoc/>
    public override T Derivative(T x) => betaT * x > thresholdT ? T.One : T.One / (T.One + T.Exp(-betaT * x));

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new Function(betaT, thresholdT));
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate) =>
        Elementwise.Gradient(input, output, outputGradient, inputGradient, accumulate, new Gradient(betaT, thresholdT));

    internal override ModuleSpec? Spec() => ModuleSpec.Of("Softplus", ("beta", Beta), ("threshold", Threshold));

    internal static Softplus<T> FromSpec(ModuleSpec spec) => new(spec.Double("beta"), spec.Double("threshold"));

    /// <summary><c>Softplus(beta: 1, threshold: 20)</c>, in the invariant culture.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Softplus(beta: {Beta}, threshold: {Threshold})");

    /// <summary>ln(1 + e^(βx))/β, or x where βx &gt; threshold.</summary>
    private readonly struct Function(T beta, T threshold) : IUnaryOperator<T>
    {
        private readonly T inverseBeta = T.One / beta;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]

        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes>
        {
            // ln(1 + e^(βx)) = max(βx, 0) + ln(1 + e^(−|βx|)): the exponential is at most 1, so it cannot overflow, and the
            // logarithm's argument lies in [1, 2], where a short series replaces ln (VectorMath.Log1PUnit). Both terms are
            // non-negative: no cancellation.
            var bx = x * beta;
            var positive = TLanes.ConditionalSelect(TLanes.GreaterThan(bx, TLanes.Zero), bx, TLanes.Zero);
            var soft = (positive + VectorMath<T>.Log1PUnit(TLanes.Exp(-TLanes.Abs(bx)))) * inverseBeta;
            return TLanes.ConditionalSelect(TLanes.GreaterThan(bx, TLanes.Create(threshold)), x, soft);
        }
    }

    /// <summary>dy·σ(βx), or dy where βx &gt; threshold.</summary>
    private readonly struct Gradient(T beta, T threshold) : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes>
        {
            var bx = x * beta;
            return TLanes.ConditionalSelect(TLanes.GreaterThan(bx, TLanes.Create(threshold)), dy, dy * VectorMath<T>.Sigmoid(bx));
        }
    }
}
