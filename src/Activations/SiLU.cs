using System.Numerics;
using System.Runtime.Intrinsics;

namespace MiniGrad.Activations;

/// <summary>
/// SiLU, also called Swish (Elfwing et al., 2017; Ramachandran, Zoph and Le, 2017): f(x) = x·σ(βx), β = 1 by default,
/// optionally learned. Range [−0.2785, ∞) for β = 1 (minimum at x ≈ −1.2785), not zero-centred; not monotonic, smooth.
/// </summary>
/// <remarks>
/// <para>∂f/∂x = σ(βx) + βx·σ(βx)(1 − σ(βx)) = σ(βx)(1 + βx(1 − σ(βx))); ∂f/∂β = x²·σ(βx)(1 − σ(βx)).</para>
/// <para>A self-gated ReLU: for large positive x it is x, for large negative x it tends to 0 from below, and
/// around 0 it is smooth. β = 0 gives x/2; β → ∞ gives ReLU.</para>
/// <para>Stability: σ(βx) = 1/(1 + e^(−βx)) saturates to exactly 0 or 1, so ±1000 give finite values and
/// gradients. With <c>learnable: true</c>, <see cref="Beta"/> is a parameter and gathers dβ += Σ dy·∂f/∂β.</para>
/// </remarks>
public sealed class SiLU<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a SiLU (Swish).</summary>
    /// <param name="beta">β in x·σ(βx); 1 by default (PyTorch's SiLU).</param>
    /// <param name="learnable">Whether β is a parameter the optimizer updates.</param>
    /// <exception cref="ArgumentOutOfRangeException">β is not finite.</exception>
    public SiLU(double beta = 1.0, bool learnable = false) =>
        Beta = Tensor<T>.Full(1, 1, Finite(beta, nameof(beta)), requiresGrad: learnable);

    /// <summary>β, 1 × 1; requires grad when learnable.</summary>
    public Tensor<T> Beta { get; }

    /// <summary>Whether β is learned.</summary>
    public bool Learnable => Beta.RequiresGrad;

    private T B => Beta.Span[0];

    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "silu", Title = "SiLU",
        Formula = "f(x) = x·σ(βx) (β = 1)",
        Derivative = "f'(x) = σ(βx)(1 + βx(1 − σ(βx)))",
        Lower = -0.2784645427610738, LowerIncluded = true, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = false, Smooth = true,
        Use = "hidden layers of deep networks (EfficientNet, many LLMs)",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => x / (T.One + T.Exp(-B * x));

    /// <inheritdoc/>
    public override T Derivative(T x)
    {
        T s = T.One / (T.One + T.Exp(-B * x));
        return s * (T.One + B * x * (T.One - s));
    }

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new Function(B));
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        Elementwise.AccumulateGradient(input, output, outputGradient, inputGradient, new Gradient(B));

    /// <summary>y = x·σ(βx); with a learned β, recorded with both inputs, x and β.</summary>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        if (!Learnable) return base.Forward(x);
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();

        var y = Tensor<T>.Result(x.Rows, x.Cols, x, Beta);
        Elementwise.Map(x.Span, y.Span, new Function(B));
        return y.Record(Name, x, Beta, static y =>
        {
            var (x, beta) = (y.Input, y.Other);
            if (x.RequiresGrad) Elementwise.AccumulateGradient(x.Span, y.Span, y.GradSpan, x.GradAccumulator(), new Gradient(beta.Span[0]));
            if (beta.RequiresGrad) beta.GradAccumulator()[0] += Elementwise.Sum(x.Span, y.Span, y.GradSpan, new BetaGradient(beta.Span[0]));
        });
    }

    /// <summary>β when it is learned; nothing otherwise.</summary>
    public override IEnumerable<Tensor<T>> Parameters() => Learnable ? [Beta] : [];

    /// <summary><c>beta</c> when it is learned; nothing otherwise.</summary>
    public override IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters() => Learnable ? [("beta", Beta)] : [];

    /// <inheritdoc/>
    public override string ToString() => Learnable ? $"SiLU(beta: {B}, learnable)" : B == T.One ? "SiLU" : $"SiLU(beta: {B})";

    /// <summary>x·σ(βx).</summary>
    private readonly struct Function(T beta) : IUnaryOperator<T>
    {
        public T Invoke(T x) => x / (T.One + T.Exp(-beta * x));
        public Vector128<T> Invoke(Vector128<T> x) => x * VectorMath.Sigmoid(x * beta);
        public Vector256<T> Invoke(Vector256<T> x) => x * VectorMath.Sigmoid(x * beta);
        public Vector512<T> Invoke(Vector512<T> x) => x * VectorMath.Sigmoid(x * beta);
    }

    /// <summary>dy·σ(βx)(1 + βx(1 − σ(βx))).</summary>
    private readonly struct Gradient(T beta) : IGradientOperator<T>
    {
        public T Invoke(T x, T y, T dy)
        {
            T s = T.One / (T.One + T.Exp(-beta * x));
            return dy * s * (T.One + beta * x * (T.One - s));
        }

        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> dy)
        {
            var bx = x * beta;
            var s = VectorMath.Sigmoid(bx);
            return dy * s * (Vector128<T>.One + bx * (Vector128<T>.One - s));
        }

        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy)
        {
            var bx = x * beta;
            var s = VectorMath.Sigmoid(bx);
            return dy * s * (Vector256<T>.One + bx * (Vector256<T>.One - s));
        }

        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
        {
            var bx = x * beta;
            var s = VectorMath.Sigmoid(bx);
            return dy * s * (Vector512<T>.One + bx * (Vector512<T>.One - s));
        }
    }

    /// <summary>dy·x²·σ(βx)(1 − σ(βx)): one element's share of dL/dβ.</summary>
    private readonly struct BetaGradient(T beta) : IGradientOperator<T>
    {
        public T Invoke(T x, T y, T dy)
        {
            T s = T.One / (T.One + T.Exp(-beta * x));
            return dy * x * x * s * (T.One - s);
        }

        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> dy)
        {
            var s = VectorMath.Sigmoid(x * beta);
            return dy * x * x * s * (Vector128<T>.One - s);
        }

        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy)
        {
            var s = VectorMath.Sigmoid(x * beta);
            return dy * x * x * s * (Vector256<T>.One - s);
        }

        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
        {
            var s = VectorMath.Sigmoid(x * beta);
            return dy * x * x * s * (Vector512<T>.One - s);
        }
    }
}
