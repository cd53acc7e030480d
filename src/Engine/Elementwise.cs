using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MiniGrad;

/// <summary>
/// The one driver for element-wise kernels that <c>TensorPrimitives</c> does not have: it walks the spans
/// with <see cref="Vector512{T}"/>, then <see cref="Vector256{T}"/>, then <see cref="Vector128{T}"/> (each only
/// where the hardware accelerates it), then scalars. There is no overlapping last vector, so the accumulating
/// kernels add every element exactly once.
/// </summary>
public static class Elementwise
{
    /// <summary>y[i] = f(x[i]). <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Map<T, TOperator>(ReadOnlySpan<T> x, Span<T> y, TOperator f = default)
        where TOperator : struct, IUnaryOperator<T>
    {
        if (x.Length != y.Length) throw new ArgumentException($"Elementwise.Map: input has {x.Length} elements, output {y.Length}.", nameof(y));
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;

        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (nuint width = (nuint)Vector512<T>.Count; i + width <= n; i += width)
                f.Invoke(Vector512.LoadUnsafe(ref xs, i)).StoreUnsafe(ref ys, i);
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            for (nuint width = (nuint)Vector256<T>.Count; i + width <= n; i += width)
                f.Invoke(Vector256.LoadUnsafe(ref xs, i)).StoreUnsafe(ref ys, i);
        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
            for (nuint width = (nuint)Vector128<T>.Count; i + width <= n; i += width)
                f.Invoke(Vector128.LoadUnsafe(ref xs, i)).StoreUnsafe(ref ys, i);
        for (; i < n; i++)
            Unsafe.Add(ref ys, i) = f.Invoke(Unsafe.Add(ref xs, i));
    }

    /// <summary>y[i] = f(x[i], a[i]). <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Map<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> a, Span<T> y, TOperator f = default)
        where TOperator : struct, IBinaryOperator<T>
    {
        if (x.Length != y.Length || a.Length != y.Length)
            throw new ArgumentException($"Elementwise.Map: inputs have {x.Length} and {a.Length} elements, output {y.Length}.", nameof(y));
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T az = ref MemoryMarshal.GetReference(a);
        ref T ys = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;

        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (nuint width = (nuint)Vector512<T>.Count; i + width <= n; i += width)
                f.Invoke(Vector512.LoadUnsafe(ref xs, i), Vector512.LoadUnsafe(ref az, i)).StoreUnsafe(ref ys, i);
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            for (nuint width = (nuint)Vector256<T>.Count; i + width <= n; i += width)
                f.Invoke(Vector256.LoadUnsafe(ref xs, i), Vector256.LoadUnsafe(ref az, i)).StoreUnsafe(ref ys, i);
        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
            for (nuint width = (nuint)Vector128<T>.Count; i + width <= n; i += width)
                f.Invoke(Vector128.LoadUnsafe(ref xs, i), Vector128.LoadUnsafe(ref az, i)).StoreUnsafe(ref ys, i);
        for (; i < n; i++)
            Unsafe.Add(ref ys, i) = f.Invoke(Unsafe.Add(ref xs, i), Unsafe.Add(ref az, i));
    }

    /// <summary>dx[i] += rule(x[i], y[i], dy[i]): accumulates an element-wise function's backward step.</summary>
    public static void AccumulateGradient<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, TOperator rule = default)
        where T : INumberBase<T>
        where TOperator : struct, IGradientOperator<T>
    {
        if (x.Length != dx.Length || y.Length != dx.Length || dy.Length != dx.Length)
            throw new ArgumentException(
                $"Elementwise.AccumulateGradient: input {x.Length}, output {y.Length}, output gradient {dy.Length} and input gradient {dx.Length} elements must all match.");
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        ref T dys = ref MemoryMarshal.GetReference(dy);
        ref T dxs = ref MemoryMarshal.GetReference(dx);
        nuint n = (nuint)dx.Length, i = 0;

        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (nuint width = (nuint)Vector512<T>.Count; i + width <= n; i += width)
            {
                var contribution = rule.Invoke(Vector512.LoadUnsafe(ref xs, i), Vector512.LoadUnsafe(ref ys, i), Vector512.LoadUnsafe(ref dys, i));
                (Vector512.LoadUnsafe(ref dxs, i) + contribution).StoreUnsafe(ref dxs, i);
            }
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            for (nuint width = (nuint)Vector256<T>.Count; i + width <= n; i += width)
            {
                var contribution = rule.Invoke(Vector256.LoadUnsafe(ref xs, i), Vector256.LoadUnsafe(ref ys, i), Vector256.LoadUnsafe(ref dys, i));
                (Vector256.LoadUnsafe(ref dxs, i) + contribution).StoreUnsafe(ref dxs, i);
            }
        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
            for (nuint width = (nuint)Vector128<T>.Count; i + width <= n; i += width)
            {
                var contribution = rule.Invoke(Vector128.LoadUnsafe(ref xs, i), Vector128.LoadUnsafe(ref ys, i), Vector128.LoadUnsafe(ref dys, i));
                (Vector128.LoadUnsafe(ref dxs, i) + contribution).StoreUnsafe(ref dxs, i);
            }
        for (; i < n; i++)
            Unsafe.Add(ref dxs, i) += rule.Invoke(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i), Unsafe.Add(ref dys, i));
    }

    /// <summary>
    /// Σᵢ rule(x[i], y[i], dy[i]): the gradient of a parameter shared by every element (a PReLU slope, a SiLU β),
    /// whose per-element shares are given by a backward rule. The summation order depends only on the length
    /// and the vector width, so a result repeats exactly from run to run.
    /// </summary>
    public static T Sum<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, TOperator rule = default)
        where T : INumberBase<T>
        where TOperator : struct, IGradientOperator<T>
    {
        if (x.Length != dy.Length || y.Length != dy.Length)
            throw new ArgumentException($"Elementwise.Sum: input {x.Length}, output {y.Length} and output gradient {dy.Length} elements must all match.");
        ref T xs = ref MemoryMarshal.GetReference(x);
        ref T ys = ref MemoryMarshal.GetReference(y);
        ref T dys = ref MemoryMarshal.GetReference(dy);
        nuint n = (nuint)dy.Length, i = 0;
        T sum = T.Zero;

        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && n >= (nuint)Vector512<T>.Count)
        {
            var total = Vector512<T>.Zero;
            for (nuint width = (nuint)Vector512<T>.Count; i + width <= n; i += width)
                total += rule.Invoke(Vector512.LoadUnsafe(ref xs, i), Vector512.LoadUnsafe(ref ys, i), Vector512.LoadUnsafe(ref dys, i));
            sum += Vector512.Sum(total);
        }
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && n - i >= (nuint)Vector256<T>.Count)
        {
            var total = Vector256<T>.Zero;
            for (nuint width = (nuint)Vector256<T>.Count; i + width <= n; i += width)
                total += rule.Invoke(Vector256.LoadUnsafe(ref xs, i), Vector256.LoadUnsafe(ref ys, i), Vector256.LoadUnsafe(ref dys, i));
            sum += Vector256.Sum(total);
        }
        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported && n - i >= (nuint)Vector128<T>.Count)
        {
            var total = Vector128<T>.Zero;
            for (nuint width = (nuint)Vector128<T>.Count; i + width <= n; i += width)
                total += rule.Invoke(Vector128.LoadUnsafe(ref xs, i), Vector128.LoadUnsafe(ref ys, i), Vector128.LoadUnsafe(ref dys, i));
            sum += Vector128.Sum(total);
        }
        for (; i < n; i++)
            sum += rule.Invoke(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i), Unsafe.Add(ref dys, i));
        return sum;
    }
}
