using System.Numerics;
using System.Runtime.Intrinsics;

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
    /// <summary>Creates an ELU.</summary>
    /// <param name="alpha">The saturation value −α for x → −∞; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">α is not finite.</exception>
    public ELU(double alpha = 1.0) => Alpha = Finite(alpha, nameof(alpha));

    /// <summary>α: f(x) → −α as x → −∞.</summary>
    public T Alpha { get; }

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
    public override T Apply(T x) => x > T.Zero ? x : Alpha * ScalarMath.ExpM1(x);

    /// <inheritdoc/>
    public override T Derivative(T x) => x > T.Zero ? T.One : Alpha * T.Exp(x);

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new Function(T.One, Alpha));
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        Elementwise.AccumulateGradient(input, output, outputGradient, inputGradient, new Gradient(T.One, Alpha));

    /// <inheritdoc/>
    public override string ToString() => $"ELU(alpha: {Alpha})";

    /// <summary>f(x) = scale·x for x &gt; 0, scale·α(eˣ − 1) otherwise: ELU with scale 1, SELU with scale λ.</summary>
    internal readonly struct Function(T scale, T alpha) : IUnaryOperator<T>
    {
        private readonly T negativeScale = scale * alpha;

        public T Invoke(T x) => x > T.Zero ? scale * x : negativeScale * ScalarMath.ExpM1(x);
        public Vector128<T> Invoke(Vector128<T> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x * scale, VectorMath.ExpM1(Vector128.Min(x, Vector128<T>.Zero)) * negativeScale);
        public Vector256<T> Invoke(Vector256<T> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x * scale, VectorMath.ExpM1(Vector256.Min(x, Vector256<T>.Zero)) * negativeScale);
        public Vector512<T> Invoke(Vector512<T> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x * scale, VectorMath.ExpM1(Vector512.Min(x, Vector512<T>.Zero)) * negativeScale);
    }

    /// <summary>dy · f'(x) = scale·dy for x &gt; 0, scale·α·eˣ·dy otherwise.</summary>
    internal readonly struct Gradient(T scale, T alpha) : IGradientOperator<T>
    {
        private readonly T negativeScale = scale * alpha;

        public T Invoke(T x, T y, T dy) => x > T.Zero ? scale * dy : negativeScale * T.Exp(x) * dy;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> dy) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), dy * scale, VectorMath.Exp(Vector128.Min(x, Vector128<T>.Zero)) * negativeScale * dy);
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy * scale, VectorMath.Exp(Vector256.Min(x, Vector256<T>.Zero)) * negativeScale * dy);
        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy * scale, VectorMath.Exp(Vector512.Min(x, Vector512<T>.Zero)) * negativeScale * dy);
    }
}
