using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using MiniGrad.Kernels;

namespace MiniGrad.Losses;

/// <summary>
/// Cross-entropy over logits with integer class labels (PyTorch's <c>CrossEntropyLoss</c>, 'mean'): with log-probabilities
/// ℓ_bc = x_bc − ln Σ_c' e^(x_bc'), class weights w (1 by default) and label smoothing ε (0 by default), for B rows and C classes,
/// <code>
/// L = (1 − ε) · Σ_b w_y_b·(−ℓ_b,y_b) / W  +  (ε/C) · Σ_b Σ_c w_c·(−ℓ_bc) / W,   W = Σ_b w_y_b
/// </code>
/// which without weights or smoothing is the plain mean of −ln softmax(x_b)[y_b]. Log-softmax and the negative
/// log-likelihood are fused into one op.
/// </summary>
/// <remarks>
/// <para>dL/dx_bj = [(1 − ε)·w_y_b·(p_bj − [j = y_b]) + (ε/C)·(p_bj·Σ_c w_c − w_j)] / W, p = softmax(x_b), from the
/// probabilities saved in forward; without weights or smoothing, (p_bj − [j = y_b]) / B.</para>
/// <para>Stable: each row's maximum m is subtracted before exponentiating (ln Σ e^x = m + ln Σ e^(x − m)), so every exponent is
/// ≤ 0 and logits of ±1000 give finite values and gradients.</para>
/// <para>The loss for multi-class classification: put no softmax on the last layer and feed its logits here. Weights make rare
/// classes count more; smoothing keeps the model from growing certain beyond ε/C.</para>
/// </remarks>
public sealed class CrossEntropyLoss<T> : IClassificationLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]? weights;
    private readonly T smoothing;

    /// <summary>Creates a cross-entropy loss.</summary>
    /// <param name="weights">One weight per class, each ≥ 0 (PyTorch's <c>weight</c>); null for all 1.</param>
    /// <param name="labelSmoothing">ε in [0, 1] (PyTorch's <c>label_smoothing</c>); 0 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative or not finite, or ε is outside [0, 1].</exception>
    public CrossEntropyLoss(double[]? weights = null, double labelSmoothing = 0)
    {
        if (weights is not null)
            for (int c = 0; c < weights.Length; c++) Require.NonNegative(weights[c], $"weights[{c}]");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw Require.OutOfRange(nameof(labelSmoothing), labelSmoothing, "must be in [0, 1]");
        this.weights = weights?.Select(T.CreateTruncating).ToArray();
        Weights = weights?.ToArray();
        LabelSmoothing = labelSmoothing;
        smoothing = T.CreateTruncating(labelSmoothing);
    }

    /// <summary>The class weights, or null when every class weighs 1.</summary>
    public IReadOnlyList<double>? Weights { get; }

    /// <summary>ε, the label smoothing.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The loss of <paramref name="logits"/> (batch × classes) for the class indices <paramref name="labels"/> (one per row), as a 1 × 1 tensor.</summary>
    /// <exception cref="ArgumentException">The label count differs from the number of rows, a label is not a class index, the weights are not
    /// one per class, or the labels' weights sum to 0.</exception>
    public Tensor<T> Forward(Tensor<T> logits, int[] labels)
    {
        LossChecks.Labels("CrossEntropyLoss", logits, labels);
        if (weights is not null && weights.Length != logits.Cols)
            throw new ArgumentException($"CrossEntropyLoss: {weights.Length} class weights for {logits.Cols} classes ({logits.Shape} logits).", nameof(logits));
        T total = LabelWeight(labels); // W
        if (labels.Length > 0 && total == T.Zero)
            throw new ArgumentException("CrossEntropyLoss: the weights of the batch's labels sum to 0.", nameof(labels));

        var loss = Tensor<T>.Result(1, 1, logits);
        var probabilities = Tensor<T>.Saved(loss, logits.Rows, logits.Cols); // softmax(x), for backward
        T nll = T.Zero, smooth = T.Zero;
        var statistics = Tensor<T>.Rent(logits.Rows, 2); // each row's max and Σ e^(x − max); backward does not need them
        Softmax(logits.Span, probabilities.Span, logits.Cols, statistics.Span);
        for (int b = 0; b < logits.Rows; b++)
        {
            Span<T> x = logits.Row(b);
            T max = statistics.Span[2 * b], sum = statistics.Span[2 * b + 1];
            // −ℓ_bc = ln Σ e^(x − max) − (x_bc − max): the shift is taken off x first, as log-softmax does, so large logits
            // lose nothing (max + ln Σ rounded to a large number's ulp before x_bc was subtracted again).
            T logSum = T.Log(sum);
            nll += Weight(labels[b]) * (logSum - (x[labels[b]] - max));
            if (smoothing != T.Zero)
                for (int c = 0; c < x.Length; c++) smooth += Weight(c) * (logSum - (x[c] - max));
        }
        statistics.Return();
        T classes = T.CreateTruncating(Math.Max(logits.Cols, 1));
        loss.Span[0] = ((T.One - smoothing) * nll + smoothing / classes * smooth) / total;

        return Tensor<T>.Record("CrossEntropyLoss", loss, [logits], (Probabilities: probabilities, Labels: labels, Loss: this, Total: total),
            static (loss, inputs, saved) => saved.Loss.Backward(loss.GradSpan[0], inputs[0], saved.Probabilities, saved.Labels, saved.Total));
    }

    private void Backward(T upstream, Tensor<T> logits, Tensor<T> probabilities, int[] labels, T total)
    {
        var dx = logits.GradAccumulator();
        int cols = logits.Cols;
        T scale = upstream / total;
        if (weights is null && smoothing == T.Zero)
        {
            TensorPrimitives.MultiplyAdd(probabilities.Span, scale, dx, dx);
            for (int b = 0; b < labels.Length; b++) dx[b * cols + labels[b]] -= scale;
            return;
        }
        T keep = T.One - smoothing, spread = smoothing / T.CreateTruncating(cols);
        T weightSum = weights is null ? T.CreateTruncating(cols) : TensorPrimitives.Sum<T>(weights);
        for (int b = 0; b < labels.Length; b++)
        {
            var p = probabilities.Row(b);
            var row = dx.Slice(b * cols, cols);
            T labelWeight = Weight(labels[b]);
            for (int j = 0; j < cols; j++)
                row[j] += scale * (keep * labelWeight * p[j] + spread * (p[j] * weightSum - Weight(j)));
            row[labels[b]] -= scale * keep * labelWeight;
        }
    }

    /// <summary>
    /// p = softmax of each row of x (rows × cols), and each row's max m and Σ e^(x − m), interleaved, in statistics.
    /// A row of at least <see cref="NarrowRow"/> classes takes three vector passes: its max, e^(x − m) written out and
    /// summed (the <see cref="ShiftedExp{T}"/> that <c>Softmax</c> uses), then the division by the sum. Narrower rows are
    /// shifted element by element, exponentiated over the whole batch in one vector pass (a row of a few classes would
    /// leave every exponential to the scalar tail), then summed (left to right) and divided element by element.
    /// </summary>
    /// <remarks>
    /// Compiled fully optimised at its first call, on the engine's loops, which are too: training runs at speed from its
    /// first steps, where TensorPrimitives' calls ran as tier-0 code for the first thousands of them. A narrow row is done
    /// here element by element rather than by calls per row to the vector loops, which cost more than such a row's work
    /// (spirals' 3 classes: 236 → 233 µs a step).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Softmax(ReadOnlySpan<T> x, Span<T> p, int cols, Span<T> statistics)
    {
        int rows = statistics.Length / 2;
        if (cols >= NarrowRow)
        {
            for (int b = 0, start = 0; b < rows; b++, start += cols)
            {
                ReadOnlySpan<T> row = x.Slice(start, cols);
                Span<T> output = p.Slice(start, cols);
                T max = Elementwise.Max(row);
                T sum = Elementwise.MapSum(row, output, new ShiftedExp<T>(max, T.One));
                Elementwise.Map(output, output, new Divided(sum));
                (statistics[2 * b], statistics[2 * b + 1]) = (max, sum);
            }
            return;
        }

        for (int b = 0, start = 0; b < rows; b++, start += cols)
        {
            ReadOnlySpan<T> row = x.Slice(start, cols);
            T max = T.NegativeInfinity;
            foreach (T value in row) if (value > max) max = value; // NaN never wins, as in Elementwise.Max
            for (int c = 0; c < cols; c++) p[start + c] = row[c] - max;
            statistics[2 * b] = max;
        }
        Elementwise.Map(p, p, new Exponential());
        for (int b = 0, start = 0; b < rows; b++, start += cols)
        {
            Span<T> row = p.Slice(start, cols);
            T sum = T.Zero;
            foreach (T value in row) sum += value;
            for (int c = 0; c < cols; c++) row[c] /= sum;
            statistics[2 * b + 1] = sum;
        }
    }

    /// <summary>Rows narrower than this (one 512-bit vector of floats) are shifted and summed element by element (see <see cref="Softmax"/>).</summary>
    private const int NarrowRow = 16;

    /// <summary>eˣ.</summary>
    private readonly struct Exponential : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> => TLanes.Exp(x);
    }

    /// <summary>x / divisor.</summary>
    private readonly struct Divided(T divisor) : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> => x / TLanes.Create(divisor);
    }

    private T Weight(int label) => weights is null ? T.One : weights[label];

    private T LabelWeight(int[] labels)
    {
        if (weights is null) return T.CreateTruncating(labels.Length);
        T sum = T.Zero;
        foreach (int label in labels) sum += weights[label];
        return sum;
    }

    /// <summary><c>CrossEntropyLoss</c>, with its settings when they are not the defaults.</summary>
    public override string ToString() => weights is null && LabelSmoothing == 0 ? "CrossEntropyLoss"
        : string.Create(CultureInfo.InvariantCulture, $"CrossEntropyLoss(weights: {(Weights is null ? "none" : string.Join(", ", Weights))}, label smoothing: {LabelSmoothing})");
}
