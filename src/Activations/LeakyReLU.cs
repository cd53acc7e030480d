using System.Globalization;
using System.Numerics;
using MiniGrad.Kernels;
using MiniGrad.Layers;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// Leaky ReLU: f(x) = x for x &gt; 0, slope·x otherwise (slope 0.01 by default). Range (−∞, ∞), not zero-centred;
/// monotonic for slope ≥ 0, not smooth at 0.
/// </summary>
/// <remarks>
/// <para>f'(x) = 1 for x &gt; 0 and slope for x ≤ 0; at the kink MiniGrad follows PyTorch: f'(0) = slope. The small
/// slope keeps a gradient flowing through units whose input is negative, so they cannot die as ReLU units do
/// (Maas, Hannun and Ng, 2013).</para>
/// <para>No exponentials, nothing to overflow; NaN propagates. Backward: dx += dy where x &gt; 0, slope·dy elsewhere.</para>
/// <para>Use it in hidden layers where dead ReLU units are a problem. <see cref="PReLU{T}"/> learns the slope,
/// <see cref="RReLU{T}"/> draws it at random while training.</para>
/// </remarks>
public sealed class LeakyReLU<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T slopeT; // Slope in T, for the kernels

    /// <summary>Creates a leaky ReLU with the given negative slope.</summary>
    /// <param name="slope">The slope for x ≤ 0 (PyTorch's <c>negative_slope</c>), any finite number; 0.01 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">The slope is NaN or infinite.</exception>
    public LeakyReLU(double slope = 0.01)
    {
        slopeT = Finite(slope, nameof(slope));
        Slope = slope;
    }


    /// <summary>The slope for x ≤ 0.</summary>
    public double Slope { get; }

    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "leaky_relu", Title = "LeakyReLU",
        Formula = "f(x) = x for x > 0, slope·x otherwise (slope = 0.01)",
        Derivative = "f'(x) = 1 for x > 0, slope for x ≤ 0",
        Lower = double.NegativeInfinity, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = true, Smooth = false,
        Use = "hidden layers, where dead ReLU units are a problem",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => x > T.Zero ? x : slopeT * x;

    /// <inheritdoc/>
    public override T Derivative(T x) => x > T.Zero ? T.One : slopeT;

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new Function(slopeT));
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate) =>
        Elementwise.Gradient(input, output, outputGradient, inputGradient, accumulate, new Gradient(slopeT));

    internal override ModuleSpec? Spec() => ModuleSpec.Of("LeakyReLU", ("slope", Slope));

    internal static LeakyReLU<T> FromSpec(ModuleSpec spec) => new(spec.Double("slope"));

    /// <summary><c>LeakyReLU(slope: 0.01)</c>, in the invariant culture.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"LeakyReLU(slope: {Slope})");

    /// <summary>f(x) = x for x &gt; 0, slope·x otherwise. PReLU and RReLU use it too.</summary>
    internal readonly struct Function(T slope) : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.GreaterThan(x, TLanes.Zero), x, x * slope);
    }

    /// <summary>dy · f'(x) = dy for x &gt; 0, slope·dy otherwise. PReLU and RReLU use it too.</summary>
    internal readonly struct Gradient(T slope) : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.GreaterThan(x, TLanes.Zero), dy, dy * slope);
    }
}
