using MiniGrad.Activations;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Tests;

/// <summary>
/// The public surface other code relies on, written as its users write it (the names and argument names of the design's
/// contract): if a rename breaks one of these lines, this file stops compiling.
/// </summary>
[Collection(nameof(AllocationTests))] // it sets the process-wide thread count
public class ContractTests
{
    [Fact]
    public void The_public_surface_reads_as_documented()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 0, 1 }, { 1, 0 } }, requiresGrad: true);
        var z = Tensor<double>.Zeros(2, 3);
        int r = x.Rows, c = x.Cols;
        double v = x[1, 0];
        x[1, 0] = 2.0;
        double[,] a = x.ToArray();
        Tensor<double>? g = x.Grad;
        Assert.Equal((2, 2, 1.0, 2.0), (r, c, v, a[1, 0]));
        Assert.Null(g);
        Assert.Equal("2x3", z.Shape);

        var rng = new Random(0);
        var dense = new Dense<double>(inFeatures: 3, outFeatures: 5, rng);
        Tensor<double> w = dense.Weight, b = dense.Bias;
        Assert.Equal(("3x5", "1x5"), (w.Shape, b.Shape));
        var model = new Sequential<double>(dense, new Tanh<double>(), new Dense<double>(5, 2, rng));
        IEnumerable<Tensor<double>> ps = model.Parameters();
        model.Train();
        model.Eval();
        model.Train();
        var maxout = new Maxout<double>(inFeatures: 3, outFeatures: 4, pieces: 3, rng);
        Assert.Equal(("3x4", "1x4"), (maxout.Weights[2].Shape, maxout.Biases[2].Shape));

        Module<double>[] activations =
        [
            new Sigmoid<double>(), new Tanh<double>(), new ReLU<double>(), new LeakyReLU<double>(slope: 0.01),
            new PReLU<double>(init: 0.25), new RReLU<double>(lower: 1.0 / 8, upper: 1.0 / 3, rng), new ELU<double>(alpha: 1.0),
            new SELU<double>(), new GELU<double>(approximate: false), new SiLU<double>(), new Softplus<double>(beta: 1, threshold: 20),
            new Mish<double>(), new Identity<double>(), new Softmax<double>(temperature: 1.0),
        ];
        Assert.Equal("1x1", ((PReLU<double>)activations[4]).Slope.Shape);
        double y1 = new Sigmoid<double>().Apply(0.3), d1 = new Sigmoid<double>().Derivative(0.3);
        Assert.Equal(y1 * (1 - y1), d1, 1e-15);

        var input = Tensor<double>.RandomNormal(4, 3, rng);
        var labels = new[] { 0, 1, 1, 0 };
        using (var tape = new Tape())
        {
            var logits = model.Forward(input);
            var loss = new CrossEntropyLoss<double>().Forward(logits, labels)
                + new MSELoss<double>().Forward(logits, Tensor<double>.Zeros(4, 2))
                + new BCEWithLogitsLoss<double>().Forward(logits, Tensor<double>.Ones(4, 2))
                + new BCELoss<double>().Forward(new Sigmoid<double>().Forward(logits), Tensor<double>.Ones(4, 2));
            tape.Backward(loss);
        }
        Assert.All(ps, p => Assert.NotNull(p.Grad));

        var sgd = new SGD<double>(ps, lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true);
        var adam = new Adam<double>(ps, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0);
        var adamw = new AdamW<double>(ps, lr: 1e-3, weightDecay: 0.01);
        foreach (Optimizer<double> optimizer in new Optimizer<double>[] { sgd, adam, adamw }) optimizer.Step();
        adam.ZeroGrad();
        Assert.All(ps, p => Assert.All(p.Grad!.AsSpan().ToArray(), value => Assert.Equal(0.0, value)));
    }

    [Fact]
    public void Threads_are_set_as_the_design_writes_it()
    {
        int saved = MiniGrad.Threading.MaxDegreeOfParallelism;
        try
        {
            MiniGrad.Threading.MaxDegreeOfParallelism = 1;
            Assert.Equal(1, MiniGrad.Threading.MaxDegreeOfParallelism);
        }
        finally
        {
            MiniGrad.Threading.MaxDegreeOfParallelism = saved;
        }
    }
}
