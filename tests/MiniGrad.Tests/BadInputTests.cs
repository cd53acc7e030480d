using MiniGrad.Activations;
using MiniGrad.Data;
using MiniGrad.Losses;
using MiniGrad.Optimizers;
using MiniGrad.Training;

namespace MiniGrad.Tests;

/// <summary>
/// Bad input, everywhere a user can reach, gets a typed exception whose message names what is wrong, and leaves the model
/// (weights, BatchNorm's running statistics and batch count) and the optimizer's state exactly as they were. The
/// optimizer's state is compared by its effect: after the failed call, one more step must give the weights that the same
/// step gives on a twin that never saw the failure.
/// </summary>
public class BadInputTests
{
    /// <summary>A trained model and optimizer, and inputs that fit them.</summary>
    private sealed class Fixture
    {
        public readonly Sequential<float> Model;
        public readonly Adam<float> Optimizer;
        public readonly Tensor<float> X;
        public readonly int[] Labels = [0, 2, 1, 1, 0, 2];
        public readonly Tensor<float> Logits;

        public Fixture()
        {
            var rng = new Random(7);
            Model = new Sequential<float>(new Dense<float>(4, 8, rng), new BatchNorm1d<float>(8), new ReLU<float>(), new Dropout<float>(0.25, rng), new Dense<float>(8, 3, rng));
            Optimizer = new Adam<float>(Model.Parameters(), lr: 0.01);
            X = Tensor<float>.RandomNormal(6, 4, rng);
            for (int i = 0; i < 2; i++) Step();
            Model.Eval();
            Logits = Model.Forward(X);
            Model.Train();
        }

        public void Step()
        {
            Optimizer.ZeroGrad();
            using (var tape = new Tape()) tape.Backward(new CrossEntropyLoss<float>().Forward(Model.Forward(X), Labels));
            Optimizer.Step();
        }

        /// <summary>Every number of the model's state, weights and running statistics and batch count alike.</summary>
        public float[] State() => Model.CopyState().SelectMany(t => t).ToArray();
    }

    private static readonly Dictionary<string, (Type Exception, string[] Says, Action<Fixture> Act)> Cases = new()
    {
        // Shapes, named with the op or layer and both shapes.
        ["MatMul"] = (typeof(ArgumentException), ["MatMul", "6x4", "3x3"], f => f.X.MatMul(Tensor<float>.Zeros(3, 3))),
        ["Add"] = (typeof(ArgumentException), ["Add", "6x4", "5x4"], f => _ = f.X + Tensor<float>.Zeros(5, 4)),
        ["Subtract"] = (typeof(ArgumentException), ["Subtract", "6x4", "6x3"], f => _ = f.X - Tensor<float>.Zeros(6, 3)),
        ["Multiply"] = (typeof(ArgumentException), ["Multiply", "6x4", "2x2"], f => _ = f.X * Tensor<float>.Zeros(2, 2)),
        ["Divide"] = (typeof(ArgumentException), ["Divide", "6x4", "3x4"], f => _ = f.X / Tensor<float>.Zeros(3, 4)),
        ["Dense input"] = (typeof(ArgumentException), ["Dense(4 → 8)", "5 features", "6x5"], f => f.Model.Forward(Tensor<float>.Zeros(6, 5))),
        ["BatchNorm input"] = (typeof(ArgumentException), ["BatchNorm1d(8)", "6x7"], f => f.Model[1].Forward(Tensor<float>.Zeros(6, 7))),
        ["BatchNorm one row"] = (typeof(ArgumentException), ["BatchNorm1d(8)", "more than one row"], f => f.Model[1].Forward(Tensor<float>.Zeros(1, 8))),
        ["LayerNorm input"] = (typeof(ArgumentException), ["LayerNorm(5)", "6x4"], f => new LayerNorm<float>(5).Forward(f.X)),
        ["Maxout input"] = (typeof(ArgumentException), ["Maxout", "6x4"], f => new Maxout<float>(3, 2, 2, new Random(0)).Forward(f.X)),
        ["PReLU per feature"] = (typeof(ArgumentException), ["PReLU", "6x4", "3 slopes"], f => new PReLU<float>(0.25, numParameters: 3).Forward(f.X)),
        ["Sequential chain"] = (typeof(ArgumentException), ["layer 2 (Dense(7 → 2))", "takes 7", "gives 8"],
            f => new Sequential<float>(new Dense<float>(4, 8, new Random(0)), new ReLU<float>(), new Dense<float>(7, 2, new Random(0)))),
        ["MSE shapes"] = (typeof(ArgumentException), ["MSELoss", "6x3", "6x2"], f => new MSELoss<float>().Forward(f.Logits, Tensor<float>.Zeros(6, 2))),

        // Labels.
        ["label count"] = (typeof(ArgumentException), ["CrossEntropyLoss", "5 labels", "6 rows"], f => new CrossEntropyLoss<float>().Forward(f.Logits, [0, 1, 2, 0, 1])),
        ["label range"] = (typeof(ArgumentException), ["CrossEntropyLoss", "label 3", "row 4"], f => new CrossEntropyLoss<float>().Forward(f.Logits, [0, 1, 2, 0, 3, 1])),
        ["negative label"] = (typeof(ArgumentException), ["NLLLoss", "label -1"], f => new NLLLoss<float>().Forward(f.Logits, [0, 1, 2, 0, -1, 1])),
        ["Trainer label range"] = (typeof(ArgumentException), ["label 5", "3 class scores"],
            f => new Trainer<float>(f.Model, new CrossEntropyLoss<float>(), f.Optimizer).Fit(new DataLoader<float>(f.X, [0, 1, 2, 5, 1, 0], 3), epochs: 1)),
        ["Trainer features"] = (typeof(ArgumentException), ["3 features", "takes 4"],
            f => new Trainer<float>(f.Model, new CrossEntropyLoss<float>(), f.Optimizer).Fit(new DataLoader<float>(Tensor<float>.Zeros(6, 3), f.Labels, 3), epochs: 1)),

        // Empty batches and sizes.
        ["empty batch MSE"] = (typeof(ArgumentException), ["MSELoss", "empty", "0x3"], f => new MSELoss<float>().Forward(Tensor<float>.Zeros(0, 3), Tensor<float>.Zeros(0, 3))),
        ["empty batch CE"] = (typeof(ArgumentException), ["CrossEntropyLoss", "empty"], f => new CrossEntropyLoss<float>().Forward(Tensor<float>.Zeros(0, 3), [])),
        ["empty data"] = (typeof(ArgumentException), ["no examples"], f => new DataLoader<float>(Tensor<float>.Zeros(0, 4), [], 2)),
        ["zero width"] = (typeof(ArgumentOutOfRangeException), ["inFeatures", "0"], f => new Dense<float>(0, 3, new Random(0))),
        ["negative size"] = (typeof(ArgumentOutOfRangeException), ["rows", "-1"], f => Tensor<float>.Zeros(-1, 2)),
        ["zero pieces"] = (typeof(ArgumentOutOfRangeException), ["pieces"], f => new Maxout<float>(2, 2, 0, new Random(0))),
        ["zero batch size"] = (typeof(ArgumentOutOfRangeException), ["batchSize"], f => new DataLoader<float>(f.X, f.Labels, 0)),
        ["loader counts"] = (typeof(ArgumentException), ["6 examples", "5 labels"], f => new DataLoader<float>(f.X, [0, 1, 2, 0, 1], 2)),

        // Hyperparameters: the message names the parameter and the value.
        ["LeakyReLU NaN"] = (typeof(ArgumentOutOfRangeException), ["slope", "NaN"], f => new LeakyReLU<float>(double.NaN)),
        ["ELU infinite"] = (typeof(ArgumentOutOfRangeException), ["alpha", "Infinity"], f => new ELU<float>(double.PositiveInfinity)),
        ["Softmax zero temperature"] = (typeof(ArgumentOutOfRangeException), ["temperature", "0"], f => new Softmax<float>(0)),
        ["Softplus NaN"] = (typeof(ArgumentOutOfRangeException), ["beta", "NaN"], f => new Softplus<float>(beta: double.NaN)),
        ["RReLU order"] = (typeof(ArgumentOutOfRangeException), ["upper", "0.1"], f => new RReLU<float>(0.5, 0.1)),
        ["Dropout NaN"] = (typeof(ArgumentOutOfRangeException), ["p", "NaN"], f => new Dropout<float>(double.NaN)),
        ["BatchNorm momentum"] = (typeof(ArgumentOutOfRangeException), ["momentum", "2"], f => new BatchNorm1d<float>(3, momentum: 2)),
        ["Huber delta"] = (typeof(ArgumentOutOfRangeException), ["delta", "0"], f => new HuberLoss<float>(delta: 0)),
        ["smoothing NaN"] = (typeof(ArgumentOutOfRangeException), ["labelSmoothing", "NaN"], f => new CrossEntropyLoss<float>(labelSmoothing: double.NaN)),
        ["negative class weight"] = (typeof(ArgumentOutOfRangeException), ["weights[1]", "-1"], f => new CrossEntropyLoss<float>([1, -1, 1])),
        ["SGD lr NaN"] = (typeof(ArgumentOutOfRangeException), ["lr", "NaN"], f => new SGD<float>(f.Model.Parameters(), lr: double.NaN)),
        ["Adam beta1"] = (typeof(ArgumentOutOfRangeException), ["beta1", "1"], f => new Adam<float>(f.Model.Parameters(), beta1: 1)),
        ["Adam eps 0"] = (typeof(ArgumentOutOfRangeException), ["eps", "0/0 = NaN"], f => new Adam<float>(f.Model.Parameters(), eps: 0)),
        ["Adam eps below float"] = (typeof(ArgumentOutOfRangeException), ["eps", "Single"], f => new Adam<float>(f.Model.Parameters(), eps: 1e-60)),
        ["learning rate set to NaN"] = (typeof(ArgumentOutOfRangeException), ["LearningRate", "NaN"], f => f.Optimizer.LearningRate = double.NaN),
        ["StepLR gamma"] = (typeof(ArgumentOutOfRangeException), ["gamma", "NaN"], f => new StepLR(3, double.NaN)),
        ["cosine epochs"] = (typeof(ArgumentOutOfRangeException), ["epochs", "0"], f => new CosineAnnealingLR(0)),
        ["clip NaN"] = (typeof(ArgumentOutOfRangeException), ["maxNorm", "NaN"], f => GradientClipping.ClipGlobalNorm(f.Model.Parameters(), double.NaN)),
        ["patience"] = (typeof(ArgumentOutOfRangeException), ["patience", "0"], f => new EarlyStopping(patience: 0)),
        ["threads"] = (typeof(ArgumentOutOfRangeException), ["MaxDegreeOfParallelism", "0"], f => Threading.MaxDegreeOfParallelism = 0),

        // Indices.
        ["row index"] = (typeof(ArgumentOutOfRangeException), ["Row index", "6x4", "6"], f => _ = f.X[6, 0]),
        ["column index"] = (typeof(ArgumentOutOfRangeException), ["Column index", "-1"], f => f.X[0, -1] = 1),
        ["TakeRows"] = (typeof(ArgumentOutOfRangeException), ["index 9", "position 1"], f => f.X.TakeRows([0, 9])),

        // The tape.
        ["Backward twice"] = (typeof(InvalidOperationException), ["already run", "single-use"], f =>
        {
            using var tape = new Tape();
            var loss = new CrossEntropyLoss<float>().Forward(f.Logits, f.Labels);
            var w = f.Model.Parameters().First();
            var probe = (w * 0f).Sum();
            tape.Backward(probe);
            tape.Backward(probe);
        }),
        ["Backward on a matrix"] = (typeof(ArgumentException), ["1x1 loss", "4x8"], f =>
        {
            using var tape = new Tape();
            tape.Backward(f.Model.Parameters().First() * 1f + Tensor<float>.Zeros(4, 8));
        }),
        ["tape from another thread"] = (typeof(InvalidOperationException), ["thread that opened it"], f =>
        {
            using var tape = new Tape();
            var loss = (f.Model.Parameters().First() * 0f).Sum();
            Exception? failure = null;
            var thread = new Thread(() => failure = Record.Exception(() => tape.Backward(loss)));
            thread.Start();
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
            throw failure!;
        }),

        // Optimizers, loaders, types.
        ["parameter twice"] = (typeof(ArgumentException), ["appears more than once"], f => new SGD<float>([.. f.Model.Parameters(), f.Model.Parameters().First()], lr: 0.1)),
        ["Half"] = (typeof(NotSupportedException), ["Tensor<Half>", "float or double"], f => Tensor<Half>.Zeros(2, 2)),
        ["weights for another model"] = (typeof(InvalidDataException), ["0.weight", "[8, 4]", "[8, 5]"], f =>
        {
            var other = new Sequential<float>(new Dense<float>(5, 8, new Random(1)), new BatchNorm1d<float>(8), new ReLU<float>(), new Dropout<float>(0.25), new Dense<float>(8, 3, new Random(1)));
            var file = new MemoryStream();
            other.Save(file);
            file.Position = 0;
            f.Model.LoadWeights(file);
        }),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Bad_input_gets_a_typed_error_naming_it_and_changes_nothing(string name)
    {
        var (expected, says, act) = Cases[name];
        var fixture = new Fixture();
        var twin = new Fixture();
        var before = fixture.State();
        int threads = Threading.MaxDegreeOfParallelism;

        var error = Record.Exception(() => act(fixture));

        Assert.NotNull(error);
        Assert.IsType(expected, error);
        foreach (var part in says) Assert.True(error.Message.Contains(part, StringComparison.Ordinal), $"{name}: the message does not say '{part}': {error.Message}");
        Assert.Equal(before, fixture.State());
        Assert.Equal(0.01, fixture.Optimizer.LearningRate);
        Assert.Equal(threads, Threading.MaxDegreeOfParallelism);
        fixture.Step();
        twin.Step();
        Assert.Equal(twin.State(), fixture.State()); // the optimizer's moments and step counts were untouched too
    }
}
