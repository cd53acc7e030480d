using System.Numerics;
using System.Numerics.Tensors;

namespace MiniGrad.Activations;

/// <summary>Identity (linear): f(x) = x. Range (−∞, ∞), zero-centred; smooth and monotonic.</summary>
/// <remarks>
/// f'(x) = 1: the gradient passes through unchanged (dx += dy). The output activation for regression, and a
/// placeholder where a network needs "no activation". A stack of linear layers with identity activations is
/// itself just one linear map.
/// </remarks>
public sealed class Identity<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "identity", Title = "Identity",
        Formula = "f(x) = x",
        Derivative = "f'(x) = 1",
        Lower = double.NegativeInfinity, Upper = double.PositiveInfinity,
        ZeroCentred = true, Monotonic = true, Smooth = true,
        Use = "output layer for regression",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => x;

    /// <inheritdoc/>
    public override T Derivative(T x) => T.One;

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        input.CopyTo(output);
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate)
    {
        CheckLengths(input.Length, output.Length, outputGradient.Length, inputGradient.Length);
        if (accumulate) TensorPrimitives.Add(inputGradient, outputGradient, inputGradient);
        else outputGradient.CopyTo(inputGradient);
    }
}
