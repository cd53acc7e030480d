using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MiniGrad.Kernels;

/// <summary>
/// Element-wise binary operations with PyTorch's broadcasting on row-major matrices: each dimension of the two operands
/// matches or is 1 on one side, so a 1 × n row spreads over the rows, an m × 1 column over the columns and a 1 × 1 over
/// everything. Each operation is a <see cref="IKernel"/> of three <c>TensorPrimitives</c> calls.
/// </summary>
internal static class Broadcast<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>One binary operation in its three forms: two spans, a span and a scalar, a scalar and a span.</summary>
    internal interface IKernel
    {
        static abstract void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination);
        static abstract void Apply(ReadOnlySpan<T> x, T y, Span<T> destination);
        static abstract void Apply(T x, ReadOnlySpan<T> y, Span<T> destination);
    }

    /// <summary>y = a ∘ b row by row (cols columns), spreading a 1-row or 1-column operand over y's rows and columns.</summary>
    internal static void Run<TKernel>(ReadOnlySpan<T> a, int aRows, int aCols, ReadOnlySpan<T> b, int bRows, int bCols, Span<T> y, int cols)
        where TKernel : IKernel
    {
        if (a.Length == y.Length && b.Length == y.Length)
        {
            TKernel.Apply(a, b, y);
            return;
        }
        int rows = cols == 0 ? 0 : y.Length / cols;
        for (int r = 0; r < rows; r++)
        {
            var aRow = a.Slice(aRows == 1 ? 0 : r * aCols, aCols);
            var bRow = b.Slice(bRows == 1 ? 0 : r * bCols, bCols);
            var yRow = y.Slice(r * cols, cols);
            if (aCols == bCols) TKernel.Apply(aRow, bRow, yRow);
            else if (aCols == 1) TKernel.Apply(aRow[0], bRow, yRow);
            else TKernel.Apply(aRow, bRow[0], yRow);
        }
    }

    /// <summary>
    /// target[j] ±= Σᵣ source[r·cols + j] for r &lt; rows: the gradient of a row that was spread over the rows (a bias), the
    /// reverse of broadcasting it. Each strip of columns is summed down the rows in registers, in row order, and added to
    /// the target once, instead of one pass over the target per row.
    /// </summary>
    internal static void AddColumnSums(ReadOnlySpan<T> source, int rows, int cols, Span<T> target, bool negate)
    {
        if ((long)rows * cols != source.Length || target.Length != cols)
            throw new ArgumentException($"Broadcast.AddColumnSums: {source.Length} values are not {rows} rows of {cols}, or the target of {target.Length} is not {cols} long.");
        var loop = new ColumnSumLoop(source, rows, target, negate);
        Lanes.Run<T, ColumnSumLoop>(ref loop);
    }

    private readonly ref struct ColumnSumLoop(ReadOnlySpan<T> source, int rows, Span<T> target, bool negate) : IWidthLoop<T>
    {
        private readonly ReadOnlySpan<T> source = source;
        private readonly Span<T> target = target;
        private readonly int rows = rows;
        private readonly bool negate = negate;

        public int Length => target.Length;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see Lanes.Run
        public int Run<TLanes>(int j) where TLanes : struct, ILanes<T, TLanes>
        {
            int w = TLanes.Count, cols = target.Length, count = rows;
            bool subtract = negate;
            ref T first = ref MemoryMarshal.GetReference(source), sums = ref MemoryMarshal.GetReference(target);
            for (; j + 4 * w <= cols; j += 4 * w) // strips of four vectors: four independent sums
            {
                TLanes s0 = TLanes.Zero, s1 = TLanes.Zero, s2 = TLanes.Zero, s3 = TLanes.Zero;
                ref T row = ref Unsafe.Add(ref first, j);
                for (int r = 0; r < count; r++, row = ref Unsafe.Add(ref row, cols))
                {
                    s0 += TLanes.Load(ref row);
                    s1 += TLanes.Load(ref Unsafe.Add(ref row, w));
                    s2 += TLanes.Load(ref Unsafe.Add(ref row, 2 * w));
                    s3 += TLanes.Load(ref Unsafe.Add(ref row, 3 * w));
                }
                AddTo(ref Unsafe.Add(ref sums, j), s0, subtract);
                AddTo(ref Unsafe.Add(ref sums, j + w), s1, subtract);
                AddTo(ref Unsafe.Add(ref sums, j + 2 * w), s2, subtract);
                AddTo(ref Unsafe.Add(ref sums, j + 3 * w), s3, subtract);
            }
            for (; j + w <= cols; j += w)
            {
                TLanes sum = TLanes.Zero;
                ref T row = ref Unsafe.Add(ref first, j);
                for (int r = 0; r < count; r++, row = ref Unsafe.Add(ref row, cols)) sum += TLanes.Load(ref row);
                AddTo(ref Unsafe.Add(ref sums, j), sum, subtract);
            }
            return j;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddTo<TLanes>(ref T target, TLanes sum, bool subtract) where TLanes : struct, ILanes<T, TLanes>
        {
            var current = TLanes.Load(ref target);
            (subtract ? current - sum : current + sum).Store(ref target);
        }
    }

    internal readonly struct Add : IKernel
    {
        public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Add(x, y, d);
        public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Add(x, y, d);
        public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Add(y, x, d);
    }

    internal readonly struct Subtract : IKernel
    {
        public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Subtract(x, y, d);
        public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Subtract(x, y, d);
        public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Subtract(x, y, d);
    }

    internal readonly struct Multiply : IKernel
    {
        public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Multiply(x, y, d);
        public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Multiply(x, y, d);
        public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Multiply(y, x, d);
    }

    internal readonly struct Divide : IKernel
    {
        public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Divide(x, y, d);
        public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Divide(x, y, d);
        public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Divide(x, y, d);
    }
}
