using MiniGrad.Data;
using MiniGrad.Diagnostics;
using MiniGrad.Layers;

namespace MiniGrad.Samples.DeadRelu;

/// <summary>One activation in the wide network, trained at a too-high learning rate throughout.</summary>
/// <param name="Activation">The hidden activation.</param>
/// <param name="Inactive">After epoch e (index e; 0 = at initialisation): the fraction of hidden units with z ≤ 0 on every
/// training example.</param>
/// <param name="Dead">The same for dead units: f'(z) = 0 on every example, so no gradient at all.</param>
/// <param name="InactivePass">At the end, mean |f'(z)| over the inactive units: the share of the gradient they still pass
/// (0 for ReLU, the slope for LeakyReLU); NaN when no unit is inactive.</param>
/// <param name="Recovered">Of the units inactive at <see cref="DyingUnits.RecoveryFrom"/>, the fraction active at the end.</param>
/// <param name="History">The monitor's report after each epoch.</param>
/// <param name="FinalLoss">The loss at the end.</param>
/// <param name="Accuracy">The training accuracy at the end.</param>
public sealed record WideRun(string Activation, double[] Inactive, double[] Dead, double InactivePass, double Recovered,
    IReadOnlyList<GradientFlowReport> History, double FinalLoss, double Accuracy);

/// <summary>One activation in the narrow network, over several seeds, after a burst of too-large steps.</summary>
/// <param name="Activation">The hidden activation.</param>
/// <param name="DeadAfterBurst">Per seed: the dead fraction right after the burst.</param>
/// <param name="Dead">Per seed: the dead fraction at the end.</param>
/// <param name="Inactive">Per seed: the inactive fraction at the end.</param>
/// <param name="Recovered">Per seed: of the units inactive right after the burst, the fraction active at the end (NaN when none were).</param>
/// <param name="Accuracy">Per seed: the training accuracy at the end.</param>
public sealed record NarrowRuns(string Activation, double[] DeadAfterBurst, double[] Dead, double[] Inactive, double[] Recovered, double[] Accuracy);

/// <summary>
/// How units die and what it costs, on the spirals (3 classes, 100 points each). A unit is <em>inactive</em> when its
/// pre-activation z is ≤ 0 for every training example: every activation has that side, so the fraction compares fairly.
/// What differs is what an inactive unit still does: ReLU's passes no gradient (f' = 0: it is <em>dead</em>, and its weights
/// can no longer change), LeakyReLU's passes the slope (0.01), PReLU's its learned slope, ELU's α·e^z. Two settings:
/// a wide network (3 × 64), where the survivors can make up for the dead, and a narrow one (3 × 8), where they cannot.
/// </summary>
public static class DyingUnits
{
    /// <summary>Hidden layers, and the widths of the two networks.</summary>
    public const int Depth = 3, WideWidth = 64, NarrowWidth = 8;

    /// <summary>The narrow setting: a burst of <see cref="BurstEpochs"/> Adam steps at <see cref="BurstRate"/>, then
    /// <see cref="NarrowEpochs"/> at <see cref="UsualRate"/>, for each of <see cref="NarrowSeeds"/> seeds.</summary>
    public const int BurstEpochs = 5, NarrowEpochs = 300, NarrowSeeds = 8;

    /// <summary>The burst's learning rate and the usual one.</summary>
    public const double BurstRate = 0.5, UsualRate = 0.01;

    /// <summary>The epoch from which recovery is counted in the wide run.</summary>
    public const int RecoveryFrom = 10;

    /// <summary>The activations compared.</summary>
    public static readonly string[] Activations = ["relu", "leaky_relu", "prelu", "elu"];

    /// <summary>The wide network trained at <paramref name="learningRate"/> throughout, measured after every epoch.</summary>
    public static WideRun Wide(string activation, int epochs, double learningRate, int seed, Action<int>? progress = null)
    {
        var rng = new Random(seed);
        var (x, labels) = Datasets.Spirals<float>(100, 3, noise: 0.2, rng);
        var model = DeepMlp.Build(2, Depth, WideWidth, 3, activation, WeightInit.HeUniform, WeightInit.Default, rng);
        var history = new List<GradientFlowReport>();
        double loss = DeepMlp.TrainMonitored(model, x, labels, epochs, learningRate, (epoch, _, report) =>
        {
            history.Add(report); // the state after `epoch` updates, measured on the whole training set
            progress?.Invoke(epoch);
        });
        var end = history[^1];
        return new WideRun(activation, [.. history.Select(r => Hidden(r, l => l.InactiveFraction))], [.. history.Select(r => Hidden(r, l => l.DeadFraction))],
            InactivePass(end), Recovered(history[Math.Min(RecoveryFrom, history.Count - 1)], end), history, loss, DeepMlp.Accuracy(model, x, labels));
    }

    /// <summary>The narrow network after a burst of too-large steps, for seeds <paramref name="seed"/> … seed + <see cref="NarrowSeeds"/> − 1.</summary>
    public static NarrowRuns Narrow(string activation, int seed, Action<int>? progress = null)
    {
        var deadAfterBurst = new double[NarrowSeeds];
        var dead = new double[NarrowSeeds];
        var inactive = new double[NarrowSeeds];
        var recovered = new double[NarrowSeeds];
        var accuracy = new double[NarrowSeeds];
        for (int s = 0; s < NarrowSeeds; s++)
        {
            var rng = new Random(seed + s);
            var (x, labels) = Datasets.Spirals<float>(100, 3, noise: 0.2, rng);
            var model = DeepMlp.Build(2, Depth, NarrowWidth, 3, activation, WeightInit.HeUniform, WeightInit.Default, rng);
            GradientFlowReport? afterBurst = null, end = null;
            DeepMlp.TrainMonitored(model, x, labels, BurstEpochs + NarrowEpochs, BurstRate, (epoch, _, report) =>
            {
                if (epoch == BurstEpochs) afterBurst = report;
                end = report;
            }, rateAt: epoch => epoch < BurstEpochs ? BurstRate : UsualRate);
            deadAfterBurst[s] = Hidden(afterBurst!, l => l.DeadFraction);
            dead[s] = Hidden(end!, l => l.DeadFraction);
            inactive[s] = Hidden(end!, l => l.InactiveFraction);
            recovered[s] = Recovered(afterBurst!, end!);
            accuracy[s] = DeepMlp.Accuracy(model, x, labels);
            progress?.Invoke(s);
        }
        return new NarrowRuns(activation, deadAfterBurst, dead, inactive, recovered, accuracy);
    }

    /// <summary>A unit fraction over all hidden layers (they have equal widths, so the mean of the layers' fractions).</summary>
    private static double Hidden(GradientFlowReport report, Func<LayerGradientFlow, double> fraction) =>
        report.Layers.Take(Depth).Average(fraction);

    /// <summary>Mean |f'| over the inactive units of all hidden layers, weighted by how many each layer has.</summary>
    private static double InactivePass(GradientFlowReport report)
    {
        var layers = report.Layers.Take(Depth).Where(l => l.InactiveUnits.Any(i => i)).ToArray();
        if (layers.Length == 0) return double.NaN;
        return layers.Sum(l => l.InactiveMeanAbsDerivative * l.InactiveUnits.Count(i => i)) / layers.Sum(l => l.InactiveUnits.Count(i => i));
    }

    /// <summary>Of the hidden units inactive in <paramref name="before"/>, the fraction no longer inactive in <paramref name="after"/>.</summary>
    private static double Recovered(GradientFlowReport before, GradientFlowReport after)
    {
        int inactive = 0, recovered = 0;
        for (int l = 0; l < Depth; l++)
            for (int unit = 0; unit < before.Layers[l].InactiveUnits.Count; unit++)
                if (before.Layers[l].InactiveUnits[unit])
                {
                    inactive++;
                    if (!after.Layers[l].InactiveUnits[unit]) recovered++;
                }
        return inactive == 0 ? double.NaN : (double)recovered / inactive;
    }
}
