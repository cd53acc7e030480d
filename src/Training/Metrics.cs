using System.Numerics;

namespace MiniGrad.Training;

/// <summary>The metrics computed once over whole arrays, for a test set after training (the same code the trainer's metrics run).</summary>
public static class Metrics
{
    /// <summary>The share of positions where <paramref name="predicted"/> equals <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">The arrays differ in length or are empty.</exception>
    public static double Accuracy(int[] predicted, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(labels);
        if (predicted.Length != labels.Length || labels.Length == 0)
            throw new ArgumentException($"Accuracy: {predicted.Length} predictions and {labels.Length} labels; give the same number, at least one.", nameof(labels));
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) correct++;
        return (double)correct / labels.Length;
    }

    /// <summary>The share of rows of <paramref name="scores"/> (batch × classes) whose arg-max is the label.</summary>
    public static double Accuracy<T>(Tensor<T> scores, int[] labels) where T : unmanaged, IFloatingPointIeee754<T> => Once(new Accuracy<T>(), scores, labels);

    /// <summary>(1/N)·Σ (ŷ − y)² over every element.</summary>
    public static double MeanSquaredError<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T> =>
        Once(new MeanSquaredError<T>(), prediction, target);

    /// <summary>(1/N)·Σ |ŷ − y| over every element.</summary>
    public static double MeanAbsoluteError<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T> =>
        Once(new MeanAbsoluteError<T>(), prediction, target);

    /// <summary>R² = 1 − Σ(y − ŷ)²/Σ(y − ȳ)² per column, averaged over the columns (see <see cref="R2Score{T}"/>).</summary>
    public static double R2<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T> => Once(new R2Score<T>(), prediction, target);

    private static double Once<T>(ClassificationMetric<T> metric, Tensor<T> scores, int[] labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        metric.Update(scores, labels);
        return metric.Value;
    }

    private static double Once<T>(RegressionMetric<T> metric, Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        metric.Update(prediction, target);
        return metric.Value;
    }
}
