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
        NotEmpty(loss, prediction);
    }

    /// <summary>At least one element: the mean over an empty batch is undefined (PyTorch gives NaN; MiniGrad says so first).</summary>
    internal static void NotEmpty<T>(string loss, Tensor<T> input) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (input.Length == 0)
            throw new ArgumentException($"{loss}: the batch is empty ({input.Shape}); a mean over no examples is undefined.", nameof(input));
    }

    /// <summary>One label per row, each a class index of the input's columns.</summary>
    internal static void Labels<T>(string loss, Tensor<T> input, int[] labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(labels);
        input.ThrowIfReleased();
        if (labels.Length != input.Rows)
            throw new ArgumentException($"{loss}: {labels.Length} labels for {input.Rows} rows of input ({input.Shape}); give one label per row.", nameof(labels));
        NotEmpty(loss, input);
        for (int b = 0; b < labels.Length; b++)
            if ((uint)labels[b] >= (uint)input.Cols)
                throw new ArgumentException($"{loss}: label {labels[b]} at row {b} is out of range; classes are 0 to {input.Cols - 1} ({input.Shape} input).", nameof(labels));
    }
}
