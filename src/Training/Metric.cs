using System.Numerics;
using MiniGrad.Data;
using MiniGrad.Losses;

namespace MiniGrad.Training;

/// <summary>
/// A measure of a model's outputs accumulated over the batches of an epoch, as Keras' metrics and torchmetrics work:
/// <see cref="Reset"/>, <see cref="Update"/> with each batch, then read <see cref="Value"/>, which is the measure over
/// every example seen (not a mean of per-batch values). A <see cref="Trainer{T}"/> reports each under its <see cref="Name"/>.
/// </summary>
public abstract class Metric<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The short name the trainer reports it under (<c>accuracy</c>, <c>mse</c>, …; <c>val_</c> prefixed for validation).</summary>
    public abstract string Name { get; }

    /// <summary>Whether a larger value is better (accuracy) rather than a smaller one (an error); early stopping reads it.</summary>
    public abstract bool HigherIsBetter { get; }

    /// <summary>The measure over every example since the last <see cref="Reset"/>; NaN before the first.</summary>
    public abstract double Value { get; }

    /// <summary>Forgets every example seen.</summary>
    public abstract void Reset();

    /// <summary>Adds a batch: the model's <paramref name="output"/> for <paramref name="batch"/>'s features.</summary>
    /// <exception cref="ArgumentException">The batch lacks what the metric measures against (labels or targets), or its shape does not fit the output.</exception>
    public abstract void Update(Tensor<T> output, Batch<T> batch);

    /// <summary>The metric's name.</summary>
    public override string ToString() => Name;
}

/// <summary>A metric of class scores (logits or probabilities, one column per class) against class labels.</summary>
public abstract class ClassificationMetric<T> : Metric<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public sealed override bool HigherIsBetter => true;

    /// <inheritdoc/>
    public sealed override void Update(Tensor<T> output, Batch<T> batch)
    {
        if (batch.Targets is not null)
            throw new ArgumentException($"{Name} measures class labels, but the batch holds regression targets ({batch.Targets.Shape}).", nameof(batch));
        Update(output, batch.Labels);
    }

    /// <summary>Adds a batch of <paramref name="scores"/> (batch × classes) whose true classes are <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">The number of labels is not the number of rows, or a label is not a column of the scores.</exception>
    public void Update(Tensor<T> scores, int[] labels)
    {
        LossChecks.Labels(Name, scores, labels);
        for (int row = 0; row < labels.Length; row++) Add(labels[row], System.Numerics.Tensors.TensorPrimitives.IndexOfMax<T>(scores.Row(row)), scores.Cols);
    }

    /// <summary>Counts one example of class <paramref name="actual"/> predicted (by arg-max) as <paramref name="predicted"/>.</summary>
    private protected abstract void Add(int actual, int predicted, int classes);
}

/// <summary>The share of examples whose arg-max class is the label: (1/N)·Σ [argmax ŷᵢ = yᵢ].</summary>
public sealed class Accuracy<T> : ClassificationMetric<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private long correct, total;

    /// <inheritdoc/>
    public override string Name => "accuracy";

    /// <inheritdoc/>
    public override double Value => total == 0 ? double.NaN : (double)correct / total;

    /// <inheritdoc/>
    public override void Reset() => (correct, total) = (0, 0);

    private protected override void Add(int actual, int predicted, int classes)
    {
        if (actual == predicted) correct++;
        total++;
    }
}

/// <summary>The mean over classes of each class's F1 = 2·P·R/(P + R) (see <see cref="ConfusionMatrix.MacroF1"/>).</summary>
public sealed class MacroF1<T> : ClassificationMetric<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private ConfusionMatrix? matrix;

    /// <inheritdoc/>
    public override string Name => "macro_f1";

    /// <inheritdoc/>
    public override double Value => matrix is null || matrix.Total == 0 ? double.NaN : matrix.MacroF1;

    /// <inheritdoc/>
    public override void Reset() => matrix?.Reset();

    private protected override void Add(int actual, int predicted, int classes)
    {
        if (matrix is null || matrix.Classes != classes)
        {
            if (matrix is not null && matrix.Total > 0)
                throw new ArgumentException($"{Name}: a batch has {classes} classes where earlier ones had {matrix.Classes}.");
            matrix = new ConfusionMatrix(classes);
        }
        matrix.Add(actual, predicted);
    }
}

/// <summary>A metric of predictions against regression targets of the same shape.</summary>
public abstract class RegressionMetric<T> : Metric<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public sealed override void Update(Tensor<T> output, Batch<T> batch) =>
        Update(output, batch.Targets ?? throw new ArgumentException($"{Name} measures regression targets, but the batch holds class labels.", nameof(batch)));

    /// <summary>Adds a batch of <paramref name="prediction"/>s against <paramref name="target"/>s of the same shape.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Update(Tensor<T> prediction, Tensor<T> target)
    {
        LossChecks.SameShape(Name, prediction, target);
        for (int row = 0; row < target.Rows; row++)
        {
            var predicted = prediction.Row(row);
            var actual = target.Row(row);
            for (int col = 0; col < target.Cols; col++) Add(col, double.CreateTruncating(predicted[col]), double.CreateTruncating(actual[col]), target.Cols);
        }
    }

    /// <summary>Counts one element: column <paramref name="col"/> of <paramref name="cols"/>.</summary>
    private protected abstract void Add(int col, double predicted, double actual, int cols);
}

/// <summary>The mean squared error over every element: (1/N)·Σ (ŷ − y)² (the value <see cref="MSELoss{T}"/> computes).</summary>
public sealed class MeanSquaredError<T> : RegressionMetric<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private RunningMean mean;

    /// <inheritdoc/>
    public override string Name => "mse";

    /// <inheritdoc/>
    public override bool HigherIsBetter => false;

    /// <inheritdoc/>
    public override double Value => mean.Value;

    /// <inheritdoc/>
    public override void Reset() => mean = default;

    private protected override void Add(int col, double predicted, double actual, int cols) => mean.Add((predicted - actual) * (predicted - actual));
}

/// <summary>The mean absolute error over every element: (1/N)·Σ |ŷ − y|.</summary>
public sealed class MeanAbsoluteError<T> : RegressionMetric<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private RunningMean mean;

    /// <inheritdoc/>
    public override string Name => "mae";

    /// <inheritdoc/>
    public override bool HigherIsBetter => false;

    /// <inheritdoc/>
    public override double Value => mean.Value;

    /// <inheritdoc/>
    public override void Reset() => mean = default;

    private protected override void Add(int col, double predicted, double actual, int cols) => mean.Add(Math.Abs(predicted - actual));
}

/// <summary>A sum and a count: the mean of the values added, NaN before the first.</summary>
internal struct RunningMean
{
    private double sum;
    private long count;

    public readonly double Value => count == 0 ? double.NaN : sum / count;

    public void Add(double value)
    {
        sum += value;
        count++;
    }
}

/// <summary>
/// The coefficient of determination R² = 1 − Σ(y − ŷ)²/Σ(y − ȳ)², per target column and averaged over the columns
/// (scikit-learn's <c>r2_score</c> with <c>multioutput='uniform_average'</c>): 1 for a perfect fit, 0 for predicting the
/// mean, negative for worse. A column whose targets are all equal scores 1 when predicted exactly and 0 otherwise.
/// </summary>
/// <remarks>Σ(y − ȳ)² is accumulated one example at a time with Welford's update of the mean, which stays accurate when ȳ is large.</remarks>
public sealed class R2Score<T> : RegressionMetric<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private long count; // examples
    private double[] mean = [], spread = [], residual = []; // per column: ȳ, Σ(y − ȳ)², Σ(y − ŷ)²

    /// <inheritdoc/>
    public override string Name => "r2";

    /// <inheritdoc/>
    public override bool HigherIsBetter => true;

    /// <inheritdoc/>
    public override double Value
    {
        get
        {
            if (count == 0) return double.NaN;
            double sum = 0;
            for (int col = 0; col < mean.Length; col++)
                sum += spread[col] > 0 ? 1 - residual[col] / spread[col] : residual[col] == 0 ? 1 : 0;
            return sum / mean.Length;
        }
    }

    /// <inheritdoc/>
    public override void Reset()
    {
        count = 0;
        Array.Clear(mean);
        Array.Clear(spread);
        Array.Clear(residual);
    }

    private protected override void Add(int col, double predicted, double actual, int cols)
    {
        if (mean.Length != cols)
        {
            if (count > 0) throw new ArgumentException($"{Name}: a batch has {cols} target columns where earlier ones had {mean.Length}.");
            (mean, spread, residual) = (new double[cols], new double[cols], new double[cols]);
        }
        if (col == 0) count++;
        double delta = actual - mean[col];
        mean[col] += delta / count;
        spread[col] += delta * (actual - mean[col]);
        residual[col] += (actual - predicted) * (actual - predicted);
    }
}
