using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad.Data;

/// <summary>Splits a data set into a training part and a held-out part, as scikit-learn's <c>train_test_split</c> does.</summary>
public static class Split
{
    /// <summary>
    /// A random split of a classification set: round(n·<paramref name="testFraction"/>) examples for the test part, the rest for
    /// training. When <paramref name="stratify"/>, each class is split in that proportion on its own, so both parts keep the
    /// classes' shares; the examples keep their original relative order within each part.
    /// </summary>
    /// <exception cref="ArgumentException">The counts of features and labels differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">testFraction is not strictly between 0 and 1.</exception>
    public static ((Tensor<T> Features, int[] Labels) Train, (Tensor<T> Features, int[] Labels) Test) TrainTest<T>(
        Tensor<T> features, int[] labels, double testFraction, bool stratify, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(rng);
        if (labels.Length != features.Rows)
            throw new ArgumentException($"Split: {features.Rows} examples ({features.Shape}) but {labels.Length} labels.", nameof(labels));
        var test = stratify
            ? labels.Select((label, index) => (label, index)).GroupBy(p => p.label).OrderBy(g => g.Key)
                .SelectMany(group => Pick(group.Select(p => p.index).ToArray(), testFraction, rng))
            : Pick(Enumerable.Range(0, labels.Length).ToArray(), testFraction, rng);
        var (trainRows, testRows) = Partition(features.Rows, test);
        return ((Take(features, trainRows), trainRows.Select(i => labels[i]).ToArray()), (Take(features, testRows), testRows.Select(i => labels[i]).ToArray()));
    }

    /// <summary>A random split of a regression set (features and targets, one row per example).</summary>
    /// <exception cref="ArgumentException">The row counts differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">testFraction is not strictly between 0 and 1.</exception>
    public static ((Tensor<T> Features, Tensor<T> Targets) Train, (Tensor<T> Features, Tensor<T> Targets) Test) TrainTest<T>(
        Tensor<T> features, Tensor<T> targets, double testFraction, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(rng);
        if (targets.Rows != features.Rows)
            throw new ArgumentException($"Split: {features.Rows} examples ({features.Shape}) but {targets.Rows} rows of targets ({targets.Shape}).", nameof(targets));
        var (trainRows, testRows) = Partition(features.Rows, Pick(Enumerable.Range(0, features.Rows).ToArray(), testFraction, rng));
        return ((Take(features, trainRows), Take(targets, trainRows)), (Take(features, testRows), Take(targets, testRows)));
    }

    /// <summary>round(count·fraction) of <paramref name="indices"/>, drawn at random.</summary>
    private static IEnumerable<int> Pick(int[] indices, double fraction, Random rng)
    {
        if (!(fraction > 0 && fraction < 1)) throw Require.OutOfRange("testFraction", fraction, "must be strictly between 0 and 1");
        rng.Shuffle(indices);
        return indices.Take((int)Math.Round(indices.Length * fraction, MidpointRounding.AwayFromZero));
    }

    private static (int[] Train, int[] Test) Partition(int count, IEnumerable<int> test)
    {
        var isTest = new bool[count];
        foreach (int index in test) isTest[index] = true;
        return (Enumerable.Range(0, count).Where(i => !isTest[i]).ToArray(), Enumerable.Range(0, count).Where(i => isTest[i]).ToArray());
    }

    private static Tensor<T> Take<T>(Tensor<T> source, int[] rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = Tensor<T>.Zeros(rows.Length, source.Cols);
        for (int i = 0; i < rows.Length; i++) source.Row(rows[i]).CopyTo(result.Row(i));
        return result;
    }
}
