using System.Numerics;
using MiniGrad.Layers;

namespace MiniGrad.Activations;

/// <summary>
/// An activation applied to each row as a whole, y_row = f(x_row), such as softmax: every output of a row depends
/// on every input of that row. A subclass writes the two row kernels; the tape runs them row by row.
/// </summary>
/// <remarks>Backward takes the row's output y and output gradient dy, and adds the row's input gradient: both
/// softmax and log-softmax have Jacobians that the output alone determines.</remarks>
public abstract class RowwiseActivation<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>output = f(row) for one row.</summary>
    public abstract void ForwardKernel(ReadOnlySpan<T> row, Span<T> output);

    /// <summary>inputGradient += Jᵀ·outputGradient for one row, with the Jacobian J taken from the row's output.</summary>
    public abstract void BackwardKernel(ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient);

    /// <summary>y = f(x) row by row, recorded on the tape when one is open.</summary>
    public sealed override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        var y = Tensor<T>.Result(x.Rows, x.Cols, x);
        for (int r = 0; r < x.Rows; r++) ForwardKernel(x.Row(r), y.Row(r));
        return y.Record(x, null, static y =>
        {
            var activation = (RowwiseActivation<T>)y.Context!;
            var dx = y.Input.GradAccumulator();
            int cols = y.Cols;
            for (int r = 0; r < y.Rows; r++)
                activation.BackwardKernel(y.Row(r), y.GradSpan.Slice(r * cols, cols), dx.Slice(r * cols, cols));
        }, context: this);
    }

    private protected void CheckLengths(int row, int output)
    {
        if (row != output) throw new ArgumentException($"{this}: row has {row} elements, output {output}.");
    }

    private protected void CheckLengths(int output, int outputGradient, int inputGradient)
    {
        if (output != outputGradient || output != inputGradient)
            throw new ArgumentException($"{this}: output {output}, output gradient {outputGradient} and input gradient {inputGradient} elements must match.");
    }
}
