using MiniGrad.Layers;
using MiniGrad.Data;
using MiniGrad.Diagnostics;

namespace MiniGrad.Samples.DeadRelu;

/// <summary>One activation's run: the fraction of dead hidden units after each epoch.</summary>
/// <param name="Activation">The hidden activation.</param>
/// <param name="Dead">After epoch e (index e, with index 0 at initialisation): the fraction of hidden units dead on the whole training set.</param>
/// <param name="Saturated">The same for saturated units (|f'| &lt; 1e-3 on every example).</param>
/// <param name="History">The monitor's report at each of those points.</param>
/// <param name="FinalLoss">The loss at the end.</param>
public sealed record DyingRun(string Activation, double[] Dead, double[] Saturated, IReadOnlyList<GradientFlowReport> History, double FinalLoss);

/// <summary>
/// A 2-64-64-64-3 network trained on the spirals with Adam at a learning rate ten times its usual 0.01: the large early
/// steps push many ReLU units to a negative pre-activation on every example, where ReLU' = 0, so no gradient reaches
/// their weights again and they stay dead. LeakyReLU, PReLU and ELU keep a non-zero slope for x &lt; 0, so theirs recover.
/// </summary>
public static class DyingUnits
{
    /// <summary>Hidden layers and their width.</summary>
    public const int Depth = 3, Width = 64;

    /// <summary>The activations compared.</summary>
    public static readonly string[] Activations = ["relu", "leaky_relu", "prelu", "elu"];

    /// <summary>Trains with <paramref name="activation"/> and measures the dead units after every epoch.</summary>
    public static DyingRun Train(string activation, int epochs, double learningRate, int seed, Action<int>? progress = null)
    {
        var rng = new Random(seed);
        var (x, labels) = Datasets.Spirals<float>(100, 3, noise: 0.2, rng);
        var model = DeepMlp.Build(2, Depth, Width, 3, activation, WeightInit.HeUniform, WeightInit.Default, rng);
        var history = new List<GradientFlowReport>();
        double loss = DeepMlp.TrainMonitored(model, x, labels, epochs, learningRate, (epoch, _, report) =>
        {
            history.Add(report); // the state after `epoch` updates, measured on the whole training set
            progress?.Invoke(epoch);
        });
        return new DyingRun(activation, [.. history.Select(r => Hidden(r, l => l.DeadFraction))],
            [.. history.Select(r => Hidden(r, l => l.SaturatedFraction))], history, loss);
    }

    /// <summary>A unit fraction over all hidden layers (they have equal widths, so the mean of the layers' fractions).</summary>
    private static double Hidden(GradientFlowReport report, Func<LayerGradientFlow, double> fraction) =>
        report.Layers.Take(Depth).Average(fraction);
}
