using MiniGrad.Plotting;
using static MiniGrad.Samples.SampleConsole;

namespace MiniGrad.Samples.DeadRelu;

/// <summary>
/// Dead ReLU units, measured: the same network trained with a too-high learning rate under ReLU, LeakyReLU, PReLU and ELU.
/// Prints and plots the fraction of hidden units that are dead (f' = 0 on every training example) after each epoch
/// (dead_units.png), and the ReLU network's per-layer dead fractions and gradient norms (relu_layers.png,
/// relu_gradient_norms.png). Exits with 1 unless ReLU ends with at least 25% dead units and the others with at most 1%.
/// </summary>
public static class Program
{
    /// <summary>The smallest dead fraction ReLU should reach, and the largest the leaky variants may.</summary>
    public const double ReluDeadAtLeast = 0.25, OthersDeadAtMost = 0.01;

    /// <summary>Runs the sample; see <see cref="Sample.Run"/> for the options.</summary>
    public static int Main(string[] args) => Sample.Run(args,
        "Trains one network under ReLU, LeakyReLU, PReLU and ELU at a learning rate high enough to kill ReLU units, and plots the dead fraction (dead_units.png).",
        new SampleDefaults(Activation: "all", Epochs: 200, LearningRate: 0.1, AllowAll: true), Run);

    private static int Run(SampleOptions options)
    {
        string[] activations = options.Activation == "all" ? DyingUnits.Activations : [options.Activation];
        int epochs = options.Quick ? Math.Min(options.Epochs, 60) : options.Epochs;
        Console.WriteLine(F($"Dead units: {DyingUnits.Depth} hidden layers of {DyingUnits.Width} on the spirals, He init, Adam lr {options.LearningRate} (10× the usual), {epochs} full-batch epochs, seed {options.Seed}"));
        Console.WriteLine("A unit is dead when its derivative is 0 for every training example: no gradient reaches its weights, so it cannot recover.");

        var runs = TrainEach(activations, epochs, (activation, progress) =>
            DyingUnits.Train(activation, epochs, options.LearningRate, options.Seed, progress));

        int[] checkpoints = [.. new[] { 0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 }.Where(e => e < epochs), epochs];
        Table("Dead hidden units (%) after each epoch", ["epoch", .. runs.Select(r => r.Activation)],
            checkpoints.Select(e => (IReadOnlyList<string>)[e.ToString(), .. runs.Select(r => F($"{100 * r.Dead[e]:F1}"))])
                .Append(["final loss", .. runs.Select(r => F($"{r.FinalLoss:F3}"))]));

        var epochAxis = Enumerable.Range(0, epochs + 1).Select(e => (double)e).ToArray();
        Plots.Lines(options.Output("dead_units.png"), F($"Dead hidden units while training at lr {options.LearningRate}"), "epoch", "dead units (%)",
            runs.Select((r, i) => new Series(r.Activation, epochAxis, r.Dead.Select(d => 100 * d).ToArray(), Colour: i)).ToArray(), yRange: (-2, 102));
        var written = new List<string> { options.Output("dead_units.png") };
        if (runs.FirstOrDefault(r => r.Activation == "relu") is { } relu)
        {
            Plots.DeadAndSaturated(options.Output("relu_layers.png"), "ReLU network: dead and saturated units per layer", relu.History);
            Plots.GradientNorms(options.Output("relu_gradient_norms.png"), "ReLU network: gradient reaching each layer", relu.History);
            written.AddRange([options.Output("relu_layers.png"), options.Output("relu_gradient_norms.png")]);
        }
        Console.WriteLine($"Wrote {string.Join(", ", written)}");

        bool holds = true;
        var claims = new List<string>();
        foreach (var run in runs)
        {
            bool ok = run.Activation == "relu" ? run.Dead[^1] >= ReluDeadAtLeast : run.Dead[^1] <= OthersDeadAtMost;
            holds &= ok;
            claims.Add(F($"{run.Activation} {100 * run.Dead[^1]:F0}%"));
        }
        return Result(holds, F($"Dead units after {epochs} epochs: {string.Join(", ", claims)} (ReLU ≥ {100 * ReluDeadAtLeast:F0}%, the leaky ones ≤ {100 * OthersDeadAtMost:F0}%)."));
    }
}
