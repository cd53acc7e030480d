using System.Numerics;
using MiniGrad.Kernels;
using MiniGrad.Layers;

namespace MiniGrad.Activations;

/// <summary>
/// A fixed function applied to each element on its own, y = f(x), with hyperparameters (a slope, an α) but nothing
/// learned and nothing random. A subclass states the formula once: the scalar <see cref="Apply"/> and
/// <see cref="Derivative"/> (the reference that plots, docs and tests use) and, beside them, the vector kernels
/// <see cref="ForwardKernel"/> and <see cref="BackwardKernel(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/> that the tape runs.
/// </summary>
/// <remarks>
/// <para>Backward is the chain rule for one element: dL/dx = dL/dy · f'(x). Where f' is a simple function of the output
/// (σ' = σ(1 − σ), tanh' = 1 − tanh²) the kernel reuses the saved y instead of recomputing f.</para>
/// <para>Activations with a learned parameter (<see cref="PReLU{T}"/>, <see cref="Swish{T}"/>) or a random one
/// (<see cref="RReLU{T}"/>) are ordinary modules instead.</para>
/// </remarks>
public abstract class ElementwiseActivation<T> : Module<T>, IElementwise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>An activation keeps its input's width.</summary>
    internal sealed override int? OutputFeatures(int? input) => input;

    /// <summary>Tensors at least this long run their activation kernels on every core of the worker pool.</summary>
    internal const int ParallelLength = BandWork.ParallelLength;

    /// <summary>f(x) for one value: the reference formula.</summary>
    public abstract T Apply(T x);

    /// <summary>f'(x) for one value: the reference derivative (at a kink, the value PyTorch uses).</summary>
    public abstract T Derivative(T x);

    /// <summary>
    /// output[i] = f(input[i]) over whole spans. The default calls <see cref="Apply"/> per element; built-in activations
    /// override it with a vector kernel.
    /// </summary>
    public virtual void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        for (int i = 0; i < input.Length; i++) output[i] = Apply(input[i]);
    }

    /// <summary>
    /// inputGradient[i] += outputGradient[i] · f'(input[i]), given the forward pass's input and output. The default calls
    /// <see cref="Derivative"/> per element; built-in activations override it with a vector kernel.
    /// </summary>
    public virtual void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient)
    {
        CheckLengths(input.Length, output.Length, outputGradient.Length, inputGradient.Length);
        for (int i = 0; i < input.Length; i++) inputGradient[i] += outputGradient[i] * Derivative(input[i]);
    }

    /// <summary>
    /// The backward kernel as the tape runs it: inputGradient[i] = [inputGradient[i] +] outputGradient[i] · f'(input[i]),
    /// adding when <paramref name="accumulate"/> is true and otherwise writing over a buffer that holds nothing yet,
    /// which saves clearing it and reading it back. Built-in activations override this with their vector rule (and
    /// their <see cref="BackwardKernel(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/> calls it); for any
    /// other, it clears the buffer and adds.
    /// </summary>
    internal virtual void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate)
    {
        if (!accumulate) inputGradient.Clear();
        BackwardKernel(input, output, outputGradient, inputGradient);
    }

    /// <summary>True even for a subclass of your own: its kernels see only spans, which outlive no call.</summary>
    internal sealed override bool KeepsNoTensors => true;

    /// <summary>y = f(x) element by element, recorded with the backward kernel when a tape is open.</summary>
    public sealed override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        var y = Tensor<T>.Result(x.Rows, x.Cols, x);
        KernelJob.Run(this, x.Values, y.Values, null, null);
        return Tensor<T>.Record(Name, y, [x], this, static (y, inputs, activation) =>
        {
            var dx = inputs[0].GradTarget(out bool accumulate);
            KernelJob.Run(activation, inputs[0].Values, y.Values, y.GradArray, dx, accumulate);
        });
    }

    /// <summary>f'(x) per element, as backward applies it: the backward kernel fed an upstream gradient of ones.</summary>
    void IElementwise<T>.Derivatives(Tensor<T> input, Tensor<T> output, Span<T> derivative)
    {
        var ones = Tensor<T>.Rent(input.Rows, input.Cols);
        ones.Span.Fill(T.One);
        BackwardKernel(input.Span, output.Span, ones.Span, derivative, accumulate: false);
        ones.Return();
    }

    /// <summary>Its kind, with no settings; activations with hyperparameters add theirs.</summary>
    internal override ModuleSpec? Spec() => ModuleSpec.Of(TypeName);

    /// <summary>A hyperparameter as T, after checking that it is finite.</summary>
    private protected static T Finite(double value, string name) => T.CreateTruncating(Require.Finite(value, name));

    private protected void CheckLengths(params ReadOnlySpan<int> lengths)
    {
        foreach (int length in lengths)
            if (length != lengths[0])
                throw new ArgumentException($"{this}: kernel spans must have equal lengths; got {string.Join(", ", lengths.ToArray())}.");
    }

    /// <summary>
    /// One activation kernel over whole tensors, as a band-split pass (<see cref="BandWork"/>): forward (y = f(x)) when no
    /// gradients are given, backward (dx += f'·dy) otherwise.
    /// </summary>
    private sealed class KernelJob : BandWork
    {
        [ThreadStatic] private static KernelJob? current;

        private ElementwiseActivation<T>? activation;
        private T[] x = [], y = [];
        private T[]? dy, dx;
        private bool accumulate;

        internal static void Run(ElementwiseActivation<T> activation, T[] x, T[] y, T[]? dy, T[]? dx, bool accumulate = true)
        {
            var job = current ??= new KernelJob();
            (job.activation, job.x, job.y, job.dy, job.dx, job.accumulate) = (activation, x, y, dy, dx, accumulate);
            job.RunAll(x.Length);
            (job.activation, job.x, job.y, job.dy, job.dx) = (null, [], [], null, null);
        }

        protected override void RunBand(int start, int end)
        {
            var range = new Range(start, end);
            if (dx is null) activation!.ForwardKernel(x.AsSpan(range), y.AsSpan(range));
            else activation!.BackwardKernel(x.AsSpan(range), y.AsSpan(range), dy.AsSpan(range), dx.AsSpan(range), accumulate);
        }
    }
}

/// <summary>
/// An activation that acts on each element on its own (<see cref="ElementwiseActivation{T}"/>, and the learned or random
/// <see cref="PReLU{T}"/>, <see cref="Swish{T}"/> and <see cref="RReLU{T}"/>), so that it has a derivative per element.
/// </summary>
internal interface IElementwise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// ∂yᵢ/∂xᵢ for every element of the last forward pass from <paramref name="input"/> to <paramref name="output"/>, exactly
    /// as backward applies it (with the slopes and draws of that pass). For diagnostics.
    /// </summary>
    void Derivatives(Tensor<T> input, Tensor<T> output, Span<T> derivative);
}
