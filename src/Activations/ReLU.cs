using System.Numerics;
using MiniGrad.Kernels;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>Rectified linear unit: ReLU(x) = max(0, x). Range [0, ∞), not zero-centred; monotonic, not smooth at 0.</summary>
/// <remarks>
/// <para>ReLU'(x) = 1 for x &gt; 0 and 0 for x &lt; 0; at the kink MiniGrad follows PyTorch: ReLU'(0) = 0.
/// A derivative of exactly 1 passes gradients through active units undiminished, which is why deep ReLU
/// networks train where sigmoid stacks stall; a unit whose input is negative for every example gets no
/// gradient at all and can stay "dead" for good (Nair and Hinton, 2010; Glorot et al., 2011).</para>
/// <para>No exponentials, nothing to overflow. NaN propagates: ReLU(NaN) = NaN, as in PyTorch.
/// Backward: dx += dy where x &gt; 0, read from the saved output (y &gt; 0 at the same elements).</para>
/// </remarks>
public sealed class ReLU<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "relu", Title = "ReLU",
        Formula = "f(x) = max(0, x)",
        Derivative = "f'(x) = 1 for x > 0, 0 for x ≤ 0",
        Lower = 0, LowerIncluded = true, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = true, Smooth = false,
        Use = "the default for hidden layers",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => T.Max(x, T.Zero);

    /// <inheritdoc/>
    public override T Derivative(T x) => x > T.Zero ? T.One : T.Zero;

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map<T, Function>(input, output);
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate) =>
        // The mask reads only the saved output (y = max(0, x) is positive exactly where x is, and NaN in neither), so
        // the output stands in for the input too: the same cache lines twice, one stream from memory instead of two.
        Elementwise.Gradient<T, Gradient>(output, output, outputGradient, inputGradient, accumulate);

    /// <summary>max(x, 0), NaN for NaN.</summary>
    private readonly struct Function : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> => TLanes.Max(x, TLanes.Zero);
    }

    /// <summary>dy · ReLU'(x) = dy where y = ReLU(x) &gt; 0 (that is, where x &gt; 0), else 0.</summary>
    private readonly struct Gradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.GreaterThan(y, TLanes.Zero), dy, TLanes.Zero);
    }
}
