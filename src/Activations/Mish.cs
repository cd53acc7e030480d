using System.Numerics;
using MiniGrad.Kernels;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// Mish (Misra, 2019): f(x) = x·tanh(softplus(x)) = x·tanh(ln(1 + eˣ)). Range [−0.3088, ∞) (minimum at x ≈ −1.1924),
/// not zero-centred; not monotonic, smooth.
/// </summary>
/// <remarks>
/// <para>f'(x) = t + x·σ(x)(1 − t²), with t = tanh(softplus(x)) and σ the sigmoid (the derivative of softplus).</para>
/// <para>Like SiLU, a smooth self-gated ReLU with a small negative dip; unbounded above, bounded below.</para>
/// <para>Stability: the kernel writes t without tanh or log: with n = eˣ, tanh(ln(1 + n)) = n(n + 2)/(n(n + 2) + 2).
/// That keeps full relative precision for very negative x (t ≈ n) and is exactly 1 once x &gt; 20, where the kernel
/// stops e^x from overflowing to ∞/∞; so ±1000 give finite values and gradients.</para>
/// </remarks>
public sealed class Mish<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Converted where they are read: constants in any compiled loop (see VectorMath's coefficients).
    private static T Two { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(2.0); }
    private static T Saturation { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(20.0); } // tanh(softplus(x)) rounds to 1 beyond it, in float and double

    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "mish", Title = "Mish",
        Formula = "f(x) = x·tanh(ln(1 + eˣ))",
        Derivative = "f'(x) = t + x·σ(x)(1 − t²), t = tanh(ln(1 + eˣ))",
        Lower = -0.3088434130172505, LowerIncluded = true, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = false, Smooth = true,
        Use = "hidden layers (YOLOv4), a smooth alternative to ReLU",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => x * T.Tanh(ScalarMath.Log1P(T.Exp(x)));

    /// <inheritdoc/>
    public override T Derivative(T x)
    {
        T t = T.Tanh(ScalarMath.Log1P(T.Exp(x)));
        T sigmoid = T.One / (T.One + T.Exp(-x));
        return t + x * sigmoid * (T.One - t * t);
    }

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new Function());
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate) =>
        Elementwise.Gradient(input, output, outputGradient, inputGradient, accumulate, new Gradient());

    /// <summary>x·t, with t = tanh(softplus(x)) = n(n + 2)/(n(n + 2) + 2) and n = e^min(x, 20).</summary>
    private readonly struct Function : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes>
        {
            var n = TLanes.Exp(TLanes.Min(x, Saturation));
            var m = n * (n + TLanes.Create(Two));
            return x * (m / (m + TLanes.Create(Two)));
        }
    }

    /// <summary>dy·(t + x·σ(x)(1 − t²)), with σ(x) = n/(1 + n).</summary>
    private readonly struct Gradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes>
        {
            var n = TLanes.Exp(TLanes.Min(x, Saturation));
            var m = n * (n + TLanes.Create(Two));
            var t = m / (m + TLanes.Create(Two));
            return dy * (t + x * n / (TLanes.One + n) * (TLanes.One - t * t));
        }
    }
}
