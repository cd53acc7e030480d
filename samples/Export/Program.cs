using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MiniGrad.Layers;
using MiniGrad.Onnx;
using MiniGrad.Samples.Spirals;
using static MiniGrad.Samples.SampleConsole;

namespace MiniGrad.Samples.Export;

/// <summary>
/// Models leave MiniGrad: trains the spirals network, saves it as spirals.safetensors (PyTorch's state_dict layout),
/// loads it back, exports spirals.onnx and runs that in ONNX Runtime, then prints the few lines of Python that load the
/// file into torch.nn.Sequential. Exits with 1 if the reloaded model or ONNX Runtime disagrees with the trained one.
/// </summary>
public static class Program
{
    /// <summary>How far apart the three may be: float32 rounding in a different order.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>Runs the sample; see <see cref="Sample.Run"/> for the options.</summary>
    public static int Main(string[] args) => Sample.Run(args,
        "Trains the spirals network, saves it (safetensors), loads it back, exports it (ONNX) and checks ONNX Runtime agrees.",
        new SampleDefaults(Activation: "relu", Epochs: 1000, LearningRate: 0.01), Run);

    private static int Run(SampleOptions options)
    {
        int epochs = options.Quick ? Math.Min(options.Epochs, 200) : options.Epochs;
        var trained = SpiralsTraining.Train(options.Activation, epochs, options.LearningRate, options.Seed);
        Console.WriteLine(F($"Trained {trained.Model} on the spirals for {epochs} epochs: {trained.Accuracy:P1} training accuracy."));

        string weights = options.Output("spirals.safetensors"), onnx = options.Output("spirals.onnx");
        trained.Model.Save(weights);
        var loaded = Sequential<float>.Load(weights);
        OnnxExporter.Export(trained.Model, onnx);
        Console.WriteLine($"Wrote {weights} ({new FileInfo(weights).Length:N0} bytes) and {onnx} ({new FileInfo(onnx).Length:N0} bytes).");

        var points = trained.Points;
        var expected = trained.Model.Forward(points);
        double reloadedGap = MaxGap(expected, loaded.Forward(points));
        using var session = new InferenceSession(onnx);
        var input = new DenseTensor<float>(points.AsSpan().ToArray(), [points.Rows, points.Cols]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var onnxLogits = results.Single().AsTensor<float>();
        double onnxGap = 0;
        int agreeing = 0;
        for (int r = 0; r < points.Rows; r++)
        {
            int ours = 0, theirs = 0;
            for (int c = 0; c < expected.Cols; c++)
            {
                onnxGap = Math.Max(onnxGap, Math.Abs(expected[r, c] - onnxLogits[r, c]));
                if (expected[r, c] > expected[r, ours]) ours = c;
                if (onnxLogits[r, c] > onnxLogits[r, theirs]) theirs = c;
            }
            if (ours == theirs) agreeing++;
        }
        Table("The trained model, the model loaded from spirals.safetensors, and ONNX Runtime running spirals.onnx",
            ["", "largest |Δ logit| from the trained model", "same predicted class"],
            [
                ["Sequential<float>.Load", F($"{reloadedGap:G3}"), reloadedGap == 0 ? $"{points.Rows}/{points.Rows}" : "—"],
                ["ONNX Runtime", F($"{onnxGap:G3}"), $"{agreeing}/{points.Rows}"],
            ]);

        Console.WriteLine();
        Console.WriteLine("In Python, the same weights go into PyTorch (pip install torch safetensors):");
        Console.WriteLine();
        Console.WriteLine($"    import torch, safetensors.torch");
        Console.WriteLine($"    model = torch.nn.Sequential(torch.nn.Linear(2, {SpiralsTraining.Hidden}), torch.nn.{Torch(options.Activation)}, " +
                          $"torch.nn.Linear({SpiralsTraining.Hidden}, {SpiralsTraining.Hidden}), torch.nn.{Torch(options.Activation)}, torch.nn.Linear({SpiralsTraining.Hidden}, 3))");
        Console.WriteLine($"    model.load_state_dict(safetensors.torch.load_file(\"{Path.GetFileName(weights)}\"), strict=True)");
        Console.WriteLine();
        Console.WriteLine("and back in C#:");
        Console.WriteLine();
        Console.WriteLine($"    var model = Sequential<float>.Load(\"{Path.GetFileName(weights)}\");   // or model.LoadWeights(...) into one you built");

        bool holds = reloadedGap == 0 && onnxGap <= Tolerance && agreeing == points.Rows;
        return Result(holds, F($"Export: the reloaded model matches bit for bit and ONNX Runtime within {onnxGap:G2} (≤ {Tolerance:0e0}) on all {points.Rows} points."));
    }

    private static double MaxGap(Tensor<float> a, Tensor<float> b)
    {
        double gap = 0;
        for (int i = 0; i < a.Length; i++) gap = Math.Max(gap, Math.Abs(a.AsSpan()[i] - b.AsSpan()[i]));
        return gap;
    }

    /// <summary>The PyTorch module for an activation name, for the printed Python.</summary>
    private static string Torch(string activation) => activation switch
    {
        "relu" => "ReLU()",
        "tanh" => "Tanh()",
        "sigmoid" => "Sigmoid()",
        "leaky_relu" => "LeakyReLU(0.01)",
        "elu" => "ELU()",
        "selu" => "SELU()",
        "gelu" => "GELU()",
        "silu" => "SiLU()",
        "softplus" => "Softplus()",
        "mish" => "Mish()",
        _ => $"{activation}()  # see MiniGrad's Activation.Describe(\"{activation}\")",
    };
}
