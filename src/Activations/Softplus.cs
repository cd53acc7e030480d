using System.Numerics;
using System.Runtime.Intrinsics;

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
        if (!(beta > 0) || !double.IsFinite(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a finite number > 0.");
        Beta = T.CreateTruncating(beta);
        Threshold = Finite(threshold, nameof(threshold));
    }

    /// <summary>β, the sharpness.</summary>
    public T Beta { get; }

    /// <summary>Above βx &gt; threshold the function is linear.</summary>
    public T Threshold { get; }

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
    public override T Apply(T x) => Beta * x > Threshold ? x : ScalarMath.Log1P(T.Exp(Beta * x)) / Beta;

    /// <inheritdoc/>
    public override T Derivative(T x) => Beta * x > Threshold ? T.One : T.One / (T.One + T.Exp(-Beta * x));

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new Function(Beta, Threshold));
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        Elementwise.AccumulateGradient(input, output, outputGradient, inputGradient, new Gradient(Beta, Threshold));

    /// <inheritdoc/>
    public override string ToString() => $"Softplus(beta: {Beta}, threshold: {Threshold})";

    /// <summary>ln(1 + e^(βx))/β, or x where βx &gt; threshold.</summary>
    private readonly struct Function(T beta, T threshold) : IUnaryOperator<T>
    {
        private readonly T inverseBeta = T.One / beta;

        public T Invoke(T x) => beta * x > threshold ? x : ScalarMath.Log1P(T.Exp(beta * x)) / beta;

        public Vector128<T> Invoke(Vector128<T> x)
        {
            var bx = x * beta;
            var soft = VectorMath.Log1P(VectorMath.Exp(Vector128.Min(bx, Vector128.Create(threshold)))) * inverseBeta;
            return Vector128.ConditionalSelect(Vector128.GreaterThan(bx, Vector128.Create(threshold)), x, soft);
        }

        public Vector256<T> Invoke(Vector256<T> x)
        {
            var bx = x * beta;
            var soft = VectorMath.Log1P(VectorMath.Exp(Vector256.Min(bx, Vector256.Create(threshold)))) * inverseBeta;
            return Vector256.ConditionalSelect(Vector256.GreaterThan(bx, Vector256.Create(threshold)), x, soft);
        }

        public Vector512<T> Invoke(Vector512<T> x)
        {
            var bx = x * beta;
            var soft = VectorMath.Log1P(VectorMath.Exp(Vector512.Min(bx, Vector512.Create(threshold)))) * inverseBeta;
            return Vector512.ConditionalSelect(Vector512.GreaterThan(bx, Vector512.Create(threshold)), x, soft);
        }
    }

    /// <summary>dy·σ(βx), or dy where βx &gt; threshold.</summary>
    private readonly struct Gradient(T beta, T threshold) : IGradientOperator<T>
    {
        public T Invoke(T x, T y, T dy) => beta * x > threshold ? dy : dy / (T.One + T.Exp(-beta * x));

        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> dy)
        {
            var bx = x * beta;
            return Vector128.ConditionalSelect(Vector128.GreaterThan(bx, Vector128.Create(threshold)), dy, dy * VectorMath.Sigmoid(bx));
        }

        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy)
        {
            var bx = x * beta;
            return Vector256.ConditionalSelect(Vector256.GreaterThan(bx, Vector256.Create(threshold)), dy, dy * VectorMath.Sigmoid(bx));
        }

        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
        {
            var bx = x * beta;
            return Vector512.ConditionalSelect(Vector512.GreaterThan(bx, Vector512.Create(threshold)), dy, dy * VectorMath.Sigmoid(bx));
        }
    }
}
