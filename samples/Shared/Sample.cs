using System.CommandLine;
using System.Globalization;
using MiniGrad.Activations;

namespace MiniGrad.Samples;

/// <summary>The options every sample takes, after validation.</summary>
/// <param name="Activation">An activation name (<see cref="Activation.Names"/>), or <c>all</c> where the sample compares several.</param>
/// <param name="Epochs">Training epochs (full-batch steps).</param>
/// <param name="LearningRate">The optimizer's learning rate.</param>
/// <param name="Seed">Seeds every random draw: data, initial weights, batches.</param>
/// <param name="OutputDirectory">Where the PNG files go (created if missing).</param>
/// <param name="Quick">A smaller, faster run (for CI): the claim is still checked.</param>
public sealed record SampleOptions(string Activation, int Epochs, double LearningRate, int Seed, string OutputDirectory, bool Quick)
{
    /// <summary>The path of <paramref name="file"/> inside <see cref="OutputDirectory"/>.</summary>
    public string Output(string file) => Path.Combine(OutputDirectory, file);
}

/// <summary>A sample's defaults for the common options.</summary>
/// <param name="Activation">The default activation (or <c>all</c>).</param>
/// <param name="Epochs">The default number of epochs.</param>
/// <param name="LearningRate">The default learning rate.</param>
/// <param name="AllowAll">Whether <c>--activation all</c> is accepted.</param>
public sealed record SampleDefaults(string Activation, int Epochs, double LearningRate, bool AllowAll = false);

/// <summary>The command line every sample shares: <c>--activation --epochs --lr --seed --out --quick</c>, validated before the sample runs.</summary>
public static class Sample
{
    /// <summary>Parses <paramref name="args"/> and runs <paramref name="body"/> with the options; returns its exit code (1 on a usage error).</summary>
    public static int Run(string[] args, string description, SampleDefaults defaults, Func<SampleOptions, int> body) =>
        Run(args, description, defaults, [], (options, _) => body(options));

    /// <summary>
    /// As <see cref="Run(string[], string, SampleDefaults, Func{SampleOptions, int})"/>, with options of the sample's own
    /// (<paramref name="extra"/>), which <paramref name="body"/> reads from the parse result.
    /// </summary>
    public static int Run(string[] args, string description, SampleDefaults defaults, IReadOnlyList<Option> extra, Func<SampleOptions, ParseResult, int> body)
    {
        var activation = new Option<string>("--activation", "-a")
        {
            Description = $"Activation ({string.Join(", ", Activation.Names)}{(defaults.AllowAll ? ", or all" : "")}).",
            DefaultValueFactory = _ => defaults.Activation,
        };
        activation.Validators.Add(result =>
        {
            string name = result.GetValueOrDefault<string>() ?? "";
            if (defaults.AllowAll && name.Equals("all", StringComparison.OrdinalIgnoreCase)) return;
            try { Activation.Describe(name); }
            catch (ArgumentException error) { result.AddError(error.Message.Split(" (Parameter")[0]); }
        });
        var epochs = new Option<int>("--epochs", "-e") { Description = "Training epochs.", DefaultValueFactory = _ => defaults.Epochs };
        epochs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--epochs must be at least 1.");
        });
        var learningRate = new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        learningRate.Validators.Add(result =>
        {
            double lr = result.GetValueOrDefault<double>();
            if (!double.IsFinite(lr) || lr <= 0) result.AddError($"--lr must be a positive number, got {lr.ToString(CultureInfo.InvariantCulture)}.");
        });
        var seed = new Option<int>("--seed", "-s") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o") { Description = "Directory for the PNG files.", DefaultValueFactory = _ => "out" };
        var quick = new Option<bool>("--quick", "-q") { Description = "A smaller, faster run (as CI runs it); the claim is still checked." };

        var root = new RootCommand(description) { activation, epochs, learningRate, seed, output, quick };
        foreach (var option in extra) root.Options.Add(option);
        root.SetAction(result =>
        {
            var options = new SampleOptions(
                result.GetValue(activation)!.ToLowerInvariant(), result.GetValue(epochs), result.GetValue(learningRate),
                result.GetValue(seed), result.GetValue(output)!, result.GetValue(quick));
            Directory.CreateDirectory(options.OutputDirectory);
            return body(options, result);
        });
        return root.Parse(args).Invoke();
    }
}
