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
    /// <summary>Marker shapes, one per series in turn, told apart even where lines lie on one another.</summary>
    private static readonly MarkerShape[] Markers =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp, MarkerShape.OpenDiamond,
        MarkerShape.Cross, MarkerShape.Eks,
    ];

    /// <summary>The font of every label: DejaVu Sans, which has the Greek letters and primes the labels use.</summary>
    public const string FontName = "DejaVu Sans";

    /// <summary>Default picture size in pixels.</summary>
    public const int Width = 720, Height = 480;

    /// <summary>
    /// f and f' of an element-wise activation over [<paramref name="from"/>, <paramref name="to"/>], from its reference
    /// <see cref="ElementwiseActivation{T}.Apply"/> and <see cref="ElementwiseActivation{T}.Derivative"/>: f solid, f' dashed.
    /// With <paramref name="zoom"/>, a second panel beside the first shows x in that range with y scaled to it, so that a
    /// small slope (LeakyReLU's 0.01) can be seen.
    /// </summary>
    public static void Activation(string path, ElementwiseActivation<double> activation, string title,
        double from = -5, double to = 5, int points = 401, int width = Width, int height = Height, (double From, double To)? zoom = null)
    {
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        if (!(from < to)) throw new ArgumentOutOfRangeException(nameof(to), string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Activation plot: the range [{from}, {to}] is empty."));
        Series[] Curves(double low, double high)
        {
            var x = Enumerable.Range(0, points).Select(i => low + (high - low) * i / (points - 1)).ToArray();
            return [
                new Series("f(x)", x, x.Select(activation.Apply).ToArray()),
                new Series("f'(x)", x, x.Select(activation.Derivative).ToArray(), Dashed: true),
            ];
        }
        if (zoom is not { } range)
        {
            Lines(path, title, "x", "", Curves(from, to), width: width, height: height, zeroLines: true);
            return;
        }
        if (!(range.From < range.To)) throw new ArgumentOutOfRangeException(nameof(zoom), "Activation plot: the zoomed range is empty.");
        int zoomWidth = width * 3 / 5;
        var main = LinePlot(title, "x", "", Curves(from, to), logY: false, zeroLines: true, yRange: null);
        var detail = LinePlot(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"zoomed: {range.From} ≤ x ≤ {range.To}"), "x", "",
            Curves(range.From, range.To), logY: false, zeroLines: true, yRange: null);
        SavePanels(path, [(main, width), (detail, zoomWidth)], height);
    }

    /// <summary>A line chart of <paramref name="series"/>, with a log-scale y axis when <paramref name="logY"/> (non-positive values are left out).</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        bool logY = false, int width = Width, int height = Height, bool zeroLines = false, (double Low, double High)? yRange = null) =>
        Save(LinePlot(title, xLabel, yLabel, series, logY, zeroLines, yRange), path, width, height);

    /// <summary>
    /// Draws two or more line charts side by side in one picture, each as <see cref="Lines"/> would draw it alone, with
    /// its own title and legend.
    /// </summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="panels">Each panel's title, axis labels and series, and whether its y axis is logarithmic.</param>
    /// <param name="panelWidth">Each panel's width in pixels.</param>
    /// <param name="height">The picture's height in pixels.</param>
    /// <param name="dodge">Shifts series i of n by (i − (n − 1)/2)·dodge along x, so that points with the same value sit side by
    /// side instead of on top of each other (for x values that are categories, such as layer numbers).</param>
    public static void Panels(string path, IReadOnlyList<(string Title, string XLabel, string YLabel, IReadOnlyList<Series> Series, bool LogY)> panels,
        int panelWidth = Width, int height = Height, double dodge = 0)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("Panels: there is nothing to draw.", nameof(panels));
        SavePanels(path, panels.Select(p => (LinePlot(p.Title, p.XLabel, p.YLabel, p.Series, p.LogY, zeroLines: false, yRange: null, dodge), panelWidth)).ToArray(), height);
    }

    private static Plot LinePlot(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logY, bool zeroLines,
        (double Low, double High)? yRange, double dodge = 0)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = NewPlot(title, xLabel, yLabel);
        if (zeroLines)
        {
            plot.Add.HorizontalLine(0, 1, Colors.Gray.WithAlpha(0.6));
            plot.Add.VerticalLine(0, 1, Colors.Gray.WithAlpha(0.6));
        }
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            var line = series[i];
            if (line.X.Count != line.Y.Count)
                throw new ArgumentException($"Series '{line.Name}' has {line.X.Count} x values and {line.Y.Count} y values.", nameof(series));
            var (xs, ys) = Finite(line, logY);
            if (xs.Length == 0) continue;
            double shift = (i - (series.Count - 1) / 2.0) * dodge;
            if (shift != 0) xs = xs.Select(x => x + shift).ToArray();
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = line.Name; // an empty name keeps the line out of the legend
            scatter.LineWidth = 2;
            scatter.MarkerSize = xs.Length <= 20 ? 7 : 0;
            scatter.MarkerShape = Markers[(line.Colour ?? i) % Markers.Length]; // lines that coincide still show each one's marks
            if (line.Dashed) scatter.LinePattern = LinePattern.Dashed;
            if (line.Colour is int colour) scatter.Color = palette.GetColor(colour);
        }
        if (logY) LogAxis(plot.Axes.Left, series.SelectMany(line => Finite(line, logY: true).Y).ToArray());
        if (series.All(line => line.X.All(x => x == Math.Round(x))))
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (yRange is { } range) plot.Axes.SetLimitsY(logY ? Math.Log10(range.Low) : range.Low, logY ? Math.Log10(range.High) : range.High);
        plot.ShowLegend(Edge.Right); // beside the chart, never over the data
        return plot;
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
        Func<Tensor<T>, Tensor<T>> probabilities, int resolution = 200, int width = 760, int height = 640)
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
        plot.ShowLegend(Edge.Right);
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
            plot.Axes.SetLimitsY(0, 102, plot.Axes.Right); // above 100 so that a line at 100% stays clear of the frame
        }
        plot.ShowLegend(Edge.Bottom);
        Save(plot, path, width, height);
    }

    /// <summary>
    /// Losses on the left axis (solid) and accuracies on the right axis (dashed, 0–100%) per epoch, several runs at once:
    /// the i-th loss and the i-th accuracy share a colour (e.g. train and test). Accuracies are fractions, drawn as percent.
    /// </summary>
    public static void Training(string path, string title, IReadOnlyList<Series> losses, IReadOnlyList<Series> accuracies,
        int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(accuracies);
        var plot = NewPlot(title, "epoch", "loss (solid)");
        var palette = new ScottPlot.Palettes.Category10();
        void Add(Series line, int colour, bool right)
        {
            var (xs, ys) = Finite(right ? line with { Y = line.Y.Select(a => 100 * a).ToArray() } : line, logY: false);
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = line.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = xs.Length <= 20 ? 5 : 0;
            scatter.Color = palette.GetColor(line.Colour ?? colour);
            if (right)
            {
                scatter.Axes.YAxis = plot.Axes.Right;
                scatter.LinePattern = LinePattern.Dashed;
            }
        }
        for (int i = 0; i < losses.Count; i++) Add(losses[i], i, right: false);
        for (int i = 0; i < accuracies.Count; i++) Add(accuracies[i], i, right: true);
        plot.Axes.Right.Label.Text = "accuracy (%, dashed)";
        double lowest = accuracies.SelectMany(line => line.Y).Where(double.IsFinite).DefaultIfEmpty(0).Min() * 100;
        plot.Axes.SetLimitsY(Math.Max(0, Math.Floor(lowest / 10) * 10 - 5), 102, plot.Axes.Right); // the accuracies' range, not 0–100, so that they can be told apart
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Edge.Bottom);
        Save(plot, path, width, height);
    }

    /// <summary>
    /// A confusion matrix as a grid: true classes down, predicted classes across, each cell shaded by its share of the
    /// true class's examples (white 0% to dark blue 100%) and labelled with its count; empty cells are left blank.
    /// </summary>
    public static void ConfusionMatrix(string path, string title, Training.ConfusionMatrix matrix, int width = 640, int height = 600)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.Classes;
        var plot = NewPlot(title, "predicted class", "true class");
        var blue = Color.FromHex("#08306b");
        for (int actual = 0; actual < n; actual++)
        {
            long total = matrix.Support(actual);
            for (int predicted = 0; predicted < n; predicted++)
            {
                long count = matrix[actual, predicted];
                double share = total == 0 ? 0 : (double)count / total;
                double y = n - 1 - actual; // the first class at the top, as a printed matrix
                var cell = plot.Add.Rectangle(predicted - 0.5, predicted + 0.5, y - 0.5, y + 0.5);
                double tint = count == 0 ? 0 : 0.12 + 0.88 * Math.Sqrt(share); // √ so that a few mistakes still show
                cell.FillColor = new Color(Mix(blue.R, tint), Mix(blue.G, tint), Mix(blue.B, tint));
                cell.LineColor = Colors.LightGray;
                cell.LineWidth = 1;
                if (count == 0) continue;
                var text = plot.Add.Text(count.ToString(System.Globalization.CultureInfo.InvariantCulture), predicted, y);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = n > 12 ? 9 : 13;
                text.LabelFontColor = tint > 0.55 ? Colors.White : Colors.Black;
            }
        }
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, [.. matrix.ClassNames]);
        plot.Axes.Left.SetTicks(positions.Select(p => n - 1 - p).ToArray(), [.. matrix.ClassNames]);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.HideGrid();
        Save(plot, path, width, height);

        static byte Mix(byte channel, double tint) => (byte)Math.Round(255 + (channel - 255) * tint);
    }

    /// <summary>
    /// A grid of grey-scale images, each row of <paramref name="images"/> one image of <paramref name="imageWidth"/> ×
    /// <paramref name="imageHeight"/> values in [0, 1] (drawn dark on white, <paramref name="scale"/> pixels per value), with its
    /// caption below it, <paramref name="columns"/> to a row.
    /// </summary>
    public static void Images<T>(string path, string title, Tensor<T> images, IReadOnlyList<string> captions, int imageWidth, int imageHeight,
        int columns = 8, int scale = 3) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(captions);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (images.Cols != imageWidth * imageHeight)
            throw new ArgumentException($"Images: rows of {images.Cols} values are not {imageWidth} × {imageHeight} images.", nameof(images));
        if (captions.Count != images.Rows)
            throw new ArgumentException($"Images: {images.Rows} images but {captions.Count} captions.", nameof(captions));
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);

        const int Padding = 10, CaptionHeight = 18, TitleHeight = 36;
        int cellWidth = Math.Max(imageWidth * scale, 72) + Padding, cellHeight = imageHeight * scale + CaptionHeight + Padding;
        int rows = Math.Max(1, (images.Rows + columns - 1) / columns);
        int width = Padding + Math.Min(columns, Math.Max(images.Rows, 1)) * cellWidth, height = TitleHeight + rows * cellHeight + Padding;
        width = Math.Max(width, 360);

        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(width, height)) ?? throw new InvalidOperationException("Images: could not make a drawing surface.");
        var canvas = surface.Canvas;
        canvas.Clear(SkiaSharp.SKColors.White);
        using var typeface = SkiaSharp.SKTypeface.FromFamilyName(FontName);
        using var titleFont = new SkiaSharp.SKFont(typeface, 16);
        using var captionFont = new SkiaSharp.SKFont(typeface, 12);
        using var ink = new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.Black, IsAntialias = true };
        using var pixel = new SkiaSharp.SKPaint { IsAntialias = false };
        RequireTitleFits(title, 16, width);
        canvas.DrawText(title, width / 2f, 24, SkiaSharp.SKTextAlign.Center, titleFont, ink);
        for (int i = 0; i < images.Rows; i++)
        {
            float left = Padding + i % columns * cellWidth + (cellWidth - Padding - imageWidth * scale) / 2f, top = TitleHeight + i / columns * cellHeight;
            for (int y = 0; y < imageHeight; y++)
                for (int x = 0; x < imageWidth; x++)
                {
                    double value = Math.Clamp(double.CreateTruncating(images[i, y * imageWidth + x]), 0, 1);
                    byte grey = (byte)Math.Round(255 * (1 - value));
                    pixel.Color = new SkiaSharp.SKColor(grey, grey, grey);
                    canvas.DrawRect(left + x * scale, top + y * scale, scale, scale, pixel);
                }
            canvas.DrawText(captions[i], Padding + i % columns * cellWidth + (cellWidth - Padding) / 2f, top + imageHeight * scale + 14, SkiaSharp.SKTextAlign.Center, captionFont, ink);
        }
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
    }

    /// <summary>
    /// Per-layer gradient norms ‖∂L/∂z‖ over training, on a log scale: one line per layer, from a
    /// <see cref="GradientFlowMonitor{T}"/>'s reports taken step by step (x is the report's index).
    /// </summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="title">The chart's title.</param>
    /// <param name="history">The reports, one per step.</param>
    /// <param name="xLabel">What a report's index counts, e.g. <c>epoch</c>.</param>
    /// <param name="width">Picture width in pixels.</param>
    /// <param name="height">Picture height in pixels.</param>
    public static void GradientNorms(string path, string title, IReadOnlyList<GradientFlowReport> history, string xLabel = "step", int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(history);
        Lines(path, title, xLabel, "‖∂L/∂z‖ (log scale)", [.. PerLayer(history, layer => layer.GradientNorm, dashed: false)], logY: true, width: width, height: height);
    }

    /// <summary>
    /// The dead (solid) and saturated (dashed) fractions of each layer's units over training, from a
    /// <see cref="GradientFlowMonitor{T}"/>'s reports taken step by step (x is the report's index). Where a layer's saturated
    /// line equals its dead one (ReLU's f' is 0 or 1, so its saturated units are its dead ones) only the dead line is drawn,
    /// and the axis says so, rather than hiding a dashed line under a solid one.
    /// </summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="title">The chart's title.</param>
    /// <param name="history">The reports, one per step.</param>
    /// <param name="xLabel">What a report's index counts, e.g. <c>epoch</c>.</param>
    /// <param name="width">Picture width in pixels.</param>
    /// <param name="height">Picture height in pixels.</param>
    public static void DeadAndSaturated(string path, string title, IReadOnlyList<GradientFlowReport> history, string xLabel = "step", int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(history);
        var dead = PerLayer(history, layer => 100 * layer.DeadFraction, dashed: false).ToArray();
        var saturated = PerLayer(history, layer => 100 * layer.SaturatedFraction, dashed: true)
            .Where(line => !dead.Any(d => d.Colour == line.Colour && d.Y.SequenceEqual(line.Y)))
            .Select(line => line with { Name = "" })
            .ToArray();
        string yLabel = saturated.Length == 0 ? "dead units (%) (saturated = dead)" : "units (%): dead solid, saturated dashed";
        Lines(path, title, xLabel, yLabel, [.. dead, .. saturated], width: width, height: height, yRange: (-2, 102));
    }

    /// <summary>One series per layer of the reports, x being the report's index in <paramref name="history"/>.</summary>
    private static IEnumerable<Series> PerLayer(IReadOnlyList<GradientFlowReport> history, Func<LayerGradientFlow, double> measure, bool dashed)
    {
        if (history.Count == 0) yield break;
        var steps = Enumerable.Range(0, history.Count).Select(s => (double)s).ToArray();
        foreach (var layer in history[0].Layers)
        {
            int index = layer.Number - 1;
            var values = history.Select(report => report.Layers.Count > index ? measure(report.Layers[index]) : double.NaN).ToArray();
            if (values.All(double.IsNaN)) continue;
            yield return new Series($"layer {layer.Number}{(layer.Activation is null ? "" : $" ({layer.Activation})")}", steps, values, dashed, Colour: index);
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

    /// <summary>
    /// Labels a log10-valued axis: with powers of ten and minor ticks at 2…9 × 10ᵏ when the data spans two decades or more,
    /// and at 1, 2, 3, 5 × 10ᵏ, written out, when it spans less (where powers of ten alone would leave it unlabelled).
    /// </summary>
    private static void LogAxis(ScottPlot.IAxis axis, double[] log10Values)
    {
        if (log10Values.Length > 0 && log10Values.Max() - log10Values.Min() < 2)
        {
            double low = log10Values.Min(), high = log10Values.Max();
            var ticks = Enumerable.Range((int)Math.Floor(low) - 1, (int)Math.Ceiling(high) - (int)Math.Floor(low) + 2)
                .SelectMany(k => new[] { 1, 2, 3, 5 }.Select(m => m * Math.Pow(10, k)))
                .Where(v => Math.Log10(v) >= low - 0.05 && Math.Log10(v) <= high + 0.05)
                .ToArray();
            axis.SetTicks(ticks.Select(Math.Log10).ToArray(), ticks.Select(v => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            return;
        }
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
        RequireTitleFits(plot.Axes.Title.Label.Text, plot.Axes.Title.Label.FontSize, width);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        plot.SavePng(path, width, height);
    }

    /// <summary>Renders each plot at its width and the common height, and writes them side by side as one PNG.</summary>
    private static void SavePanels(string path, IReadOnlyList<(Plot Plot, int Width)> panels, int height)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        var images = new List<SkiaSharp.SKBitmap>();
        try
        {
            foreach (var (plot, width) in panels)
            {
                plot.Font.Set(FontName);
                RequireTitleFits(plot.Axes.Title.Label.Text, plot.Axes.Title.Label.FontSize, width);
                images.Add(SkiaSharp.SKBitmap.Decode(plot.GetImageBytes(width, height, ImageFormat.Png)));
            }
            using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(images.Sum(i => i.Width), height))
                ?? throw new InvalidOperationException("Panels: could not make a drawing surface.");
            surface.Canvas.Clear(SkiaSharp.SKColors.White);
            int left = 0;
            foreach (var image in images)
            {
                surface.Canvas.DrawBitmap(image, left, 0);
                left += image.Width;
            }
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null) Directory.CreateDirectory(folder);
            using var snapshot = surface.Snapshot();
            using var png = snapshot.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, png.ToArray());
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    /// <summary>Refuses a title wider than the picture, which would be drawn clipped.</summary>
    /// <exception cref="ArgumentException">The title, set in <see cref="FontName"/> at <paramref name="size"/> points, is wider than <paramref name="width"/> less a margin.</exception>
    internal static void RequireTitleFits(string title, float size, int width)
    {
        if (string.IsNullOrEmpty(title)) return;
        using var typeface = SkiaSharp.SKTypeface.FromFamilyName(FontName);
        using var font = new SkiaSharp.SKFont(typeface, size);
        float measured = font.MeasureText(title);
        if (measured > width - 20)
            throw new ArgumentException($"The title \"{title}\" is {measured:F0} px wide, too wide for a {width} px picture: shorten it or widen the picture.", nameof(title));
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
