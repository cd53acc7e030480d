using System.Globalization;
using System.Text;

namespace MiniGrad.Training;

/// <summary>
/// Counts of (true class, predicted class) pairs: row = the true class, column = the predicted one (scikit-learn's
/// <c>confusion_matrix</c> layout), with the scores read from it.
/// </summary>
/// <remarks>
/// For class c with TP = this[c, c], FP = the rest of column c and FN = the rest of row c:
/// precision = TP/(TP + FP), recall = TP/(TP + FN), F1 = 2·precision·recall/(precision + recall), each 0 when its
/// denominator is 0 (scikit-learn's <c>zero_division=0</c>). The macro scores are the plain means over all classes, so a
/// rare class counts as much as a common one; macro F1 is the mean of the per-class F1 scores.
/// </remarks>
public sealed class ConfusionMatrix
{
    private readonly long[] counts;

    /// <summary>An empty matrix for <paramref name="classes"/> classes, optionally with names to print.</summary>
    /// <exception cref="ArgumentOutOfRangeException">classes is below 1.</exception>
    /// <exception cref="ArgumentException">The number of names is not the number of classes.</exception>
    public ConfusionMatrix(int classes, IReadOnlyList<string>? classNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (classNames is not null && classNames.Count != classes)
            throw new ArgumentException($"ConfusionMatrix: {classes} classes but {classNames.Count} class names.", nameof(classNames));
        Classes = classes;
        ClassNames = classNames ?? Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        counts = new long[classes * classes];
    }

    /// <summary>The matrix of <paramref name="predicted"/> classes against the true <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class is not in 0 … classes − 1.</exception>
    public static ConfusionMatrix Of(int[] predicted, int[] labels, int classes, IReadOnlyList<string>? classNames = null)
    {
        var matrix = new ConfusionMatrix(classes, classNames);
        matrix.Add(predicted, labels);
        return matrix;
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>The names printed by <see cref="ToString"/> (the class indices unless given).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>How many examples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => counts[Index(actual, nameof(actual)) * Classes + Index(predicted, nameof(predicted))];

    /// <summary>The number of examples counted.</summary>
    public long Total { get; private set; }

    /// <summary>Counts one example.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class is not in 0 … classes − 1.</exception>
    public void Add(int actual, int predicted)
    {
        counts[Index(actual, nameof(actual)) * Classes + Index(predicted, nameof(predicted))]++;
        Total++;
    }

    /// <summary>Counts each pair (labels[i], predicted[i]); checks them all first, so a bad class leaves the matrix as it was.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class is not in 0 … classes − 1.</exception>
    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> labels)
    {
        if (predicted.Length != labels.Length)
            throw new ArgumentException($"ConfusionMatrix: {predicted.Length} predictions but {labels.Length} labels.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
        {
            Index(labels[i], nameof(labels));
            Index(predicted[i], nameof(predicted));
        }
        for (int i = 0; i < labels.Length; i++) counts[labels[i] * Classes + predicted[i]]++;
        Total += labels.Length;
    }

    /// <summary>Sets every count to zero.</summary>
    public void Reset()
    {
        Array.Clear(counts);
        Total = 0;
    }

    /// <summary>The share of examples on the diagonal (0 when empty).</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < Classes; c++) correct += counts[c * Classes + c];
            return Ratio(correct, Total);
        }
    }

    /// <summary>TP/(TP + FP) of class <paramref name="c"/>: of the examples predicted as c, the share that are c.</summary>
    public double Precision(int c) => Ratio(this[c, c], ColumnSum(c));

    /// <summary>TP/(TP + FN) of class <paramref name="c"/>: of the examples of class c, the share predicted as c.</summary>
    public double Recall(int c) => Ratio(this[c, c], RowSum(c));

    /// <summary>2·P·R/(P + R) of class <paramref name="c"/> (0 when P + R = 0).</summary>
    public double F1(int c)
    {
        double precision = Precision(c), recall = Recall(c);
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    /// <summary>The number of examples whose true class is <paramref name="c"/>.</summary>
    public long Support(int c) => RowSum(c);

    /// <summary>The mean precision over the classes.</summary>
    public double MacroPrecision => Mean(Precision);

    /// <summary>The mean recall over the classes.</summary>
    public double MacroRecall => Mean(Recall);

    /// <summary>The mean F1 over the classes.</summary>
    public double MacroF1 => Mean(F1);

    /// <summary>
    /// The matrix as a table (true classes down, predicted across) followed by precision, recall, F1 and support per
    /// class and their macro means, in the invariant culture.
    /// </summary>
    public override string ToString()
    {
        int width = Math.Max(Math.Max(ClassNames.Max(n => n.Length), Total.ToString(CultureInfo.InvariantCulture).Length), 4) + 1;
        int label = Math.Max(ClassNames.Max(n => n.Length), "true \\ predicted".Length) + 1;
        var text = new StringBuilder();
        text.Append("true \\ predicted".PadRight(label));
        foreach (var name in ClassNames) text.Append(name.PadLeft(width));
        text.AppendLine();
        for (int actual = 0; actual < Classes; actual++)
        {
            text.Append(ClassNames[actual].PadRight(label));
            for (int predicted = 0; predicted < Classes; predicted++)
                text.Append(counts[actual * Classes + predicted].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            text.AppendLine();
        }
        text.AppendLine();
        text.Append("class".PadRight(label)).AppendLine(" precision    recall        F1   support");
        for (int c = 0; c < Classes; c++)
            text.Append(ClassNames[c].PadRight(label))
                .AppendLine(string.Create(CultureInfo.InvariantCulture, $"{Precision(c),10:F4}{Recall(c),10:F4}{F1(c),10:F4}{Support(c),10}"));
        text.Append("macro".PadRight(label))
            .AppendLine(string.Create(CultureInfo.InvariantCulture, $"{MacroPrecision,10:F4}{MacroRecall,10:F4}{MacroF1,10:F4}{Total,10}"));
        text.Append(string.Create(CultureInfo.InvariantCulture, $"accuracy {Accuracy:F4} ({Total} examples)"));
        return text.ToString();
    }

    private long RowSum(int c)
    {
        Index(c, nameof(c));
        long sum = 0;
        for (int p = 0; p < Classes; p++) sum += counts[c * Classes + p];
        return sum;
    }

    private long ColumnSum(int c)
    {
        Index(c, nameof(c));
        long sum = 0;
        for (int a = 0; a < Classes; a++) sum += counts[a * Classes + c];
        return sum;
    }

    private double Mean(Func<int, double> score)
    {
        double sum = 0;
        for (int c = 0; c < Classes; c++) sum += score(c);
        return sum / Classes;
    }

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private int Index(int c, string name) =>
        (uint)c < (uint)Classes ? c : throw new ArgumentOutOfRangeException(name, c, $"Class {c} is not one of the matrix's classes 0 to {Classes - 1}.");
}
