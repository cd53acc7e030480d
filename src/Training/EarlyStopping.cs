using System.Globalization;

namespace MiniGrad.Training;

/// <summary>
/// Stops training when a monitored value has not improved for <see cref="Patience"/> epochs in a row, and puts back the
/// weights of the best epoch (Keras' <c>EarlyStopping(restore_best_weights=True)</c>). An epoch improves on the best when
/// its value is better by more than <see cref="MinDelta"/>: lower for a loss or an error, higher for a score such as accuracy.
/// </summary>
/// <param name="monitor">
/// The value to watch, by the name the trainer reports it under: <c>val_loss</c>, <c>val_accuracy</c>, <c>loss</c>, … Null
/// watches <c>val_loss</c> when the trainer validates and the training <c>loss</c> otherwise.
/// </param>
/// <param name="patience">How many epochs without improvement to allow before stopping (≥ 1).</param>
/// <param name="minDelta">The smallest change that counts as an improvement (≥ 0).</param>
/// <param name="restoreBestWeights">
/// Whether the model ends training with the weights (and running statistics) of its best epoch rather than its last.
/// </param>
public sealed class EarlyStopping(string? monitor = null, int patience = 5, double minDelta = 0, bool restoreBestWeights = true)
{
    /// <summary>The name of the watched value; null for <c>val_loss</c> or <c>loss</c>.</summary>
    public string? Monitor { get; } = monitor;

    /// <summary>Epochs without improvement allowed before stopping.</summary>
    public int Patience { get; } = patience >= 1 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be at least 1.");

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; } = double.IsFinite(minDelta) && minDelta >= 0 ? minDelta : throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite number ≥ 0.");

    /// <summary>Whether training ends with the best epoch's weights.</summary>
    public bool RestoreBestWeights { get; } = restoreBestWeights;

    /// <summary><c>EarlyStopping(monitor: val_loss, patience: 5, minDelta: 0)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"EarlyStopping(monitor: {Monitor ?? "val_loss or loss"}, patience: {Patience}, minDelta: {MinDelta})");
}
