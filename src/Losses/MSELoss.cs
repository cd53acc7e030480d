using System.Numerics;
using System.Numerics.Tensors;

namespace MiniGrad.Losses;

/// <summary>Mean squared error: L = (1/N) Σᵢ (pᵢ − tᵢ)², over all N elements (PyTorch's <c>MSELoss</c>, 'mean').</summary>
/// <remarks>
/// dL/dpᵢ = 2(pᵢ − tᵢ)/N, and the negative of that for the target when it requires grad. The loss for
/// regression with an identity output.
/// </remarks>
public sealed class MSELoss<T> : IRegressionLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The loss of <paramref name="prediction"/> against <paramref name="target"/> (same shape), as a 1 × 1 tensor.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public Tensor<T> Forward(Tensor<T> prediction, Tensor<T> target)
    {
        LossChecks.SameShape("MSELoss", prediction, target);

        ReadOnlySpan<Tensor<T>> inputs = [prediction, target];
        var loss = Tensor<T>.Result(1, 1, inputs);
        var difference = Tensor<T>.Saved(loss, prediction.Rows, prediction.Cols); // p − t, for backward
        TensorPrimitives.Subtract(prediction.Span, target.Span, difference.Span);
        loss.Span[0] = TensorPrimitives.SumOfSquares<T>(difference.Span) / T.CreateTruncating(prediction.Length);

        return Tensor<T>.Record("MSELoss", loss, inputs, difference, static (loss, inputs, difference) =>
        {
            var (prediction, target) = (inputs[0], inputs[1]);
            T scale = (T.One + T.One) * loss.GradSpan[0] / T.CreateTruncating(prediction.Length); // 2·dL/N
            if (prediction.RequiresGrad)
            {
                var dp = prediction.GradAccumulator();
                TensorPrimitives.MultiplyAdd(difference.Span, scale, dp, dp);
            }
            if (target.RequiresGrad)
            {
                var dt = target.GradAccumulator();
                TensorPrimitives.MultiplyAdd(difference.Span, -scale, dt, dt);
            }
        });
    }
}
