using System.Numerics;
using MiniGrad.Activations;

namespace MiniGrad;

public sealed partial class Tensor<T>
{
    /// <summary>Tensors at least this long run their activation kernels on every core of the <see cref="WorkerPool"/>.</summary>
    internal const int ParallelActivationLength = 1 << 16;

    /// <summary>y = f(x) element-wise for an activation f, recorded with f's backward kernel.</summary>
    internal Tensor<T> Activate(ElementwiseActivation<T> activation)
    {
        ThrowIfReleased();
        var y = Result(Rows, Cols, this);
        ActivationJob.Run(activation, values, y.values, null, null);
        return y.Record(activation.Name, this, null, static y =>
        {
            var activation = (ElementwiseActivation<T>)y.Context!;
            ActivationJob.Run(activation, y.Input.values, y.values, y.GradArray, y.Input.GradAccumulatorArray());
        }, context: activation);
    }

    /// <summary>
    /// One activation kernel over whole tensors, as parallel work: forward (y = f(x)) when no gradients are
    /// given, backward (dx += f'·dy) otherwise. Parts are bands cut at multiples of 64 elements, a multiple of
    /// every vector width, so each element takes the same vector or scalar path however the work is split.
    /// </summary>
    private sealed class ActivationJob : IParallelWork
    {
        [ThreadStatic] private static ActivationJob? current;

        private ElementwiseActivation<T>? activation;
        private T[] x = [], y = [];
        private T[]? dy, dx;

        internal static void Run(ElementwiseActivation<T> activation, T[] x, T[] y, T[]? dy, T[]? dx)
        {
            if (x.Length < ParallelActivationLength)
            {
                if (dx is null) activation.ForwardKernel(x, y);
                else activation.BackwardKernel(x, y, dy, dx);
                return;
            }
            var job = current ??= new ActivationJob();
            (job.activation, job.x, job.y, job.dy, job.dx) = (activation, x, y, dy, dx);
            WorkerPool.Run(job, WorkerPool.Threads);
            (job.activation, job.x, job.y, job.dy, job.dx) = (null, [], [], null, null);
        }

        public void Run(int part, int parts)
        {
            var (start, end) = WorkerPool.Band(x.Length, 64, part, parts);
            var range = new Range(start, end);
            if (dx is null) activation!.ForwardKernel(x.AsSpan(range), y.AsSpan(range));
            else activation!.BackwardKernel(x.AsSpan(range), y.AsSpan(range), dy.AsSpan(range), dx.AsSpan(range));
        }
    }
}
