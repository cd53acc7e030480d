using System.Diagnostics;
using MiniGrad.Activations;
using MiniGrad.Data;
using MiniGrad.Layers;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Samples.Spirals;

/// <summary>What a spirals run ended with.</summary>
/// <param name="Accuracy">The fraction of the training points classified right.</param>
/// <param name="Losses">The cross-entropy loss after each epoch.</param>
/// <param name="Accuracies">The training accuracy after each epoch.</param>
/// <param name="Points">The data, n × 2.</param>
/// <param name="Labels">The classes.</param>
/// <param name="Model">The trained network (logits).</param>
/// <param name="Elapsed">The training time.</param>
public sealed record SpiralsResult(double Accuracy, IReadOnlyList<double> Losses, IReadOnlyList<double> Accuracies,
    Tensor<float> Points, int[] Labels, Sequential<float> Model, TimeSpan Elapsed);

/// <summary>The classic 3-arm spiral, 100 points per arm, fitted by a 2-64-64-3 network with Adam on the full batch.</summary>
public static class SpiralsTraining
{
    /// <summary>Points per arm and arms: the classic data set.</summary>
    public const int PointsPerClass = 100, Classes = 3;

    /// <summary>Hidden width of both hidden layers.</summary>
    public const int Hidden = 64;

    /// <summary>Trains with <paramref name="activation"/> in both hidden layers, reporting each epoch through <paramref name="progress"/>.</summary>
    public static SpiralsResult Train(string activation, int epochs, double learningRate, int seed, Action<int, double, double>? progress = null)
    {
        var rng = new Random(seed);
        var (x, labels) = Datasets.Spirals<float>(PointsPerClass, Classes, noise: 0.2, rng);
        var model = new Sequential<float>(
            new Dense<float>(2, Hidden, rng), Activation.Create<float>(activation, rng),
            new Dense<float>(Hidden, Hidden, rng), Activation.Create<float>(activation, rng),
            new Dense<float>(Hidden, Classes, rng));
        var lossFunction = new CrossEntropyLoss<float>();
        var optimizer = new Adam<float>(model.Parameters(), lr: learningRate);

        var losses = new List<double>(epochs);
        var accuracies = new List<double>(epochs);
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            optimizer.ZeroGrad();
            using (var tape = new Tape())
            {
                var logits = model.Forward(x);
                var loss = lossFunction.Forward(logits, labels);
                tape.Backward(loss);
                accuracies.Add(Accuracy(logits, labels)); // the logits stay readable until the tape is disposed
                losses.Add(loss.Item);
            }
            optimizer.Step();
            progress?.Invoke(epoch, losses[^1], accuracies[^1]);
        }
        clock.Stop();

        model.Eval();
        double accuracy = Accuracy(model.Forward(x), labels);
        return new SpiralsResult(accuracy, losses, accuracies, x, labels, model, clock.Elapsed);
    }

    /// <summary>Class probabilities of the trained model for a batch of points (for the decision-boundary picture).</summary>
    public static Tensor<float> Probabilities(Sequential<float> model, Tensor<float> points) => new Softmax<float>().Forward(model.Forward(points));

    /// <summary>The fraction of rows whose largest logit is at the label.</summary>
    public static double Accuracy(Tensor<float> logits, int[] labels)
    {
        int right = 0;
        for (int r = 0; r < logits.Rows; r++)
        {
            int best = 0;
            for (int c = 1; c < logits.Cols; c++) if (logits[r, c] > logits[r, best]) best = c;
            if (best == labels[r]) right++;
        }
        return (double)right / logits.Rows;
    }
}
