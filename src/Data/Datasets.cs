using System.Numerics;

namespace MiniGrad.Data;

/// <summary>Small classic datasets for trying a network end to end.</summary>
public static class Datasets
{
    /// <summary>
    /// XOR: the four points of {0, 1}², labelled 1 where exactly one coordinate is 1. No line separates the
    /// classes, so a network needs a hidden layer with a non-linear activation to fit it.
    /// </summary>
    /// <returns>Inputs (4 × 2) and targets (4 × 1), rows in the order (0,0), (0,1), (1,0), (1,1).</returns>
    public static (Tensor<T> Inputs, Tensor<T> Targets) Xor<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        T o = T.Zero, l = T.One;
        var inputs = Tensor<T>.FromArray(new[,] { { o, o }, { o, l }, { l, o }, { l, l } });
        var targets = Tensor<T>.FromArray(new[,] { { o }, { l }, { l }, { o } });
        return (inputs, targets);
    }
}
