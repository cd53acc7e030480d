using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MiniGrad.Kernels;

// This file is also the template of the 256- and 128-bit lanes: the build copies it with every "512" replaced by the
// width (target InstantiateLaneWidths in MiniGrad.csproj), so the three widths cannot drift apart. Write "512" here only
// where the width is meant.

/// <summary>A <see cref="Vector512{T}"/> of float or double as <see cref="ILanes{T, TSelf}"/>.</summary>
internal readonly struct Lanes512<T>(Vector512<T> value) : ILanes<T, Lanes512<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> value = value;

    public static bool IsAccelerated => Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;
    public static int Count => Vector512<T>.Count;
    public static Lanes512<T> Zero => new(Vector512<T>.Zero);
    public static Lanes512<T> One => new(Vector512<T>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Create(T value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Load(ref readonly T source) => new(Vector512.LoadUnsafe(in source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref T destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator +(Lanes512<T> a, Lanes512<T> b) => new(a.value + b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator -(Lanes512<T> a, Lanes512<T> b) => new(a.value - b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator *(Lanes512<T> a, Lanes512<T> b) => new(a.value * b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator *(Lanes512<T> a, T b) => new(a.value * b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator /(Lanes512<T> a, Lanes512<T> b) => new(a.value / b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator -(Lanes512<T> a) => new(-a.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> MultiplyAdd(Lanes512<T> a, Lanes512<T> b, Lanes512<T> addend) =>
        typeof(T) == typeof(float) ? new(Vector512.MultiplyAddEstimate(a.value.AsSingle(), b.value.AsSingle(), addend.value.AsSingle()).As<float, T>())
        : new(Vector512.MultiplyAddEstimate(a.value.AsDouble(), b.value.AsDouble(), addend.value.AsDouble()).As<double, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Sqrt(Lanes512<T> a) => new(Vector512.Sqrt(a.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Abs(Lanes512<T> a) => new(Vector512.Abs(a.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Min(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Min(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Max(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Max(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Min(Lanes512<T> a, T limit) => new(Vector512.Min(a.value, Vector512.Create(limit)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> CopySign(Lanes512<T> magnitude, Lanes512<T> sign) => new(Vector512.CopySign(magnitude.value, sign.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> GreaterThan(Lanes512<T> a, Lanes512<T> b) => new(Vector512.GreaterThan(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> GreaterThanOrEqual(Lanes512<T> a, Lanes512<T> b) => new(Vector512.GreaterThanOrEqual(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> LessThan(Lanes512<T> a, Lanes512<T> b) => new(Vector512.LessThan(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Equal(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Equals(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> ConditionalSelect(Lanes512<T> mask, Lanes512<T> ifTrue, Lanes512<T> ifFalse) => new(Vector512.ConditionalSelect(mask.value, ifTrue.value, ifFalse.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> ZeroWhere(Lanes512<T> mask, Lanes512<T> x) => new(Vector512.AndNot(x.value, mask.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Exp(Lanes512<T> x) =>
        typeof(T) == typeof(float) ? new(ExpSingle(x.value.AsSingle()).As<float, T>()) : new(Vector512.Exp(x.value.AsDouble()).As<double, T>());

    /// <summary>
    /// eˣ in float, staying in float (the runtime's float form widens to double): within 1 ulp of the correctly rounded
    /// value over the normal range, ∞ above ln(float.MaxValue), 0 below ln(2⁻¹⁴⁹), NaN for NaN.
    /// </summary>
    /// <remarks>
    /// eˣ = 2ⁿ · eʳ with n = round(x / ln 2) and r = x − n·ln 2 ∈ [−ln2/2, ln2/2], ln 2 split in two (Cody and Waite) so
    /// that n·ln2High is exact; eʳ is its Taylor series to r⁷ (the remainder is below 1e-8 relative), summed by Estrin's
    /// scheme. Then 2ⁿ·eʳ: with AVX-512 by one VSCALEFPS (<see cref="Scalef"/>), which overflows and underflows by itself
    /// once x is clamped to [−104, 89] (two operations where replacing the lanes out of range took four); elsewhere, when
    /// every lane has |x| &lt; 87, by one factor 2ⁿ built in the exponent field, and otherwise by two, 2^⌊n/2⌋·2^(n−⌊n/2⌋),
    /// so that results down in the subnormals come out right. All three give the same bits; the first two save eight and
    /// six of the loop's thirty-odd operations (sigmoid's forward pass 14 % shorter on 512 bits, 17 % on 256, 19 % on 128,
    /// and the clamp 4 % more on 512; bench/MiniGrad.Benchmarks/NOTES.md).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpSingle(Vector512<float> x)
    {
        if (Scalef.IsSupported(x))
        {
            // Clamped to [−104, 89], x keeps its value wherever eˣ is a nonzero finite float, and VSCALEFPS, which rounds
            // once, overflows to ∞ above and underflows to 0 below by itself: ±∞ included, and NaN stays NaN.
            x = Vector512.Min(Vector512.Max(x, Vector512.Create(-104f)), Vector512.Create(89f));
            var m = ExpReduced(x, out var exponent);
            return Scalef.Scale(m + Vector512<float>.One, exponent);
        }
        var p = ExpReduced(x, out var n) + Vector512<float>.One;
        var bias = Vector512.Create(127);
        Vector512<float> y;
        if (Vector512.LessThanAll(Vector512.Abs(x), Vector512.Create(87f)))
            // |n| ≤ 126, so 2ⁿ is one normal float and nothing needs replacing below: one exact factor, the same value
            return p * Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n) + bias, 23).AsSingle();
        else
        {
            var k = Vector512.ConvertToInt32Native(n); // n is whole and in range wherever the result is not replaced below
            var half = Vector512.ShiftRightArithmetic(k, 1);
            y = p * Vector512.ShiftLeft(half + bias, 23).AsSingle() * Vector512.ShiftLeft(k - half + bias, 23).AsSingle();
        }
        y = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(88.7228394f)), Vector512.Create(float.PositiveInfinity), y);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(-103.972084f)), Vector512<float>.Zero, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Sigmoid(Lanes512<T> x) =>
        typeof(T) == typeof(float) ? new(SigmoidSingle(x.value.AsSingle()).As<float, T>()) : One / (One + Exp(-x));

    /// <summary>σ(x) = 1 / (1 + e^(−x)) in float, to the bit what that formula gives with <see cref="ExpSingle"/>'s e^(−x).</summary>
    /// <remarks>
    /// Without AVX-512, when every lane has |x| &lt; 87: e^(−x) = 2ⁿ·p as <see cref="ExpSingle"/> computes it, and then
    /// σ = s / (s + p) with s = 2⁻ⁿ, which is 1 / (1 + 2ⁿ·p) with top and bottom scaled by the exact power 2⁻ⁿ (a normal
    /// float for |n| ≤ 126): the sum rounds to 2⁻ⁿ times what 1 + 2ⁿ·p rounds to, and the quotient is the same. The
    /// product 2ⁿ·p is left out, one multiply of the thirty-odd operations and one of the dozen on the path from x to σ
    /// (bench/MiniGrad.Benchmarks/NOTES.md). With AVX-512, and for a vector with a lane beyond ±87, the formula as written.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SigmoidSingle(Vector512<float> x)
    {
        var minus = -x;
        if (!Scalef.IsSupported(x) && Vector512.LessThanAll(Vector512.Abs(x), Vector512.Create(87f)))
        {
            var p = ExpReduced(minus, out var n) + Vector512<float>.One;
            var s = Vector512.ShiftLeft(Vector512.Create(127) - Vector512.ConvertToInt32Native(n), 23).AsSingle(); // 2⁻ⁿ
            return s / (s + p);
        }
        return Vector512<float>.One / (Vector512<float>.One + ExpSingle(minus));
    }

    /// <summary>
    /// eʳ − 1 = r + r²·q(r), where n = round(x / ln 2) and r = x − n·ln 2 ∈ [−ln2/2, ln2/2]: the reduction and series that
    /// eˣ (<see cref="ExpSingle"/>) and eˣ − 1 (<see cref="ExpM1Single"/>) share.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpReduced(Vector512<float> x, out Vector512<float> n)
    {
        n = Vector512.Round(x * Vector512.Create(1.44269504f));
        var r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(2.12194440e-4f), r);
        // q = (1/2 + r/6) + r²·((1/24 + r/120) + r²·(1/720 + r/5040)): Estrin's scheme, five operations deep where
        // Horner's rule is eight, so more of the loop's vectors are in flight at once.
        var r2 = r * r;
        var q = Vector512.MultiplyAddEstimate(r, Vector512.Create(1f / 5040), Vector512.Create(1f / 720));
        q = Vector512.MultiplyAddEstimate(r2, q, Vector512.MultiplyAddEstimate(r, Vector512.Create(1f / 120), Vector512.Create(1f / 24)));
        q = Vector512.MultiplyAddEstimate(r2, q, Vector512.MultiplyAddEstimate(r, Vector512.Create(1f / 6), Vector512.Create(0.5f)));
        return Vector512.MultiplyAddEstimate(r2, q, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> ExpM1(Lanes512<T> x) =>
        typeof(T) == typeof(float) ? new(ExpM1Single(x.value.AsSingle()).As<float, T>()) : VectorMath<T>.ExpM1Series(x);

    /// <summary>
    /// eˣ − 1 in float: within 2 ulp of the correctly rounded value for every x (relative to the result, so tiny x keep
    /// their digits), −1 below −87, ∞ above ln(float.MaxValue), NaN for NaN, and the sign of x at ±0.
    /// </summary>
    /// <remarks>
    /// With n and r as in <see cref="ExpReduced"/>, eˣ − 1 = 2ⁿ·(eʳ − 1) + (2ⁿ − 1). For |x| &lt; 87, 2ⁿ is a normal
    /// float built in the exponent field and 2ⁿ·(eʳ − 1) is exact, so the multiply-add rounds once, fused or not: the same
    /// bits on every path. 2ⁿ − 1 is exact for |n| ≤ 24; beyond, it is off by at most half an ulp of the result. Where
    /// |x| &lt; ln2/2, n = 0 and the result is the series itself, with no cancellation. Elsewhere the terms cancel at most
    /// by a factor 1.5 (n = 1, r = −ln2/2). One reduction and one series serve every x. A vector with a lane beyond ±87
    /// computes the same value on lanes clamped into range, then puts eˣ (the −1 is below its rounding there) above 87
    /// and −1 below −87, so each lane gets the bits it gets alone.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpM1Single(Vector512<float> x)
    {
        var limit = Vector512.Create(87f);
        if (Vector512.LessThanAll(Vector512.Abs(x), limit)) return ExpM1InRange(x);
        var y = ExpM1InRange(Vector512.Min(Vector512.Max(x, -limit), limit)); // NaN stays NaN
        y = Vector512.ConditionalSelect(Vector512.GreaterThan(x, limit), ExpSingle(x), y);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, -limit), -Vector512<float>.One, y);
    }

    /// <summary>eˣ − 1 for |x| ≤ 87; see <see cref="ExpM1Single"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpM1InRange(Vector512<float> x)
    {
        var m = ExpReduced(x, out var n);
        var power = Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n) + Vector512.Create(127), 23).AsSingle(); // 2ⁿ
        var y = Vector512.MultiplyAddEstimate(power, m, power - Vector512<float>.One);
        return Vector512.CopySign(y, x); // eˣ − 1 has the sign of x; only at x = −0 would the sum above give +0
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Log(Lanes512<T> x) =>
        typeof(T) == typeof(float) ? new(LogSingle(x.value.AsSingle()).As<float, T>()) : new(Vector512.Log(x.value.AsDouble()).As<double, T>());

    /// <summary>
    /// ln x in float, staying in float: within 2 ulp of the correctly rounded value for every positive x, subnormals
    /// included; −∞ at 0, NaN below 0 and for NaN, ∞ at ∞.
    /// </summary>
    /// <remarks>
    /// x = 2ᵉ·m with m in [√½, √2) from the bits (a subnormal x is first scaled by 2²³), and ln m = 2·atanh(s) with
    /// s = (m − 1)/(m + 1), |s| ≤ 0.172, by its odd series to s⁹ (the next term is below 1e-9 relative); e·ln 2 is added in
    /// two parts (Cody and Waite) so the sum keeps float's precision.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LogSingle(Vector512<float> x)
    {
        var subnormal = Vector512.LessThan(x, Vector512.Create(1.17549435e-38f));
        var scaled = Vector512.ConditionalSelect(subnormal, x * 8388608f, x); // 2²³
        var bits = scaled.AsInt32();
        var e = Vector512.ShiftRightArithmetic(bits, 23) - Vector512.Create(127) - (subnormal.AsInt32() & Vector512.Create(23));
        var m = (bits & Vector512.Create(0x007FFFFF) | Vector512.Create(0x3F800000)).AsSingle(); // [1, 2)
        var large = Vector512.GreaterThan(m, Vector512.Create(1.41421356f));
        m = Vector512.ConditionalSelect(large, m * 0.5f, m);
        e -= large.AsInt32(); // a true lane is −1
        var s = (m - Vector512<float>.One) / (m + Vector512<float>.One);
        var s2 = s * s;
        var p = Vector512.MultiplyAddEstimate(s2, Vector512.Create(1f / 9), Vector512.Create(1f / 7));
        p = Vector512.MultiplyAddEstimate(p, s2, Vector512.Create(1f / 5));
        p = Vector512.MultiplyAddEstimate(p, s2, Vector512.Create(1f / 3));
        var lnM = (s + s) + (s + s) * s2 * p;
        var ef = Vector512.ConvertToSingle(e);
        var y = Vector512.MultiplyAddEstimate(ef, Vector512.Create(0.693359375f), Vector512.MultiplyAddEstimate(ef, Vector512.Create(-2.12194440e-4f), lnM));
        y = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512<float>.Zero), Vector512.Create(float.NegativeInfinity), y);
        y = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512.Create(float.PositiveInfinity)), x, y);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero) | ~Vector512.Equals(x, x), Vector512.Create(float.NaN), y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Lanes512<T> a) => Vector512.Sum(a.value);
}
