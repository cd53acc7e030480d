using MiniGrad.Activations;
using MiniGrad.Data;
using MiniGrad.Layers;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Samples.Xor;

/// <summary>What one training run ended with.</summary>
/// <param name="Loss">The final BCE loss over the four points.</param>
/// <param name="Accuracy">The fraction of points classified right (probability ≥ 0.5 means class 1).</param>
/// <param name="Inputs">The four inputs.</param>
/// <param name="Targets">Their labels.</param>
/// <param name="Probabilities">The network's σ(logit) for each.</param>
public sealed record XorResult(double Loss, double Accuracy, Tensor<float> Inputs, double[] Targets, double[] Probabilities);

/// <summary>Trains a 2-8-1 tanh network on XOR with BCE-with-logits and SGD with momentum.</summary>
public static class XorTraining
{
    /// <summary>Trains from <paramref name="seed"/> for <paramref name="epochs"/> full-batch steps, reporting the loss through <paramref name="log"/>.</summary>
    public static XorResult Train(int seed = 0, int epochs = 500, Action<int, double>? log = null)
    {
        var rng = new Random(seed);
        var (x, y) = Datasets.Xor<float>();
        var model = new Sequential<float>(
            new Dense<float>(2, 8, rng),
            new Tanh<float>(),
            new Dense<float>(8, 1, rng));
        var lossFunction = new BCEWithLogitsLoss<float>();
        var optimizer = new SGD<float>(model.Parameters(), lr: 0.5, momentum: 0.9);

        double loss = double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            optimizer.ZeroGrad();
            using (var tape = new Tape())
            {
                var lossTensor = lossFunction.Forward(model.Forward(x), y);
                tape.Backward(lossTensor);
                loss = lossTensor.Item;
            }
            optimizer.Step();
            log?.Invoke(epoch, loss);
        }

        model.Eval();
        var probabilities = new Sigmoid<float>().Forward(model.Forward(x)); // no tape open: nothing recorded
        int correct = 0;
        var p = new double[x.Rows];
        var t = new double[x.Rows];
        for (int i = 0; i < x.Rows; i++)
        {
            p[i] = probabilities[i, 0];
            t[i] = y[i, 0];
            if ((p[i] >= 0.5) == (t[i] == 1)) correct++;
        }
        return new XorResult(loss, (double)correct / x.Rows, x, t, p);
    }
}
