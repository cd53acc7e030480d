using MiniGrad.Plotting;
using static MiniGrad.Samples.SampleConsole;

namespace MiniGrad.Samples.GradientFlow;

/// <summary>
/// Vanishing gradients, measured: 10-layer networks of sigmoid, tanh, ReLU, LeakyReLU, ELU, SELU (LeCun init) and GELU.
/// Prints the gradient norm reaching each layer at initialisation and after training, each network's loss and accuracy,
/// and what changed in training (mean |f'|, the weights' largest singular value), and plots the norms on a log scale
/// (gradient_flow.png, one panel each). Exits with 1 unless, at initialisation, sigmoid's gradient shrinks at least 4×
/// per layer while the ReLU family and SELU keep it within 10× across all layers; after training it reports, and does
/// not check.
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
        Table($"What training did ({epochs} full-batch epochs): did each network learn, and why its gradient changed",
            ["activation", "loss: init → after", "accuracy after", "mean |f'|: init → after", "σ_max(W): init → after", "alignment: init → after", "shrink/layer after"],
            profiles.Select(p => (IReadOnlyList<string>)[
                p.Activation, F($"{p.InitialLoss:F3} → {p.FinalLoss:F3}"), F($"{p.Accuracy:P1}"),
                F($"{p.MeanDerivative:F3} → {p.TrainedMeanDerivative:F3}"), F($"{p.WeightGainAtInit:F2} → {p.WeightGainTrained:F2}"),
                F($"{p.AlignmentAtInit:F2} → {p.AlignmentTrained:F2}"), F($"{DepthProfile.ShrinkPerLayer(p.Trained):F2}×")]));
        Console.WriteLine("One layer back multiplies the gradient by Wᵀ, then by f'(z). At initialisation the gradient has no preferred direction,");
        Console.WriteLine("so Wᵀ stretches it like a random vector (alignment ≈ 1) and the init's scale keeps its size (ReLU family, SELU) or");
        Console.WriteLine("f' ≤ 1/4 shrinks it (sigmoid). Training leaves mean |f'| and (apart from sigmoid) the weights' scale σ_max(W) nearly");
        Console.WriteLine("as they were, but the gradient comes to point along the directions W stretches most (alignment > 1), so each layer");
        Console.WriteLine("back enlarges it and it grows towards the input. Sigmoid, which learned least, is the exception: its weights grew while");
        Console.WriteLine("its f' fell, and the two roughly balance.");

        var layers = Layers();
        IReadOnlyList<Series> Curves(Func<DepthProfile, double[]> norms) =>
            profiles.Select((p, i) => new Series(p.Activation, layers, norms(p), Colour: i)).ToArray();
        Plots.Panels(options.Output("gradient_flow.png"), [
            ("‖∂L/∂z‖ per layer at initialisation", "layer (1 = next to the input)", "‖∂L/∂z‖ (log scale)", Curves(p => p.AtInit), true),
            (F($"‖∂L/∂z‖ per layer after {epochs} epochs"), "layer (1 = next to the input)", "‖∂L/∂z‖ (log scale)", Curves(p => p.Trained), true),
        ], panelWidth: 620, height: 520, dodge: 0.07); // side by side where two activations measure the same (ReLU and LeakyReLU)
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
        if (claims.Count == 0) claims.Add($"{options.Activation} measured (no claim is made for it at initialisation)");
        var after = string.Join(", ", profiles.Select(p => F($"{p.Activation} {p.Accuracy:P0}")));
        return Result(holds, $"At initialisation (checked): {string.Join("; ", claims)}. After {epochs} epochs (measured, not checked): accuracy {after}; the gradient grows towards the input, by up to {profiles.Max(p => DepthProfile.Spread(p.Trained)):F0}× across depth.");
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
