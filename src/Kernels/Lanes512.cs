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

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> GreaterThan(Lanes512<T> a, Lanes512<T> b) => new(Vector512.GreaterThan(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> GreaterThanOrEqual(Lanes512<T> a, Lanes512<T> b) => new(Vector512.GreaterThanOrEqual(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> LessThan(Lanes512<T> a, Lanes512<T> b) => new(Vector512.LessThan(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Equal(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Equals(a.value, b.value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> ConditionalSelect(Lanes512<T> mask, Lanes512<T> ifTrue, Lanes512<T> ifFalse) => new(Vector512.ConditionalSelect(mask.value, ifTrue.value, ifFalse.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Exp(Lanes512<T> x) =>
        typeof(T) == typeof(float) ? new(Vector512.Exp(x.value.AsSingle()).As<float, T>()) : new(Vector512.Exp(x.value.AsDouble()).As<double, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Log(Lanes512<T> x) =>
        typeof(T) == typeof(float) ? new(Vector512.Log(x.value.AsSingle()).As<float, T>()) : new(Vector512.Log(x.value.AsDouble()).As<double, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Lanes512<T> a) => Vector512.Sum(a.value);
}
