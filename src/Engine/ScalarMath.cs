using System.Numerics;

namespace MiniGrad;

/// <summary>Scalar functions the runtime's generic math does not give accurately enough.</summary>
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
}
