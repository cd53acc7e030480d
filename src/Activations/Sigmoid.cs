using System.Numerics;
using MiniGrad.Kernels;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>Sigmoid (logistic): σ(x) = 1 / (1 + e^(−x)). Range (0, 1), not zero-centred; smooth and monotonic.</summary>
/// <remarks>
/// <para>σ'(x) = σ(x)(1 − σ(x)) ≤ 1/4, reached at x = 0, so every sigmoid layer shrinks the gradient at least
/// fourfold: the vanishing-gradient problem of deep sigmoid stacks. Outputs are all positive, so the gradients
/// of a following layer's weights share one sign per example, which makes descent zig-zag.</para>
/// <para>Stable at the extremes: e^(−x) overflows to +∞ for x below about −88 (float), and 1 / (1 + ∞) = 0,
/// never NaN. Backward reuses the saved output y = σ(x): dx += dy · y(1 − y).</para>
/// <para>Use it for a binary output as a probability (or better, BCEWithLogitsLoss on the logit); avoid it in
/// hidden layers of deep networks.</para>
/// </remarks>
public sealed class Sigmoid<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "sigmoid", Title = "Sigmoid",
        Formula = "σ(x) = 1 / (1 + e^(−x))",
        Derivative = "σ'(x) = σ(x)(1 − σ(x)) ≤ 1/4",
        Lower = 0, Upper = 1,
        ZeroCentred = false, Monotonic = true, Smooth = true,
        Use = "output layer for a binary probability; avoid in deep hidden stacks",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => T.One / (T.One + T.Exp(-x));

    /// <inheritdoc/>
    public override T Derivative(T x)
    {
        T s = Apply(x);
        return s * (T.One - s);
    }

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map<T, Function>(input, output);
    }

    /// <summary>σ(x) = 1 / (1 + e^(−x)), on the engine's vector exp (which stays in float for float).</summary>
    private readonly struct Function : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> => VectorMath<T>.Sigmoid(x);
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate) =>
        Elementwise.Gradient<T, Gradient>(input, output, outputGradient, inputGradient, accumulate);

    /// <summary>dy · σ'(x) = dy · y(1 − y).</summary>
    private readonly struct Gradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> => dy * y * (TLanes.One - y);
    }
}
