using System.Globalization;
using System.Diagnostics;
using System.Numerics;
using MiniGrad.Data;
using MiniGrad.Layers;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Training;

/// <summary>
/// The common training loop, written once: for each epoch, each batch of the loader is zero-grad, forward, loss,
/// backward, (clip), step, exactly the loop the README teaches by hand; then the metrics, the validation set, the
/// schedule and early stopping, as Keras' <c>fit</c> does them.
/// </summary>
/// <remarks>
/// <code>
/// var trainer = new Trainer&lt;float&gt;(model, new CrossEntropyLoss&lt;float&gt;(), new Adam&lt;float&gt;(model.Parameters(), lr: 1e-3))
/// {
///     Metrics = { new Accuracy&lt;float&gt;() },
///     Schedule = new CosineAnnealingLR(epochs: 20),
///     EarlyStopping = new EarlyStopping("val_accuracy", patience: 3),
/// };
/// trainer.EpochEnded += (_, epoch) => Console.WriteLine(epoch);   // epoch 1: loss 0.41, accuracy 0.88, val_loss …
/// var history = trainer.Fit(trainLoader, epochs: 20, validation: testLoader);
/// </code>
/// <para>
/// The model trains in <see cref="Module{T}.Train"/> mode and is validated in <see cref="Module{T}.Eval"/> mode (dropout
/// off, running statistics used); <c>Fit</c> leaves it in Eval mode, ready to predict. Metrics on the training set are
/// measured on the training batches as they are trained, dropout included, as Keras reports them. Once warm, a training
/// batch allocates nothing. The trainer raises events and writes nothing itself: draw them as a progress bar or a log.
/// </para>
/// </remarks>
public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Module<T> model;
    private readonly IClassificationLoss<T>? classification;
    private readonly IRegressionLoss<T>? regression;
    private readonly Optimizer<T> optimizer;
    private Scheduler<T>? scheduler;
    private bool stopRequested;

    /// <summary>A trainer of a classifier: batches of class labels, a loss such as <see cref="CrossEntropyLoss{T}"/>.</summary>
    public Trainer(Module<T> model, IClassificationLoss<T> loss, Optimizer<T> optimizer) : this(model, optimizer) =>
        classification = loss ?? throw new ArgumentNullException(nameof(loss));

    /// <summary>A trainer of a regression model: batches of targets, a loss such as <see cref="MSELoss{T}"/>.</summary>
    public Trainer(Module<T> model, IRegressionLoss<T> loss, Optimizer<T> optimizer) : this(model, optimizer) =>
        regression = loss ?? throw new ArgumentNullException(nameof(loss));

    private Trainer(Module<T> model, Optimizer<T> optimizer)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
    }

    /// <summary>What to measure besides the loss, on the training batches and on the validation set.</summary>
    public IList<Metric<T>> Metrics { get; } = new List<Metric<T>>();

    /// <summary>The learning-rate schedule, applied from the optimizer's rate at the first <c>Fit</c>, stepped once per epoch.</summary>
    public Schedule? Schedule { get; init; }

    /// <summary>When set, gradients are clipped to this global norm before each step (<see cref="GradientClipping.ClipGlobalNorm{T}(IReadOnlyList{Tensor{T}}, double)"/>).</summary>
    public double? MaxGradientNorm { get; init; }

    /// <summary>When set, training stops once the monitored value stops improving.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>
    /// When set (100 by default), training stops as diverged once a batch's loss exceeds this many times the loss of the
    /// first batch this trainer trained (taken as at least 1, so that a model that starts well does not trip it on a
    /// small rise): a learning rate far too high makes the loss climb to hundreds or billions long before it becomes NaN.
    /// A loss that is NaN or infinite always stops training. Null checks for NaN and infinity only.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The factor is not a finite number &gt; 1.</exception>
    public double? DivergenceFactor
    {
        get;
        init => field = value is null or (> 1 and < double.PositiveInfinity) ? value : throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), value, "DivergenceFactor must be a finite number > 1, or null.");
    } = 100;

    private double firstLoss = double.NaN;

    /// <summary>The number of epochs trained so far, over every <c>Fit</c>.</summary>
    public int Epoch { get; private set; }

    /// <summary>Raised after every training batch (progress bars).</summary>
    public event EventHandler<BatchProgress>? BatchEnded;

    /// <summary>Raised after every epoch with its losses, metrics, learning rate and throughput (logs, plots).</summary>
    public event EventHandler<EpochResult>? EpochEnded;

    /// <summary>Asks training to stop at the end of the current epoch (from an event handler, as Keras' <c>stop_training</c>).</summary>
    public void Stop() => stopRequested = true;

    /// <summary>
    /// Trains for <paramref name="epochs"/> more epochs over <paramref name="train"/>, measuring on
    /// <paramref name="validation"/> after each when given, until the epochs are done, early stopping ends it, an event
    /// handler calls <see cref="Stop"/>, or the loss stops being finite.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">epochs is below 1.</exception>
    /// <exception cref="ArgumentException">A loader holds labels where the loss needs targets or the other way round,
    /// two metrics share a name, or early stopping watches a value the trainer does not report.</exception>
    public TrainingHistory Fit(DataLoader<T> train, int epochs, DataLoader<T>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        CheckLoader(train, nameof(train));
        if (validation is not null) CheckLoader(validation, nameof(validation));
        CheckMetricNames();
        string? monitor = EarlyStopping is null ? null : CheckMonitor(EarlyStopping, validation is not null);
        bool higherIsBetter = Metrics.FirstOrDefault(m => monitor == m.Name || monitor == "val_" + m.Name)?.HigherIsBetter ?? false; // a loss: lower is better

        scheduler ??= Schedule is null ? null : new Scheduler<T>(optimizer, Schedule);
        stopRequested = false;
        var results = new List<EpochResult>();
        double best = double.NaN;
        int? bestEpoch = null;
        int waited = 0;
        T[][]? bestState = null;
        string reason = $"trained {epochs} epochs";
        bool diverged = false;
        int last = Epoch + epochs;

        while (Epoch < last)
        {
            Epoch++;
            long start = Stopwatch.GetTimestamp();
            var (values, gradientNorm, divergence) = TrainEpoch(train, last);
            double trainSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (divergence is { } at)
            {
                string what = double.IsFinite(at.Loss)
                    ? string.Create(CultureInfo.InvariantCulture, $"the training loss rose to {at.Loss:G4}, more than {DivergenceFactor}× the first batch's {firstLoss:G4}, in epoch {Epoch}, batch {at.Batch} of {train.BatchCount}: the run is diverging")
                    : string.Create(CultureInfo.InvariantCulture, $"the training loss became {at.Loss} in epoch {Epoch}, batch {at.Batch} of {train.BatchCount}");
                (reason, diverged) = ($"{what}; no step was taken with it. Try a lower learning rate or gradient clipping", true);
            }
            else if (validation is not null)
            {
                var evaluation = Evaluate(validation);
                values["val_loss"] = evaluation.Loss;
                foreach (var (name, value) in evaluation.Metrics) values["val_" + name] = value;
            }
            double rate = optimizer.LearningRate;
            scheduler?.Step();
            var result = new EpochResult(Epoch, values, rate, train.Count / trainSeconds, Stopwatch.GetElapsedTime(start), gradientNorm);
            results.Add(result);

            if (!diverged && EarlyStopping is { } stopping)
            {
                double value = values[monitor!];
                bool better = double.IsNaN(best) || (higherIsBetter ? value > best + stopping.MinDelta : value < best - stopping.MinDelta);
                if (better)
                {
                    (best, bestEpoch, waited) = (value, Epoch, 0);
                    if (stopping.RestoreBestWeights) bestState = model.CopyState();
                }
                else if (++waited >= stopping.Patience)
                {
                    reason = $"early stopping: {monitor} has not improved on epoch {bestEpoch}'s {best:G4} for {stopping.Patience} epochs";
                    stopRequested = true;
                }
            }
            EpochEnded?.Invoke(this, result);
            if (diverged) break;
            if (stopRequested)
            {
                if (!reason.StartsWith("early stopping", StringComparison.Ordinal)) reason = $"stopped on request after epoch {Epoch}";
                break;
            }
        }
        if (bestState is not null && bestEpoch != Epoch)
        {
            model.RestoreState(bestState);
            reason += $"; the weights of epoch {bestEpoch} were restored";
        }
        model.Eval();
        return new TrainingHistory(results, bestEpoch, reason, diverged);
    }

    /// <summary>The model's mean loss and metrics on <paramref name="data"/>, in Eval mode; the model's mode is put back after.</summary>
    /// <exception cref="ArgumentException">The loader holds labels where the loss needs targets or the other way round.</exception>
    public Evaluation Evaluate(DataLoader<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckLoader(data, nameof(data));
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            ResetMetrics();
            double lossSum = 0;
            foreach (var batch in data)
                using (new Tape()) // pooled intermediates, given back when it closes; nothing calls Backward
                {
                    var output = model.Forward(batch.Features);
                    lossSum += double.CreateTruncating(Loss(output, batch).Item) * batch.Count;
                    UpdateMetrics(output, batch);
                }
            return new Evaluation(lossSum / data.Count, Metrics.ToDictionary(m => m.Name, m => m.Value), data.Count);
        }
        finally
        {
            if (wasTraining) model.Train();
        }
    }

    /// <summary>One epoch over <paramref name="train"/>: the loss and metrics by name, the mean gradient norm, and the loss that was not finite and its batch (from 1), if one was.</summary>
    private (Dictionary<string, double> Values, double GradientNorm, (double Loss, int Batch)? Divergence) TrainEpoch(DataLoader<T> train, int lastEpoch)
    {
        model.Train();
        ResetMetrics();
        var parameters = optimizer.Parameters;
        double lossSum = 0, normSum = 0;
        int batchNumber = 0, examples = 0;
        foreach (var batch in train)
        {
            optimizer.ZeroGrad();
            double loss;
            using (var tape = new Tape())
            {
                var output = model.Forward(batch.Features);
                var lossTensor = Loss(output, batch);
                loss = double.CreateTruncating(lossTensor.Item);
                if (double.IsNaN(firstLoss)) firstLoss = loss;
                if (!double.IsFinite(loss) || loss > DivergenceFactor * Math.Max(firstLoss, 1))
                    return (new() { ["loss"] = loss }, double.NaN, (loss, batchNumber + 1));
                tape.Backward(lossTensor);
                UpdateMetrics(output, batch);
            }
            if (MaxGradientNorm is { } maxNorm) normSum += GradientClipping.ClipGlobalNorm(parameters, maxNorm);
            optimizer.Step();
            lossSum += loss * batch.Count;
            examples += batch.Count;
            batchNumber++;
            BatchEnded?.Invoke(this, new BatchProgress(Epoch, lastEpoch, batchNumber, train.BatchCount, loss));
        }
        var values = new Dictionary<string, double> { ["loss"] = lossSum / examples };
        for (int i = 0; i < Metrics.Count; i++) values[Metrics[i].Name] = Metrics[i].Value;
        return (values, MaxGradientNorm is null ? double.NaN : normSum / batchNumber, null);
    }

    private Tensor<T> Loss(Tensor<T> output, Batch<T> batch) =>
        classification is not null ? classification.Forward(output, batch.Labels) : regression!.Forward(output, batch.Targets!);

    private void ResetMetrics()
    {
        for (int i = 0; i < Metrics.Count; i++) Metrics[i].Reset();
    }

    private void UpdateMetrics(Tensor<T> output, Batch<T> batch)
    {
        for (int i = 0; i < Metrics.Count; i++) Metrics[i].Update(output, batch);
    }

    private void CheckLoader(DataLoader<T> loader, string name)
    {
        if (classification is not null && !loader.HasLabels)
            throw new ArgumentException($"The {name} loader holds regression targets, but the loss ({classification}) needs class labels.", name);
        if (regression is not null && loader.HasLabels)
            throw new ArgumentException($"The {name} loader holds class labels, but the loss ({regression}) needs targets; use a loss such as CrossEntropyLoss for labels.", name);
        // What can be known before training starts is checked before training starts, so that a mistake does not surface
        // in the middle of an epoch after a BatchNorm has already updated its running statistics.
        if (model.InputFeatures is int inputs && inputs != loader.FeatureCount)
            throw new ArgumentException($"The {name} loader's examples have {loader.FeatureCount} features, but the model ({model}) takes {inputs}.", name);
        if (model.OutputFeatures(loader.FeatureCount) is int outputs)
        {
            if (classification is not null && loader.LargestLabel >= outputs)
                throw new ArgumentException($"The {name} loader holds label {loader.LargestLabel}, but the model gives {outputs} class scores (labels 0 to {outputs - 1}).", name);
            if (regression is not null && loader.TargetCount != outputs)
                throw new ArgumentException($"The {name} loader's targets have {loader.TargetCount} columns, but the model gives {outputs}.", name);
        }
    }

    private void CheckMetricNames()
    {
        if (Metrics.Any(m => m is null)) throw new ArgumentException("Metrics holds a null.", nameof(Metrics));
        var duplicate = Metrics.Select(m => m.Name).Prepend("loss").GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two values would be reported as '{duplicate.Key}'; give each metric its own name.", nameof(Metrics));
    }

    /// <summary>The monitored name, checked against what the trainer reports; before any state changes.</summary>
    private string CheckMonitor(EarlyStopping stopping, bool validating)
    {
        var names = Metrics.Select(m => m.Name).Prepend("loss").ToList();
        var reported = validating ? names.Concat(names.Select(n => "val_" + n)).ToList() : names;
        string monitor = stopping.Monitor ?? (validating ? "val_loss" : "loss");
        if (!reported.Contains(monitor))
            throw new ArgumentException($"Early stopping watches '{monitor}', but the trainer reports {string.Join(", ", reported)}"
                + (monitor.StartsWith("val_", StringComparison.Ordinal) && !validating ? " (give Fit a validation loader for val_ values)." : "."), nameof(EarlyStopping));
        return monitor;
    }
}
