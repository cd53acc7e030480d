using System.Numerics;
using System.Runtime.CompilerServices;

namespace MiniGrad.Kernels;

/// <summary>
/// The special functions the activation kernels need beyond eˣ and ln x, written once for every lane width
/// (<see cref="ILanes{T, TSelf}"/>), float or double. <see cref="ScalarMath"/> holds the independent scalar forms the
/// activations' reference formulas use.
/// </summary>
internal static class VectorMath<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Half { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.5); }
    private static T Two { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(2.0); }

    /// <summary>σ(x) = 1 / (1 + e^(−x)); e^(−x) = ∞ gives 0, never NaN (the lanes' own, <c>ILanes.Sigmoid</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes Sigmoid<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> => TLanes.Sigmoid(x);

    /// <summary>
    /// tanh x. Float: a rational function, tanh x ≈ x·P(x²)/Q(x²) on |x| ≤ 9 (see <see cref="TanhP0"/>), and ±1
    /// beyond, where tanh rounds to ±1 in float. Double: −expm1(−2|x|) / (2 + expm1(−2|x|)), accurate near 0 (no 1 − e
    /// cancellation) and exactly ±1 far out. Both copy the sign of x last, so −0 gives −0, NaN stays NaN and ±∞ gives ±1.
    /// </summary>
    /// <remarks>
    /// The rational form needs no exponential: nine multiply-adds, two multiplies and a division per vector, where the
    /// expm1 form costs an exp (range reduction, a polynomial and the exponent's bit work), an eight-term polynomial and
    /// a division (act-tanh's step is 18–35 % shorter on each vector path; bench/MiniGrad.Benchmarks/NOTES.md). Over every
    /// 3-millionth step of [10⁻⁶, 12] (5.3 million floats) it stays within 2.7·10⁻⁷ of tanh in double, relative, where the
    /// multiply-adds are fused (AVX2, AVX-512), and within 3.3·10⁻⁷ at 128 bits, where each is a multiply and an add: about
    /// four and six units in the last place for results just below 1, where floats are 6·10⁻⁸ apart. The kernel tests check
    /// it against the scalar reference to 2·10⁻⁶ and against tanh in double to 4·10⁻⁷. Summing P by Estrin's scheme (as
    /// <see cref="ScaledErfc{TLanes}"/> does) was 18 % faster at 128 bits but raised those to 3.4 and 3.9·10⁻⁷: near x = 7
    /// the terms of P are large and their roundings add up.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes Tanh<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes>
    {
        if (typeof(T) == typeof(float))
        {
            var a = TLanes.Min(TLanes.Abs(x), TanhClamp);
            var u = a * a;
            var n = TLanes.MultiplyAdd(TLanes.Create(TanhP6), u, TLanes.Create(TanhP5));
            n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP4)); n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP3));
            n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP2)); n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP1));
            n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP0));
            var d = TLanes.MultiplyAdd(TLanes.Create(TanhQ3), u, TLanes.Create(TanhQ2));
            d = TLanes.MultiplyAdd(d, u, TLanes.Create(TanhQ1)); d = TLanes.MultiplyAdd(d, u, TLanes.One);
            var r = TLanes.Min(a * n / d, T.One); // the fit crosses 1 nowhere on [0, 9]; the bound makes |tanh| ≤ 1 certain
            return TLanes.CopySign(r, x);
        }
        var m = TLanes.ExpM1(TLanes.Abs(x) * -Two);
        var t = -m / (TLanes.Create(Two) + m);
        return TLanes.CopySign(t, x);
    }

    /// <summary>
    /// eˣ − 1 in double (the lanes' <c>ExpM1</c> there), accurate near 0: its Taylor series for |x| &lt; 1/2, eˣ − 1 beyond
    /// (where |eˣ − 1| &gt; 0.39, so the subtraction costs at most about 2.5 ulps). Cheaper than Kahan's log and division,
    /// which the scalar reference uses. Float has its own, one reduction that serves both ranges (Lanes512.cs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes ExpM1Series<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes>
    {
        ReadOnlySpan<double> c = ExpM1Coefficients;
        var p = TLanes.Create(T.CreateTruncating(c[^1]));
        for (int k = c.Length - 2; k >= 0; k--) p = TLanes.MultiplyAdd(p, x, TLanes.Create(T.CreateTruncating(c[k])));
        var small = TLanes.LessThan(TLanes.Abs(x), TLanes.Create(Half));
        return TLanes.ConditionalSelect(small, p * x, TLanes.Exp(x) - TLanes.One);
    }

    /// <summary>ln(1 + x), accurate near 0 (Goldberg's trick, as <see cref="ScalarMath.Log1P{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes Log1P<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes>
    {
        var u = TLanes.One + x;
        var r = TLanes.Log(u) * x / (u - TLanes.One);
        r = TLanes.ConditionalSelect(TLanes.Equal(u, TLanes.One), x, r);
        return TLanes.ConditionalSelect(TLanes.Equal(u, TLanes.Create(T.PositiveInfinity)), u, r);
    }

    /// <summary>
    /// ln(1 + t) for t in [0, 1] (a softplus's ln(1 + e^(−|x|))), in float with no logarithm: ln(1 + t) = 2·atanh(s) with
    /// s = t/(2 + t) ∈ [0, 1/3], by atanh's odd series 2s·(1 + s²/3 + … + s¹²/13). The first term left out, s¹⁴/15 ≤ 1.4e-8
    /// relative, is below float's rounding; one division, six multiply-adds and four multiplies, where ln and Goldberg's
    /// correction take two divisions and the exponent's bit work. Double keeps <see cref="Log1P{TLanes}"/>: its series
    /// would need 17 terms.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes Log1PUnit<TLanes>(TLanes t) where TLanes : struct, ILanes<T, TLanes>
    {
        if (typeof(T) != typeof(float)) return Log1P(t);
        var s = t / (TLanes.Create(Two) + t);
        var s2 = s * s;
        var s4 = s2 * s2;
        // 1 + s²·r with r = 1/3 + s²/5 + … + s¹⁰/13 by Estrin's scheme in s² (see ScaledErfc): four multiply-adds deep
        // instead of six, the last one still adding 1 to a small correction, as Horner's rule does.
        var r = TLanes.MultiplyAdd(Pair(s2, Reciprocal(7), Reciprocal(9)), s4, Pair(s2, Reciprocal(3), Reciprocal(5)));
        r = TLanes.MultiplyAdd(Pair(s2, Reciprocal(11), Reciprocal(13)), s4 * s4, r);
        var p = TLanes.MultiplyAdd(r, s2, TLanes.One);
        return (s + s) * p;
    }

    /// <summary>The complementary error function erfc(z) = 1 − erf(z) for z ≥ 0; see <see cref="ScaledErfc{TLanes}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes Erfc<TLanes>(TLanes z) where TLanes : struct, ILanes<T, TLanes> => ScaledErfc(z) * TLanes.Exp(-(z * z));

    /// <summary>
    /// e^(z²)·erfc(z) for z ≥ 0, for a caller that has e^(−z²) at hand already: to about 5e-15 relative in double, a few
    /// ulps in float.
    /// </summary>
    /// <remarks>
    /// erfc(z) = t · g(s) · e^(−z²) with t = 2/(2 + z) and s = 2t − 1 ∈ (−1, 1], where g(s) = e^(z²)·erfc(z)/t is smooth and
    /// bounded on the whole half-line, so a short Chebyshev series in s represents it (the substitution Numerical Recipes
    /// uses for erfc), evaluated by Clenshaw's recurrence in double and, in float, as the same series rewritten in powers of s
    /// by Estrin's scheme (see <see cref="ErfcPower"/>). Relative accuracy holds until e^(−z²) underflows, which is what
    /// GELU needs: Φ(x) = erfc(−x/√2)/2 stays accurate far into the negative tail.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes ScaledErfc<TLanes>(TLanes z) where TLanes : struct, ILanes<T, TLanes>
    {
        var t = TLanes.Create(Two) / (TLanes.Create(Two) + z);
        var s = t + t - TLanes.One;
        if (typeof(T) == typeof(float))
        {
            // Float's twelve terms as a polynomial in s by Estrin's scheme: pairs aₖ + aₖ₊₁s, pairs of pairs in s², and
            // the three quarters in s⁴, h = q₀ + s⁴(q₁ + s⁴q₂). Eleven multiply-adds and two multiplies, where Horner's
            // rule takes eleven multiply-adds in a chain; but four deep instead of eleven. A chain that long left too few
            // of the loop's vectors in flight to keep the units busy (bench/MiniGrad.Benchmarks/NOTES.md).
            var s2 = s * s;
            var s4 = s2 * s2;
            var q0 = TLanes.MultiplyAdd(Pair(s, ErfcPower(2), ErfcPower(3)), s2, Pair(s, ErfcPower(0), ErfcPower(1)));
            var q1 = TLanes.MultiplyAdd(Pair(s, ErfcPower(6), ErfcPower(7)), s2, Pair(s, ErfcPower(4), ErfcPower(5)));
            var q2 = TLanes.MultiplyAdd(Pair(s, ErfcPower(10), ErfcPower(11)), s2, Pair(s, ErfcPower(8), ErfcPower(9)));
            return t * TLanes.MultiplyAdd(TLanes.MultiplyAdd(q2, s4, q1), s4, q0);
        }
        // Double's 24 terms by Clenshaw's recurrence, one fused multiply-add on the critical path per term: cⱼ − b₂
        // does not wait for the previous term's result.
        var twoS = s + s;
        ReadOnlySpan<double> c = ErfcChebyshev;
        TLanes b1 = TLanes.Zero, b2 = TLanes.Zero;
        for (int j = c.Length - 1; j >= 1; j--) Clenshaw(ref b1, ref b2, twoS, T.CreateTruncating(c[j]));
        return t * (s * b1 - b2 + TLanes.Create(T.CreateTruncating(c[0])));
    }

    /// <summary>
    /// <paramref name="low"/> + <paramref name="high"/>·x: one pair of adjacent terms of a series summed by Estrin's
    /// scheme. Inlined with literal coefficients, both stay constants in the compiled loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes Pair<TLanes>(TLanes x, T low, T high) where TLanes : struct, ILanes<T, TLanes> =>
        TLanes.MultiplyAdd(TLanes.Create(high), x, TLanes.Create(low));

    /// <summary>1/<paramref name="k"/> in T, a coefficient of atanh's series (<see cref="Log1PUnit{TLanes}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Reciprocal(int k) => T.CreateTruncating(1.0 / k);

    /// <summary>One step of Clenshaw's recurrence: (b₁, b₂) ← (2s·b₁ − b₂ + c, b₁).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clenshaw<TLanes>(ref TLanes b1, ref TLanes b2, TLanes twoS, T c) where TLanes : struct, ILanes<T, TLanes> =>
        (b1, b2) = (TLanes.MultiplyAdd(twoS, b1, TLanes.Create(c) - b2), b1);

    /// <summary>Where float's tanh reaches 1: 1 − tanh 9 = 3·10⁻⁸ is below half the spacing of floats under 1.</summary>
    private static T TanhClamp { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(9.0); }

    // Every coefficient is a literal converted to T where it is read, never a static readonly field: fully optimised code
    // then has it as a constant whenever it is compiled. A static readonly field is a constant only in code compiled after
    // its class has been initialised, and the element-wise loops are compiled at their first call (AggressiveOptimization,
    // see Lanes.Run), before that: they kept a class-initialisation check, a reload of the field and spills. The getters are
    // marked AggressiveInlining: GELU's forward loop otherwise ran out of inlining budget and called one. An array element
    // is read anew on every pass of a loop (and at 128 bits broadcast by a shuffle on the arithmetic ports), so float's
    // coefficients are written out one by one; double's longer series are read from spans over constant data, which need
    // no initialisation either. The kernel tests check that no operator's class holds a static readonly number.

    /// <summary>
    /// P's coefficients, of u⁰ … u⁶ (u = x²), in tanh x ≈ x·P(u)/Q(u) on [0, 9]; Q's are <see cref="TanhQ1"/> … (Q₀ = 1).
    /// </summary>
    /// <remarks>
    /// Fitted for MiniGrad (bench/MiniGrad.Benchmarks/TanhFit.cs, which prints them again): a rational function of x²
    /// with numerator degree 6 and denominator degree 3, whose relative error against tanh was made as even as possible over 6,000 Chebyshev points of [0, 9]
    /// (linearised least squares, reweighted by each point's error, Lawson's way towards the minimax fit). In exact
    /// arithmetic its largest relative error is 6.6·10⁻⁹; what float's own rounding adds is given at
    /// <see cref="Tanh{TLanes}"/>. P(0) rounds to 1 in float, so tanh x = x for tiny x.
    /// </remarks>
    private static T TanhP0 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.9999999934159239); }
    private static T TanhP1 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.13084016560833955); }
    private static T TanhP2 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.0031039633000379124); }
    private static T TanhP3 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(1.115437883008146E-05); }
    private static T TanhP4 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(-2.0225491126540514E-08); }
    private static T TanhP5 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(5.2780652608150546E-11); }
    private static T TanhP6 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(-8.488984123368841E-14); }

    /// <summary>Q's coefficients, of u¹ … u³, in tanh x ≈ x·P(u)/Q(u) (see <see cref="TanhP0"/>); Q's constant term is 1.</summary>
    private static T TanhQ1 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.46417343670675754); }
    private static T TanhQ2 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.02449520696985635); }
    private static T TanhQ3 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.00025461553284857996); }

    /// <summary>
    /// The Taylor coefficients 1/1!, 1/2!, … 1/14! of (eˣ − 1)/x on |x| &lt; 1/2, in double. The first term left out,
    /// (1/2)ⁿ/(n + 1)! relative to the result, is below double's rounding after 14 terms (5e−17).
    /// </summary>
    internal static ReadOnlySpan<double> ExpM1Coefficients =>
    [
        1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800,
        1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800, 1.0 / 87178291200,
    ];

    /// <summary>
    /// The Chebyshev coefficients c₀/2, c₁, … c₂₃ of g(s) = e^(z²)·erfc(z)/t, in double, which double's erfc sums by
    /// Clenshaw's recurrence.
    /// </summary>
    /// <remarks>
    /// Computed for MiniGrad by Chebyshev interpolation of g at 128 nodes, with erfc from MathNet.Numerics (and its
    /// asymptotic series beyond z = 26, where erfc underflows). The coefficients fall below double precision after 24
    /// terms; float needs 12, whose truncation error (about 1.5e-8 relative) is below float's rounding, and sums them in
    /// powers of s (<see cref="ErfcPower"/>). The first is stored halved, as Clenshaw's sum uses it.
    /// </remarks>
    internal static ReadOnlySpan<double> ErfcChebyshev =>
    [
        1.1540674772329391 / 2, 0.3554369212704984, 0.06509515882878644, 0.0036711423958365073,
        -0.0011128447433526078, -0.00016075829915379765, 3.278031574169716E-05, 5.442441645531378E-06,
        -1.5154665552958094E-06, -1.4297608185668415E-07, 8.234608833267848E-08, -1.2962847028424873E-09,
        -4.154721804441874E-09, 6.347059960942758E-10, 1.432080643307132E-10, -6.160389906528785E-11,
        2.061223587646044E-12, 3.571554510473085E-12, -8.583862787236995E-13, -6.17882481290799E-14,
        7.448642397323013E-14, -1.3004354537660134E-14, -2.6229018956769323E-15, 1.981921571303502E-15,
    ];

    /// <summary>
    /// Float's erfc series, g(s) = Σ aₖsᵏ: the first twelve Chebyshev terms of <see cref="ErfcChebyshev"/> rewritten as
    /// powers of s by Tₙ₊₁ = 2s·Tₙ − Tₙ₋₁ in double, and aₖ then rounded once to T. The rewriting is well conditioned
    /// here: Σ|aₖ| ≈ 1.03 while g lies in [0.28, 1] on s ∈ (−1, 1], so the sum in float stays within 2 ulp of the series by
    /// Estrin's scheme, as <see cref="ScaledErfc{TLanes}"/> sums it, and 1.2 ulp by Horner's rule (measured over 10,001
    /// points of s, with and without fused multiply-adds; the erfc test checks the whole function against MathNet). The
    /// kernel tests redo the rewriting and check that these are its results to the last bit.
    /// </summary>
    /// <remarks>A switch over literals rather than a span: read with a constant k, it compiles to a constant that the
    /// multiply-add takes as its memory operand.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T ErfcPower(int k) => T.CreateTruncating(k switch
    {
        0 => 0.5107913569159452, 1 => 0.3435803329700962, 2 => 0.1397357335219304, 3 => 0.018221384245759916,
        4 => -0.010751626186602727, 5 => -0.0032418548953684623, 6 => 0.0015291571608226362, 7 => 0.0004270201507402538,
        8 => -0.00029938271214369205, 9 => -3.29515392321067e-05, 10 => 4.216119722633138e-05, 11 => -1.327395535710707e-06,
        _ => throw new ArgumentOutOfRangeException(nameof(k), k, "The float erfc series has twelve terms, a₀ … a₁₁."),
    });
}
