using MiniGrad.Plotting;
using static MiniGrad.Samples.SampleConsole;

namespace MiniGrad.Samples.Spirals;

/// <summary>
/// Trains the classic 3-class spiral (100 points per class) and draws what the network learned: spirals.png (its
/// decision regions with the points) and loss.png (loss and accuracy per epoch). Exits with 1 unless the training
/// accuracy reaches 97%.
/// </summary>
public static class Program
{
    /// <summary>The accuracy the sample promises with ReLU.</summary>
    public const double Target = 0.97;

    /// <summary>Runs the sample; see <see cref="Sample.Run"/> for the options.</summary>
    public static int Main(string[] args) => Sample.Run(args,
        "Trains a 2-64-64-3 network on the 3-class spiral and draws its decision regions (spirals.png) and loss curve (loss.png).",
        new SampleDefaults(Activation: "relu", Epochs: 1000, LearningRate: 0.01), Run);

    private static int Run(SampleOptions options)
    {
        int epochs = options.Quick ? Math.Min(options.Epochs, 300) : options.Epochs;
        Console.WriteLine(F($"Spirals: 3 classes × {SpiralsTraining.PointsPerClass} points, 2-{SpiralsTraining.Hidden}-{SpiralsTraining.Hidden}-3 {options.Activation} network, Adam lr {options.LearningRate}, {epochs} full-batch epochs, seed {options.Seed}"));

        SpiralsResult? result = null;
        Progress($"Training ({options.Activation})", epochs, progress =>
            result = SpiralsTraining.Train(options.Activation, epochs, options.LearningRate, options.Seed,
                (epoch, loss, accuracy) => progress.Report(epoch, F($"epoch {epoch}  loss {loss:F4}  accuracy {accuracy:P1}"))));

        var trained = result!;
        Plots.DecisionBoundary(options.Output("spirals.png"), F($"Spirals: {options.Activation}, {trained.Accuracy:P1} training accuracy"),
            trained.Points, trained.Labels, points => SpiralsTraining.Probabilities(trained.Model, points), resolution: options.Quick ? 80 : 240);
        Plots.Training(options.Output("loss.png"), $"Spirals: {options.Activation}, cross-entropy and accuracy", trained.Losses, trained.Accuracies);
        Console.WriteLine($"Wrote {options.Output("spirals.png")} and {options.Output("loss.png")}");

        return Result(trained.Accuracy >= Target,
            F($"Spirals: {trained.Accuracy:P1} training accuracy with {options.Activation} after {epochs} epochs in {trained.Elapsed.TotalSeconds:F1} s (target ≥ {Target:P0})."));
    }
}
