using MiniGrad.Plotting;
using static MiniGrad.Samples.SampleConsole;

namespace MiniGrad.Samples.GradientFlow;

/// <summary>
/// Vanishing gradients, measured: 10-layer networks of sigmoid, tanh, ReLU, LeakyReLU, ELU, SELU (LeCun init) and GELU.
/// Prints the gradient norm reaching each layer at initialisation and after training, and plots it on a log scale
/// (gradient_flow.png). Exits with 1 unless sigmoid's gradient shrinks at least 4× per layer while the ReLU family
/// and SELU keep it within 10× across all layers.
/// </summary>
public static class Program
{
    /// <summary>The activations whose gradient should keep its size across depth.</summary>
    public static readonly string[] Preserving = ["relu", "leaky_relu", "elu", "selu"];

    /// <summary>Runs the sample; see <see cref="Sample.Run"/> for the options.</summary>
    public static int Main(string[] args) => Sample.Run(args,
        "Measures the gradient reaching each layer of 10-layer networks, activation by activation, and plots it (gradient_flow.png).",
        new SampleDefaults(Activation: "all", Epochs: 200, LearningRate: 1e-3, AllowAll: true), Run);

    private static int Run(SampleOptions options)
    {
        string[] activations = options.Activation == "all" ? DeepNetworks.Activations : [options.Activation];
        int epochs = options.Quick ? Math.Min(options.Epochs, 20) : options.Epochs;
        Console.WriteLine(F($"Gradient flow: {DeepNetworks.Depth} hidden layers of {DeepNetworks.Width} units on the spirals, cross-entropy, Adam lr {options.LearningRate}, {epochs} epochs, seed {options.Seed}"));
        Console.WriteLine("‖∂L/∂z‖ is the norm of the gradient reaching a layer's activation input; layer 1 is next to the input.");

        var profiles = TrainEach(activations, epochs, (activation, progress) =>
            DeepNetworks.Measure(activation, epochs, options.LearningRate, options.Seed, progress));

        string[] headers = ["layer", .. profiles.Select(p => p.Activation)];
        PrintNorms($"‖∂L/∂z‖ per layer at initialisation ({string.Join(", ", profiles.Select(p => $"{p.Activation}: {p.Init}"))})", headers, profiles, p => p.AtInit);
        PrintNorms($"‖∂L/∂z‖ per layer after {epochs} epochs", headers, profiles, p => p.Trained);

        var series = profiles.SelectMany((p, i) => new[]
        {
            new Series(p.Activation, Layers(), p.AtInit, Colour: i),
            new Series($"{p.Activation} (trained)", Layers(), p.Trained, Dashed: true, Colour: i),
        }).ToArray();
        Plots.Lines(options.Output("gradient_flow.png"), $"Gradient reaching each layer of a {DeepNetworks.Depth}-layer network (solid: at init, dashed: after {epochs} epochs)",
            "layer (1 = next to the input)", "‖∂L/∂z‖ (log scale)", series, logY: true, width: 900, height: 600);
        Console.WriteLine($"Wrote {options.Output("gradient_flow.png")}");

        var claims = new List<string>();
        bool holds = true;
        if (profiles.FirstOrDefault(p => p.Activation == "sigmoid") is { } sigmoid)
        {
            double shrink = DepthProfile.ShrinkPerLayer(sigmoid.AtInit);
            holds &= shrink >= 4;
            claims.Add(F($"sigmoid's gradient shrinks {shrink:F1}× per layer (≥ 4×)"));
        }
        var preserving = profiles.Where(p => Preserving.Contains(p.Activation)).ToArray();
        if (preserving.Length > 0)
        {
            var worst = preserving.MaxBy(p => DepthProfile.Spread(p.AtInit))!;
            holds &= DepthProfile.Spread(worst.AtInit) <= 10;
            claims.Add(F($"{string.Join("/", preserving.Select(p => p.Activation))} keep it within {DepthProfile.Spread(worst.AtInit):F1}× across depth (≤ 10×, worst {worst.Activation})"));
        }
        if (claims.Count == 0) claims.Add($"{options.Activation} measured (no claim is made for it)");
        return Result(holds, $"Gradient flow at initialisation: {string.Join("; ", claims)}.");
    }

    private static double[] Layers() => Enumerable.Range(1, DeepNetworks.Depth).Select(l => (double)l).ToArray();

    private static void PrintNorms(string title, string[] headers, IReadOnlyList<DepthProfile> profiles, Func<DepthProfile, double[]> norms)
    {
        var rows = Enumerable.Range(0, DeepNetworks.Depth)
            .Select(l => (IReadOnlyList<string>)[(l + 1).ToString(), .. profiles.Select(p => F($"{norms(p)[l]:0.00e+0}"))])
            .Append(["shrink/layer", .. profiles.Select(p => F($"{DepthProfile.ShrinkPerLayer(norms(p)):F2}×"))])
            .Append(["max/min", .. profiles.Select(p => F($"{DepthProfile.Spread(norms(p)):F1}×"))]);
        Table(title, headers, rows);
    }
}
