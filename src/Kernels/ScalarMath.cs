using System.Numerics;

namespace MiniGrad.Kernels;

/// <summary>
/// Scalar functions the runtime's generic math does not give accurately enough, for the activations' reference formulas
/// (the kernels use <see cref="VectorMath{T}"/>, computed another way, so a test comparing the two can fail).
/// </summary>
internal static class ScalarMath
{
    /// <summary>ln(1 + x), accurate for tiny x where computing 1 + x first would round it away.</summary>
    /// <remarks>Goldberg's trick: with u = 1 + x rounded, ln(u)·x/(u − 1) cancels the rounding error of u.</remarks>
    internal static T Log1P<T>(T x) where T : IFloatingPointIeee754<T>
    {
        T u = T.One + x;
        if (u == T.One) return x;
        if (T.IsPositiveInfinity(u)) return u;
        return T.Log(u) * x / (u - T.One);
    }

    /// <summary>eˣ − 1, accurate for tiny x (the runtime's <c>ExpM1</c> is eˣ − 1 and loses every digit there).</summary>
    /// <remarks>Kahan's trick: with u = eˣ rounded, (u − 1)·(x / ln u) cancels the rounding error of u.</remarks>
    internal static T ExpM1<T>(T x) where T : IFloatingPointIeee754<T>
    {
        T u = T.Exp(x);
        if (u == T.One) return x;
        T uMinus1 = u - T.One;
        if (uMinus1 == -T.One || T.IsPositiveInfinity(u)) return uMinus1;
        return uMinus1 * (x / T.Log(u)); // x / ln u ≈ 1: (u − 1)·x first would overflow for float x above about 84.2
    }
}
