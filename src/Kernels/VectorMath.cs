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
    private static readonly T Half = T.CreateTruncating(0.5), Two = T.CreateTruncating(2);

    /// <summary>σ(x) = 1 / (1 + e^(−x)); e^(−x) = ∞ gives 0, never NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes Sigmoid<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> =>
        TLanes.One / (TLanes.One + TLanes.Exp(-x));

    /// <summary>
    /// tanh x. Float: a rational function, tanh x ≈ x·P(x²)/Q(x²) on |x| ≤ 9 (see <see cref="TanhP0"/>), and ±1
    /// beyond, where tanh rounds to ±1 in float. Double: −expm1(−2|x|) / (2 + expm1(−2|x|)), accurate near 0 (no 1 − e
    /// cancellation) and exactly ±1 far out. Both take the sign of x last, so NaN stays NaN and ±∞ gives ±1.
    /// </summary>
    /// <remarks>
    /// The rational form needs no exponential: nine multiply-adds, two multiplies and a division per vector, where the
    /// expm1 form costs an exp (range reduction, a polynomial and the exponent's bit work), an eight-term polynomial and
    /// a division (act-tanh's step is 18–35 % shorter on each vector path; bench/MiniGrad.Benchmarks/NOTES.md). Over every
    /// 3-millionth step of [10⁻⁶, 12] (5.3 million floats) it stays within 2.7·10⁻⁷ of tanh in double, relative: about
    /// four units in the last place for results just below 1, where floats are 6·10⁻⁸ apart. The kernel tests check it against the scalar reference to 2·10⁻⁶ and against tanh in double to 4·10⁻⁷.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes Tanh<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes>
    {
        if (typeof(T) == typeof(float))
        {
            var a = TLanes.Min(TLanes.Abs(x), TLanes.Create(TanhClamp));
            var u = a * a;
            var n = TLanes.MultiplyAdd(TLanes.Create(TanhP6), u, TLanes.Create(TanhP5));
            n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP4)); n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP3));
            n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP2)); n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP1));
            n = TLanes.MultiplyAdd(n, u, TLanes.Create(TanhP0));
            var d = TLanes.MultiplyAdd(TLanes.Create(TanhQ3), u, TLanes.Create(TanhQ2));
            d = TLanes.MultiplyAdd(d, u, TLanes.Create(TanhQ1)); d = TLanes.MultiplyAdd(d, u, TLanes.One);
            var r = TLanes.Min(a * n / d, TLanes.One); // the fit crosses 1 nowhere on [0, 9]; the bound makes |tanh| ≤ 1 certain
            return TLanes.ConditionalSelect(TLanes.LessThan(x, TLanes.Zero), -r, r);
        }
        var m = ExpM1(TLanes.Abs(x) * -Two);
        var t = -m / (TLanes.Create(Two) + m);
        return TLanes.ConditionalSelect(TLanes.LessThan(x, TLanes.Zero), -t, t);
    }

    /// <summary>
    /// eˣ − 1, accurate near 0: its Taylor series for |x| &lt; 1/2, eˣ − 1 beyond (where |eˣ − 1| &gt; 0.39, so the
    /// subtraction costs at most about 2.5 ulps). Cheaper than Kahan's log and division, which the scalar reference uses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes ExpM1<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes>
    {
        TLanes p;
        if (typeof(T) == typeof(float)) // eight terms written out, so that each coefficient is a constant in the code
        {
            p = TLanes.MultiplyAdd(TLanes.Create(ExpM1Term8), x, TLanes.Create(ExpM1Term7));
            p = TLanes.MultiplyAdd(p, x, TLanes.Create(ExpM1Term6)); p = TLanes.MultiplyAdd(p, x, TLanes.Create(ExpM1Term5));
            p = TLanes.MultiplyAdd(p, x, TLanes.Create(ExpM1Term4)); p = TLanes.MultiplyAdd(p, x, TLanes.Create(ExpM1Term3));
            p = TLanes.MultiplyAdd(p, x, TLanes.Create(ExpM1Term2)); p = TLanes.MultiplyAdd(p, x, TLanes.One);
        }
        else
        {
            ReadOnlySpan<T> c = ExpM1Coefficients;
            p = TLanes.Create(c[^1]);
            for (int k = c.Length - 2; k >= 0; k--) p = TLanes.MultiplyAdd(p, x, TLanes.Create(c[k]));
        }
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
    /// relative, is below float's rounding; one division and six multiply-adds, where ln and Goldberg's correction take two
    /// divisions and the exponent's bit work. Double keeps <see cref="Log1P{TLanes}"/>: its series would need 17 terms.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes Log1PUnit<TLanes>(TLanes t) where TLanes : struct, ILanes<T, TLanes>
    {
        if (typeof(T) != typeof(float)) return Log1P(t);
        var s = t / (TLanes.Create(Two) + t);
        var s2 = s * s;
        var p = TLanes.MultiplyAdd(TLanes.Create(T.CreateTruncating(1.0 / 13)), s2, TLanes.Create(T.CreateTruncating(1.0 / 11)));
        p = TLanes.MultiplyAdd(p, s2, TLanes.Create(T.CreateTruncating(1.0 / 9)));
        p = TLanes.MultiplyAdd(p, s2, TLanes.Create(T.CreateTruncating(1.0 / 7)));
        p = TLanes.MultiplyAdd(p, s2, TLanes.Create(T.CreateTruncating(1.0 / 5)));
        p = TLanes.MultiplyAdd(p, s2, TLanes.Create(T.CreateTruncating(1.0 / 3)));
        p = TLanes.MultiplyAdd(p, s2, TLanes.One);
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
    /// by Horner's rule (see <see cref="ErfcPowers"/>). Relative accuracy holds until e^(−z²) underflows, which is what
    /// GELU needs: Φ(x) = erfc(−x/√2)/2 stays accurate far into the negative tail.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes ScaledErfc<TLanes>(TLanes z) where TLanes : struct, ILanes<T, TLanes>
    {
        var t = TLanes.Create(Two) / (TLanes.Create(Two) + z);
        var s = t + t - TLanes.One;
        if (typeof(T) == typeof(float))
        {
            // Float's twelve terms as a polynomial in s by Horner's rule: one multiply-add a term where Clenshaw's
            // recurrence takes two operations, and GELU's forward pass is bound by the count of vector operations.
            // Written out: without a loop, the next vector's polynomial overlaps this one's.
            var h = TLanes.MultiplyAdd(TLanes.Create(Erfc11), s, TLanes.Create(Erfc10));
            h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc9)); h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc8));
            h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc7)); h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc6));
            h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc5)); h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc4));
            h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc3)); h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc2));
            h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc1)); h = TLanes.MultiplyAdd(h, s, TLanes.Create(Erfc0));
            return t * h;
        }
        // Double's 24 terms by Clenshaw's recurrence, one fused multiply-add on the critical path per term: cⱼ − b₂
        // does not wait for the previous term's result.
        var twoS = s + s;
        ReadOnlySpan<T> c = ErfcCoefficients;
        TLanes b1 = TLanes.Zero, b2 = TLanes.Zero;
        for (int j = c.Length - 1; j >= 1; j--) Clenshaw(ref b1, ref b2, twoS, c[j]);
        return t * (s * b1 - b2 + TLanes.Create(c[0]));
    }

    /// <summary>One step of Clenshaw's recurrence: (b₁, b₂) ← (2s·b₁ − b₂ + c, b₁).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clenshaw<TLanes>(ref TLanes b1, ref TLanes b2, TLanes twoS, T c) where TLanes : struct, ILanes<T, TLanes> =>
        (b1, b2) = (TLanes.MultiplyAdd(twoS, b1, TLanes.Create(c) - b2), b1);

    /// <summary>Where float's tanh reaches 1: 1 − tanh 9 = 3·10⁻⁸ is below half the spacing of floats under 1.</summary>
    private static readonly T TanhClamp = T.CreateTruncating(9);

    // The coefficients the float kernels use are static readonly scalars, not array elements: the JIT compiles such a field
    // of an initialised class as a constant in the code, but reads an array element anew on every pass of a loop (and at
    // 128 bits spends a shuffle on the arithmetic ports to broadcast it). A field taken from an array is declared after it.

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
    private static readonly T TanhP0 = T.CreateTruncating(0.9999999934159239), TanhP1 = T.CreateTruncating(0.13084016560833955),
        TanhP2 = T.CreateTruncating(0.0031039633000379124), TanhP3 = T.CreateTruncating(1.115437883008146E-05),
        TanhP4 = T.CreateTruncating(-2.0225491126540514E-08), TanhP5 = T.CreateTruncating(5.2780652608150546E-11),
        TanhP6 = T.CreateTruncating(-8.488984123368841E-14);

    /// <summary>Q's coefficients, of u¹ … u³, in tanh x ≈ x·P(u)/Q(u) (see <see cref="TanhP0"/>); Q's constant term is 1.</summary>
    private static readonly T TanhQ1 = T.CreateTruncating(0.46417343670675754), TanhQ2 = T.CreateTruncating(0.02449520696985635),
        TanhQ3 = T.CreateTruncating(0.00025461553284857996);

    /// <summary>The Taylor coefficients 1/1!, 1/2!, … of (eˣ − 1)/x on |x| &lt; 1/2.</summary>
    /// <remarks>The first term left out, (1/2)ⁿ/(n + 1)! relative to the result, is below T's rounding: 14 terms for
    /// double (5e−17), 8 for float (1e−8).</remarks>
    private static readonly T[] ExpM1Coefficients = Enumerable.Range(1, typeof(T) == typeof(float) ? 8 : 14)
        .Select(k => T.One / T.CreateTruncating(Enumerable.Range(1, k).Aggregate(1.0, (product, i) => product * i)))
        .ToArray();

    /// <summary>Float's 1/k! for k = 2 … 8 (see <see cref="ExpM1Coefficients"/>), as constants in the code.</summary>
    private static readonly T ExpM1Term2 = ExpM1Coefficients[1], ExpM1Term3 = ExpM1Coefficients[2], ExpM1Term4 = ExpM1Coefficients[3],
        ExpM1Term5 = ExpM1Coefficients[4], ExpM1Term6 = ExpM1Coefficients[5], ExpM1Term7 = ExpM1Coefficients[6], ExpM1Term8 = ExpM1Coefficients[7];

    /// <summary>
    /// The Chebyshev coefficients c₀/2, c₁, … of g(s) = e^(z²)·erfc(z)/t, in double: 24 terms for double, 12 for float.
    /// </summary>
    /// <remarks>
    /// Computed for MiniGrad by Chebyshev interpolation of g at 128 nodes, with erfc from MathNet.Numerics (and its
    /// asymptotic series beyond z = 26, where erfc underflows). The coefficients fall below double precision after 24
    /// terms; float keeps 12, whose truncation error (about 1.5e-8 relative) is below float's rounding. The first is
    /// stored halved, as Clenshaw's sum uses it. Declared before the arrays made from it: static fields are initialised in
    /// the order they are written.
    /// </remarks>
    private static readonly double[] ErfcChebyshev =
    [
        1.1540674772329391 / 2, 0.3554369212704984, 0.06509515882878644, 0.0036711423958365073,
        -0.0011128447433526078, -0.00016075829915379765, 3.278031574169716E-05, 5.442441645531378E-06,
        -1.5154665552958094E-06, -1.4297608185668415E-07, 8.234608833267848E-08, -1.2962847028424873E-09,
        -4.154721804441874E-09, 6.347059960942758E-10, 1.432080643307132E-10, -6.160389906528785E-11,
        2.061223587646044E-12, 3.571554510473085E-12, -8.583862787236995E-13, -6.17882481290799E-14,
        7.448642397323013E-14, -1.3004354537660134E-14, -2.6229018956769323E-15, 1.981921571303502E-15,
    ];

    /// <summary>The Chebyshev coefficients in T, as many as T's precision needs.</summary>
    private static readonly T[] ErfcCoefficients = ErfcChebyshev.Take(typeof(T) == typeof(float) ? 12 : 24).Select(T.CreateTruncating).ToArray();

    /// <summary>
    /// Float's twelve Chebyshev terms rewritten as powers of s, g(s) = Σ aₖsᵏ, by Tₙ₊₁ = 2s·Tₙ − Tₙ₋₁ in double and then
    /// rounded once. The rewriting is well conditioned here: Σ|aₖ| ≈ 1.03 while g lies in [0.28, 1] on s ∈ (−1, 1], so
    /// Horner's rule in float stays within about 2.3 ulp of the series (measured over 10,001 points of s when this was
    /// written; the erfc test checks the whole function against MathNet).
    /// </summary>
    private static readonly T[] ErfcPowers = ChebyshevToPowers(ErfcChebyshev.AsSpan(0, 12)).Select(T.CreateTruncating).ToArray();

    /// <summary><see cref="ErfcPowers"/> one by one, as constants in the code.</summary>
    private static readonly T Erfc0 = ErfcPowers[0], Erfc1 = ErfcPowers[1], Erfc2 = ErfcPowers[2], Erfc3 = ErfcPowers[3], Erfc4 = ErfcPowers[4],
        Erfc5 = ErfcPowers[5], Erfc6 = ErfcPowers[6], Erfc7 = ErfcPowers[7], Erfc8 = ErfcPowers[8], Erfc9 = ErfcPowers[9],
        Erfc10 = ErfcPowers[10], Erfc11 = ErfcPowers[11];

    /// <summary>The power-basis coefficients of Σ cⱼTⱼ(s) (c₀ as given, with no halving applied here).</summary>
    private static double[] ChebyshevToPowers(ReadOnlySpan<double> c)
    {
        var powers = new double[c.Length];
        double[] previous = new double[c.Length], current = new double[c.Length];
        previous[0] = 1; // T₀
        if (c.Length > 1) current[1] = 1; // T₁
        for (int j = 0; j < c.Length; j++)
        {
            var tj = j == 0 ? previous : current;
            for (int k = 0; k < c.Length; k++) powers[k] += c[j] * tj[k];
            if (j == 0) continue;
            var next = new double[c.Length]; // T_{j+1} = 2s·T_j − T_{j−1}
            for (int k = 0; k < c.Length; k++) next[k] = (k > 0 ? 2 * current[k - 1] : 0) - previous[k];
            (previous, current) = (current, next);
        }
        return powers;
    }
}
