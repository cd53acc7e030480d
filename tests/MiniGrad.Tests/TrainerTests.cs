using MiniGrad.Activations;
using MiniGrad.Data;
using MiniGrad.Losses;
using MiniGrad.Optimizers;
using MiniGrad.Training;

namespace MiniGrad.Tests;

/// <summary>The Trainer's loop, events, schedule, clipping, early stopping and checks; the metrics and the confusion matrix.</summary>
public class TrainerTests
{
    /// <summary>Iris, standardised on a stratified 80% and split 80/20.</summary>
    private static (DataLoader<float> Train, DataLoader<float> Test) Iris(int batchSize = 16)
    {
        var iris = Csv.ReadClassification<float>(TestData.Path("iris.csv"), "species");
        var (train, test) = Split.TrainTest(iris.Features, iris.Labels, 0.2, stratify: true, new Random(0));
        var scaler = new StandardScaler<float>().Fit(train.Features);
        return (new DataLoader<float>(scaler.Transform(train.Features), train.Labels, batchSize, seed: 1),
                new DataLoader<float>(scaler.Transform(test.Features), test.Labels, 64, shuffle: false));
    }

    private static Sequential<float> Network(int seed = 0)
    {
        var rng = new Random(seed);
        return new Sequential<float>(new Dense<float>(4, 16, rng), new ReLU<float>(), new Dense<float>(16, 3, rng));
    }

    [Fact]
    public void Fit_trains_and_reports_loss_metrics_and_throughput_per_epoch()
    {
        var (train, test) = Iris();
        var model = Network();
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), new Adam<float>(model.Parameters(), lr: 0.01)) { Metrics = { new Accuracy<float>(), new MacroF1<float>() } };
        int batches = 0, epochsSeen = 0;
        trainer.BatchEnded += (_, progress) =>
        {
            batches++;
            Assert.Equal(train.BatchCount, progress.Batches);
            Assert.True(double.IsFinite(progress.Loss));
        };
        trainer.EpochEnded += (_, epoch) => Assert.Equal(++epochsSeen, epoch.Epoch);

        var history = trainer.Fit(train, epochs: 30, validation: test);

        Assert.Equal(30, history.Epochs.Count);
        Assert.Equal(30 * train.BatchCount, batches);
        Assert.Equal(["loss", "accuracy", "macro_f1", "val_loss", "val_accuracy", "val_macro_f1"], history.Epochs[0].Values.Keys);
        Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss / 3, history.ToString());
        Assert.True(history.Epochs[^1]["val_accuracy"] >= 0.9, history.ToString());
        Assert.All(history.Epochs, e => Assert.True(e.ExamplesPerSecond > 0 && e.Elapsed > TimeSpan.Zero));
        Assert.Equal("trained 30 epochs", history.StopReason);
        Assert.False(model.IsTraining); // ready to predict
        Assert.Equal(history.Epochs[^1].ValidationLoss!.Value, trainer.Evaluate(test).Loss, 6); // Evaluate measures what Fit reported
        Assert.Equal(history.Series("val_accuracy")[^1], Metrics.Accuracy(Predictions(model, test), Labels(test)), 12);
    }

    private static int[] Predictions(Sequential<float> model, DataLoader<float> test) => test.SelectMany(b => model.Forward(b.Features).ArgMax()).ToArray();

    private static int[] Labels(DataLoader<float> test) => test.SelectMany(b => b.Labels.ToArray()).ToArray();

    [Fact]
    public void The_schedule_sets_each_epochs_rate_and_continues_across_fits()
    {
        var (train, _) = Iris();
        var model = Network();
        var optimizer = new SGD<float>(model.Parameters(), lr: 0.1);
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), optimizer) { Schedule = new StepLR(1, 0.5) };

        var first = trainer.Fit(train, epochs: 3);
        var second = trainer.Fit(train, epochs: 2);

        Assert.Equal([0.1, 0.05, 0.025], first.Epochs.Select(e => e.LearningRate), new Tolerance(1e-15));
        Assert.Equal([0.0125, 0.00625], second.Epochs.Select(e => e.LearningRate), new Tolerance(1e-15));
        Assert.Equal([4, 5], second.Epochs.Select(e => e.Epoch));
        Assert.Equal(5, trainer.Epoch);
    }

    [Fact]
    public void Clipping_reports_the_mean_norm_before_clipping()
    {
        var (train, _) = Iris();
        var model = Network();
        var clipped = new Trainer<float>(model, new CrossEntropyLoss<float>(), new SGD<float>(model.Parameters(), lr: 0.1)) { MaxGradientNorm = 0.01 };
        var norm = clipped.Fit(train, epochs: 1).Epochs[0].GradientNorm; // no BatchEnded handler: the count must not depend on one
        Assert.True(norm > 0.01 && double.IsFinite(norm), $"norm {norm}");
        var plain = new Trainer<float>(model, new CrossEntropyLoss<float>(), new SGD<float>(model.Parameters(), lr: 0.1));
        Assert.True(double.IsNaN(plain.Fit(train, epochs: 1).Epochs[0].GradientNorm));
    }

    /// <summary>A metric whose value each epoch is scripted: read twice per epoch (training, then validation), reset before each.</summary>
    private sealed class Scripted(params double[] values) : ClassificationMetric<float>
    {
        private int resets;

        public override string Name => "score";

        public override double Value => values[(resets - 1) / 2];

        public override void Reset() => resets++;

        private protected override void Add(int actual, int predicted, int classes)
        {
        }
    }

    [Fact]
    public void Early_stopping_stops_after_patience_epochs_without_improvement_and_restores_the_best_weights()
    {
        var (train, test) = Iris();
        var model = Network();
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), new Adam<float>(model.Parameters(), lr: 0.01))
        {
            Metrics = { new Scripted(0.5, 0.7, 0.6, 0.65, 0.9, 0.95) },
            EarlyStopping = new EarlyStopping("val_score", patience: 2),
        };
        var weights = new Dictionary<int, float[]>();
        trainer.EpochEnded += (_, epoch) => weights[epoch.Epoch] = model.Parameters().SelectMany(p => p.AsSpan().ToArray()).ToArray();

        var history = trainer.Fit(train, epochs: 6, validation: test);

        Assert.Equal(4, history.Epochs.Count);  // 0.7 at epoch 2, then two epochs without improvement
        Assert.Equal(2, history.BestEpoch);
        Assert.StartsWith("early stopping: val_score has not improved on epoch 2's 0.7 for 2 epochs", history.StopReason);
        Assert.EndsWith("the weights of epoch 2 were restored", history.StopReason);
        Assert.NotEqual(weights[2], weights[4]);
        Assert.Equal(weights[2], model.Parameters().SelectMany(p => p.AsSpan().ToArray()).ToArray());
    }

    [Fact]
    public void Early_stopping_on_a_loss_looks_for_a_decrease_bigger_than_min_delta()
    {
        var (train, test) = Iris();
        var model = Network();
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), new SGD<float>(model.Parameters(), lr: 0)) // nothing changes
        {
            EarlyStopping = new EarlyStopping(patience: 3, minDelta: 1e-3),
        };
        var history = trainer.Fit(train, epochs: 20, validation: test);

        Assert.Equal(4, history.Epochs.Count); // the first epoch sets the best; three more without improvement
        Assert.Equal(1, history.BestEpoch);
        Assert.Contains("val_loss", history.StopReason); // watched by default when validating
    }

    [Fact]
    public void A_handler_can_stop_training_at_the_end_of_an_epoch()
    {
        var (train, _) = Iris();
        var model = Network();
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), new Adam<float>(model.Parameters(), lr: 0.01));
        trainer.EpochEnded += (sender, epoch) =>
        {
            if (epoch.Epoch == 2) ((Trainer<float>)sender!).Stop();
        };
        var history = trainer.Fit(train, epochs: 10);
        Assert.Equal(2, history.Epochs.Count);
        Assert.Equal("stopped on request after epoch 2", history.StopReason);
    }

    [Fact]
    public void A_loss_that_stops_being_finite_ends_training_and_says_so()
    {
        var x = Tensor<float>.FromArray(4, 4, [1, 2, 3, 4, 5, 6, 7, 8, float.NaN, 1, 1, 1, 0, 0, 0, 0]);
        var model = Network();
        var before = model.Parameters().SelectMany(p => p.AsSpan().ToArray()).ToArray();
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), new SGD<float>(model.Parameters(), lr: 0.1));

        var history = trainer.Fit(new DataLoader<float>(x, [0, 1, 2, 0], batchSize: 4), epochs: 5);

        Assert.True(history.Diverged);
        Assert.Single(history.Epochs);
        Assert.True(double.IsNaN(history.Epochs[0].Loss));
        Assert.Contains("became NaN in epoch 1, batch 1 of 1", history.StopReason);
        Assert.Equal(before, model.Parameters().SelectMany(p => p.AsSpan().ToArray())); // no step was taken with it
    }

    [Fact]
    public void Bad_settings_are_rejected_before_anything_trains()
    {
        var (train, test) = Iris();
        var model = Network();
        var before = model.Parameters().SelectMany(p => p.AsSpan().ToArray()).ToArray();
        var optimizer = new Adam<float>(model.Parameters(), lr: 0.01);

        var unknown = new Trainer<float>(model, new CrossEntropyLoss<float>(), optimizer) { Metrics = { new Accuracy<float>() }, EarlyStopping = new EarlyStopping("val_acc") };
        Assert.Contains("'val_acc', but the trainer reports loss, accuracy, val_loss, val_accuracy", Assert.Throws<ArgumentException>(() => unknown.Fit(train, 5, test)).Message);
        var noValidation = new Trainer<float>(model, new CrossEntropyLoss<float>(), optimizer) { EarlyStopping = new EarlyStopping("val_loss") };
        Assert.Contains("give Fit a validation loader", Assert.Throws<ArgumentException>(() => noValidation.Fit(train, 5)).Message);
        var twice = new Trainer<float>(model, new CrossEntropyLoss<float>(), optimizer) { Metrics = { new Accuracy<float>(), new Accuracy<float>() } };
        Assert.Contains("'accuracy'", Assert.Throws<ArgumentException>(() => twice.Fit(train, 5)).Message);
        var regression = new Trainer<float>(model, new MSELoss<float>(), optimizer);
        Assert.Contains("needs targets", Assert.Throws<ArgumentException>(() => regression.Fit(train, 5)).Message);
        var classification = new Trainer<float>(model, new CrossEntropyLoss<float>(), optimizer);
        var targets = new DataLoader<float>(Tensor<float>.Zeros(4, 4), Tensor<float>.Zeros(4, 3), 2);
        Assert.Contains("needs class labels", Assert.Throws<ArgumentException>(() => classification.Fit(targets, 5)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => classification.Fit(train, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience: 0));

        Assert.Equal(before, model.Parameters().SelectMany(p => p.AsSpan().ToArray()));
        Assert.Equal(0, unknown.Epoch);
    }

    [Fact]
    public void Evaluate_measures_in_eval_mode_and_puts_the_mode_back()
    {
        var (_, test) = Iris();
        var rng = new Random(1);
        var model = new Sequential<float>(new Dense<float>(4, 16, rng), new ReLU<float>(), new Dropout<float>(0.5, rng), new Dense<float>(16, 3, rng));
        var trainer = new Trainer<float>(model, new CrossEntropyLoss<float>(), new SGD<float>(model.Parameters(), lr: 0.1)) { Metrics = { new Accuracy<float>() } };

        var first = trainer.Evaluate(test);
        var second = trainer.Evaluate(test);

        Assert.Equal(first.Loss, second.Loss); // no dropout noise: Eval mode
        Assert.True(model.IsTraining);
        Assert.Equal(30, first.Count);
        Assert.Contains("accuracy", first.ToString());
    }

    [Fact]
    public void A_regression_trainer_fits_a_linear_target_and_reports_mse_mae_and_r2()
    {
        var rng = new Random(2);
        var x = Tensor<double>.RandomNormal(256, 3, rng);
        var y = x.MatMul(Tensor<double>.FromArray(3, 1, [1.5, -2, 0.5])) + 3.0;
        var model = new Sequential<double>(new Dense<double>(3, 1, rng));
        var trainer = new Trainer<double>(model, new MSELoss<double>(), new Adam<double>(model.Parameters(), lr: 0.05))
        {
            Metrics = { new MeanSquaredError<double>(), new MeanAbsoluteError<double>(), new R2Score<double>() },
        };

        var last = trainer.Fit(new DataLoader<double>(x, y, batchSize: 32, seed: 3), epochs: 60).Epochs[^1];

        Assert.Equal(last.Loss, last["mse"], 10); // the loss is the mean of the batches' MSE, the metric the MSE over all
        Assert.True(last["r2"] > 0.999, last.ToString());
        Assert.True(last["mae"] < 0.1, last.ToString());
    }

    [Fact]
    public void The_confusion_matrix_counts_pairs_and_scores_each_class()
    {
        int[] labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
        int[] predicted = [0, 0, 1, 1, 2, 2, 2, 2, 0, 0];

        var matrix = ConfusionMatrix.Of(predicted, labels, classes: 3, ["cat", "dog", "bird"]);

        Assert.Equal(2, matrix[0, 0]);
        Assert.Equal(2, matrix[2, 0]);
        Assert.Equal(0.6, matrix.Accuracy, 15);
        Assert.Equal(2.0 / 4, matrix.Precision(0), 15); // predicted 0: rows 0, 0, 2, 2
        Assert.Equal(2.0 / 3, matrix.Recall(0), 15);
        Assert.Equal(2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3), matrix.F1(0), 15);
        Assert.Equal(3.0 / 4, matrix.Precision(2), 15);
        Assert.Equal(3.0 / 5, matrix.Recall(2), 15);
        Assert.Equal((0.5 + 0.5 + 0.75) / 3, matrix.MacroPrecision, 15);
        Assert.Equal((matrix.F1(0) + matrix.F1(1) + matrix.F1(2)) / 3, matrix.MacroF1, 15); // the mean of the F1s, as scikit-learn
        Assert.Equal(5, matrix.Support(2));

        string text = matrix.ToString();
        Assert.Contains("true \\ predicted", text);
        Assert.Contains("bird", text);
        Assert.Contains("accuracy 0.6000 (10 examples)", text);
    }

    [Fact]
    public void A_class_nobody_predicts_scores_zero_not_nan_and_bad_classes_change_nothing()
    {
        var matrix = ConfusionMatrix.Of([0, 0], [0, 1], classes: 3);
        Assert.Equal(0, matrix.Precision(1));
        Assert.Equal(0, matrix.Recall(2));
        Assert.Equal(0, matrix.F1(2));

        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add([0, 3], [0, 0]));
        Assert.Equal(2, matrix.Total);
        Assert.Throws<ArgumentException>(() => matrix.Add([0], [0, 1]));
    }

    [Fact]
    public void Regression_metrics_follow_their_formulas_over_all_batches()
    {
        var target = Tensor<double>.FromArray(4, 2, [1, 10, 2, 10, 3, 10, 4, 10]); // column 2 constant
        var prediction = Tensor<double>.FromArray(4, 2, [1.5, 10, 2, 10, 2, 10, 4, 10]);

        Assert.Equal((0.25 + 1) / 8, Metrics.MeanSquaredError(prediction, target), 15);
        Assert.Equal(1.5 / 8, Metrics.MeanAbsoluteError(prediction, target), 15);
        double column1 = 1 - (0.25 + 1) / 5.0; // Σ(y − ŷ)² / Σ(y − ȳ)², ȳ = 2.5
        Assert.Equal((column1 + 1) / 2, Metrics.R2(prediction, target), 15); // a constant column predicted exactly counts 1

        var streamed = new R2Score<double>();
        streamed.Reset();
        streamed.Update(prediction.TakeRows(0, 3), target.TakeRows(0, 3));
        streamed.Update(prediction.TakeRows(3, 1), target.TakeRows(3, 1));
        Assert.Equal(Metrics.R2(prediction, target), streamed.Value, 14);
        Assert.Equal(0, Metrics.R2(Tensor<double>.Full(4, 1, 2.5), Tensor<double>.FromArray(4, 1, [1, 2, 3, 4])), 15); // predicting the mean
    }

    [Fact]
    public void Accuracy_is_the_share_of_rows_whose_arg_max_is_the_label()
    {
        var scores = Tensor<float>.FromArray(4, 3, [0.1f, 0.8f, 0.1f, 2, 1, 0, 0, 0, 5, 1, 1, 0]);
        Assert.Equal(0.75, Metrics.Accuracy(scores, [1, 0, 2, 1]));
        Assert.Equal(0.5, Metrics.Accuracy([1, 2], [1, 1]));
        Assert.Contains("label 3", Assert.Throws<ArgumentException>(() => Metrics.Accuracy(scores, [1, 0, 2, 3])).Message);
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
