using System.Globalization;
using MiniGrad.Kernels;

namespace MiniGrad.Optimizers;

/// <summary>
/// A learning-rate schedule: the rate for each epoch as a function of the optimizer's base rate, as PyTorch's
/// <c>lr_scheduler</c> classes compute it. <see cref="Scheduler{T}"/> applies one to an optimizer; schedules compose with
/// <see cref="Then"/> (one after another, as <c>SequentialLR</c>) and <see cref="Times"/> (both at once, as <c>ChainedScheduler</c>).
/// </summary>
public abstract class Schedule
{
    /// <summary>The learning rate at <paramref name="epoch"/> (from 0) for an optimizer whose base rate is <paramref name="baseRate"/>.</summary>
    public abstract double Rate(double baseRate, int epoch);

    /// <summary>This schedule for epochs 0 … <paramref name="epochs"/> − 1, then <paramref name="next"/> counted from 0 again.</summary>
    /// <exception cref="ArgumentOutOfRangeException">epochs is below 1.</exception>
    public Schedule Then(int epochs, Schedule next)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentNullException.ThrowIfNull(next);
        return new Sequence(this, epochs, next);
    }

    /// <summary>Both schedules at once: <paramref name="other"/> applied to the rate this one gives.</summary>
    public Schedule Times(Schedule other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new Product(this, other);
    }

    private sealed class Sequence(Schedule first, int epochs, Schedule next) : Schedule
    {
        public override double Rate(double baseRate, int epoch) => epoch < epochs ? first.Rate(baseRate, epoch) : next.Rate(baseRate, epoch - epochs);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{first} for {epochs} epochs, then {next}");
    }

    private sealed class Product(Schedule first, Schedule second) : Schedule
    {
        public override double Rate(double baseRate, int epoch) => second.Rate(first.Rate(baseRate, epoch), epoch);

        public override string ToString() => $"{first} × {second}";
    }
}

/// <summary>lr = base · γ^⌊epoch / stepSize⌋: the rate drops by γ every <c>stepSize</c> epochs (PyTorch's <c>StepLR</c>).</summary>
public sealed class StepLR(int stepSize, double gamma = 0.1) : Schedule
{
    private readonly int stepSize = stepSize >= 1 ? stepSize : throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "stepSize must be at least 1.");
    private readonly double gamma = Require.Positive(gamma, nameof(gamma));

    /// <inheritdoc/>
    public override double Rate(double baseRate, int epoch) => baseRate * Math.Pow(gamma, epoch / stepSize);

    /// <summary><c>StepLR(stepSize: 10, gamma: 0.1)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"StepLR(stepSize: {stepSize}, gamma: {gamma})");
}

/// <summary>lr = base · γ^epoch (PyTorch's <c>ExponentialLR</c>).</summary>
public sealed class ExponentialLR(double gamma) : Schedule
{
    private readonly double gamma = Require.Positive(gamma, nameof(gamma));

    /// <inheritdoc/>
    public override double Rate(double baseRate, int epoch) => baseRate * Math.Pow(gamma, epoch);

    /// <summary><c>ExponentialLR(gamma: 0.95)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ExponentialLR(gamma: {gamma})");
}

/// <summary>
/// lr = min + (base − min)(1 + cos(π·epoch/T))/2: half a cosine from the base rate down to <c>minRate</c> over T epochs
/// (PyTorch's <c>CosineAnnealingLR</c> in its closed form, which rises again after T).
/// </summary>
public sealed class CosineAnnealingLR(int epochs, double minRate = 0) : Schedule
{
    private readonly int epochs = epochs >= 1 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be at least 1.");
    private readonly double minRate = Require.NonNegative(minRate, nameof(minRate));

    /// <inheritdoc/>
    public override double Rate(double baseRate, int epoch) => minRate + (baseRate - minRate) * (1 + Math.Cos(Math.PI * epoch / epochs)) / 2;

    /// <summary><c>CosineAnnealingLR(epochs: 50, minRate: 0)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"CosineAnnealingLR(epochs: {epochs}, minRate: {minRate})");
}

/// <summary>
/// A linear warm-up: lr = base · (start + (1 − start)·min(epoch, E)/E), from start·base up to the base rate over E epochs
/// (PyTorch's <c>LinearLR</c> ending at factor 1). Follow it with another schedule through <see cref="Schedule.Then"/>.
/// </summary>
public sealed class LinearWarmup(int epochs, double startFactor = 1.0 / 3) : Schedule
{
    private readonly int epochs = epochs >= 1 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be at least 1.");
    private readonly double startFactor = startFactor > 0 && startFactor <= 1 ? startFactor : throw Require.OutOfRange(nameof(startFactor), startFactor, "must be in (0, 1]");

    /// <inheritdoc/>
    public override double Rate(double baseRate, int epoch) => baseRate * (startFactor + (1 - startFactor) * Math.Min(epoch, epochs) / epochs);

    /// <summary><c>LinearWarmup(epochs: 5, startFactor: 0.333…)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"LinearWarmup(epochs: {epochs}, startFactor: {startFactor})");
}
