using MiniGrad.Activations;
using MiniGrad.Layers;
using MiniGrad.Data;
using MiniGrad.Diagnostics;

namespace MiniGrad.Samples.GradientFlow;

/// <summary>One deep network measured at initialisation and after training.</summary>
/// <param name="Activation">The hidden activation.</param>
/// <param name="Init">The weight initialisation used with it.</param>
/// <param name="AtInit">‖∂L/∂zₗ‖ for hidden layers l = 1 … depth, at initialisation.</param>
/// <param name="Trained">The same after training.</param>
/// <param name="MeanDerivative">Mean |f'(z)| over all hidden layers at initialisation.</param>
/// <param name="TrainedMeanDerivative">The same after training.</param>
/// <param name="InitialLoss">The cross-entropy before any update.</param>
/// <param name="FinalLoss">The loss after training.</param>
/// <param name="Accuracy">The training accuracy after training.</param>
/// <param name="WeightGainAtInit">The mean over the hidden-to-hidden layers of the largest singular value of W, at initialisation:
/// the most one layer's weights can stretch the gradient on its way back.</param>
/// <param name="WeightGainTrained">The same after training.</param>
/// <param name="AlignmentAtInit">How much more Wᵀ stretches the actual gradient than a random direction, at initialisation
/// (see <see cref="DeepNetworks.Alignment"/>).</param>
/// <param name="AlignmentTrained">The same after training.</param>
public sealed record DepthProfile(string Activation, WeightInit Init, double[] AtInit, double[] Trained, double MeanDerivative,
    double TrainedMeanDerivative, double InitialLoss, double FinalLoss, double Accuracy, double WeightGainAtInit, double WeightGainTrained,
    double AlignmentAtInit, double AlignmentTrained)
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
        double meanDerivative = double.NaN, trainedDerivative = double.NaN, initialLoss = double.NaN;
        double gainAtInit = WeightGain(model), alignmentAtInit = Alignment(model, x, labels);
        double loss = DeepMlp.TrainMonitored(model, x, labels, epochs, learningRate, (epoch, stepLoss, report) =>
        {
            if (epoch == 0)
            {
                atInit = HiddenNorms(report);
                meanDerivative = report.Layers.Take(Depth).Average(layer => layer.MeanAbsDerivative);
                initialLoss = stepLoss;
            }
            if (epoch == epochs)
            {
                trained = HiddenNorms(report);
                trainedDerivative = report.Layers.Take(Depth).Average(layer => layer.MeanAbsDerivative);
            }
            progress?.Invoke(epoch);
        });
        return new DepthProfile(activation, init, atInit, trained, meanDerivative, trainedDerivative, initialLoss, loss,
            DeepMlp.Accuracy(model, x, labels), gainAtInit, WeightGain(model), alignmentAtInit, Alignment(model, x, labels));
    }

    /// <summary>
    /// How well the gradient lines up with the weights' strong directions, as the mean over the hidden-to-hidden layers of
    /// ‖δₗ₊₁·Wₗ₊₁ᵀ‖ / (‖δₗ₊₁‖ · ‖Wₗ₊₁‖_F/√width): what Wᵀ actually stretches the gradient by, over what it stretches a
    /// random direction by on average (the root-mean-square singular value). About 1 for a gradient unrelated to W; up to
    /// σ_max/σ_rms when the gradient points along W's strongest direction. δₗ = ∂L/∂zₗ comes from a backward pass written
    /// out here (softmax cross-entropy, then δₗ = (δₗ₊₁·Wₗ₊₁ᵀ) ⊙ f'(zₗ)), independent of the tape.
    /// </summary>
    public static double Alignment(Sequential<float> model, Tensor<float> x, int[] labels)
    {
        var dense = model.Layers.OfType<Dense<float>>().ToArray();
        var activations = model.Layers.OfType<ElementwiseActivation<float>>().ToArray();
        var z = new List<Tensor<float>>();
        var h = x;
        for (int l = 0; l < dense.Length; l++)
        {
            var pre = h.MatMul(dense[l].Weight) + dense[l].Bias;
            z.Add(pre);
            h = l < activations.Length ? activations[l].Forward(pre) : pre;
        }
        var delta = new Softmax<float>().Forward(h) - Tensor<float>.OneHot(labels, h.Cols); // ∂L/∂logits, times the batch size
        var ratios = new List<double>();
        for (int l = dense.Length - 1; l > 0; l--)
        {
            var back = delta.MatMul(dense[l].Weight.Transpose());
            if (dense[l].InFeatures == Width && dense[l].OutFeatures == Width)
                ratios.Add(Norm(back) / (Norm(delta) * Norm(dense[l].Weight) / Math.Sqrt(Width)));
            var derivative = Tensor<float>.Zeros(back.Rows, back.Cols);
            for (int r = 0; r < back.Rows; r++)
                for (int c = 0; c < back.Cols; c++) derivative[r, c] = activations[l - 1].Derivative(z[l - 1][r, c]);
            delta = back * derivative;
        }
        return ratios.Average();
    }

    private static double Norm(Tensor<float> t) => Math.Sqrt(t.AsSpan().ToArray().Sum(v => (double)v * v));

    /// <summary>
    /// The mean, over the hidden-to-hidden dense layers, of the largest singular value of W (by power iteration on WᵀW):
    /// backward multiplies the gradient by Wᵀ and then by f', so this bounds how much one layer can grow it.
    /// </summary>
    public static double WeightGain(Sequential<float> model)
    {
        var gains = new List<double>();
        foreach (var dense in model.Layers.OfType<Dense<float>>().Where(d => d.InFeatures == Width && d.OutFeatures == Width))
        {
            var w = dense.Weight;
            var v = Enumerable.Repeat(1 / Math.Sqrt(Width), Width).ToArray();
            double sigma = 0;
            for (int iteration = 0; iteration < 50; iteration++)
            {
                var u = new double[Width]; // u = W v
                for (int r = 0; r < Width; r++)
                    for (int c = 0; c < Width; c++) u[r] += w[r, c] * v[c];
                var next = new double[Width]; // v' = Wᵀ u
                for (int r = 0; r < Width; r++)
                    for (int c = 0; c < Width; c++) next[c] += w[r, c] * u[r];
                double norm = Math.Sqrt(next.Sum(e => e * e));
                sigma = Math.Sqrt(norm); // ‖WᵀW v‖ → σ² for a unit v
                v = next.Select(e => e / norm).ToArray();
            }
            gains.Add(sigma);
        }
        return gains.Average();
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
