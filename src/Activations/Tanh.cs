using System.Numerics;
using MiniGrad.Kernels;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>Hyperbolic tangent: tanh(x) = (eˣ − e^(−x)) / (eˣ + e^(−x)) = 2σ(2x) − 1. Range (−1, 1), zero-centred; smooth and monotonic.</summary>
/// <remarks>
/// <para>tanh'(x) = 1 − tanh²(x) ≤ 1, reached at x = 0. Zero-centred outputs make it a better hidden activation
/// than sigmoid, but it still saturates: for |x| beyond about 3 the derivative is below 0.01 and gradients vanish.</para>
/// <para>Stable at the extremes: never computed as (e^(2x) − 1)/(e^(2x) + 1), which gives ∞/∞ = NaN past x ≈ 44 in
/// float. <see cref="Apply"/> is the runtime's tanh; the kernels use a fitted rational function in float (within
/// 2.7·10⁻⁷ relative with fused multiply-adds, 3.3·10⁻⁷ at 128 bits without) and an expm1 form in double. Backward
/// reuses the saved output: dx += dy · (1 − y²).</para>
/// </remarks>
public sealed class Tanh<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "tanh", Title = "Tanh",
        Formula = "tanh(x) = (eˣ − e^(−x)) / (eˣ + e^(−x))",
        Derivative = "tanh'(x) = 1 − tanh²(x) ≤ 1",
        Lower = -1, Upper = 1,
        ZeroCentred = true, Monotonic = true, Smooth = true,
        Use = "hidden layers of shallow networks and RNNs; outputs in (−1, 1)",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => T.Tanh(x);

    /// <inheritdoc/>
    public override T Derivative(T x)
    {
        T t = T.Tanh(x);
        return T.One - t * t;
    }

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map<T, Function>(input, output);
    }

    /// <summary>tanh x, by the engine's vector form (<see cref="VectorMath{T}.Tanh{TLanes}"/>).</summary>
    private readonly struct Function : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> => VectorMath<T>.Tanh(x);
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate) =>
        Elementwise.Gradient<T, Gradient>(input, output, outputGradient, inputGradient, accumulate);

    /// <summary>dy · tanh'(x) = dy · (1 − y²).</summary>
    private readonly struct Gradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> => dy * (TLanes.One - y * y);
    }
}
