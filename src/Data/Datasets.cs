using System.Numerics;
using MiniGrad.Kernels;

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

    /// <summary>
    /// The classic interleaved spirals (as in Stanford's CS231n notes): <paramref name="classes"/> arms of
    /// <paramref name="pointsPerClass"/> points each. Point i of arm k sits at radius r = i / (n − 1) and angle
    /// θ = 4(k + r) + <paramref name="noise"/>·N(0, 1), at (r·sin θ, r·cos θ). No line separates any arm from the others,
    /// and the arms wind around each other, so a network needs several curved boundaries: a test that ReLU passes
    /// easily and a linear model fails (it tops out near 50% on three arms). Every arm starts at the origin, so those
    /// <paramref name="classes"/> points coincide and at most one of them can be classified right: the best possible
    /// training accuracy is 1 − (classes − 1) / (classes·pointsPerClass), 99.3% for the classic 3 × 100.
    /// </summary>
    /// <param name="pointsPerClass">Points on each arm, at least 2; 100 in the classic version.</param>
    /// <param name="classes">Number of arms, at least 2; 3 in the classic version.</param>
    /// <param name="noise">Standard deviation of the angle's noise, in radians, at least 0; 0.2 in the classic version.</param>
    /// <param name="rng">The source of the noise.</param>
    /// <returns>Inputs (classes·pointsPerClass × 2, inside the unit disc), arm by arm, and each point's class index.</returns>
    public static (Tensor<T> Inputs, int[] Labels) Spirals<T>(int pointsPerClass, int classes, double noise, Random rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerClass, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Require.NonNegative(noise, nameof(noise));
        ArgumentNullException.ThrowIfNull(rng);

        var inputs = Tensor<T>.Zeros(classes * pointsPerClass, 2);
        var labels = new int[classes * pointsPerClass];
        for (int k = 0; k < classes; k++)
            for (int i = 0; i < pointsPerClass; i++)
            {
                int row = k * pointsPerClass + i;
                double r = (double)i / (pointsPerClass - 1);
                double theta = 4 * (k + r) + noise * MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1);
                inputs[row, 0] = T.CreateTruncating(r * Math.Sin(theta));
                inputs[row, 1] = T.CreateTruncating(r * Math.Cos(theta));
                labels[row] = k;
            }
        return (inputs, labels);
    }
}
