using MiniGrad.Activations;
using MiniGrad.Layers;
using MiniGrad.Plotting;
using static MiniGrad.Samples.SampleConsole;

namespace MiniGrad.Samples.Activations;

/// <summary>
/// Every activation MiniGrad has, drawn and measured from the code: a PNG of f and f' for each (the element-wise ones from
/// their reference formulas, softmax at three temperatures, log-softmax and a Maxout unit through the engine), and a table
/// of properties measured by running each one: range, mean output under N(0, 1) (zero-centred or not), the largest |f'|
/// and where, and where f' vanishes. Exits with 1 if a measured range or zero-centredness disagrees with
/// <see cref="Activation.Describe"/>, or if σ' and tanh' do not peak at 1/4 and 1 at x = 0.
/// </summary>
public static class Program
{
    /// <summary>Runs the sample; see <see cref="Sample.Run"/> for the options.</summary>
    public static int Main(string[] args) => Sample.Run(args,
        "Draws f and f' of every activation (one PNG each) and prints their properties as measured from the code.",
        new SampleDefaults(Activation: "all", Epochs: 1, LearningRate: 1, AllowAll: true), Run);

    private static int Run(SampleOptions options)
    {
        string[] names = options.Activation == "all" ? [.. Activation.Names] : [Activation.Describe(options.Activation).Name];
        var measured = new List<(ActivationInfo Info, Properties Properties)>();
        var written = new List<string>();

        Progress("Drawing and measuring", names.Length, progress =>
        {
            for (int i = 0; i < names.Length; i++)
            {
                var info = Activation.Describe(names[i]);
                var module = Build(info.Name, options.Seed);
                string path = options.Output($"{info.Name}.png");
                string title = Title(info);
                if (module is ElementwiseActivation<double> elementwise)
                    Plots.Activation(path, elementwise, title, zoom: info.Name == "leaky_relu" ? (-5, 0) : null); // a slope of 0.01 is flat at the full scale
                else
                    DrawThroughEngine(path, title, info.Name, module, options.Seed);
                written.Add(path);
                measured.Add((info, Measurement.Measure(info.Name, module)));
                progress.Report(i + 1, info.Name);
            }
        });

        Table("Properties measured from the code (x from −10 to 10 by 0.01; f at ±1000 for the range)",
            ["activation", "range", "E f(X), X~N(0,1)", "zero-centred", "max |f'|", "at", "f' < 1e-3 where"],
            measured.Select(m => (IReadOnlyList<string>)[
                RowName(m.Info.Name), Range(m.Properties), F($"{m.Properties.MeanOutput:0.0000}"), m.Properties.ZeroCentred ? "yes" : "no",
                F($"{m.Properties.MaxDerivative:0.0000}"), m.Properties.MaxAt, m.Properties.Vanishes]));
        Console.WriteLine($"Wrote {written.Count} pictures to {options.OutputDirectory}");

        var disagreements = measured.SelectMany(m => Disagreements(m.Info, m.Properties)).ToList();
        foreach (var line in disagreements) Console.WriteLine($"  disagrees: {line}");
        var sigmoid = measured.FirstOrDefault(m => m.Info.Name == "sigmoid").Properties;
        var tanh = measured.FirstOrDefault(m => m.Info.Name == "tanh").Properties;
        bool peaks = (sigmoid is null || (Math.Abs(sigmoid.MaxDerivative - 0.25) < 1e-9 && sigmoid.MaxAt == "x = 0"))
            && (tanh is null || (Math.Abs(tanh.MaxDerivative - 1) < 1e-9 && tanh.MaxAt == "x = 0"));
        string peakText = sigmoid is null ? "" : F($"; max σ' = {sigmoid.MaxDerivative:0.####} at {sigmoid.MaxAt}, so each sigmoid layer scales the gradient by 1/4 at most");
        return Result(disagreements.Count == 0 && peaks,
            $"Activations: {measured.Count} measured and drawn; {disagreements.Count} disagreements with the documented ranges (each end reached or only approached) and zero-centredness{peakText}.");
    }

    /// <summary>
    /// A table row's name: the activation's, and for the two that are not measured as a plain f(x), what was measured:
    /// softmax's first output over the two-class input (x, 0), which is σ(x) (so its row equals sigmoid's), and the one
    /// hand-picked Maxout unit of the picture (a Maxout layer's range and slopes depend on its learned weights).
    /// </summary>
    private static string RowName(string name) => name switch
    {
        "softmax" => "softmax: p₀ of (x, 0) = σ(x)",
        "log_softmax" => "log_softmax: log p₀ of (x, 0)",
        "maxout" => "maxout: one example unit",
        _ => name,
    };

    /// <summary>A picture's title: the formula, and for softmax the temperatures drawn.</summary>
    private static string Title(ActivationInfo info) => info.Name switch
    {
        "softmax" => "Softmax p₀ of (x, 0) at τ = 0.5, 1, 2: softmax(x/τ)",
        "log_softmax" => "LogSoftmax: log p₀ of (x, 0)",
        "maxout" => "Maxout: one example unit of 3 pieces",
        _ => $"{info.Title}: {info.Formula}",
    };

    /// <summary>The activation to draw and measure: defaults, RReLU in evaluation mode (its mean slope), Maxout as one 3-piece unit.</summary>
    private static Module<double> Build(string name, int seed)
    {
        if (name == "maxout")
        {
            // One unit of three pieces on one input: max(−x − 1, 0.5·x, 2x − 3), a convex piecewise-linear function.
            var maxout = new Maxout<double>(inFeatures: 1, outFeatures: 1, pieces: 3, new Random(seed));
            double[] slopes = [-1, 0.5, 2], offsets = [-1, 0, -3];
            for (int k = 0; k < 3; k++)
            {
                maxout.Weights[k][0, 0] = slopes[k];
                maxout.Biases[k][0, 0] = offsets[k];
            }
            return maxout;
        }
        var module = Activation.Create<double>(name, new Random(seed));
        module.Eval();
        return module;
    }

    /// <summary>A row-wise activation or a layer, drawn from the engine's forward and backward (softmax at temperatures ½, 1 and 2).</summary>
    private static void DrawThroughEngine(string path, string title, string name, Module<double> module, int seed)
    {
        var x = Enumerable.Range(0, 401).Select(i => -5 + i * 0.025).ToArray();
        var series = new List<Series>();
        if (name == "softmax")
        {
            double[] temperatures = [0.5, 1, 2];
            for (int t = 0; t < temperatures.Length; t++)
            {
                var curve = Measurement.Run(new Softmax<double>(temperatures[t]), x);
                series.Add(new Series(F($"p₀(x, 0), τ = {temperatures[t]}"), x, curve.F, Colour: t));
                series.Add(new Series(F($"∂p₀/∂x, τ = {temperatures[t]}"), x, curve.Derivative, Dashed: true, Colour: t));
            }
        }
        else
        {
            var curve = Measurement.Run(module, x);
            string f = name == "maxout" ? "max(−x − 1, x/2, 2x − 3)" : name == "log_softmax" ? "log p₀(x, 0)" : "f(x)";
            series.Add(new Series(f, x, curve.F, Colour: 0));
            series.Add(new Series("derivative", x, curve.Derivative, Dashed: true, Colour: 1));
        }
        Plots.Lines(path, title, "x", "", series, zeroLines: true, yRange: name == "maxout" ? (-3, 8) : null);
    }

    /// <summary>The range as an interval: a bracket for an end f reaches, a parenthesis for one it only approaches.</summary>
    private static string Range(Properties p) =>
        $"{(double.IsNegativeInfinity(p.Lower) ? "(−∞" : F($"{(p.LowerIncluded ? '[' : '(')}{p.Lower:0.####}"))}, {(double.IsPositiveInfinity(p.Upper) ? "∞)" : F($"{p.Upper:0.####}{(p.UpperIncluded ? ']' : ')')}"))}";

    /// <summary>Where the measurement and the documented description differ (element-wise activations and softmax; Maxout's range depends on its weights).</summary>
    private static IEnumerable<string> Disagreements(ActivationInfo info, Properties measured)
    {
        if (info.Name == "maxout") yield break;
        if (!Close(info.Lower, measured.Lower)) yield return F($"{info.Name}: documented lower bound {info.Lower}, measured {measured.Lower}");
        if (!Close(info.Upper, measured.Upper)) yield return F($"{info.Name}: documented upper bound {info.Upper}, measured {measured.Upper}");
        if (double.IsFinite(info.Lower) && info.LowerIncluded != measured.LowerIncluded)
            yield return F($"{info.Name}: documented lower bound {(info.LowerIncluded ? "reached" : "only approached")}, measured {(measured.LowerIncluded ? "reached" : "only approached")}");
        if (double.IsFinite(info.Upper) && info.UpperIncluded != measured.UpperIncluded)
            yield return F($"{info.Name}: documented upper bound {(info.UpperIncluded ? "reached" : "only approached")}, measured {(measured.UpperIncluded ? "reached" : "only approached")}");
        if (info.Name is not ("softmax" or "log_softmax") && info.ZeroCentred != measured.ZeroCentred)
            yield return F($"{info.Name}: documented {(info.ZeroCentred ? "" : "not ")}zero-centred, measured E f(X) = {measured.MeanOutput:0.0000}");
    }

    /// <summary>Equal bounds: both infinite the same way, or within 1e-3 (an approached bound is reached to that precision on the grid).</summary>
    private static bool Close(double documented, double measured) =>
        double.IsInfinity(documented) || double.IsInfinity(measured) ? documented == measured : Math.Abs(documented - measured) < 1e-3;
}
