using System.Numerics;
using System.Numerics.Tensors;

namespace MiniGrad.Losses;

/// <summary>
/// Cross-entropy over logits with integer class labels: L = (1/B) Σ_b [ln Σ_c e^(x_bc) − x_b,y_b], the mean over the
/// B rows of −ln softmax(x_b)[y_b] (PyTorch's <c>CrossEntropyLoss</c>, 'mean'). Log-softmax and the negative
/// log-likelihood are fused into one op.
/// </summary>
/// <remarks>
/// <para>dL/dx_bc = (softmax(x_b)_c − [c = y_b]) / B, from the probabilities saved in forward.</para>
/// <para>Stable: each row's maximum m is subtracted before exponentiating (ln Σ e^x = m + ln Σ e^(x − m)), so
/// every exponent is ≤ 0 and logits of ±1000 give finite values and gradients.</para>
/// <para>The loss for multi-class classification: put no softmax on the last layer and feed its logits here.</para>
/// </remarks>
public sealed class CrossEntropyLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The loss of <paramref name="logits"/> (batch × classes) for the class indices <paramref name="labels"/> (one per row), as a 1 × 1 tensor.</summary>
    /// <exception cref="ArgumentException">The label count differs from the number of rows, or a label is not a class index.</exception>
    public Tensor<T> Forward(Tensor<T> logits, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        logits.ThrowIfReleased();
        if (labels.Length != logits.Rows)
            throw new ArgumentException($"CrossEntropyLoss: {labels.Length} labels for {logits.Rows} rows of logits ({logits.Shape}); give one label per row.", nameof(labels));
        for (int b = 0; b < labels.Length; b++)
            if ((uint)labels[b] >= (uint)logits.Cols)
                throw new ArgumentException($"CrossEntropyLoss: label {labels[b]} at row {b} is out of range; classes are 0 to {logits.Cols - 1} ({logits.Shape} logits).", nameof(labels));

        var loss = Tensor<T>.Result(1, 1, logits);
        var probabilities = Tensor<T>.Saved(loss, logits.Rows, logits.Cols); // softmax(x), for backward
        T sum = T.Zero;
        for (int b = 0; b < logits.Rows; b++)
        {
            Span<T> x = logits.Row(b), p = probabilities.Row(b);
            T max = TensorPrimitives.Max<T>(x);
            TensorPrimitives.Subtract(x, max, p);
            TensorPrimitives.Exp(p, p);
            T total = TensorPrimitives.Sum<T>(p);
            TensorPrimitives.Divide(p, total, p);
            sum += max + T.Log(total) - x[labels[b]];
        }
        loss.Span[0] = sum / T.CreateTruncating(logits.Rows);

        return Tensor<T>.Record("CrossEntropyLoss", loss, [logits], (Probabilities: probabilities, Labels: labels), static (loss, inputs, saved) =>
        {
            var logits = inputs[0];
            T scale = loss.GradSpan[0] / T.CreateTruncating(logits.Rows);
            var dx = logits.GradAccumulator();
            TensorPrimitives.MultiplyAdd(saved.Probabilities.Span, scale, dx, dx);
            for (int b = 0; b < saved.Labels.Length; b++) dx[b * logits.Cols + saved.Labels[b]] -= scale;
        });
    }
}
