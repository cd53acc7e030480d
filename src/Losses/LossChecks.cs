using System.Numerics;

namespace MiniGrad.Losses;

/// <summary>Argument checks the losses share, each naming the loss in its message.</summary>
internal static class LossChecks
{
    internal static void SameShape<T>(string loss, Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        prediction.ThrowIfReleased();
        target.ThrowIfReleased();
        if (prediction.Rows != target.Rows || prediction.Cols != target.Cols)
            throw new ArgumentException($"{loss}: input is {prediction.Shape} but target is {target.Shape}; they must have the same shape.", nameof(target));
    }
}
