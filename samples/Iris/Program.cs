using MiniGrad.Activations;
using MiniGrad.Data;
using MiniGrad.Layers;
using MiniGrad.Losses;
using MiniGrad.Optimizers;
using MiniGrad.Plotting;
using MiniGrad.Training;
using static MiniGrad.Samples.SampleConsole;

namespace MiniGrad.Samples.Iris;

/// <summary>
/// Fisher's iris flowers from a CSV file, the way a C# developer meets their own data: read the CSV, split it 80/20
/// stratified by species, standardise on the training part, train a 4-16-3 network with the Trainer, print the confusion
/// matrix of the held-out flowers, save the model. Exits with 1 below 96% test accuracy.
/// </summary>
public static class Program
{
    /// <summary>The test accuracy the sample promises.</summary>
    public const double Target = 0.96;

    /// <summary>Runs the sample; see <see cref="Sample.Run(string[], string, SampleDefaults, Func{SampleOptions, int})"/> for the options.</summary>
    public static int Main(string[] args) => Sample.Run(args,
        "Trains a 4-16-3 network on 80% of the iris flowers (data/iris.csv) and tests it on the other 30; writes training.png and iris.safetensors.",
        new SampleDefaults(Activation: "relu", Epochs: 100, LearningRate: 0.01), Run);

    private static int Run(SampleOptions options)
    {
        int epochs = options.Quick ? Math.Min(options.Epochs, 60) : options.Epochs;
        var iris = Csv.ReadClassification<float>(Path.Combine(AppContext.BaseDirectory, "data", "iris.csv"), "species");
        var (train, test) = Split.TrainTest(iris.Features, iris.Labels, testFraction: 0.2, stratify: true, new Random(options.Seed));
        var scaler = new StandardScaler<float>().Fit(train.Features); // measured on the training flowers only
        Console.WriteLine(F($"Iris: {iris.Features.Rows} flowers, {iris.FeatureNames.Length} measurements ({string.Join(", ", iris.FeatureNames)}), species {string.Join(", ", iris.Classes)}"));
        Console.WriteLine(F($"Split 80/20 by species (seed {options.Seed}): {train.Labels.Length} to train, {test.Labels.Length} to test; 4-16-3 {options.Activation} network, Adam lr {options.LearningRate}, batch 16, {epochs} epochs"));

        var rng = new Random(options.Seed);
        var model = new Sequential<float>(new Dense<float>(4, 16, rng), Activation.Create<float>(options.Activation, rng), new Dense<float>(16, 3, rng));
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), new Adam<float>(model.Parameters(), lr: options.LearningRate))
        {
            Metrics = { new Accuracy<float>() },
        };
        var trainLoader = new DataLoader<float>(scaler.Transform(train.Features), train.Labels, batchSize: 16, seed: options.Seed);
        var testLoader = new DataLoader<float>(scaler.Transform(test.Features), test.Labels, batchSize: 64, shuffle: false);
        TrainingHistory? history = null;
        Progress($"Training ({options.Activation})", epochs * trainLoader.BatchCount, progress => history = Fit(trainer, progress, trainLoader, epochs, testLoader));

        var predictions = model.Forward(scaler.Transform(test.Features)).ArgMax();
        var matrix = ConfusionMatrix.Of(predictions, test.Labels, iris.Classes.Length, iris.Classes);
        Console.WriteLine();
        Console.WriteLine("Confusion matrix of the held-out flowers (rows: true species, columns: predicted):");
        Console.WriteLine(matrix);

        var epochNumbers = history!.Epochs.Select(e => (double)e.Epoch).ToArray();
        Plots.Training(options.Output("training.png"), $"Iris, {options.Activation}: cross-entropy and accuracy per epoch",
            [new Series("train loss", epochNumbers, history.Series("loss")), new Series("test loss", epochNumbers, history.Series("val_loss"))],
            [new Series("train accuracy", epochNumbers, history.Series("accuracy")), new Series("test accuracy", epochNumbers, history.Series("val_accuracy"))]);
        model.Save(options.Output("iris.safetensors"));
        Console.WriteLine($"Wrote {options.Output("training.png")} and {options.Output("iris.safetensors")}");

        return Result(matrix.Accuracy >= Target,
            F($"Iris: {matrix.Accuracy:P1} of the {test.Labels.Length} held-out flowers right ({predictions.Where((p, i) => p != test.Labels[i]).Count()} wrong) with {options.Activation} after {epochs} epochs (target ≥ {Target:P0})."));
    }
}
