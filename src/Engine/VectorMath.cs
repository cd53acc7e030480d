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

    // ---- eˣ − 1 and ln(1 + x), accurate near 0: see ScalarMath.ExpM1 and ScalarMath.Log1P -----------------

    internal static Vector128<T> ExpM1<T>(Vector128<T> x) where T : IFloatingPointIeee754<T>
    {
        var u = Exp(x);
        var uMinus1 = u - Vector128<T>.One;
        var r = uMinus1 * x / Log(u);
        r = Vector128.ConditionalSelect(Vector128.Equals(u, Vector128<T>.One), x, r);
        r = Vector128.ConditionalSelect(Vector128.Equals(uMinus1, -Vector128<T>.One), uMinus1, r);
        return Vector128.ConditionalSelect(Vector128.Equals(u, Vector128.Create(T.PositiveInfinity)), u, r);
    }

    internal static Vector256<T> ExpM1<T>(Vector256<T> x) where T : IFloatingPointIeee754<T>
    {
        var u = Exp(x);
        var uMinus1 = u - Vector256<T>.One;
        var r = uMinus1 * x / Log(u);
        r = Vector256.ConditionalSelect(Vector256.Equals(u, Vector256<T>.One), x, r);
        r = Vector256.ConditionalSelect(Vector256.Equals(uMinus1, -Vector256<T>.One), uMinus1, r);
        return Vector256.ConditionalSelect(Vector256.Equals(u, Vector256.Create(T.PositiveInfinity)), u, r);
    }

    internal static Vector512<T> ExpM1<T>(Vector512<T> x) where T : IFloatingPointIeee754<T>
    {
        var u = Exp(x);
        var uMinus1 = u - Vector512<T>.One;
        var r = uMinus1 * x / Log(u);
        r = Vector512.ConditionalSelect(Vector512.Equals(u, Vector512<T>.One), x, r);
        r = Vector512.ConditionalSelect(Vector512.Equals(uMinus1, -Vector512<T>.One), uMinus1, r);
        return Vector512.ConditionalSelect(Vector512.Equals(u, Vector512.Create(T.PositiveInfinity)), u, r);
    }

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

    // ---- erfc(z) for z ≥ 0: see ScalarMath.Erfc for the expansion -----------------------------------------

    internal static Vector128<T> Erfc<T>(Vector128<T> z) where T : IFloatingPointIeee754<T>
    {
        var t = Vector128.Create(T.CreateTruncating(2)) / (Vector128.Create(T.CreateTruncating(2)) + z);
        var s = t + t - Vector128<T>.One;
        var twoS = s + s;
        ReadOnlySpan<T> c = ErfcSeries<T>.Coefficients;
        Vector128<T> b1 = Vector128<T>.Zero, b2 = Vector128<T>.Zero;
        for (int j = c.Length - 1; j >= 1; j--) (b1, b2) = (twoS * b1 - b2 + Vector128.Create(c[j]), b1);
        var g = s * b1 - b2 + Vector128.Create(c[0]);
        return t * g * Exp(-(z * z));
    }

    internal static Vector256<T> Erfc<T>(Vector256<T> z) where T : IFloatingPointIeee754<T>
    {
        var t = Vector256.Create(T.CreateTruncating(2)) / (Vector256.Create(T.CreateTruncating(2)) + z);
        var s = t + t - Vector256<T>.One;
        var twoS = s + s;
        ReadOnlySpan<T> c = ErfcSeries<T>.Coefficients;
        Vector256<T> b1 = Vector256<T>.Zero, b2 = Vector256<T>.Zero;
        for (int j = c.Length - 1; j >= 1; j--) (b1, b2) = (twoS * b1 - b2 + Vector256.Create(c[j]), b1);
        var g = s * b1 - b2 + Vector256.Create(c[0]);
        return t * g * Exp(-(z * z));
    }

    internal static Vector512<T> Erfc<T>(Vector512<T> z) where T : IFloatingPointIeee754<T>
    {
        var t = Vector512.Create(T.CreateTruncating(2)) / (Vector512.Create(T.CreateTruncating(2)) + z);
        var s = t + t - Vector512<T>.One;
        var twoS = s + s;
        ReadOnlySpan<T> c = ErfcSeries<T>.Coefficients;
        Vector512<T> b1 = Vector512<T>.Zero, b2 = Vector512<T>.Zero;
        for (int j = c.Length - 1; j >= 1; j--) (b1, b2) = (twoS * b1 - b2 + Vector512.Create(c[j]), b1);
        var g = s * b1 - b2 + Vector512.Create(c[0]);
        return t * g * Exp(-(z * z));
    }
}
