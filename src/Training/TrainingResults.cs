using System.Globalization;
using System.Text;

namespace MiniGrad.Training;

/// <summary>Where training stands after one batch, for a progress bar.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">The last epoch this <c>Fit</c> will train.</param>
/// <param name="Batch">The batch just trained, from 1.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">This batch's loss.</param>
public readonly record struct BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss);

/// <summary>
/// What one epoch measured, under the names Keras uses: <c>loss</c> and each metric's name (<c>accuracy</c>, …) on the
/// training batches, and <c>val_loss</c>, <c>val_accuracy</c>, … on the validation set when there is one.
/// </summary>
/// <param name="Epoch">The epoch, from 1, counted over every <c>Fit</c> of the trainer.</param>
/// <param name="Values">Every measured value by name.</param>
/// <param name="LearningRate">The learning rate the epoch trained with.</param>
/// <param name="ExamplesPerSecond">Training examples per second of the epoch's training part (validation not counted).</param>
/// <param name="Elapsed">The epoch's wall-clock time, validation included.</param>
/// <param name="GradientNorm">The mean global gradient norm before clipping, when the trainer clips; NaN otherwise.</param>
public sealed record EpochResult(int Epoch, IReadOnlyDictionary<string, double> Values, double LearningRate, double ExamplesPerSecond, TimeSpan Elapsed, double GradientNorm)
{
    /// <summary>The mean training loss over the epoch's examples.</summary>
    public double Loss => Values["loss"];

    /// <summary>The loss on the validation set; null without one.</summary>
    public double? ValidationLoss => Values.TryGetValue("val_loss", out var loss) ? loss : null;

    /// <summary>A value by name.</summary>
    /// <exception cref="KeyNotFoundException">No value has that name; the message lists those there are.</exception>
    public double this[string name] => Values.TryGetValue(name, out var value)
        ? value
        : throw new KeyNotFoundException($"Epoch {Epoch} has no value '{name}'; it has {string.Join(", ", Values.Keys)}.");

    /// <summary><c>epoch 3: loss 0.1234, accuracy 0.9612, val_loss 0.1500, val_accuracy 0.9550, lr 0.001, 41,000 examples/s, 1.2 s</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"epoch {Epoch}:"));
        foreach (var (name, value) in Values) text.Append(CultureInfo.InvariantCulture, $" {name} {value:G4},");
        text.Append(CultureInfo.InvariantCulture, $" lr {LearningRate:G3}, {ExamplesPerSecond:N0} examples/s, {Elapsed.TotalSeconds:F1} s");
        return text.ToString();
    }
}

/// <summary>Every epoch a <c>Fit</c> trained, and why it stopped.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(IReadOnlyList<EpochResult> epochs, int? bestEpoch, string stopReason, bool diverged) =>
        (Epochs, BestEpoch, StopReason, Diverged) = (epochs, bestEpoch, stopReason, diverged);

    /// <summary>The epochs, in order.</summary>
    public IReadOnlyList<EpochResult> Epochs { get; }

    /// <summary>The epoch early stopping judged best (its weights restored if it was asked to); null without early stopping.</summary>
    public int? BestEpoch { get; }

    /// <summary>Why training ended: all epochs done, early stopping, a stop request, or a loss that stopped being finite.</summary>
    public string StopReason { get; }

    /// <summary>Whether training stopped because the loss became NaN or infinite.</summary>
    public bool Diverged { get; }

    /// <summary>One value (<c>loss</c>, <c>val_accuracy</c>, …) for every epoch, for plotting.</summary>
    /// <exception cref="KeyNotFoundException">An epoch has no such value.</exception>
    public double[] Series(string name) => Epochs.Select(epoch => epoch[name]).ToArray();

    /// <summary>The last epoch's values and the stop reason.</summary>
    public override string ToString() => Epochs.Count == 0 ? StopReason : $"{Epochs[^1]}; {StopReason}";
}

/// <summary>A model's loss and metrics on a data set, measured in Eval mode.</summary>
/// <param name="Loss">The mean loss over the examples.</param>
/// <param name="Metrics">Each metric's value by its name.</param>
/// <param name="Count">The number of examples.</param>
public sealed record Evaluation(double Loss, IReadOnlyDictionary<string, double> Metrics, int Count)
{
    /// <summary><c>loss 0.1234, accuracy 0.9612 (2000 examples)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"loss {Loss:G4}{string.Concat(Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $", {m.Key} {m.Value:G4}")))} ({Count} examples)");
}
