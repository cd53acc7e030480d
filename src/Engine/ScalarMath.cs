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

    /// <summary>eˣ − 1, accurate for tiny x (the runtime's <c>ExpM1</c> is eˣ − 1 and loses every digit there).</summary>
    /// <remarks>Kahan's trick: with u = eˣ rounded, (u − 1)·x / ln u cancels the rounding error of u.</remarks>
    internal static T ExpM1<T>(T x) where T : IFloatingPointIeee754<T>
    {
        T u = T.Exp(x);
        if (u == T.One) return x;
        T uMinus1 = u - T.One;
        if (uMinus1 == -T.One || T.IsPositiveInfinity(u)) return uMinus1;
        return uMinus1 * x / T.Log(u);
    }

    /// <summary>The complementary error function erfc(z) = 1 − erf(z) for z ≥ 0, to about 5e-15 relative in double; in float to a few ulps, plus z²·2⁻²⁴ from rounding z².</summary>
    /// <remarks>
    /// erfc(z) = t · g(s) · e^(−z²) with t = 2/(2 + z) and s = 2t − 1 ∈ (−1, 1], where g(s) = e^(z²)·erfc(z)/t is smooth
    /// and bounded on the whole half-line, so a short Chebyshev series in s represents it (the substitution is
    /// the one Numerical Recipes uses for erfc). The series is evaluated by Clenshaw's recurrence; see
    /// <see cref="ErfcSeries{T}"/> for where its coefficients come from. Relative accuracy holds until e^(−z²)
    /// underflows, which is what GELU needs: Φ(x) = erfc(−x/√2)/2 stays accurate far into the negative tail.
    /// </remarks>
    internal static T Erfc<T>(T z) where T : IFloatingPointIeee754<T> => ScaledErfc(z) * T.Exp(-(z * z));

    /// <summary>e^(z²)·erfc(z) = t · g(s) for z ≥ 0, for a caller that has e^(−z²) at hand already.</summary>
    internal static T ScaledErfc<T>(T z) where T : IFloatingPointIeee754<T>
    {
        T two = T.CreateTruncating(2);
        T t = two / (two + z);
        T s = t + t - T.One, twoS = s + s;
        ReadOnlySpan<T> c = ErfcSeries<T>.Coefficients;
        T b1 = T.Zero, b2 = T.Zero;
        for (int j = c.Length - 1; j >= 1; j--) (b1, b2) = (twoS * b1 - b2 + c[j], b1);
        return t * (s * b1 - b2 + c[0]);
    }
}

/// <summary>The Chebyshev coefficients of g(s) = e^(z²)·erfc(z)/t used by <see cref="ScalarMath.Erfc{T}"/> and its vector forms.</summary>
/// <remarks>
/// Computed for MiniGrad by Chebyshev interpolation of g at 128 nodes, with erfc from MathNet.Numerics (and
/// its asymptotic series beyond z = 26, where erfc underflows). The coefficients fall below double precision
/// after 24 terms; float keeps 12, whose truncation error (about 1.5e-8 relative) is below float's rounding.
/// The first coefficient is stored halved, as Clenshaw's sum uses it.
/// </remarks>
internal static class ErfcSeries<T> where T : IFloatingPointIeee754<T>
{
    private static readonly double[] Double =
    [
        1.1540674772329391 / 2, 0.3554369212704984, 0.06509515882878644, 0.0036711423958365073,
        -0.0011128447433526078, -0.00016075829915379765, 3.278031574169716E-05, 5.442441645531378E-06,
        -1.5154665552958094E-06, -1.4297608185668415E-07, 8.234608833267848E-08, -1.2962847028424873E-09,
        -4.154721804441874E-09, 6.347059960942758E-10, 1.432080643307132E-10, -6.160389906528785E-11,
        2.061223587646044E-12, 3.571554510473085E-12, -8.583862787236995E-13, -6.17882481290799E-14,
        7.448642397323013E-14, -1.3004354537660134E-14, -2.6229018956769323E-15, 1.981921571303502E-15,
    ];

    /// <summary>c₀/2, c₁, …: 24 terms for double, 12 for float.</summary>
    internal static readonly T[] Coefficients =
        Double.Take(typeof(T) == typeof(float) ? 12 : Double.Length).Select(T.CreateTruncating).ToArray();
}
