using System.Numerics;
using MiniGrad.Activations;
using MiniGrad.Diagnostics;
using ScottPlot;

namespace MiniGrad.Plotting;

/// <summary>A named line of a chart: y against x, solid or dashed.</summary>
/// <param name="Name">The legend entry.</param>
/// <param name="X">The x values.</param>
/// <param name="Y">The y values, as many as <paramref name="X"/>; non-finite ones are left out.</param>
/// <param name="Dashed">Draw it dashed (a derivative, a second measure of the same thing).</param>
/// <param name="Colour">An index into the chart palette, so related lines (one activation before and after training) share a
/// colour; null takes the next colour in turn.</param>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false, int? Colour = null);

/// <summary>
/// The pictures MiniGrad's samples draw, as PNG files: an activation with its derivative, a decision boundary,
/// training curves, and the gradient-flow diagnostics over depth and over training. All text is set in DejaVu Sans.
/// </summary>
/// <remarks>Each method writes one PNG of width × height pixels (720 × 480 unless given), creating its folder if needed.</remarks>
public static class Plots
{
    /// <summary>The font of every label: DejaVu Sans, which has the Greek letters and primes the labels use.</summary>
    public const string FontName = "DejaVu Sans";

    /// <summary>Default picture size in pixels.</summary>
    public const int Width = 720, Height = 480;

    /// <summary>
    /// f and f' of an element-wise activation over [<paramref name="from"/>, <paramref name="to"/>], from its reference
    /// <see cref="ElementwiseActivation{T}.Apply"/> and <see cref="ElementwiseActivation{T}.Derivative"/>: f solid, f' dashed.
    /// </summary>
    public static void Activation(string path, ElementwiseActivation<double> activation, string title,
        double from = -5, double to = 5, int points = 401, int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        if (!(from < to)) throw new ArgumentOutOfRangeException(nameof(to), string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Activation plot: the range [{from}, {to}] is empty."));
        var x = Enumerable.Range(0, points).Select(i => from + (to - from) * i / (points - 1)).ToArray();
        Lines(path, title, "x", "", [
            new Series("f(x)", x, x.Select(activation.Apply).ToArray()),
            new Series("f'(x)", x, x.Select(activation.Derivative).ToArray(), Dashed: true),
        ], width: width, height: height, zeroLines: true);
    }

    /// <summary>A line chart of <paramref name="series"/>, with a log-scale y axis when <paramref name="logY"/> (non-positive values are left out).</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        bool logY = false, int width = Width, int height = Height, bool zeroLines = false, (double Low, double High)? yRange = null,
        Alignment legend = Alignment.UpperRight)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = NewPlot(title, xLabel, yLabel);
        if (zeroLines)
        {
            plot.Add.HorizontalLine(0, 1, Colors.Gray.WithAlpha(0.6));
            plot.Add.VerticalLine(0, 1, Colors.Gray.WithAlpha(0.6));
        }
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var line in series)
        {
            if (line.X.Count != line.Y.Count)
                throw new ArgumentException($"Series '{line.Name}' has {line.X.Count} x values and {line.Y.Count} y values.", nameof(series));
            var (xs, ys) = Finite(line, logY);
            if (xs.Length == 0) continue;
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = line.Name; // an empty name keeps the line out of the legend
            scatter.LineWidth = 2;
            scatter.MarkerSize = xs.Length <= 20 ? 6 : 0;
            if (line.Dashed) scatter.LinePattern = LinePattern.Dashed;
            if (line.Colour is int colour) scatter.Color = palette.GetColor(colour);
        }
        if (logY) LogAxis(plot.Axes.Left);
        if (series.All(line => line.X.All(x => x == Math.Round(x))))
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (yRange is { } range) plot.Axes.SetLimitsY(logY ? Math.Log10(range.Low) : range.Low, logY ? Math.Log10(range.High) : range.High);
        if (series.Count(line => line.Name.Length > 0) > 6) plot.ShowLegend(Edge.Right); // many lines: the legend beside the chart, not over it
        else plot.ShowLegend(legend);
        Save(plot, path, width, height);
    }

    /// <summary>
    /// A classifier's decision regions with the data on top, as TensorFlow Playground draws them: each grid cell is
    /// coloured by its predicted class, paler where the classifier is less sure; each point by its true class.
    /// </summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="title">The chart's title.</param>
    /// <param name="points">The data, n × 2.</param>
    /// <param name="labels">Each point's class, 0 … classes − 1.</param>
    /// <param name="probabilities">Maps a batch of m × 2 points to their m × classes class probabilities (rows summing to 1),
    /// e.g. <c>grid => softmax.Forward(model.Forward(grid))</c>.</param>
    /// <param name="resolution">Grid cells along each axis.</param>
    /// <param name="width">Picture width in pixels.</param>
    /// <param name="height">Picture height in pixels.</param>
    public static void DecisionBoundary<T>(string path, string title, Tensor<T> points, int[] labels,
        Func<Tensor<T>, Tensor<T>> probabilities, int resolution = 200, int width = 640, int height = 640)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(probabilities);
        int n = points.Rows;
        if (points.Cols != 2) throw new ArgumentException($"Decision boundary: points must be n x 2, got {points.Shape}.", nameof(points));
        if (labels.Length != n) throw new ArgumentException($"Decision boundary: {n} points but {labels.Length} labels.", nameof(labels));
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 2);

        double X(int i) => double.CreateTruncating(points[i, 0]);
        double Y(int i) => double.CreateTruncating(points[i, 1]);
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int i = 0; i < n; i++)
        {
            xMin = Math.Min(xMin, X(i)); xMax = Math.Max(xMax, X(i));
            yMin = Math.Min(yMin, Y(i)); yMax = Math.Max(yMax, Y(i));
        }
        double padX = 0.1 * Math.Max(xMax - xMin, 1e-9), padY = 0.1 * Math.Max(yMax - yMin, 1e-9);
        (xMin, xMax, yMin, yMax) = (xMin - padX, xMax + padX, yMin - padY, yMax + padY);

        // One batch of every cell centre, row 0 at the top (largest y) as the heat map draws it.
        var grid = Tensor<T>.Zeros(resolution * resolution, 2);
        for (int r = 0; r < resolution; r++)
            for (int c = 0; c < resolution; c++)
            {
                grid[r * resolution + c, 0] = T.CreateTruncating(xMin + (xMax - xMin) * (c + 0.5) / resolution);
                grid[r * resolution + c, 1] = T.CreateTruncating(yMax - (yMax - yMin) * (r + 0.5) / resolution);
            }
        var p = probabilities(grid);
        int classes = Math.Max(p.Cols, labels.Length == 0 ? 1 : labels.Max() + 1);
        if (p.Rows != grid.Rows)
            throw new ArgumentException($"Decision boundary: the classifier returned {p.Rows} rows for {grid.Rows} points.", nameof(probabilities));

        // A cell's value is its class plus its confidence in [0, 1), so one colour map draws both.
        var cells = new double[resolution, resolution];
        for (int r = 0; r < resolution; r++)
            for (int c = 0; c < resolution; c++)
            {
                int row = r * resolution + c, best = 0;
                for (int k = 1; k < p.Cols; k++) if (p[row, k] > p[row, best]) best = k;
                double chance = 1.0 / p.Cols;
                double confidence = p.Cols == 1 ? 1 : (double.CreateTruncating(p[row, best]) - chance) / (1 - chance);
                cells[r, c] = best + Math.Clamp(confidence, 0, 0.999);
            }

        var plot = NewPlot(title, "x₁", "x₂");
        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new ClassColormap(classes);
        heatmap.ManualRange = new ScottPlot.Range(0, classes);
        heatmap.Extent = new CoordinateRect(xMin, xMax, yMin, yMax);
        for (int k = 0; k < classes; k++)
        {
            var members = Enumerable.Range(0, n).Where(i => labels[i] == k).ToArray();
            var scatter = plot.Add.ScatterPoints(members.Select(X).ToArray(), members.Select(Y).ToArray());
            scatter.Color = ClassColormap.Palette[k % ClassColormap.Palette.Length];
            scatter.MarkerSize = 7;
            scatter.MarkerLineColor = Colors.White;
            scatter.MarkerLineWidth = 1;
            scatter.LegendText = $"class {k}";
        }
        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        plot.Axes.SquareUnits();
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, width, height);
    }

    /// <summary>Loss (left axis) and, when given, accuracy (right axis, 0–100%) per epoch.</summary>
    public static void Training(string path, string title, IReadOnlyList<double> loss, IReadOnlyList<double>? accuracy = null,
        int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (accuracy is not null && accuracy.Count != loss.Count)
            throw new ArgumentException($"Training plot: {loss.Count} losses but {accuracy.Count} accuracies.", nameof(accuracy));
        var plot = NewPlot(title, "epoch", "loss");
        var epochs = Enumerable.Range(1, loss.Count).Select(e => (double)e).ToArray();
        var lossLine = plot.Add.Scatter(epochs, loss.ToArray());
        lossLine.LegendText = "loss";
        lossLine.LineWidth = 2;
        lossLine.MarkerSize = 0;
        if (accuracy is not null)
        {
            var accuracyLine = plot.Add.Scatter(epochs, accuracy.Select(a => 100 * a).ToArray());
            accuracyLine.Axes.YAxis = plot.Axes.Right;
            accuracyLine.LegendText = "accuracy (%)";
            accuracyLine.LineWidth = 2;
            accuracyLine.MarkerSize = 0;
            accuracyLine.LinePattern = LinePattern.Dashed;
            plot.Axes.Right.Label.Text = "accuracy (%)";
            plot.Axes.Right.Label.FontName = FontName;
            plot.Axes.SetLimitsY(0, 100, plot.Axes.Right);
        }
        plot.ShowLegend(Alignment.MiddleRight);
        Save(plot, path, width, height);
    }

    /// <summary>
    /// Per-layer gradient norms ‖∂L/∂z‖ over training, on a log scale: one line per layer, from a
    /// <see cref="GradientFlowMonitor{T}"/>'s reports taken step by step (x is the report's index).
    /// </summary>
    public static void GradientNorms(string path, string title, IReadOnlyList<GradientFlowReport> history, int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(history);
        Lines(path, title, "step (report)", "‖∂L/∂z‖ (log scale)", [.. PerLayer(history, layer => layer.GradientNorm, dashed: false)], logY: true, width: width, height: height);
    }

    /// <summary>
    /// The dead (solid) and saturated (dashed) fractions of each layer's units over training, from a
    /// <see cref="GradientFlowMonitor{T}"/>'s reports taken step by step (x is the report's index).
    /// </summary>
    public static void DeadAndSaturated(string path, string title, IReadOnlyList<GradientFlowReport> history, int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(history);
        var series = PerLayer(history, layer => 100 * layer.DeadFraction, dashed: false)
            .Concat(PerLayer(history, layer => 100 * layer.SaturatedFraction, dashed: true).Select(line => line with { Name = "" }))
            .ToArray();
        Lines(path, title, "step (report)", "units (%): dead solid, saturated dashed", series, width: width, height: height, yRange: (-2, 102),
            legend: Alignment.LowerRight);
    }

    /// <summary>One series per layer of the reports, x being the report's index in <paramref name="history"/>.</summary>
    private static IEnumerable<Series> PerLayer(IReadOnlyList<GradientFlowReport> history, Func<LayerGradientFlow, double> measure, bool dashed)
    {
        if (history.Count == 0) yield break;
        var steps = Enumerable.Range(0, history.Count).Select(s => (double)s).ToArray();
        foreach (var layer in history[0].Layers)
        {
            var values = history.Select(report => report.Layers.Count > layer.Index ? measure(report.Layers[layer.Index]) : double.NaN).ToArray();
            if (values.All(double.IsNaN)) continue;
            yield return new Series($"layer {layer.Index}{(layer.Activation is null ? "" : $" ({layer.Activation})")}", steps, values, dashed, Colour: layer.Index);
        }
    }

    /// <summary>The finite points of a series, y as log10 on a log axis.</summary>
    private static (double[] X, double[] Y) Finite(Series line, bool logY)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < line.X.Count; i++)
        {
            double x = line.X[i], y = line.Y[i];
            if (!double.IsFinite(x) || !double.IsFinite(y) || (logY && y <= 0)) continue;
            xs.Add(x);
            ys.Add(logY ? Math.Log10(y) : y);
        }
        return ([.. xs], [.. ys]);
    }

    /// <summary>Labels a log10-valued axis with powers of ten and minor ticks at 2…9 × 10ᵏ.</summary>
    private static void LogAxis(ScottPlot.IAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = exponent => $"1e{exponent:0}",
        };
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        plot.Font.Set(FontName); // after every plottable exists, so legends and axes added late use it too
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        plot.SavePng(path, width, height);
    }

    /// <summary>
    /// Colours a decision map whose cell values are class + confidence: each class its own hue, from near white at
    /// confidence 0 to a light tint of the class colour at confidence 1, so the points drawn on top stay visible.
    /// </summary>
    private sealed class ClassColormap(int classes) : IColormap
    {
        /// <summary>The class colours: the Tableau 10 palette's first entries.</summary>
        internal static readonly Color[] Palette =
        [
            Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
            Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
        ];

        public string Name => "MiniGrad classes";

        public Color GetColor(double position)
        {
            double value = Math.Clamp(position, 0, 1) * classes;
            int k = Math.Min((int)value, classes - 1);
            double tint = 0.15 + 0.45 * Math.Clamp(value - k, 0, 1);
            var colour = Palette[k % Palette.Length];
            return new Color(Mix(colour.R, tint), Mix(colour.G, tint), Mix(colour.B, tint));
        }

        private static byte Mix(byte channel, double tint) => (byte)Math.Round(255 + (channel - 255) * tint);
    }
}
