using System.Numerics;
using System.Numerics.Tensors;

namespace MiniGrad;

// Rows in and out: a range or a list of rows (differentiable), the arg-max of each row, and one-hot rows.
public sealed partial class Tensor<T>
{
    /// <summary>Rows <paramref name="start"/> … start + count − 1, as a count × cols tensor (PyTorch's <c>narrow(0, start, count)</c>).</summary>
    /// <remarks>dx[start + i] += dy[i]; the other rows get nothing.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the rows.</exception>
    public Tensor<T> TakeRows(int start, int count)
    {
        Check(this);
        if (start < 0 || count < 0 || start > Rows - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"TakeRows: rows {start} to {start + count - 1} are not all within the {Shape} tensor's rows 0 to {Rows - 1}.");
        var y = Result(count, Cols, this);
        Span.Slice(start * Cols, count * Cols).CopyTo(y.Span);
        return Record("TakeRows", y, [this], start, static (y, inputs, start) =>
        {
            var dx = inputs[0].GradAccumulator().Slice(start * y.Cols, y.Length);
            TensorPrimitives.Add(dx, y.GradSpan, dx);
        });
    }

    /// <summary>
    /// The rows listed in <paramref name="indices"/>, in that order, as an indices.Length × cols tensor (PyTorch's
    /// <c>index_select(0, indices)</c>); a row may be listed more than once. For minibatches and embeddings of labels.
    /// </summary>
    /// <remarks>dx[indices[i]] += dy[i], so a row taken twice gathers both shares.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index is not a row of this tensor (the message says which).</exception>
    public Tensor<T> TakeRows(int[] indices)
    {
        Check(this);
        ArgumentNullException.ThrowIfNull(indices);
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)Rows)
                throw new ArgumentOutOfRangeException(nameof(indices), $"TakeRows: index {indices[i]} at position {i} is not a row of the {Shape} tensor (0 to {Rows - 1}).");
        var y = Result(indices.Length, Cols, this);
        for (int i = 0; i < indices.Length; i++) Row(indices[i]).CopyTo(y.Row(i));
        return Record("TakeRows", y, [this], indices, static (y, inputs, indices) =>
        {
            var x = inputs[0];
            var dx = x.GradAccumulator();
            for (int i = 0; i < indices.Length; i++)
            {
                var row = dx.Slice(indices[i] * x.Cols, x.Cols);
                TensorPrimitives.Add(row, y.GradSpan.Slice(i * y.Cols, y.Cols), row);
            }
        });
    }

    /// <summary>The column of each row's largest element (the first of equal ones; NaN counts as largest, as in PyTorch).</summary>
    /// <exception cref="InvalidOperationException">The tensor has no columns.</exception>
    public int[] ArgMax()
    {
        Check(this);
        if (Cols == 0) throw new InvalidOperationException($"ArgMax needs at least one column; the tensor is {Shape}.");
        var result = new int[Rows];
        for (int r = 0; r < Rows; r++) result[r] = TensorPrimitives.IndexOfMax<T>(Row(r));
        return result;
    }

    /// <summary>A labels.Length × classes tensor with a 1 in row i at column labels[i] and 0 elsewhere (PyTorch's <c>one_hot</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">classes is below 1, or a label is not in 0 … classes − 1.</exception>
    public static Tensor<T> OneHot(int[] labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var result = Zeros(labels.Length, classes);
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"OneHot: label {labels[i]} at position {i} is not a class of 0 to {classes - 1}.");
            result.values[i * classes + labels[i]] = T.One;
        }
        return result;
    }
}
