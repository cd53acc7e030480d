using System.Numerics;
using System.Numerics.Tensors;

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
