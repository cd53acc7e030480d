using System.Numerics;
using System.Numerics.Tensors;

namespace MiniGrad.Losses;

/// <summary>Mean squared error: L = (1/N) Σᵢ (pᵢ − tᵢ)², over all N elements (PyTorch's <c>MSELoss</c>, 'mean').</summary>
/// <remarks>
/// dL/dpᵢ = 2(pᵢ − tᵢ)/N, and the negative of that for the target when it requires grad. The loss for
/// regression with an identity output.
/// </remarks>
public sealed class MSELoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The loss of <paramref name="prediction"/> against <paramref name="target"/> (same shape), as a 1 × 1 tensor.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public Tensor<T> Forward(Tensor<T> prediction, Tensor<T> target)
    {
        LossChecks.SameShape("MSELoss", prediction, target);

        var loss = Tensor<T>.Result(1, 1, prediction, target);
        var difference = TensorPool<T>.Rent(prediction.Rows, prediction.Cols);
        TensorPrimitives.Subtract(prediction.Span, target.Span, difference.Span);
        loss.Span[0] = TensorPrimitives.SumOfSquares<T>(difference.Span) / T.CreateTruncating(prediction.Length);

        if (!loss.RequiresGrad)
        {
            TensorPool<T>.Return(difference);
            return loss;
        }
        loss.Saved = difference; // p − t, for backward
        return loss.Record("MSELoss", prediction, target, static loss =>
        {
            var (prediction, target, difference) = (loss.Input, loss.Other, loss.Saved!);
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
