using System.Numerics;
using MiniGrad.Layers;

namespace MiniGrad.Activations;

/// <summary>
/// An activation applied to each element on its own, y = f(x). A subclass states the formula once: the scalar
/// <see cref="Apply"/> and <see cref="Derivative"/> (the reference that plots, docs and tests use) and, beside
/// them, the vector kernels <see cref="ForwardKernel"/> and <see cref="BackwardKernel"/> that the tape runs.
/// </summary>
/// <remarks>
/// Backward is the chain rule for one element: dL/dx = dL/dy · f'(x). Where f' is a simple function of the
/// output (σ' = σ(1 − σ), tanh' = 1 − tanh²) the kernel reuses the saved y instead of recomputing f.
/// </remarks>
public abstract class ElementwiseActivation<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>f(x) for one value: the reference formula.</summary>
    public abstract T Apply(T x);

    /// <summary>f'(x) for one value: the reference derivative (at a kink, the value PyTorch uses).</summary>
    public abstract T Derivative(T x);

    /// <summary>
    /// output[i] = f(input[i]) over whole spans. The default calls <see cref="Apply"/> per element; built-in
    /// activations override it with a vector kernel.
    /// </summary>
    public virtual void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        for (int i = 0; i < input.Length; i++) output[i] = Apply(input[i]);
    }

    /// <summary>
    /// inputGradient[i] += outputGradient[i] · f'(input[i]), given the forward pass's input and output.
    /// The default calls <see cref="Derivative"/> per element; built-in activations override it with a vector kernel.
    /// </summary>
    public virtual void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient)
    {
        CheckLengths(input.Length, output.Length, outputGradient.Length, inputGradient.Length);
        for (int i = 0; i < input.Length; i++) inputGradient[i] += outputGradient[i] * Derivative(input[i]);
    }

    /// <summary>
    /// f'(x) for every element of <paramref name="x"/> (whose output was <paramref name="y"/>), exactly as backward
    /// applies it: the backward kernel fed an upstream gradient of <paramref name="ones"/>. For diagnostics.
    /// </summary>
    internal virtual void Derivatives(Tensor<T> x, Tensor<T> y, ReadOnlySpan<T> ones, Span<T> derivative)
    {
        derivative.Clear();
        BackwardKernel(x.Span, y.Span, ones, derivative);
    }

    /// <summary>y = f(x) element by element, recorded on the tape when one is open.</summary>
    /// <remarks>Activations with a learned parameter (PReLU, SiLU with a learned β) or a random one (RReLU in training)
    /// override this to record their own step; the rest only write the kernels.</remarks>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Activate(this);
    }

    /// <summary>A hyperparameter as T, after checking that it is finite.</summary>
    private protected static T Finite(double value, string name) =>
        double.IsFinite(value) ? T.CreateTruncating(value) : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number.");

    private protected void CheckLengths(params ReadOnlySpan<int> lengths)
    {
        foreach (int length in lengths)
            if (length != lengths[0])
                throw new ArgumentException($"{this}: kernel spans must have equal lengths; got {string.Join(", ", lengths.ToArray())}.");
    }
}
