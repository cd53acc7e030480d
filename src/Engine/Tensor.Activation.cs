using MiniGrad.Activations;

namespace MiniGrad;

public sealed partial class Tensor<T>
{
    /// <summary>y = f(x) element-wise for an activation f, recorded with f's backward kernel.</summary>
    internal Tensor<T> Activate(ElementwiseActivation<T> activation)
    {
        ThrowIfReleased();
        var y = Result(Rows, Cols, this);
        activation.ForwardKernel(Span, y.Span);
        return y.Record(this, null, static y =>
        {
            var activation = (ElementwiseActivation<T>)y.Context!;
            activation.BackwardKernel(y.Input.Span, y.Span, y.GradSpan, y.Input.GradAccumulator());
        }, context: activation);
    }
}
