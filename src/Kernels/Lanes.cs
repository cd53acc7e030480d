using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MiniGrad.Kernels;

/// <summary>
/// One register's worth of T, the unit every vector kernel is written in: arithmetic, comparisons, selection,
/// eˣ and ln x, load and store. A kernel is written once, generic over <c>TLanes</c>, and runs at every width:
/// <see cref="Lanes512{T}"/>, <see cref="Lanes256{T}"/>, <see cref="Lanes128{T}"/> (each only where the hardware
/// accelerates it) and <see cref="Lanes1{T}"/>, a single scalar, for the tail and for machines without SIMD.
/// </summary>
/// <remarks>
/// <para>This plays the part of the runtime's own <c>ISimdVector&lt;TSelf, T&gt;</c>, which .NET 10 keeps internal. The
/// implementations are thin wrappers over <c>Vector512&lt;T&gt;</c> and friends; the JIT compiles each instantiation of
/// a kernel to straight register code. The three vector widths are one source file (Lanes512.cs), from which the build
/// makes the 256- and 128-bit forms.</para>
/// <para>A comparison gives a mask, which only <see cref="ConditionalSelect"/> reads: all bits set per true lane in
/// the vector forms, one or zero in the scalar form.</para>
/// </remarks>
internal interface ILanes<T, TSelf>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TSelf : struct, ILanes<T, TSelf>
{
    /// <summary>Whether this width runs in hardware here (the scalar one always does).</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>How many T one value holds.</summary>
    static abstract int Count { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf One { get; }

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TSelf Create(T value);

    static abstract TSelf Load(ref readonly T source);

    void Store(ref T destination);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, T b);

    static abstract TSelf operator /(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a);

    /// <summary>a · b + addend, fused where the hardware has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf addend);

    static abstract TSelf Sqrt(TSelf a);

    static abstract TSelf Abs(TSelf a);

    /// <summary>The smaller of a and b per lane; NaN where either is NaN (as <c>T.Min</c>).</summary>
    static abstract TSelf Min(TSelf a, TSelf b);

    /// <summary>The larger of a and b per lane; NaN where either is NaN, and +0 above −0 (as <c>T.Max</c>).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>
    /// The smaller of a and a number <paramref name="limit"/> per lane; NaN where a is NaN (as <c>T.Min</c>). The same as
    /// <see cref="Min(TSelf, TSelf)"/> against a broadcast limit, but where the limit is a constant when the JIT imports
    /// the call (<c>T.One</c>, <c>T.Zero</c>), it becomes a constant vector, and x86 then needs one minimum instruction
    /// instead of three that order NaN and the zeros. Observed: tanh's clamp at 1 and ELU's at 0 fold; tanh's clamp of |x|
    /// at 9 and mish's at 20, whose limits come from properties, stay three (the results are the same either way).
    /// </summary>
    static abstract TSelf Min(TSelf a, T limit);

    /// <summary>|magnitude| with the sign bit of <paramref name="sign"/> per lane (as <c>T.CopySign</c>): −0 and NaN included.</summary>
    static abstract TSelf CopySign(TSelf magnitude, TSelf sign);

    static abstract TSelf GreaterThan(TSelf a, TSelf b);

    static abstract TSelf GreaterThanOrEqual(TSelf a, TSelf b);

    static abstract TSelf LessThan(TSelf a, TSelf b);

    /// <summary>The mask of lanes where a equals b; a NaN lane equals nothing, itself included.</summary>
    static abstract TSelf Equal(TSelf a, TSelf b);

    /// <summary><paramref name="ifTrue"/> where <paramref name="mask"/> is set, else <paramref name="ifFalse"/>.</summary>
    static abstract TSelf ConditionalSelect(TSelf mask, TSelf ifTrue, TSelf ifFalse);

    /// <summary>0 where <paramref name="mask"/> is set, else <paramref name="x"/>: <see cref="ConditionalSelect"/> with a zero,
    /// in one operation (x AND NOT mask) where the select takes three.</summary>
    static abstract TSelf ZeroWhere(TSelf mask, TSelf x);

    /// <summary>eˣ, accurate to about one ulp: the runtime's in double, one that stays in float for float (Lanes512.cs).</summary>
    static abstract TSelf Exp(TSelf x);

    /// <summary>σ(x) = 1 / (1 + e^(−x)) with <see cref="Exp"/>'s e^(−x); e^(−x) = ∞ gives 0, never NaN (Lanes512.cs).</summary>
    static abstract TSelf Sigmoid(TSelf x);

    /// <summary>
    /// eˣ − 1, relative to the result, so tiny x keep their digits: for float within two ulps, in one reduction (Lanes512.cs);
    /// in double a series near 0 and eˣ − 1 beyond (<c>VectorMath.ExpM1Series</c>); the scalar reference for one lane.
    /// </summary>
    static abstract TSelf ExpM1(TSelf x);

    /// <summary>ln x, within two ulps: the runtime's in double, one that stays in float for float (Lanes512.cs).</summary>
    static abstract TSelf Log(TSelf x);

    /// <summary>The sum of the lanes.</summary>
    static abstract T Sum(TSelf a);
}

/// <summary>The scalar fallback: one T per "register". Masks are 1 (true) or 0 (false).</summary>
internal readonly struct Lanes1<T>(T value) : ILanes<T, Lanes1<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T value = value;

    public static bool IsAccelerated => true;
    public static int Count => 1;
    public static Lanes1<T> Zero => new(T.Zero);
    public static Lanes1<T> One => new(T.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Create(T value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Load(ref readonly T source) => new(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref T destination) => destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> operator +(Lanes1<T> a, Lanes1<T> b) => new(a.value + b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> operator -(Lanes1<T> a, Lanes1<T> b) => new(a.value - b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> operator *(Lanes1<T> a, Lanes1<T> b) => new(a.value * b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> operator *(Lanes1<T> a, T b) => new(a.value * b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> operator /(Lanes1<T> a, Lanes1<T> b) => new(a.value / b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> operator -(Lanes1<T> a) => new(-a.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> MultiplyAdd(Lanes1<T> a, Lanes1<T> b, Lanes1<T> addend) => new(a.value * b.value + addend.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Sqrt(Lanes1<T> a) => new(T.Sqrt(a.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Abs(Lanes1<T> a) => new(T.Abs(a.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Min(Lanes1<T> a, Lanes1<T> b) => new(T.Min(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Max(Lanes1<T> a, Lanes1<T> b) => new(T.Max(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Min(Lanes1<T> a, T limit) => new(T.Min(a.value, limit));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> CopySign(Lanes1<T> magnitude, Lanes1<T> sign) => new(T.CopySign(magnitude.value, sign.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> GreaterThan(Lanes1<T> a, Lanes1<T> b) => Mask(a.value > b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> GreaterThanOrEqual(Lanes1<T> a, Lanes1<T> b) => Mask(a.value >= b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> LessThan(Lanes1<T> a, Lanes1<T> b) => Mask(a.value < b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Equal(Lanes1<T> a, Lanes1<T> b) => Mask(a.value == b.value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> ConditionalSelect(Lanes1<T> mask, Lanes1<T> ifTrue, Lanes1<T> ifFalse) => mask.value != T.Zero ? ifTrue : ifFalse;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> ZeroWhere(Lanes1<T> mask, Lanes1<T> x) => mask.value != T.Zero ? Zero : x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Exp(Lanes1<T> x) => new(T.Exp(x.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Sigmoid(Lanes1<T> x) => One / (One + Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> ExpM1(Lanes1<T> x) => new(ScalarMath.ExpM1(x.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1<T> Log(Lanes1<T> x) => new(T.Log(x.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Lanes1<T> a) => a.value;

    private static Lanes1<T> Mask(bool condition) => condition ? One : Zero;
}

/// <summary>
/// A loop over a span, written once as <see cref="Run{TLanes}"/> for any lane width: it processes elements from
/// <c>start</c> in steps of <c>TLanes.Count</c> while a whole step fits, and returns where it stopped.
/// </summary>
internal interface IWidthLoop<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>How many elements the loop covers.</summary>
    int Length { get; }

    int Run<TLanes>(int start) where TLanes : struct, ILanes<T, TLanes>;
}

/// <summary>The one driver of every vector loop: the widest accelerated width first, then each narrower one, then scalars.</summary>
internal static class Lanes
{
    /// <summary>
    /// Runs <paramref name="loop"/> at 512, 256 and 128 bits where the hardware accelerates them, then one element at a
    /// time for the rest. Each element is visited exactly once (no overlapping last vector), so accumulating loops are
    /// safe, and which width handles which element depends only on the length.
    /// </summary>
    /// <remarks>
    /// The dispatch is inlined; each width's loop is a method of its own, marked NoInlining. Left to tiered PGO, the JIT
    /// inlined all widths' loops into the kernel that called them, ran out of inlining budget, and made the lane operators
    /// real calls passing vectors through memory: a kernel ran 5× slower once warm than it had while warming up. Compiled on
    /// its own, each loop is straight vector code.
    /// <para>Every width's loop is also marked AggressiveOptimization: left to tiering, it ran for the first thousands of
    /// steps of a small network as tier-0 code calling every lane operator (on a machine with one CPU, where the runtime's
    /// tiering thread hardly runs, for about 7,000 spirals-sized steps), and compiled at its first call it is what tier 1
    /// makes of it. That holds because no operator reads a static readonly field: a loop compiled before the field's class
    /// has been initialised cannot take it as a constant, and kept a class-initialisation check, a reload of the field and
    /// stack spills (GELU's forward ran at 3.0 ms per million floats that way, 2.5 ms at tier 1). Coefficients are
    /// literals converted to T where they are read, in aggressively inlined getters (<c>VectorMath</c>, GELU, SELU, Mish);
    /// bench/MiniGrad.Benchmarks/NOTES.md ("Warm-up") has the measurements.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Run<T, TLoop>(ref TLoop loop)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoop : struct, IWidthLoop<T>, allows ref struct
    {
        int i = 0, length = loop.Length;
        if (Lanes512<T>.IsAccelerated && length - i >= Lanes512<T>.Count) i = loop.Run<Lanes512<T>>(i);
        if (Lanes256<T>.IsAccelerated && length - i >= Lanes256<T>.Count) i = loop.Run<Lanes256<T>>(i);
        if (Lanes128<T>.IsAccelerated && length - i >= Lanes128<T>.Count) i = loop.Run<Lanes128<T>>(i);
        if (i < length) loop.Run<Lanes1<T>>(i);
    }

    /// <summary>
    /// <paramref name="x"/> with every subnormal lane (0 &lt; |x| &lt; <paramref name="smallestNormal"/>, see
    /// <see cref="SmallestNormal{T}"/>) replaced by zero; NaN, ±∞, zeros and normal numbers pass unchanged.
    /// </summary>
    /// <remarks>
    /// For state that decays geometrically towards zero, such as an optimizer's moments when a unit's gradient stays 0:
    /// <c>0.9 · m</c> passes through the subnormals and then sticks at the smallest one (0.9 × 2⁻¹⁴⁹ rounds back to
    /// 2⁻¹⁴⁹), and Intel's multipliers, dividers and square roots take a microcode assist on every subnormal operand
    /// (on the Xeon it was measured on, a multiply, FMA, square root or division over subnormals took about 22 × what an
    /// add over them took: Adam's step over spirals' 10,703
    /// parameters went from 8 to 80 µs once dead ReLU units had decayed their moments). What is flushed is below
    /// 1.2 · 10⁻³⁸ (float) or 2.2 · 10⁻³⁰⁸ (double). PyTorch's <c>torch.set_flush_denormal(True)</c> and TensorFlow's
    /// default flush the same values, for the whole process, in hardware; .NET cannot set the FTZ bit, so the state is
    /// flushed where it is stored.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TLanes FlushSubnormals<T, TLanes>(TLanes x, TLanes smallestNormal)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes> =>
        TLanes.ZeroWhere(TLanes.LessThan(TLanes.Abs(x), smallestNormal), x);

    /// <summary>The smallest positive normal T: 2⁻¹²⁶ for float, 2⁻¹⁰²² for double (T.Epsilon is the smallest subnormal).</summary>
    /// <remarks>
    /// Written as bit patterns (exponent field 1, fraction 0) so that it is a constant in any compiled caller: fully
    /// optimised code compiled at its first call (AggressiveOptimization) did not inline <c>T.ScaleB</c>, and the call
    /// made it keep every broadcast constant of Adam's loop on the stack.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T SmallestNormal<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Unsafe.BitCast<float, T>(BitConverter.Int32BitsToSingle(0x0080_0000))
        : typeof(T) == typeof(double) ? Unsafe.BitCast<double, T>(BitConverter.Int64BitsToDouble(0x0010_0000_0000_0000))
        : T.ScaleB(T.One, -14);

    /// <summary>The widest width accelerated here, in lanes of T (1 when there is no SIMD).</summary>
    internal static int WidestCount<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        Lanes512<T>.IsAccelerated ? Lanes512<T>.Count
        : Lanes256<T>.IsAccelerated ? Lanes256<T>.Count
        : Lanes128<T>.IsAccelerated ? Lanes128<T>.Count
        : 1;
}
