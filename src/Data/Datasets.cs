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

        return ClassByClass<T>(classes, pointsPerClass, (k, i) =>
        {
            double r = (double)i / (pointsPerClass - 1);
            double theta = 4 * (k + r) + noise * Normal(rng);
            return (r * Math.Sin(theta), r * Math.Cos(theta));
        });
    }

    /// <summary>
    /// Two concentric circles (scikit-learn's <c>make_circles</c>): class 0 on the outer circle of radius 1, class 1 on the
    /// inner one of radius <paramref name="factor"/>, <paramref name="pointsPerClass"/> points each at evenly spaced angles,
    /// each coordinate moved by <paramref name="noise"/>·N(0, 1). No line separates them; one ring-shaped boundary does.
    /// </summary>
    /// <returns>Inputs (2·pointsPerClass × 2), the outer circle first, and each point's class.</returns>
    public static (Tensor<T> Inputs, int[] Labels) Circles<T>(int pointsPerClass, double noise, double factor, Random rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerClass, 1);
        Require.NonNegative(noise, nameof(noise));
        if (!(factor > 0 && factor < 1)) throw Require.OutOfRange(nameof(factor), factor, "must be strictly between 0 and 1");
        ArgumentNullException.ThrowIfNull(rng);
        return TwoClasses<T>(pointsPerClass, noise, rng, (k, angle) => k == 0 ? (Math.Cos(angle), Math.Sin(angle)) : (factor * Math.Cos(angle), factor * Math.Sin(angle)), fullCircle: true);
    }

    /// <summary>
    /// Two interleaving half-moons (scikit-learn's <c>make_moons</c>): class 0 on (cos t, sin t) and class 1 on
    /// (1 − cos t, 0.5 − sin t) for t in [0, π], <paramref name="pointsPerClass"/> points each, each coordinate moved by
    /// <paramref name="noise"/>·N(0, 1). A curved boundary separates them.
    /// </summary>
    /// <returns>Inputs (2·pointsPerClass × 2), the upper moon first, and each point's class.</returns>
    public static (Tensor<T> Inputs, int[] Labels) Moons<T>(int pointsPerClass, double noise, Random rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerClass, 1);
        Require.NonNegative(noise, nameof(noise));
        ArgumentNullException.ThrowIfNull(rng);
        return TwoClasses<T>(pointsPerClass, noise, rng, (k, t) => k == 0 ? (Math.Cos(t), Math.Sin(t)) : (1 - Math.Cos(t), 0.5 - Math.Sin(t)), fullCircle: false);
    }

    /// <summary>
    /// Gaussian blobs (scikit-learn's <c>make_blobs</c>): <paramref name="classes"/> clusters whose centres sit evenly on
    /// the circle of radius 1, <paramref name="pointsPerClass"/> points each, drawn from N(centre, <paramref name="spread"/>²)
    /// in each coordinate. Lines separate them while the spread is small.
    /// </summary>
    /// <returns>Inputs (classes·pointsPerClass × 2), blob by blob, and each point's class.</returns>
    public static (Tensor<T> Inputs, int[] Labels) Blobs<T>(int pointsPerClass, int classes, double spread, Random rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerClass, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Require.NonNegative(spread, nameof(spread));
        ArgumentNullException.ThrowIfNull(rng);
        return ClassByClass<T>(classes, pointsPerClass, (k, _) =>
        {
            double angle = 2 * Math.PI * k / classes;
            return (Math.Cos(angle) + spread * Normal(rng), Math.Sin(angle) + spread * Normal(rng));
        });
    }

    /// <summary>Two classes of points at evenly spaced parameters t (over [0, 2π) or [0, π]), placed by <paramref name="place"/> and jittered.</summary>
    private static (Tensor<T> Inputs, int[] Labels) TwoClasses<T>(int pointsPerClass, double noise, Random rng, Func<int, double, (double X, double Y)> place, bool fullCircle)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ClassByClass<T>(2, pointsPerClass, (k, i) =>
        {
            double t = fullCircle ? 2 * Math.PI * i / pointsPerClass : Math.PI * i / Math.Max(1, pointsPerClass - 1);
            var (x, y) = place(k, t);
            return (x + noise * Normal(rng), y + noise * Normal(rng));
        });

    /// <summary>classes·pointsPerClass points in the plane, class by class: point i of class k at <paramref name="place"/>(k, i), labelled k.</summary>
    private static (Tensor<T> Inputs, int[] Labels) ClassByClass<T>(int classes, int pointsPerClass, Func<int, int, (double X, double Y)> place)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var inputs = Tensor<T>.Zeros(classes * pointsPerClass, 2);
        var labels = new int[classes * pointsPerClass];
        for (int k = 0; k < classes; k++)
            for (int i = 0; i < pointsPerClass; i++)
            {
                int row = k * pointsPerClass + i;
                var (x, y) = place(k, i);
                inputs[row, 0] = T.CreateTruncating(x);
                inputs[row, 1] = T.CreateTruncating(y);
                labels[row] = k;
            }
        return (inputs, labels);
    }

    private static double Normal(Random rng) => MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1);
}
