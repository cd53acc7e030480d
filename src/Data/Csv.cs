using System.Globalization;
using System.Numerics;
using System.Text;

namespace MiniGrad.Data;

/// <summary>A classification data set read from CSV: the features, and each row's class as an index into <see cref="Classes"/>.</summary>
/// <param name="Features">rows × features.</param>
/// <param name="FeatureNames">The features' column names, in order.</param>
/// <param name="Labels">Each row's class index.</param>
/// <param name="Classes">The class names: the label column's values, in order of their index.</param>
public sealed record CsvClassification<T>(Tensor<T> Features, string[] FeatureNames, int[] Labels, string[] Classes) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>A regression data set read from CSV: the features and each row's numeric target (rows × 1).</summary>
/// <param name="Features">rows × features.</param>
/// <param name="FeatureNames">The features' column names, in order.</param>
/// <param name="Targets">rows × 1.</param>
/// <param name="TargetName">The target column's name.</param>
public sealed record CsvRegression<T>(Tensor<T> Features, string[] FeatureNames, Tensor<T> Targets, string TargetName) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Reads comma-separated data with a header row: every column but one is a numeric feature, the other is the label (a
/// class, for classification) or the target (a number, for regression), chosen by name or by index.
/// </summary>
/// <remarks>
/// <para>Numbers are read in the invariant culture (a point for decimals), surrounding spaces ignored. A field may be quoted
/// ("a, b"), with "" for a quote inside it; blank lines are skipped. A class column of whole numbers ≥ 0 is read as class
/// indices (classes "0", "1", …, up to the largest); any other class column is read as names, numbered in ordinal
/// order of the names.</para>
/// <para>A bad cell is a <see cref="FormatException"/> naming the line, the column and the text found; a row with the wrong
/// number of fields, too.</para>
/// </remarks>
public static class Csv
{
    /// <summary>Reads the file at <paramref name="path"/> for classification, the classes in the column named <paramref name="label"/>.</summary>
    public static CsvClassification<T> ReadClassification<T>(string path, string label) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var reader = File.OpenText(path);
        return ReadClassification<T>(reader, label);
    }

    /// <summary>Reads CSV text for classification, the classes in the column named <paramref name="label"/>.</summary>
    /// <exception cref="ArgumentException">No column has that name (the message lists them).</exception>
    /// <exception cref="FormatException">A cell or row is malformed (the message names the line and column).</exception>
    public static CsvClassification<T> ReadClassification<T>(TextReader reader, string label) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var table = Table.Read(reader);
        return Classification<T>(table, table.Column(label));
    }

    /// <summary>Reads CSV text for classification, the classes in column <paramref name="labelColumn"/> (from 0).</summary>
    public static CsvClassification<T> ReadClassification<T>(TextReader reader, int labelColumn) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var table = Table.Read(reader);
        return Classification<T>(table, table.Column(labelColumn));
    }

    /// <summary>Reads the file at <paramref name="path"/> for regression, the target in the column named <paramref name="target"/>.</summary>
    public static CsvRegression<T> ReadRegression<T>(string path, string target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var reader = File.OpenText(path);
        return ReadRegression<T>(reader, target);
    }

    /// <summary>Reads CSV text for regression, the target in the column named <paramref name="target"/>.</summary>
    public static CsvRegression<T> ReadRegression<T>(TextReader reader, string target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var table = Table.Read(reader);
        return Regression<T>(table, table.Column(target));
    }

    /// <summary>Reads CSV text for regression, the target in column <paramref name="targetColumn"/> (from 0).</summary>
    public static CsvRegression<T> ReadRegression<T>(TextReader reader, int targetColumn) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var table = Table.Read(reader);
        return Regression<T>(table, table.Column(targetColumn));
    }

    private static CsvClassification<T> Classification<T>(Table table, int label) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = table.Rows.Select(row => row.Fields[label]).ToArray();
        string[] classes;
        int[] labels;
        if (values.All(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            labels = values.Select(v => int.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
            classes = Enumerable.Range(0, labels.Length == 0 ? 0 : labels.Max() + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        else
        {
            classes = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            labels = values.Select(v => Array.BinarySearch(classes, v, StringComparer.Ordinal)).ToArray();
        }
        return new CsvClassification<T>(table.Features<T>(label), table.FeatureNames(label), labels, classes);
    }

    private static CsvRegression<T> Regression<T>(Table table, int target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var targets = Tensor<T>.Zeros(table.Rows.Count, 1);
        for (int r = 0; r < table.Rows.Count; r++) targets[r, 0] = table.Number<T>(r, target);
        return new CsvRegression<T>(table.Features<T>(target), table.FeatureNames(target), targets, table.Header[target]);
    }

    /// <summary>The header and the rows of a CSV text, each row with its line number, every row as long as the header.</summary>
    private sealed class Table
    {
        internal string[] Header { get; private init; } = [];
        internal List<(int Line, string[] Fields)> Rows { get; } = [];

        internal static Table Read(TextReader reader)
        {
            ArgumentNullException.ThrowIfNull(reader);
            Table? table = null;
            int number = 0;
            for (string? line; (line = reader.ReadLine()) is not null;)
            {
                number++;
                if (line.Trim().Length == 0) continue;
                var fields = Fields(line, number);
                if (table is null)
                {
                    table = new Table { Header = fields };
                    continue;
                }
                if (fields.Length != table.Header.Length)
                    throw new FormatException($"CSV line {number}: {fields.Length} fields, but the header has {table.Header.Length}.");
                table.Rows.Add((number, fields));
            }
            return table ?? throw new FormatException("CSV: the text is empty; it needs a header row.");
        }

        internal int Column(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            int index = Array.IndexOf(Header, name);
            return index >= 0 ? index
                : throw new ArgumentException($"CSV: no column is named '{name}'. The columns are {string.Join(", ", Header.Select(h => $"'{h}'"))}.", nameof(name));
        }

        internal int Column(int index) => (uint)index < (uint)Header.Length ? index
            : throw new ArgumentOutOfRangeException(nameof(index), $"CSV: column {index} does not exist; the header has {Header.Length} columns (0 to {Header.Length - 1}).");

        internal string[] FeatureNames(int skip) => Header.Where((_, c) => c != skip).ToArray();

        internal Tensor<T> Features<T>(int skip) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var features = Tensor<T>.Zeros(Rows.Count, Header.Length - 1);
            for (int r = 0; r < Rows.Count; r++)
                for (int c = 0, f = 0; c < Header.Length; c++)
                    if (c != skip) features[r, f++] = Number<T>(r, c);
            return features;
        }

        internal T Number<T>(int row, int column) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (line, fields) = Rows[row];
            string text = fields[column];
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                ? T.CreateTruncating(value)
                : throw new FormatException($"CSV line {line}, column {column + 1} ('{Header[column]}'): '{text}' is not a number.");
        }

        /// <summary>The fields of one line, quotes removed and spaces around unquoted fields trimmed.</summary>
        private static string[] Fields(string line, int number)
        {
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, wasQuoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char ch = line[i];
                if (quoted)
                {
                    if (ch != '"') field.Append(ch);
                    else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else if (ch == '"' && field.ToString().Trim().Length == 0) { quoted = wasQuoted = true; field.Clear(); }
                else if (ch == ',') { fields.Add(wasQuoted ? field.ToString() : field.ToString().Trim()); field.Clear(); wasQuoted = false; }
                else field.Append(ch);
            }
            if (quoted) throw new FormatException($"CSV line {number}: a quoted field is not closed.");
            fields.Add(wasQuoted ? field.ToString() : field.ToString().Trim());
            return [.. fields];
        }
    }
}
