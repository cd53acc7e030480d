using System.Numerics;

namespace MiniGrad.Losses;

/// <summary>A loss of a batch of scores (logits or log-probabilities) against one class index per row, as a 1 × 1 tensor.</summary>
public interface IClassificationLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The loss of <paramref name="input"/> (batch × classes) for <paramref name="labels"/> (one class index per row).</summary>
    Tensor<T> Forward(Tensor<T> input, int[] labels);
}

/// <summary>A loss of a batch of predictions against targets of the same shape, as a 1 × 1 tensor.</summary>
public interface IRegressionLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The loss of <paramref name="prediction"/> against <paramref name="target"/> (same shape).</summary>
    Tensor<T> Forward(Tensor<T> prediction, Tensor<T> target);
}
