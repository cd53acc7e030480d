using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MiniGrad.Kernels;

/// <summary>
/// An element-wise function y = f(x), written once for every lane width as <see cref="Invoke{TLanes}"/>. An operator
/// is a small <c>readonly struct</c> whose fields carry the function's hyperparameters (a slope, an α); a stateless
/// one is used as <c>default</c>.
/// </summary>
internal interface IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes>;
}

/// <summary>An element-wise function of two operands, y = f(x, a) (PReLU with one learned slope per feature, max(a, b)).</summary>
internal interface IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    TLanes Invoke<TLanes>(TLanes x, TLanes a) where TLanes : struct, ILanes<T, TLanes>;
}

/// <summary>
/// The backward rule of an element-wise y = f(x): one element's share of dL/dx, dy · f'(x), from the input x, the
/// output y and the upstream gradient dy (a rule reads whichever of x and y gives f' most cheaply and stably).
/// </summary>
internal interface IGradientOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes>;
}

/// <summary>
/// The drivers for element-wise work that <c>TensorPrimitives</c> does not have. Each runs an operator over whole spans
/// through <see cref="Lanes.Run{T, TLoop}"/>: the widest accelerated vectors first, then narrower ones, then scalars,
/// visiting every element once.
/// </summary>
internal static class Elementwise
{
    /// <summary>y[i] = f(x[i]). <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    internal static void Map<T, TOperator>(ReadOnlySpan<T> x, Span<T> y, TOperator f = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IUnaryOperator<T>
    {
        Check("Map", y.Length, x.Length);
        var loop = new MapLoop<T, TOperator>(x, y, f);
        Lanes.Run<T, MapLoop<T, TOperator>>(ref loop);
    }

    /// <summary>
    /// The largest element of a non-empty span, ignoring NaN (−∞ if there is no number): the shift of a
    /// softmax row, whose NaN elements make the row's sum and so every output NaN whatever the shift.
    /// TensorPrimitives.Max propagates NaN element by element and is several times slower.
    /// </summary>
    internal static T Max<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.IsEmpty) throw new ArgumentException("Elementwise.Max: the span is empty.", nameof(x));
        var loop = new MaxLoop<T>(x);
        Lanes.Run<T, MaxLoop<T>>(ref loop);
        return loop.Largest;
    }

    /// <summary>
    /// y[i] = f(x[i]) as <see cref="Map{T, TOperator}(ReadOnlySpan{T}, Span{T}, TOperator)"/>, returning Σᵢ y[i], summed in
    /// the same pass (a softmax row's denominator while its numerators are written). The summation order depends only on
    /// the length and the vector width.
    /// </summary>
    internal static T MapSum<T, TOperator>(ReadOnlySpan<T> x, Span<T> y, TOperator f = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IUnaryOperator<T>
    {
        Check("MapSum", y.Length, x.Length);
        var loop = new MapSumLoop<T, TOperator>(x, y, f);
        Lanes.Run<T, MapSumLoop<T, TOperator>>(ref loop);
        return loop.Total;
    }

    /// <summary>y[i] = f(x[i], a[i]). <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    internal static void Map<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> a, Span<T> y, TOperator f = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IBinaryOperator<T>
    {
        Check("Map", y.Length, x.Length, a.Length);
        var loop = new BinaryMapLoop<T, TOperator>(x, a, y, f);
        Lanes.Run<T, BinaryMapLoop<T, TOperator>>(ref loop);
    }

    /// <summary>dx[i] += rule(x[i], y[i], dy[i]): accumulates an element-wise function's backward step.</summary>
    internal static void AccumulateGradient<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, TOperator rule = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IGradientOperator<T> =>
        Gradient(x, y, dy, dx, accumulate: true, rule);

    /// <summary>
    /// dx[i] = [dx[i] +] rule(x[i], y[i], dy[i]): an element-wise function's backward step, added to dx or, when
    /// <paramref name="accumulate"/> is false (dx holds nothing yet), written over it without reading it.
    /// </summary>
    internal static void Gradient<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, bool accumulate, TOperator rule = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IGradientOperator<T>
    {
        Check("Gradient", dx.Length, x.Length, y.Length, dy.Length);
        var loop = new GradientLoop<T, TOperator>(x, y, dy, dx, accumulate, rule);
        Lanes.Run<T, GradientLoop<T, TOperator>>(ref loop);
    }

    /// <summary>
    /// Σᵢ rule(x[i], y[i], dy[i]): the gradient of a parameter shared by every element (a PReLU slope, a Swish β), whose
    /// per-element shares a backward rule gives. The summation order depends only on the length and the vector width,
    /// so a result repeats exactly from run to run.
    /// </summary>
    internal static T Sum<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, TOperator rule = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IGradientOperator<T>
    {
        Check("Sum", dy.Length, x.Length, y.Length);
        var loop = new SumLoop<T, TOperator>(x, y, dy, rule);
        Lanes.Run<T, SumLoop<T, TOperator>>(ref loop);
        return loop.Total;
    }

    private static void Check(string driver, int length, params ReadOnlySpan<int> others)
    {
        foreach (int other in others)
            if (other != length)
                throw new ArgumentException($"Elementwise.{driver}: spans of {string.Join(", ", others.ToArray())} and {length} elements must all have the same length.");
    }

    // Each loop copies what it reads into locals first (the operator too), so that the JIT keeps them in registers
    // instead of reading them through `this` on every iteration.

    private readonly ref struct MapLoop<T, TOperator>(ReadOnlySpan<T> x, Span<T> y, TOperator f) : IWidthLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IUnaryOperator<T>
    {
        private readonly ReadOnlySpan<T> x = x;
        private readonly Span<T> y = y;
        private readonly TOperator f = f;

        public int Length => x.Length;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see Lanes.Run
        public int Run<TLanes>(int i) where TLanes : struct, ILanes<T, TLanes>
        {
            var op = f;
            ref T xs = ref MemoryMarshal.GetReference(x), ys = ref MemoryMarshal.GetReference(y);
            for (int end = x.Length - TLanes.Count; i <= end; i += TLanes.Count)
                op.Invoke(TLanes.Load(ref Unsafe.Add(ref xs, i))).Store(ref Unsafe.Add(ref ys, i));
            return i;
        }
    }

    private ref struct MaxLoop<T>(ReadOnlySpan<T> x) : IWidthLoop<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ReadOnlySpan<T> x = x;

        public readonly int Length => x.Length;

        /// <summary>The largest number so far.</summary>
        public T Largest { get; private set; } = T.NegativeInfinity;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see Lanes.Run
        public int Run<TLanes>(int i) where TLanes : struct, ILanes<T, TLanes>
        {
            int w = TLanes.Count;
            ref T xs = ref MemoryMarshal.GetReference(x);
            TLanes m0 = TLanes.Create(T.NegativeInfinity), m1 = m0, m2 = m0, m3 = m0;
            for (int end = x.Length - 4 * w; i <= end; i += 4 * w) // four independent chains: a max waits on the one before
            {
                m0 = Larger(TLanes.Load(ref Unsafe.Add(ref xs, i)), m0);
                m1 = Larger(TLanes.Load(ref Unsafe.Add(ref xs, i + w)), m1);
                m2 = Larger(TLanes.Load(ref Unsafe.Add(ref xs, i + 2 * w)), m2);
                m3 = Larger(TLanes.Load(ref Unsafe.Add(ref xs, i + 3 * w)), m3);
            }
            for (int end = x.Length - w; i <= end; i += w) m0 = Larger(TLanes.Load(ref Unsafe.Add(ref xs, i)), m0);
            m0 = Larger(Larger(m1, m0), Larger(m3, m2));
            Span<T> lanes = stackalloc T[TLanes.Count];
            m0.Store(ref lanes[0]);
            T largest = Largest;
            foreach (T lane in lanes)
                if (lane > largest) largest = lane;
            Largest = largest;
            return i;
        }

        /// <summary>candidate where it is larger, else current: a NaN candidate never wins.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TLanes Larger<TLanes>(TLanes candidate, TLanes current) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.GreaterThan(candidate, current), candidate, current);
    }

    private ref struct MapSumLoop<T, TOperator>(ReadOnlySpan<T> x, Span<T> y, TOperator f) : IWidthLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IUnaryOperator<T>
    {
        private readonly ReadOnlySpan<T> x = x;
        private readonly Span<T> y = y;
        private readonly TOperator f = f;

        public readonly int Length => x.Length;

        /// <summary>The sum so far: each width adds its lanes' partial sums once it has finished its elements.</summary>
        public T Total { get; private set; } = T.Zero;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see Lanes.Run
        public int Run<TLanes>(int i) where TLanes : struct, ILanes<T, TLanes>
        {
            var op = f;
            ref T xs = ref MemoryMarshal.GetReference(x), ys = ref MemoryMarshal.GetReference(y);
            var total = TLanes.Zero;
            for (int end = x.Length - TLanes.Count; i <= end; i += TLanes.Count)
            {
                var value = op.Invoke(TLanes.Load(ref Unsafe.Add(ref xs, i)));
                value.Store(ref Unsafe.Add(ref ys, i));
                total += value;
            }
            Total += TLanes.Sum(total);
            return i;
        }
    }

    private readonly ref struct BinaryMapLoop<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> a, Span<T> y, TOperator f) : IWidthLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IBinaryOperator<T>
    {
        private readonly ReadOnlySpan<T> x = x, a = a;
        private readonly Span<T> y = y;
        private readonly TOperator f = f;

        public int Length => x.Length;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see Lanes.Run
        public int Run<TLanes>(int i) where TLanes : struct, ILanes<T, TLanes>
        {
            var op = f;
            ref T xs = ref MemoryMarshal.GetReference(x), az = ref MemoryMarshal.GetReference(a), ys = ref MemoryMarshal.GetReference(y);
            for (int end = x.Length - TLanes.Count; i <= end; i += TLanes.Count)
                op.Invoke(TLanes.Load(ref Unsafe.Add(ref xs, i)), TLanes.Load(ref Unsafe.Add(ref az, i))).Store(ref Unsafe.Add(ref ys, i));
            return i;
        }
    }

    private readonly ref struct GradientLoop<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, bool accumulate, TOperator rule) : IWidthLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IGradientOperator<T>
    {
        private readonly ReadOnlySpan<T> x = x, y = y, dy = dy;
        private readonly Span<T> dx = dx;
        private readonly bool accumulate = accumulate;
        private readonly TOperator rule = rule;

        public int Length => dx.Length;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see Lanes.Run
        public int Run<TLanes>(int i) where TLanes : struct, ILanes<T, TLanes>
        {
            var op = rule;
            ref T xs = ref MemoryMarshal.GetReference(x), ys = ref MemoryMarshal.GetReference(y);
            ref T dys = ref MemoryMarshal.GetReference(dy), dxs = ref MemoryMarshal.GetReference(dx);
            int end = dx.Length - TLanes.Count;
            if (accumulate)
                for (; i <= end; i += TLanes.Count)
                {
                    var share = op.Invoke(TLanes.Load(ref Unsafe.Add(ref xs, i)), TLanes.Load(ref Unsafe.Add(ref ys, i)), TLanes.Load(ref Unsafe.Add(ref dys, i)));
                    (TLanes.Load(ref Unsafe.Add(ref dxs, i)) + share).Store(ref Unsafe.Add(ref dxs, i));
                }
            else
                for (; i <= end; i += TLanes.Count)
                    op.Invoke(TLanes.Load(ref Unsafe.Add(ref xs, i)), TLanes.Load(ref Unsafe.Add(ref ys, i)), TLanes.Load(ref Unsafe.Add(ref dys, i)))
                        .Store(ref Unsafe.Add(ref dxs, i));
            return i;
        }
    }

    private ref struct SumLoop<T, TOperator>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, TOperator rule) : IWidthLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : struct, IGradientOperator<T>
    {
        private readonly ReadOnlySpan<T> x = x, y = y, dy = dy;
        private readonly TOperator rule = rule;

        public readonly int Length => dy.Length;

        /// <summary>The sum so far: each width adds its lanes' partial sums once it has finished its elements.</summary>
        public T Total { get; private set; } = T.Zero;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see Lanes.Run
        public int Run<TLanes>(int i) where TLanes : struct, ILanes<T, TLanes>
        {
            var op = rule;
            ref T xs = ref MemoryMarshal.GetReference(x), ys = ref MemoryMarshal.GetReference(y), dys = ref MemoryMarshal.GetReference(dy);
            var total = TLanes.Zero;
            for (int end = dy.Length - TLanes.Count; i <= end; i += TLanes.Count)
                total += op.Invoke(TLanes.Load(ref Unsafe.Add(ref xs, i)), TLanes.Load(ref Unsafe.Add(ref ys, i)), TLanes.Load(ref Unsafe.Add(ref dys, i)));
            Total += TLanes.Sum(total);
            return i;
        }
    }
}

/// <summary>e^((x − shift)·scale) in one pass, on the engine's vector exp: the numerators of a (log-)softmax row
/// (Softmax, LogSoftmax and cross-entropy).</summary>
internal readonly struct ShiftedExp<T>(T shift, T scale) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> => TLanes.Exp((x - TLanes.Create(shift)) * scale);
}
