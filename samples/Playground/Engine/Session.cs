using MiniGrad.Activations;
using MiniGrad.Data;
using MiniGrad.Diagnostics;
using MiniGrad.Layers;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Playground.Engine;

/// <summary>A point of the loss and accuracy curves, measured on the whole training and test sets.</summary>
/// <param name="Step">Training steps (batches) so far.</param>
/// <param name="TrainLoss">Mean cross-entropy on the training points.</param>
/// <param name="TestLoss">Mean cross-entropy on the test points.</param>
/// <param name="TrainAccuracy">The share of training points classified right.</param>
/// <param name="TestAccuracy">The share of test points classified right.</param>
public readonly record struct Measurement(int Step, double TrainLoss, double TestLoss, double TrainAccuracy, double TestAccuracy);

/// <summary>
/// One run of the playground: the data, the network, its optimizer and its gradient-flow monitor, trained a batch at a
/// time. Everything the page shows comes from here, and all of it from the engine itself.
/// </summary>
public sealed class Session : IDisposable
{
    /// <summary>The region of the input plane drawn: [−Extent, Extent]².</summary>
    public const double Extent = 1.6;

    private readonly Optimizer<float> optimizer;
    private readonly CrossEntropyLoss<float> lossFunction = new();
    private readonly DataLoader<float> loader;
    private readonly GradientFlowMonitor<float> monitor;
    private DataLoader<float>.Enumerator batches;

    /// <summary>Builds the data, the network and the optimizer that <paramref name="settings"/> describe.</summary>
    public Session(Settings settings)
    {
        Settings = settings;
        var rng = new Random(settings.Seed);
        var (x, labels) = MakeData(settings, rng);
        Classes = labels.Max() + 1;
        var (train, test) = Split.TrainTest(x, labels, 1 - settings.TrainShare, stratify: true, rng);
        (TrainX, TrainLabels, TestX, TestLabels) = (train.Features, train.Labels, test.Features, test.Labels);
        Model = Build(settings, Classes, rng);
        optimizer = settings.Optimizer switch
        {
            "sgd" => new SGD<float>(Model.Parameters(), lr: settings.LearningRate),
            "momentum" => new SGD<float>(Model.Parameters(), lr: settings.LearningRate, momentum: 0.9),
            _ => new Adam<float>(Model.Parameters(), lr: settings.LearningRate),
        };
        loader = new DataLoader<float>(TrainX, TrainLabels, Math.Min(settings.BatchSize, TrainLabels.Length), seed: settings.Seed);
        batches = loader.GetEnumerator();
        monitor = new GradientFlowMonitor<float>(Model);
        LastReport = Probe();
        History.Add(Measure());
    }

    /// <summary>The settings of this run.</summary>
    public Settings Settings { get; }

    /// <summary>The network: hidden layers (a Dense and the activation, or a Maxout) and a Dense of logits.</summary>
    public Sequential<float> Model { get; }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>The training points and their classes.</summary>
    public Tensor<float> TrainX { get; }

    /// <inheritdoc cref="TrainX"/>
    public int[] TrainLabels { get; }

    /// <summary>The test points, never trained on, and their classes.</summary>
    public Tensor<float> TestX { get; }

    /// <inheritdoc cref="TestX"/>
    public int[] TestLabels { get; }

    /// <summary>Training steps (batches) so far.</summary>
    public int Steps { get; private set; }

    /// <summary>Whole passes over the training points so far.</summary>
    public int Epochs { get; private set; }

    /// <summary>The loss and accuracy, measured at the start and after every <see cref="MeasureEvery"/> steps.</summary>
    public List<Measurement> History { get; } = [];

    /// <summary>How often <see cref="History"/> gets a point, in steps.</summary>
    public int MeasureEvery { get; init; } = 10;

    /// <summary>The gradient flow of the last training step (at the start: of a full-batch pass, before any update).</summary>
    public GradientFlowReport LastReport { get; private set; }

    /// <summary>The latest measurement.</summary>
    public Measurement Latest => History[^1];

    /// <summary>Trains one batch: zero-grad, forward, cross-entropy, backward, step.</summary>
    public void Step()
    {
        if (!batches.MoveNext())
        {
            Epochs++;
            batches = loader.GetEnumerator();
            batches.MoveNext();
        }
        var (x, labels) = batches.Current;
        optimizer.ZeroGrad();
        using (var tape = new Tape()) tape.Backward(lossFunction.Forward(Model.Forward(x), labels));
        optimizer.Step();
        LastReport = monitor.Report();
        Steps++;
        if (Steps % MeasureEvery == 0) History.Add(Measure());
    }

    /// <summary>Class probabilities softmax(logits/τ) for a batch of points (n × 2), in evaluation mode.</summary>
    public Tensor<float> Probabilities(Tensor<float> points, double temperature)
    {
        Model.Eval();
        try
        {
            return new Softmax<float>(temperature).Forward(Model.Forward(points));
        }
        finally
        {
            Model.Train();
        }
    }

    /// <summary>
    /// The output of every hidden unit over a batch of points: one tensor per hidden layer (n × units), after the
    /// activation (or the Maxout), in evaluation mode.
    /// </summary>
    public List<Tensor<float>> HiddenOutputs(Tensor<float> points)
    {
        Model.Eval();
        try
        {
            var outputs = new List<Tensor<float>>();
            var h = points;
            int hiddenLayers = Settings.Hidden.Length;
            foreach (var module in Model.Layers)
            {
                h = module.Forward(h);
                if (outputs.Count < hiddenLayers && module is not Dense<float>) outputs.Add(h);
            }
            return outputs;
        }
        finally
        {
            Model.Train();
        }
    }

    /// <summary>A grid of <paramref name="size"/> × <paramref name="size"/> points over [−Extent, Extent]², row by row from the top.</summary>
    public static Tensor<float> Grid(int size)
    {
        var grid = Tensor<float>.Zeros(size * size, 2);
        for (int row = 0; row < size; row++)
            for (int col = 0; col < size; col++)
            {
                grid[row * size + col, 0] = (float)(-Extent + 2 * Extent * (col + 0.5) / size);
                grid[row * size + col, 1] = (float)(Extent - 2 * Extent * (row + 0.5) / size);
            }
        return grid;
    }

    /// <summary>Loss and accuracy on the whole training and test sets, in evaluation mode (no tape: nothing recorded).</summary>
    private Measurement Measure()
    {
        (double Loss, double Accuracy) On(Tensor<float> x, int[] labels)
        {
            if (labels.Length == 0) return (double.NaN, double.NaN);
            var logits = Model.Forward(x);
            return (lossFunction.Forward(logits, labels).Item, MiniGrad.Training.Metrics.Accuracy(logits, labels));
        }
        Model.Eval();
        try
        {
            var train = On(TrainX, TrainLabels);
            var test = On(TestX, TestLabels);
            return new Measurement(Steps, train.Loss, test.Loss, train.Accuracy, test.Accuracy);
        }
        finally
        {
            Model.Train();
        }
    }

    /// <summary>The gradient flow before any update: one full-batch forward and backward, no step.</summary>
    private GradientFlowReport Probe()
    {
        using (var tape = new Tape()) tape.Backward(lossFunction.Forward(Model.Forward(TrainX), TrainLabels));
        var report = monitor.Report();
        optimizer.ZeroGrad();
        return report;
    }

    private static (Tensor<float> X, int[] Labels) MakeData(Settings settings, Random rng)
    {
        int n = settings.Points;
        switch (settings.Data)
        {
            case "xor":
            {
                // TensorFlow Playground's XOR: points in the square, the class given by the signs of x and y.
                var x = Tensor<float>.Zeros(n, 2);
                var labels = new int[n];
                for (int i = 0; i < n; i++)
                {
                    double a = rng.NextDouble() * 2 - 1, b = rng.NextDouble() * 2 - 1;
                    a += a > 0 ? 0.05 : -0.05; // a small gap around the axes
                    b += b > 0 ? 0.05 : -0.05;
                    labels[i] = a * b > 0 ? 0 : 1;
                    x[i, 0] = (float)(a + settings.Noise * MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1));
                    x[i, 1] = (float)(b + settings.Noise * MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1));
                }
                return (x, labels);
            }
            case "spirals2": return Scaled(Datasets.Spirals<float>(n / 2, 2, settings.Noise, rng), 1.4f);
            case "circles": return Datasets.Circles<float>(n / 2, settings.Noise / 2, factor: 0.5, rng);
            case "moons":
            {
                var (x, labels) = Datasets.Moons<float>(n / 2, settings.Noise / 2, rng);
                for (int i = 0; i < x.Rows; i++)
                {
                    x[i, 0] = (x[i, 0] - 0.5f) / 1.3f; // centre the moons in the square
                    x[i, 1] = (x[i, 1] - 0.25f) / 1.3f;
                }
                return (x, labels);
            }
            case "blobs": return Datasets.Blobs<float>(n / 3, 3, settings.Noise + 0.05, rng);
            default: return Scaled(Datasets.Spirals<float>(n / 3, 3, settings.Noise, rng), 1.4f);
        }
    }

    private static (Tensor<float>, int[]) Scaled((Tensor<float> X, int[] Labels) data, float factor)
    {
        var span = data.X.AsSpan();
        for (int i = 0; i < span.Length; i++) span[i] *= factor;
        return data;
    }

    /// <summary>The network: each hidden layer a Dense initialised as its activation wants and the activation, or a Maxout.</summary>
    private static Sequential<float> Build(Settings settings, int classes, Random rng)
    {
        var modules = new List<Module<float>>();
        int width = 2;
        foreach (int hidden in settings.Hidden)
        {
            if (settings.Activation == "maxout")
                modules.Add(new Maxout<float>(width, hidden, settings.Pieces, rng));
            else
            {
                modules.Add(new Dense<float>(width, hidden, InitFor(settings.Activation), rng));
                modules.Add(CreateActivation(settings, rng));
            }
            width = hidden;
        }
        modules.Add(new Dense<float>(width, classes, rng));
        return new Sequential<float>([.. modules]);
    }

    /// <summary>The initialisation each activation is meant for: Xavier for sigmoid and tanh, LeCun for SELU, He for the rest.</summary>
    public static WeightInit InitFor(string activation) => activation switch
    {
        "sigmoid" or "tanh" => WeightInit.XavierUniform,
        "selu" => WeightInit.LeCunNormal,
        _ => WeightInit.HeUniform,
    };

    /// <summary>The hidden activation with the settings' hyperparameters.</summary>
    public static Module<float> CreateActivation(Settings settings, Random rng) => settings.Activation switch
    {
        "leaky_relu" => new LeakyReLU<float>(settings.Slope),
        "prelu" => new PReLU<float>(settings.Slope),
        "elu" => new ELU<float>(settings.Alpha),
        "silu" => new SiLU<float>(settings.Beta),
        "softplus" => new Softplus<float>(beta: settings.Beta),
        _ => Activation.Create<float>(settings.Activation, rng),
    };

    /// <summary>The activation as a double-precision element-wise function for drawing f and f', when it is one.</summary>
    public static ElementwiseActivation<double>? Curve(Settings settings) => settings.Activation switch
    {
        "leaky_relu" => new LeakyReLU<double>(settings.Slope),
        "elu" => new ELU<double>(settings.Alpha),
        "silu" => new SiLU<double>(settings.Beta),
        "softplus" => new Softplus<double>(beta: settings.Beta),
        "prelu" => new LeakyReLU<double>(settings.Slope), // PReLU starts as LeakyReLU with its initial slope, then learns it
        "rrelu" => new LeakyReLU<double>((1.0 / 8 + 1.0 / 3) / 2), // its slope in evaluation; in training each unit draws one from [1/8, 1/3]
        "maxout" => null,
        _ => Activation.Create<double>(settings.Activation) as ElementwiseActivation<double>,
    };

    /// <summary>Detaches the monitor.</summary>
    public void Dispose() => monitor.Dispose();
}
