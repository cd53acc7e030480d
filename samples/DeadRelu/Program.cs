using MiniGrad.Plotting;
using static MiniGrad.Samples.SampleConsole;

namespace MiniGrad.Samples.DeadRelu;

/// <summary>
/// Dead ReLU units, measured fairly and with their cost. For ReLU, LeakyReLU, PReLU and ELU it counts the
/// <em>inactive</em> hidden units (z ≤ 0 on every training example, which any of them can have), the <em>dead</em> ones
/// (f' = 0 on every example: no gradient, no learning; only ReLU has them), the gradient inactive units still pass, and
/// how many recover. First in a wide network trained at 10× the usual learning rate (dead_units.png, relu_layers.png,
/// relu_gradient_norms.png), where the survivors make up for the dead; then in a narrow one after a burst of too-large
/// steps, over several seeds (narrow.png), where they cannot. With every activation the sample exits with 1 unless ReLU
/// loses at least 25% of the wide network's units yet stays within 2 points of the best accuracy there, and in the narrow
/// setting keeps at least 25% dead and has the lowest mean accuracy. With one activation it checks that one's part: ReLU's
/// claims, or for any other activation that its inactive units still pass some gradient.
/// </summary>
public static class Program
{
    /// <summary>The dead fraction ReLU must reach, and how close to the best accuracy it must stay in the wide network.</summary>
    public const double ReluDeadAtLeast = 0.25, WideAccuracyGap = 0.02;

    /// <summary>Runs the sample; see <see cref="Sample.Run(string[], string, SampleDefaults, Func{SampleOptions, int})"/> for the options.</summary>
    public static int Main(string[] args) => Sample.Run(args,
        "Counts inactive and dead hidden units under ReLU, LeakyReLU, PReLU and ELU at a too-high learning rate, and what they cost in a wide and a narrow network.",
        new SampleDefaults(Activation: "all", Epochs: 200, LearningRate: 0.1, AllowAll: true), Run);

    private static int Run(SampleOptions options)
    {
        string[] activations = options.Activation == "all" ? DyingUnits.Activations : [options.Activation];
        int epochs = options.Quick ? Math.Min(options.Epochs, 60) : options.Epochs;
        Console.WriteLine(F($"Wide: {DyingUnits.Depth} hidden layers of {DyingUnits.WideWidth} on the spirals, He init, Adam lr {options.LearningRate} (10× the usual) for {epochs} full-batch epochs, seed {options.Seed}."));
        Console.WriteLine(F($"Narrow: {DyingUnits.Depth} hidden layers of {DyingUnits.NarrowWidth}, {DyingUnits.BurstEpochs} epochs at lr {DyingUnits.BurstRate} (a burst of too-large steps), then {DyingUnits.NarrowEpochs} at lr {DyingUnits.UsualRate}; seeds {options.Seed} to {options.Seed + DyingUnits.NarrowSeeds - 1}."));
        Console.WriteLine("Inactive unit: z ≤ 0 for every training example. Dead unit: f'(z) = 0 for every example, so no gradient reaches its weights.");

        var wide = TrainEach(activations, epochs, (activation, progress) => DyingUnits.Wide(activation, epochs, options.LearningRate, options.Seed, progress));
        var narrow = new List<NarrowRuns>();
        Progress("Narrow networks", activations.Length * DyingUnits.NarrowSeeds, progress =>
        {
            foreach (var activation in activations)
            {
                int offset = narrow.Count * DyingUnits.NarrowSeeds;
                narrow.Add(DyingUnits.Narrow(activation, options.Seed, s => progress.Report(offset + s + 1, activation)));
            }
        });

        int[] checkpoints = [.. new[] { 0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 }.Where(e => e < epochs), epochs];
        Table("Wide network: inactive / dead hidden units (%) after each epoch", ["epoch", .. wide.Select(r => r.Activation)],
            checkpoints.Select(e => (IReadOnlyList<string>)[e.ToString(), .. wide.Select(r => F($"{100 * r.Inactive[e]:F0} / {100 * r.Dead[e]:F0}"))]));
        Table($"Wide network after {epochs} epochs", ["activation", "inactive", "dead", "mean |f'| of inactive units", $"recovered since epoch {DyingUnits.RecoveryFrom}", "loss", "accuracy"],
            wide.Select(r => (IReadOnlyList<string>)[r.Activation, F($"{r.Inactive[^1]:P0}"), F($"{r.Dead[^1]:P0}"), Show(r.InactivePass, "F4"),
                Show(r.Recovered, "P0"), F($"{r.FinalLoss:F3}"), F($"{r.Accuracy:P1}")]));
        Table($"Narrow network, {DyingUnits.NarrowSeeds} seeds (mean; accuracy min–max)", ["activation", "dead after burst", "dead at end", "inactive at end", "recovered after burst", "accuracy", "min–max"],
            narrow.Select(r => (IReadOnlyList<string>)[r.Activation, F($"{r.DeadAfterBurst.Average():P0}"), F($"{r.Dead.Average():P0}"), F($"{r.Inactive.Average():P0}"),
                Show(Mean(r.Recovered), "P0"), F($"{r.Accuracy.Average():P1}"), F($"{r.Accuracy.Min():P0}–{r.Accuracy.Max():P0}")]));

        var written = Draw(options, wide, narrow, epochs);
        Console.WriteLine($"Wrote {string.Join(", ", written)}");
        return Claims(wide, narrow, epochs);
    }

    private static List<string> Draw(SampleOptions options, IReadOnlyList<WideRun> wide, IReadOnlyList<NarrowRuns> narrow, int epochs)
    {
        var epochAxis = Enumerable.Range(0, epochs + 1).Select(e => (double)e).ToArray();
        Plots.Panels(options.Output("dead_units.png"), [
            ("Inactive units: z ≤ 0 on every example", "epoch", "hidden units (%)",
                wide.Select((r, i) => new Series(r.Activation, epochAxis, r.Inactive.Select(d => 100 * d).ToArray(), Colour: i)).ToArray(), false),
            ("Dead units: f' = 0 on every example", "epoch", "hidden units (%)", DeadSeries(wide.Select(r => (r.Activation, r.Dead)).ToArray(), epochAxis), false),
        ], panelWidth: 600, height: 440);
        var written = new List<string> { options.Output("dead_units.png") };

        var seeds = Enumerable.Range(options.Seed, DyingUnits.NarrowSeeds).Select(s => (double)s).ToArray();
        Plots.Panels(options.Output("narrow.png"), [
            (F($"Narrow 3×{DyingUnits.NarrowWidth}: accuracy per seed"), "seed", "training accuracy (%)",
                narrow.Select((r, i) => new Series(r.Activation, seeds, r.Accuracy.Select(a => 100 * a).ToArray(), Colour: i)).ToArray(), false),
            ("Dead units at the end, per seed", "seed", "hidden units (%)", DeadSeries(narrow.Select(r => (r.Activation, r.Dead)).ToArray(), seeds), false),
        ], panelWidth: 600, height: 440, dodge: 0.12);
        written.Add(options.Output("narrow.png"));

        if (wide.FirstOrDefault(r => r.Activation == "relu") is { } relu)
        {
            Plots.DeadAndSaturated(options.Output("relu_layers.png"), "ReLU, wide: dead units per layer", relu.History, xLabel: "epoch");
            Plots.GradientNorms(options.Output("relu_gradient_norms.png"), "ReLU, wide: gradient reaching each layer", relu.History, xLabel: "epoch");
            written.AddRange([options.Output("relu_layers.png"), options.Output("relu_gradient_norms.png")]);
        }
        return written;
    }

    /// <summary>
    /// One line per activation's dead fraction, except that those at 0 throughout share one line (in grey), labelled with
    /// all their names: several lines at 0% would lie on one another and hide all but the last.
    /// </summary>
    private static List<Series> DeadSeries(IReadOnlyList<(string Activation, double[] Dead)> runs, double[] x)
    {
        var series = new List<Series>();
        for (int i = 0; i < runs.Count; i++)
            if (runs[i].Dead.Any(d => d != 0)) series.Add(new Series(runs[i].Activation, x, runs[i].Dead.Select(d => 100 * d).ToArray(), Colour: i));
        var flat = runs.Where(r => r.Dead.All(d => d == 0)).Select(r => r.Activation).ToArray();
        if (flat.Length > 0) series.Add(new Series($"{string.Join(", ", flat)}: 0% (f' > 0)", x, new double[x.Length], Colour: 7));
        return series;
    }

    /// <summary>The final line: what the runs show, and whether it is what the sample claims.</summary>
    private static int Claims(IReadOnlyList<WideRun> wide, IReadOnlyList<NarrowRuns> narrow, int epochs)
    {
        var claims = new List<string>();
        bool holds = true;
        var relu = wide.FirstOrDefault(r => r.Activation == "relu");
        var reluNarrow = narrow.FirstOrDefault(r => r.Activation == "relu");
        if (relu is not null && reluNarrow is not null)
        {
            double best = wide.Max(r => r.Accuracy);
            bool wideHolds = relu.Dead[^1] >= ReluDeadAtLeast && relu.Accuracy >= best - WideAccuracyGap;
            claims.Add(F($"wide, after {epochs} epochs: ReLU has {relu.Dead[^1]:P0} dead units (≥ {ReluDeadAtLeast:P0}) and {relu.Accuracy:P1} accuracy, within {WideAccuracyGap:P0} of the best ({best:P1})"));
            double reluMean = reluNarrow.Accuracy.Average();
            var others = narrow.Where(r => r != reluNarrow).ToArray();
            bool narrowHolds = reluNarrow.Dead.Average() >= ReluDeadAtLeast && others.All(r => r.Accuracy.Average() > reluMean);
            claims.Add(F($"narrow, {DyingUnits.NarrowSeeds} seeds: ReLU keeps {reluNarrow.Dead.Average():P0} dead and averages {reluMean:P1} accuracy")
                + (others.Length == 0 ? "" : F($", the lowest ({string.Join(", ", others.Select(r => F($"{r.Activation} {r.Accuracy.Average():P1}")))})")));
            holds = wideHolds && narrowHolds;
        }
        else if (relu is null)
        {
            // An activation without a flat region: its inactive units still pass some gradient (f'(z) > 0 for z ≤ 0), which
            // is what the sample checks. A unit can still end with f' = 0 everywhere in float32 when it is driven so far out
            // on a saturating curve that f' rounds to 0 (σ(z) = 1 exactly for z > 17; e^z underflows below −87): that is
            // reported, not hidden.
            foreach (var run in wide)
            {
                holds &= double.IsNaN(run.InactivePass) || run.InactivePass > 0;
                claims.Add((double.IsNaN(run.InactivePass)
                        ? $"{run.Activation}: no inactive units"
                        : F($"{run.Activation}: its {run.Inactive[^1]:P0} inactive units still pass mean |f'| = {run.InactivePass:F4} (> 0)"))
                    + F($"; {run.Dead[^1]:P0} dead")
                    + (run.Dead[^1] > 0 ? " (f' rounded to 0 in float32 far out on the curve)" : "")
                    + F($"; narrow accuracy {narrow.Single(r => r.Activation == run.Activation).Accuracy.Average():P1}"));
            }
        }
        return Result(holds, $"Dead units: {string.Join("; ", claims)}.");
    }

    private static double Mean(double[] values) => values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();

    private static string Show(double value, string format) => double.IsNaN(value) ? "—" : value.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
}
