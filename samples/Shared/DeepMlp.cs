using MiniGrad.Activations;
using MiniGrad.Diagnostics;
using MiniGrad.Layers;
using MiniGrad.Losses;
using MiniGrad.Optimizers;
using MiniGrad.Training;

namespace MiniGrad.Samples;

/// <summary>The deep, narrow classifiers the diagnostics samples compare, and their monitored full-batch training.</summary>
public static class DeepMlp
{
    /// <summary>The share of rows of <paramref name="x"/> the model (in Eval mode) classifies as <paramref name="labels"/> says.</summary>
    public static double Accuracy(Sequential<float> model, Tensor<float> x, int[] labels)
    {
        bool training = model.IsTraining;
        model.Eval();
        double accuracy = Metrics.Accuracy(model.Forward(x), labels);
        if (training) model.Train();
        return accuracy;
    }

    /// <summary>The usual initialisation for an activation: Xavier for sigmoid and tanh, LeCun for SELU, He (Kaiming) for the ReLU family, GELU and SiLU.</summary>
    public static WeightInit InitFor(string activation) => activation switch
    {
        "sigmoid" or "tanh" => WeightInit.XavierUniform,
        "selu" => WeightInit.LeCunNormal,
        _ => WeightInit.HeUniform,
    };

    /// <summary>
    /// <paramref name="depth"/> hidden layers of <paramref name="width"/> units, each a <see cref="Dense{T}"/> initialised by
    /// <paramref name="init"/> and then <paramref name="activation"/>, and a linear output layer of <paramref name="outputs"/> logits.
    /// </summary>
    public static Sequential<float> Build(int inputs, int depth, int width, int outputs, string activation, WeightInit init, WeightInit outputInit, Random rng)
    {
        var modules = new List<Module<float>>();
        for (int l = 0; l < depth; l++)
        {
            modules.Add(new Dense<float>(l == 0 ? inputs : width, width, init, rng));
            modules.Add(Activation.Create<float>(activation, rng));
        }
        modules.Add(new Dense<float>(width, outputs, outputInit, rng));
        return new Sequential<float>([.. modules]);
    }

    /// <summary>
    /// Trains <paramref name="model"/> for <paramref name="epochs"/> full-batch Adam updates on cross-entropy, with a
    /// <see cref="GradientFlowMonitor{T}"/> attached. After every backward pass, the first before any update (epoch 0) and
    /// the last after all of them (epoch <paramref name="epochs"/>), <paramref name="observe"/> gets the epoch, the loss of
    /// that pass and the report.
    /// </summary>
    /// <returns>The loss of the last pass.</returns>
    /// <param name="model">The network.</param>
    /// <param name="x">The training inputs.</param>
    /// <param name="labels">Their classes.</param>
    /// <param name="epochs">Adam updates.</param>
    /// <param name="learningRate">Adam's learning rate; <paramref name="rateAt"/>, when given, sets it anew before each update.</param>
    /// <param name="observe">Called after each backward pass.</param>
    /// <param name="rateAt">The learning rate of each update (0, 1, …), e.g. a few large steps and then the usual rate.</param>
    public static double TrainMonitored(Sequential<float> model, Tensor<float> x, int[] labels, int epochs, double learningRate,
        Action<int, double, GradientFlowReport> observe, Func<int, double>? rateAt = null)
    {
        var lossFunction = new CrossEntropyLoss<float>();
        var optimizer = new Adam<float>(model.Parameters(), lr: learningRate);
        using var monitor = new GradientFlowMonitor<float>(model);
        double loss = double.NaN;
        for (int epoch = 0; epoch <= epochs; epoch++)
        {
            optimizer.ZeroGrad();
            using (var tape = new Tape())
            {
                var lossTensor = lossFunction.Forward(model.Forward(x), labels);
                tape.Backward(lossTensor);
                loss = lossTensor.Item;
            }
            observe(epoch, loss, monitor.Report());
            if (epoch == epochs) break;
            if (rateAt is not null) optimizer.LearningRate = rateAt(epoch);
            optimizer.Step();
        }
        return loss;
    }
}
