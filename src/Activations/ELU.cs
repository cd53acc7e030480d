using System.Globalization;
using System.Numerics;
using MiniGrad.Kernels;
using MiniGrad.Layers;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// Exponential linear unit (Clevert, Unterthiner and Hochreiter, 2015): f(x) = x for x &gt; 0, α(eˣ − 1) otherwise,
/// α = 1 by default. Range (−α, ∞); not zero-centred, though its negative part pulls the mean output towards 0;
/// monotonic for α ≥ 0, smooth for α = 1.
/// </summary>
/// <remarks>
/// <para>f'(x) = 1 for x &gt; 0 and α·eˣ for x ≤ 0; at the kink MiniGrad follows PyTorch: f'(0) = α (= 1 by default,
/// where the two sides meet). Negative inputs saturate smoothly at −α instead of being cut to 0, so units keep a
/// gradient and do not die.</para>
/// <para>eˣ − 1 is computed as an accurate expm1 (Kahan's trick in the scalar reference, the Taylor series below |x| = 1/2
/// in the vector kernel), so tiny negative inputs keep their digits: f(−1e−10) = −9.9999999995e−11 ≈
/// −1e−10, not the rounding noise of e^(−1e−10) − 1. For x → −∞, eˣ underflows to 0 and f → −α.</para>
/// </remarks>
public sealed class ELU<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T alphaT; // Alpha in T, for the kernels

    /// <summary>Creates an ELU.</summary>
    /// <param name="alpha">The saturation value −α for x → −∞; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">α is not finite.</exception>
    public ELU(double alpha = 1.0)
    {
        alphaT = Finite(alpha, nameof(alpha));
        Alpha = alpha;
    }

    /// <summary>α: f(x) → −α as x → −∞.</summary>
    public double Alpha { get; }


    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "elu", Title = "ELU",
        Formula = "f(x) = x for x > 0, α(eˣ − 1) otherwise (α = 1)",
        Derivative = "f'(x) = 1 for x > 0, α·eˣ for x ≤ 0",
        Lower = -1, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = true, Smooth = true,
        Use = "hidden layers; negative outputs push mean activations towards 0",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => x > T.Zero ? x : alphaT * ScalarMath.ExpM1(x);

    /// <inheritdoc/>
    public override T Derivative(T x) => x > T.Zero ? T.One : alphaT * T.Exp(x);

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new Function(T.One, alphaT));
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate) =>
        Elementwise.Gradient(input, output, outputGradient, inputGradient, accumulate, new Gradient(T.One, alphaT));

    internal override ModuleSpec? Spec() => ModuleSpec.Of("ELU", ("alpha", Alpha));

    internal static ELU<T> FromSpec(ModuleSpec spec) => new(spec.Double("alpha"));

    /// <summary><c>ELU(alpha: 1)</c>, in the invariant culture.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ELU(alpha: {Alpha})");

    /// <summary>f(x) = scale·x for x &gt; 0, scale·α(eˣ − 1) otherwise: ELU with scale 1, SELU with scale λ.</summary>
    internal readonly struct Function(T scale, T alpha) : IUnaryOperator<T>
    {
        private readonly T negativeScale = scale * alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]

        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.GreaterThan(x, TLanes.Zero), x * scale, TLanes.ExpM1(TLanes.Min(x, T.Zero)) * negativeScale);
    }

    /// <summary>dy · f'(x) = scale·dy for x &gt; 0, scale·α·eˣ·dy otherwise.</summary>
    internal readonly struct Gradient(T scale, T alpha) : IGradientOperator<T>
    {
        private readonly T negativeScale = scale * alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]

        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.GreaterThan(x, TLanes.Zero), dy * scale, TLanes.Exp(TLanes.Min(x, T.Zero)) * negativeScale * dy);
    }
}
