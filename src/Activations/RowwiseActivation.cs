using System.Numerics;
using MiniGrad.Kernels;
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
    /// <summary>An activation keeps its input's width.</summary>
    internal sealed override int? OutputFeatures(int? input) => input;

    /// <summary>output = f(row) for one row.</summary>
    public abstract void ForwardKernel(ReadOnlySpan<T> row, Span<T> output);

    /// <summary>inputGradient += Jᵀ·outputGradient for one row, with the Jacobian J taken from the row's output.</summary>
    public abstract void BackwardKernel(ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient);

    /// <summary>
    /// The row backward kernel as the tape runs it: inputGradient = [inputGradient +] Jᵀ·outputGradient, adding when
    /// <paramref name="accumulate"/> is true and otherwise writing over a buffer that holds nothing yet. Built-in
    /// activations override this with their vector rule; for any other, it clears the row and adds.
    /// </summary>
    internal virtual void BackwardKernel(ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate)
    {
        if (!accumulate) inputGradient.Clear();
        BackwardKernel(output, outputGradient, inputGradient);
    }

    /// <summary>True even for a subclass of your own: its kernels see only spans, which outlive no call.</summary>
    internal sealed override bool KeepsNoTensors => true;

    /// <summary>y = f(x) row by row, recorded on the tape when one is open.</summary>
    public sealed override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        var y = Tensor<T>.Result(x.Rows, x.Cols, x);
        RowJob.Run(this, x.Cols, x.Values, y.Values, null, null);
        return Tensor<T>.Record(Name, y, [x], this, static (y, inputs, activation) =>
        {
            var dx = inputs[0].GradTarget(out bool accumulate);
            RowJob.Run(activation, y.Cols, inputs[0].Values, y.Values, y.GradArray, dx, accumulate);
        });
    }

    /// <summary>Its kind, with no settings; Softmax adds its temperature.</summary>
    internal override ModuleSpec? Spec() => ModuleSpec.Of(TypeName);

    /// <summary>
    /// The row kernels over whole tensors, as parallel work split by rows: forward when no gradients are given,
    /// backward otherwise. Rows are independent, so the split does not change any result.
    /// </summary>
    private sealed class RowJob : IParallelWork
    {
        [ThreadStatic] private static RowJob? current;

        private RowwiseActivation<T>? activation;
        private int cols;
        private T[] x = [], y = [];
        private T[]? dy, dx;
        private bool accumulate;

        internal static void Run(RowwiseActivation<T> activation, int cols, T[] x, T[] y, T[]? dy, T[]? dx, bool accumulate = true)
        {
            var job = current ??= new RowJob();
            (job.activation, job.cols, job.x, job.y, job.dy, job.dx, job.accumulate) = (activation, cols, x, y, dy, dx, accumulate);
            WorkerPool.Run(job, WorkerPool.PartsFor(x.Length, ElementwiseActivation<T>.ParallelLength));
            (job.activation, job.x, job.y, job.dy, job.dx) = (null, [], [], null, null);
        }

        public void Run(int part, int parts)
        {
            int rows = cols == 0 ? 0 : x.Length / cols;
            var (start, end) = WorkerPool.Band(rows, 1, part, parts);
            for (int r = start; r < end; r++)
            {
                var row = new Range(r * cols, (r + 1) * cols);
                if (dx is null) activation!.ForwardKernel(x.AsSpan(row), y.AsSpan(row));
                else activation!.BackwardKernel(y.AsSpan(row), dy.AsSpan(row), dx.AsSpan(row), accumulate);
            }
        }
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
