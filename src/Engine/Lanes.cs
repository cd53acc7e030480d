using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MiniGrad;

/// <summary>
/// One register's worth of T, as the GEMM micro-kernel and the optimizers' update loops see it: load, broadcast,
/// fused multiply-add, arithmetic, square root, store.
/// Implemented for <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/>, <see cref="Vector128{T}"/> and a
/// single scalar, so each of those loops is written once and instantiated per width (the JIT compiles each
/// instantiation to straight register code; the wrappers cost nothing).
/// </summary>
internal interface ILanes<T, TSelf> where TSelf : struct, ILanes<T, TSelf>
{
    /// <summary>Whether this width runs in hardware here (the scalar one always does).</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>How many T one value holds.</summary>
    static abstract int Count { get; }

    static abstract TSelf Load(ref T source);

    static abstract TSelf Broadcast(T value);

    /// <summary>a · b + addend, fused where the hardware has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf addend);

    static abstract TSelf Add(TSelf a, TSelf b);

    static abstract TSelf Subtract(TSelf a, TSelf b);

    static abstract TSelf Multiply(TSelf a, TSelf b);

    static abstract TSelf Divide(TSelf a, TSelf b);

    static abstract TSelf Sqrt(TSelf a);

    void Store(ref T destination);
}

internal readonly struct Lanes512<T>(Vector512<T> value) : ILanes<T, Lanes512<T>> where T : unmanaged
{
    private readonly Vector512<T> value = value;

    public static bool IsAccelerated => Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;
    public static int Count => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Load(ref T source) => new(Vector512.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Broadcast(T value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> MultiplyAdd(Lanes512<T> a, Lanes512<T> b, Lanes512<T> addend) =>
        typeof(T) == typeof(float) ? new(Vector512.MultiplyAddEstimate(a.value.AsSingle(), b.value.AsSingle(), addend.value.AsSingle()).As<float, T>())
        : typeof(T) == typeof(double) ? new(Vector512.MultiplyAddEstimate(a.value.AsDouble(), b.value.AsDouble(), addend.value.AsDouble()).As<double, T>())
        : new(a.value * b.value + addend.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Add(Lanes512<T> a, Lanes512<T> b) => new(a.value + b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Subtract(Lanes512<T> a, Lanes512<T> b) => new(a.value - b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Multiply(Lanes512<T> a, Lanes512<T> b) => new(a.value * b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Divide(Lanes512<T> a, Lanes512<T> b) => new(a.value / b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Sqrt(Lanes512<T> a) => new(Vector512.Sqrt(a.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T destination) => value.StoreUnsafe(ref destination);
}

internal readonly struct Lanes256<T>(Vector256<T> value) : ILanes<T, Lanes256<T>> where T : unmanaged
{
    private readonly Vector256<T> value = value;

    public static bool IsAccelerated => Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported;
    public static int Count => Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Load(ref T source) => new(Vector256.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Broadcast(T value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> MultiplyAdd(Lanes256<T> a, Lanes256<T> b, Lanes256<T> addend) =>
        typeof(T) == typeof(float) ? new(Vector256.MultiplyAddEstimate(a.value.AsSingle(), b.value.AsSingle(), addend.value.AsSingle()).As<float, T>())
        : typeof(T) == typeof(double) ? new(Vector256.MultiplyAddEstimate(a.value.AsDouble(), b.value.AsDouble(), addend.value.AsDouble()).As<double, T>())
        : new(a.value * b.value + addend.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Add(Lanes256<T> a, Lanes256<T> b) => new(a.value + b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Subtract(Lanes256<T> a, Lanes256<T> b) => new(a.value - b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Multiply(Lanes256<T> a, Lanes256<T> b) => new(a.value * b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Divide(Lanes256<T> a, Lanes256<T> b) => new(a.value / b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Sqrt(Lanes256<T> a) => new(Vector256.Sqrt(a.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T destination) => value.StoreUnsafe(ref destination);
}

internal readonly struct Lanes128<T>(Vector128<T> value) : ILanes<T, Lanes128<T>> where T : unmanaged
{
    private readonly Vector128<T> value = value;

    public static bool IsAccelerated => Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported;
    public static int Count => Vector128<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Load(ref T source) => new(Vector128.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Broadcast(T value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> MultiplyAdd(Lanes128<T> a, Lanes128<T> b, Lanes128<T> addend) =>
        typeof(T) == typeof(float) ? new(Vector128.MultiplyAddEstimate(a.value.AsSingle(), b.value.AsSingle(), addend.value.AsSingle()).As<float, T>())
        : typeof(T) == typeof(double) ? new(Vector128.MultiplyAddEstimate(a.value.AsDouble(), b.value.AsDouble(), addend.value.AsDouble()).As<double, T>())
        : new(a.value * b.value + addend.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Add(Lanes128<T> a, Lanes128<T> b) => new(a.value + b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Subtract(Lanes128<T> a, Lanes128<T> b) => new(a.value - b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Multiply(Lanes128<T> a, Lanes128<T> b) => new(a.value * b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Divide(Lanes128<T> a, Lanes128<T> b) => new(a.value / b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128<T> Sqrt(Lanes128<T> a) => new(Vector128.Sqrt(a.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T destination) => value.StoreUnsafe(ref destination);
}

/// <summary>The scalar fallback: one T per "register", plain multiply and add.</summary>
internal readonly struct Lanes1<T>(T value) : ILanes<T, Lanes1<T>> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    private readonly T value = value;

    public static bool IsAccelerated => true;
    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1<T> Load(ref T source) => new(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1<T> Broadcast(T value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1<T> MultiplyAdd(Lanes1<T> a, Lanes1<T> b, Lanes1<T> addend) => new(a.value * b.value + addend.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1<T> Add(Lanes1<T> a, Lanes1<T> b) => new(a.value + b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1<T> Subtract(Lanes1<T> a, Lanes1<T> b) => new(a.value - b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1<T> Multiply(Lanes1<T> a, Lanes1<T> b) => new(a.value * b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1<T> Divide(Lanes1<T> a, Lanes1<T> b) => new(a.value / b.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1<T> Sqrt(Lanes1<T> a) => new(T.Sqrt(a.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T destination) => destination = value;
}
