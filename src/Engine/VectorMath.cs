using System.Numerics;
using System.Runtime.Intrinsics;

namespace MiniGrad;

/// <summary>
/// Vector forms of the special functions the activations need, for <see cref="Vector128{T}"/>,
/// <see cref="Vector256{T}"/> and <see cref="Vector512{T}"/> of float or double, each written to match its
/// scalar form in <see cref="ScalarMath"/> (the runtime's <c>Vector*.Exp</c>/<c>Log</c> underneath, accurate
/// to about one ulp).
/// </summary>
internal static class VectorMath
{
    // ---- eˣ and ln x: the runtime's, for float or double ----------------------------------------------

    internal static Vector128<T> Exp<T>(Vector128<T> x) =>
        typeof(T) == typeof(float) ? Vector128.Exp(x.As<T, float>()).As<float, T>() : Vector128.Exp(x.As<T, double>()).As<double, T>();

    internal static Vector256<T> Exp<T>(Vector256<T> x) =>
        typeof(T) == typeof(float) ? Vector256.Exp(x.As<T, float>()).As<float, T>() : Vector256.Exp(x.As<T, double>()).As<double, T>();

    internal static Vector512<T> Exp<T>(Vector512<T> x) =>
        typeof(T) == typeof(float) ? Vector512.Exp(x.As<T, float>()).As<float, T>() : Vector512.Exp(x.As<T, double>()).As<double, T>();

    internal static Vector128<T> Log<T>(Vector128<T> x) =>
        typeof(T) == typeof(float) ? Vector128.Log(x.As<T, float>()).As<float, T>() : Vector128.Log(x.As<T, double>()).As<double, T>();

    internal static Vector256<T> Log<T>(Vector256<T> x) =>
        typeof(T) == typeof(float) ? Vector256.Log(x.As<T, float>()).As<float, T>() : Vector256.Log(x.As<T, double>()).As<double, T>();

    internal static Vector512<T> Log<T>(Vector512<T> x) =>
        typeof(T) == typeof(float) ? Vector512.Log(x.As<T, float>()).As<float, T>() : Vector512.Log(x.As<T, double>()).As<double, T>();

    // ---- σ(x) = 1 / (1 + e^(−x)): e^(−x) = ∞ gives 0, never NaN ------------------------------------------

    internal static Vector128<T> Sigmoid<T>(Vector128<T> x) where T : IFloatingPointIeee754<T> => Vector128<T>.One / (Vector128<T>.One + Exp(-x));

    internal static Vector256<T> Sigmoid<T>(Vector256<T> x) where T : IFloatingPointIeee754<T> => Vector256<T>.One / (Vector256<T>.One + Exp(-x));

    internal static Vector512<T> Sigmoid<T>(Vector512<T> x) where T : IFloatingPointIeee754<T> => Vector512<T>.One / (Vector512<T>.One + Exp(-x));

    // ---- eˣ − 1, accurate near 0: its Taylor series for |x| < 1/2, eˣ − 1 beyond (where |eˣ − 1| > 0.39, so the
    // subtraction costs at most about 2.5 ulps); cheaper than ScalarMath.ExpM1's log and division ---------------

    internal static Vector128<T> ExpM1<T>(Vector128<T> x) where T : IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> c = ExpM1Series<T>.Coefficients;
        var p = Vector128.Create(c[^1]);
        for (int k = c.Length - 2; k >= 0; k--) p = p * x + Vector128.Create(c[k]);
        var small = Vector128.LessThan(Vector128.Abs(x), Vector128.Create(T.CreateTruncating(0.5)));
        return Vector128.ConditionalSelect(small, p * x, Exp(x) - Vector128<T>.One);
    }

    internal static Vector256<T> ExpM1<T>(Vector256<T> x) where T : IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> c = ExpM1Series<T>.Coefficients;
        var p = Vector256.Create(c[^1]);
        for (int k = c.Length - 2; k >= 0; k--) p = p * x + Vector256.Create(c[k]);
        var small = Vector256.LessThan(Vector256.Abs(x), Vector256.Create(T.CreateTruncating(0.5)));
        return Vector256.ConditionalSelect(small, p * x, Exp(x) - Vector256<T>.One);
    }

    internal static Vector512<T> ExpM1<T>(Vector512<T> x) where T : IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> c = ExpM1Series<T>.Coefficients;
        var p = Vector512.Create(c[^1]);
        for (int k = c.Length - 2; k >= 0; k--) p = p * x + Vector512.Create(c[k]);
        var small = Vector512.LessThan(Vector512.Abs(x), Vector512.Create(T.CreateTruncating(0.5)));
        return Vector512.ConditionalSelect(small, p * x, Exp(x) - Vector512<T>.One);
    }

    // ---- ln(1 + x), accurate near 0: see ScalarMath.Log1P --------------------------------------------------

    internal static Vector128<T> Log1P<T>(Vector128<T> x) where T : IFloatingPointIeee754<T>
    {
        var u = Vector128<T>.One + x;
        var r = Log(u) * x / (u - Vector128<T>.One);
        r = Vector128.ConditionalSelect(Vector128.Equals(u, Vector128<T>.One), x, r);
        return Vector128.ConditionalSelect(Vector128.Equals(u, Vector128.Create(T.PositiveInfinity)), u, r);
    }

    internal static Vector256<T> Log1P<T>(Vector256<T> x) where T : IFloatingPointIeee754<T>
    {
        var u = Vector256<T>.One + x;
        var r = Log(u) * x / (u - Vector256<T>.One);
        r = Vector256.ConditionalSelect(Vector256.Equals(u, Vector256<T>.One), x, r);
        return Vector256.ConditionalSelect(Vector256.Equals(u, Vector256.Create(T.PositiveInfinity)), u, r);
    }

    internal static Vector512<T> Log1P<T>(Vector512<T> x) where T : IFloatingPointIeee754<T>
    {
        var u = Vector512<T>.One + x;
        var r = Log(u) * x / (u - Vector512<T>.One);
        r = Vector512.ConditionalSelect(Vector512.Equals(u, Vector512<T>.One), x, r);
        return Vector512.ConditionalSelect(Vector512.Equals(u, Vector512.Create(T.PositiveInfinity)), u, r);
    }

    // ---- erfc(z) and e^(z²)·erfc(z) for z ≥ 0: see ScalarMath.Erfc for the expansion ------------------------

    internal static Vector128<T> Erfc<T>(Vector128<T> z) where T : IFloatingPointIeee754<T> => ScaledErfc(z) * Exp(-(z * z));

    /// <summary>e^(z²)·erfc(z) for z ≥ 0, for a caller that has e^(−z²) at hand already.</summary>
    internal static Vector128<T> ScaledErfc<T>(Vector128<T> z) where T : IFloatingPointIeee754<T>
    {
        var t = Vector128.Create(T.CreateTruncating(2)) / (Vector128.Create(T.CreateTruncating(2)) + z);
        var s = t + t - Vector128<T>.One;
        var twoS = s + s;
        ReadOnlySpan<T> c = ErfcSeries<T>.Coefficients;
        Vector128<T> b1 = Vector128<T>.Zero, b2 = Vector128<T>.Zero;
        for (int j = c.Length - 1; j >= 1; j--) (b1, b2) = (twoS * b1 - b2 + Vector128.Create(c[j]), b1);
        return t * (s * b1 - b2 + Vector128.Create(c[0]));
    }

    internal static Vector256<T> Erfc<T>(Vector256<T> z) where T : IFloatingPointIeee754<T> => ScaledErfc(z) * Exp(-(z * z));

    /// <summary>e^(z²)·erfc(z) for z ≥ 0, for a caller that has e^(−z²) at hand already.</summary>
    internal static Vector256<T> ScaledErfc<T>(Vector256<T> z) where T : IFloatingPointIeee754<T>
    {
        var t = Vector256.Create(T.CreateTruncating(2)) / (Vector256.Create(T.CreateTruncating(2)) + z);
        var s = t + t - Vector256<T>.One;
        var twoS = s + s;
        ReadOnlySpan<T> c = ErfcSeries<T>.Coefficients;
        Vector256<T> b1 = Vector256<T>.Zero, b2 = Vector256<T>.Zero;
        for (int j = c.Length - 1; j >= 1; j--) (b1, b2) = (twoS * b1 - b2 + Vector256.Create(c[j]), b1);
        return t * (s * b1 - b2 + Vector256.Create(c[0]));
    }

    internal static Vector512<T> Erfc<T>(Vector512<T> z) where T : IFloatingPointIeee754<T> => ScaledErfc(z) * Exp(-(z * z));

    /// <summary>e^(z²)·erfc(z) for z ≥ 0, for a caller that has e^(−z²) at hand already.</summary>
    internal static Vector512<T> ScaledErfc<T>(Vector512<T> z) where T : IFloatingPointIeee754<T>
    {
        var t = Vector512.Create(T.CreateTruncating(2)) / (Vector512.Create(T.CreateTruncating(2)) + z);
        var s = t + t - Vector512<T>.One;
        var twoS = s + s;
        ReadOnlySpan<T> c = ErfcSeries<T>.Coefficients;
        Vector512<T> b1 = Vector512<T>.Zero, b2 = Vector512<T>.Zero;
        for (int j = c.Length - 1; j >= 1; j--) (b1, b2) = (twoS * b1 - b2 + Vector512.Create(c[j]), b1);
        return t * (s * b1 - b2 + Vector512.Create(c[0]));
    }
}

/// <summary>The Taylor coefficients 1/1!, 1/2!, … of (eˣ − 1)/x for <see cref="VectorMath"/>'s expm1 on |x| &lt; 1/2.</summary>
/// <remarks>The first term left out, (1/2)ⁿ/(n + 1)! relative to the result, is below T's rounding: 14 terms for
/// double (5e−17), 8 for float (1e−8).</remarks>
internal static class ExpM1Series<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>1/k! for k = 1 … 14 (double) or 1 … 8 (float).</summary>
    internal static readonly T[] Coefficients = Enumerable.Range(1, typeof(T) == typeof(float) ? 8 : 14)
        .Select(k => T.One / T.CreateTruncating(Enumerable.Range(1, k).Aggregate(1.0, (product, i) => product * i)))
        .ToArray();
}
