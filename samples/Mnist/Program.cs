using System.CommandLine;
using MiniGrad.Plotting;
using MiniGrad.Training;
using static MiniGrad.Samples.SampleConsole;

namespace MiniGrad.Samples.Mnist;

/// <summary>
/// Handwritten digits: a 784-256-128-10 ReLU network with dropout on the 8,000 training digits shipped in data/mnist,
/// measured on the 2,000 held-out ones. Prints the confusion matrix and writes confusion.png, misclassified.png and
/// training.png; with <c>--compare</c> trains the same network with each of eight activations and plots their test accuracy
/// per epoch (compare.png). Exits with 1 below 96% test accuracy (90% with <c>--quick</c>).
/// </summary>
public static class Program
{
    /// <summary>The test accuracy the sample promises with its defaults, and with --quick (3 epochs).</summary>
    public const double Target = 0.96, QuickTarget = 0.90;

    /// <summary>The activations <c>--compare</c> trains, in the order the material teaches them.</summary>
    public static readonly string[] Compared = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu"];

    private static readonly Option<bool> Compare = new("--compare") { Description = $"Train the network with each of {string.Join(", ", Compared)} and compare test accuracy per epoch." };

    private static readonly Option<int> MaxShift = new("--shift")
    {
        Description = "Move each training digit by up to this many pixels each epoch (0: no augmentation).",
        DefaultValueFactory = _ => 2,
    };

    /// <summary>Runs the sample; see <see cref="Sample.Run(string[], string, SampleDefaults, IReadOnlyList{Option}, Func{SampleOptions, ParseResult, int})"/> for the options.</summary>
    public static int Main(string[] args)
    {
        MaxShift.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 8) result.AddError("--shift must be between 0 and 8 pixels.");
        });
        return Sample.Run(args,
            "Trains a 784-256-128-10 network on 8,000 MNIST digits and tests it on 2,000 others; writes confusion.png, misclassified.png and training.png (compare.png with --compare).",
            new SampleDefaults(Activation: "relu", Epochs: 30, LearningRate: 1e-3), [Compare, MaxShift], Run);
    }

    private static int Run(SampleOptions options, ParseResult parsed)
    {
        int epochs = options.Quick ? Math.Min(options.Epochs, 3) : options.Epochs;
        double target = options.Quick ? QuickTarget : Target;
        int shift = parsed.GetValue(MaxShift);
        var data = MnistTraining.Load(Path.Combine(AppContext.BaseDirectory, "data", "mnist"));
        Console.WriteLine(F($"MNIST: {data.TrainImages.Rows} training and {data.TestImages.Rows} test digits; 784-{string.Join("-", MnistTraining.Hidden)}-10, dropout {MnistTraining.DropoutProbability}, Adam lr {options.LearningRate} with a cosine schedule, batch {MnistTraining.BatchSize}, {epochs} epochs, training digits shifted by up to {shift} px, seed {options.Seed}"));

        return parsed.GetValue(Compare) ? RunComparison(options, data, epochs, shift, target) : RunOne(options, data, epochs, shift, target);
    }

    private static int RunOne(SampleOptions options, MnistData data, int epochs, int shift, double target)
    {
        MnistRun? run = null;
        Progress($"Training ({options.Activation})", epochs * BatchesPerEpoch(data), progress =>
            run = MnistTraining.Train(data, options.Activation, epochs, options.LearningRate, shift, options.Seed,
                (trainer, train, test) => Fit(trainer, progress, train, epochs, test)));
        var result = run!;

        var matrix = ConfusionMatrix.Of(result.Predictions, data.TestLabels, MnistTraining.Classes);
        Console.WriteLine();
        Console.WriteLine("Confusion matrix of the test digits (rows: true digit, columns: predicted):");
        Console.WriteLine(matrix);

        string accuracyText = F($"{result.TestAccuracy:P1}");
        Plots.ConfusionMatrix(options.Output("confusion.png"), $"MNIST test digits, {options.Activation}: {accuracyText} right", matrix);
        var allWrong = Enumerable.Range(0, data.TestLabels.Length).Where(i => result.Predictions[i] != data.TestLabels[i]).ToArray();
        var wrong = allWrong.Take(40).ToArray();
        Plots.Images(options.Output("misclassified.png"),
            F($"The first {wrong.Length} of {allWrong.Length} misclassified test digits ({options.Activation}; true → predicted)"),
            data.TestImages.TakeRows(wrong), wrong.Select(i => $"{data.TestLabels[i]} → {result.Predictions[i]}").ToArray(),
            MnistTraining.Side, MnistTraining.Side);
        var history = result.History;
        var epochNumbers = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        Plots.Training(options.Output("training.png"), $"MNIST, {options.Activation}: cross-entropy and accuracy per epoch",
            [new Series("train loss", epochNumbers, history.Series("loss")), new Series("test loss", epochNumbers, history.Series("val_loss"))],
            [new Series("train accuracy", epochNumbers, history.Series("accuracy")), new Series("test accuracy", epochNumbers, history.Series("val_accuracy"))]);
        Console.WriteLine($"Wrote {options.Output("confusion.png")}, {options.Output("misclassified.png")} and {options.Output("training.png")}");

        return Result(result.TestAccuracy >= target,
            F($"MNIST: {result.TestAccuracy:P1} of the {data.TestLabels.Length} held-out digits right with {options.Activation} after {epochs} epochs in {result.Elapsed.TotalSeconds:F1} s (target ≥ {target:P0})."));
    }

    private static int RunComparison(SampleOptions options, MnistData data, int epochs, int shift, double target)
    {
        var activations = Compared.Contains(options.Activation) ? Compared : [.. Compared, options.Activation];
        int batches = epochs * BatchesPerEpoch(data);
        var runs = new List<MnistRun>();
        Progress("Comparing activations", activations.Length * batches, progress =>
        {
            foreach (var activation in activations)
                runs.Add(MnistTraining.Train(data, activation, epochs, options.LearningRate, shift, options.Seed,
                    (trainer, train, test) => Fit(trainer, progress, train, epochs, test, offset: runs.Count * batches, label: $"{activation}: ")));
        });

        Table($"Test accuracy of 784-{string.Join("-", MnistTraining.Hidden)}-10 networks after each of {epochs} epochs (same data, seed and schedule)",
            ["activation", "epoch 1", "best", "final", "train loss", "time"],
            runs.Select(run => (IReadOnlyList<string>)[
                run.Activation, F($"{run.History.Epochs[0]["val_accuracy"]:P1}"), F($"{run.History.Series("val_accuracy").Max():P1}"),
                F($"{run.TestAccuracy:P1}"), F($"{run.History.Epochs[^1].Loss:F4}"), F($"{run.Elapsed.TotalSeconds:F1} s")]));

        var epochNumbers = Enumerable.Range(1, epochs).Select(e => (double)e).ToArray();
        // The error on a log scale spreads out the last percent, where the activations differ; every other line is dashed,
        // so that two that coincide (ReLU and LeakyReLU barely differ here) both stay visible.
        Plots.Lines(options.Output("compare.png"), $"MNIST: test error per epoch, same network, data and seed", "epoch", "test error (%, log scale)",
            runs.Select((run, i) => new Series(run.Activation, epochNumbers, run.History.Series("val_accuracy").Select(a => 100 * (1 - a)).ToArray(), Dashed: i % 2 == 1, Colour: i)).ToArray(),
            logY: true);
        Console.WriteLine($"Wrote {options.Output("compare.png")}");

        var ranked = runs.OrderByDescending(run => run.TestAccuracy).ToList();
        var chosen = runs.Single(run => run.Activation == options.Activation);
        return Result(chosen.TestAccuracy >= target,
            F($"MNIST compare: after {epochs} epochs the final test accuracy ranges from {ranked[^1].TestAccuracy:P1} ({ranked[^1].Activation}) to {ranked[0].TestAccuracy:P1} ({ranked[0].Activation}); {chosen.Activation} reaches {chosen.TestAccuracy:P1} (target ≥ {target:P0})."));
    }

    private static int BatchesPerEpoch(MnistData data) => (data.TrainImages.Rows + MnistTraining.BatchSize - 1) / MnistTraining.BatchSize;
}
