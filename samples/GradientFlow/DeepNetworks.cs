using MiniGrad.Layers;
using MiniGrad.Data;
using MiniGrad.Diagnostics;

namespace MiniGrad.Samples.GradientFlow;

/// <summary>The gradient norm reaching each hidden layer of one deep network, at initialisation and after training.</summary>
/// <param name="Activation">The hidden activation.</param>
/// <param name="Init">The weight initialisation used with it.</param>
/// <param name="AtInit">‖∂L/∂zₗ‖ for hidden layers l = 1 … depth, at initialisation.</param>
/// <param name="Trained">The same after training.</param>
/// <param name="MeanDerivative">Mean |f'(z)| over all hidden layers at initialisation.</param>
/// <param name="FinalLoss">The loss after training.</param>
public sealed record DepthProfile(string Activation, WeightInit Init, double[] AtInit, double[] Trained, double MeanDerivative, double FinalLoss)
{
    /// <summary>
    /// The factor by which the gradient shrinks per layer on its way back from the last hidden layer to the first, as a
    /// geometric mean: (‖g_depth‖ / ‖g_1‖)^(1/(depth−1)). Above 1 it vanishes; below 1 it grows.
    /// </summary>
    public static double ShrinkPerLayer(double[] norms) => Math.Pow(norms[^1] / norms[0], 1.0 / (norms.Length - 1));

    /// <summary>Largest over smallest norm across depth.</summary>
    public static double Spread(double[] norms) => norms.Max() / norms.Min();
}

/// <summary>
/// Deep, narrow networks on the spiral data, built with the initialisation each activation is meant for, and measured with a
/// <see cref="GradientFlowMonitor{T}"/>.
/// </summary>
public static class DeepNetworks
{
    /// <summary>Hidden layers and their width.</summary>
    public const int Depth = 10, Width = 64;

    /// <summary>The activations compared, in the order the material teaches them.</summary>
    public static readonly string[] Activations = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu"];

    /// <summary>Builds the network for <paramref name="activation"/>, measures it, trains it for <paramref name="epochs"/> Adam steps, measures again.</summary>
    public static DepthProfile Measure(string activation, int epochs, double learningRate, int seed, Action<int>? progress = null)
    {
        var rng = new Random(seed);
        var (x, labels) = Datasets.Spirals<float>(100, 3, noise: 0.2, rng);
        Standardise(x); // zero mean, unit variance per feature, as SELU's self-normalisation assumes (and good practice for all)
        var init = DeepMlp.InitFor(activation);
        var model = DeepMlp.Build(2, Depth, Width, 3, activation, init, init, rng);
        double[] atInit = [], trained = [];
        double meanDerivative = double.NaN;
        double loss = DeepMlp.TrainMonitored(model, x, labels, epochs, learningRate, (epoch, report) =>
        {
            if (epoch == 0)
            {
                atInit = HiddenNorms(report);
                meanDerivative = report.Layers.Take(Depth).Average(layer => layer.MeanAbsDerivative);
            }
            if (epoch == epochs) trained = HiddenNorms(report);
            progress?.Invoke(epoch);
        });
        return new DepthProfile(activation, init, atInit, trained, meanDerivative, loss);
    }

    /// <summary>Shifts and scales each column of <paramref name="x"/> to mean 0 and variance 1.</summary>
    public static void Standardise(Tensor<float> x)
    {
        for (int c = 0; c < x.Cols; c++)
        {
            double mean = 0, square = 0;
            for (int r = 0; r < x.Rows; r++) mean += x[r, c];
            mean /= x.Rows;
            for (int r = 0; r < x.Rows; r++) square += (x[r, c] - mean) * (x[r, c] - mean);
            double std = Math.Sqrt(square / x.Rows);
            for (int r = 0; r < x.Rows; r++) x[r, c] = (float)((x[r, c] - mean) / std);
        }
    }

    private static double[] HiddenNorms(GradientFlowReport report) => report.Layers.Take(Depth).Select(layer => layer.GradientNorm).ToArray();
}
