using MiniGrad.Kernels;
using MiniGrad.Activations;
using MiniGrad.Layers;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Benchmarks;

/// <summary>
/// The workloads of the step benchmark (docs/BENCHMARKS.md lists them), each as one repeatable step on float32 data
/// made once, outside the timed loop. Both the step mode and the BenchmarkDotNet suites time these.
/// </summary>
public static class Workloads
{
    /// <summary>The activations of the act-* workloads, by PyTorch name (gelu is the exact, erf form).</summary>
    public static readonly string[] Activations =
        ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus", "mish", "softmax"];

    /// <summary>The batch sizes of the scaling workloads: (declared before Names, which uses them) the mlp-mnist network's training step at each.</summary>
    public static readonly int[] ScaleBatches = [1, 4, 16, 64, 256, 1024, 4096];

    /// <summary>The hidden widths of the scaling workloads: a 784-W-10 ReLU network's training step, batch 128.</summary>
    public static readonly int[] ScaleWidths = [16, 64, 256, 1024, 4096];

    /// <summary>The Dense products the training workloads run (batch m, k inputs, n outputs): mlp-mnist's first layer, mlp-wide's second, spirals' hidden layer and mlp-deep-sigmoid's.</summary>
    public static readonly (int M, int K, int N)[] DenseShapes = [(128, 784, 512), (256, 2048, 2048), (300, 100, 100), (64, 64, 64)];

    /// <summary>Every workload name, in the order BENCHMARKS.md lists them.</summary>
    public static readonly string[] Names =
    [
        "xor", "spirals", "mlp-mnist", "mlp-wide", "mlp-deep-sigmoid",
        .. Activations.Select(name => "act-" + name),
        "gemm-128", "gemm-512", "gemm-1024",
        .. DenseShapes.SelectMany(s => new[] { "xw", "dx", "dw" }.Select(which => $"gemm-{which}-{s.M}-{s.K}-{s.N}")),
        "infer-b1", "infer-b256",
        "peak-fma", "copy-4mib",
        .. ScaleBatches.Select(batch => $"scale-batch-{batch}"),
        .. ScaleWidths.Select(width => $"scale-width-{width}"),
    ];

    /// <summary>The workloads a run selects: the one named exactly, or else every one whose name starts with the prefix.</summary>
    public static string[] Select(string prefix) =>
        Names.Contains(prefix) ? [prefix] : Names.Where(name => name.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

    /// <summary>The floating-point operations of one step of the named workload, where the report turns time into GFLOP/s.</summary>
    public static double? Flops(string name) => name switch
    {
        _ when name.StartsWith("gemm-", StringComparison.Ordinal) && int.TryParse(name["gemm-".Length..], out int n) => 2.0 * n * n * n,
        _ when name.StartsWith("gemm-", StringComparison.Ordinal) && name.Split('-') is [_, _, var m, var k, var n] => 2.0 * int.Parse(m) * int.Parse(k) * int.Parse(n),
        "peak-fma" => Machine.PeakFlops,
        _ => null,
    };

    /// <summary>Whether the named workload measures the machine (no peer runs it).</summary>
    public static bool MeasuresMachine(string name) => name is "peak-fma" or "copy-4mib";

    /// <summary>Builds the named workload and returns its step.</summary>
    public static Action Create(string name)
    {
        var rng = new Random(0);
        return name switch
        {
            "xor" => TrainingStep([2, 8, 1], () => new Tanh<float>(), 4, Loss.BinaryCrossEntropy, ps => new SGD<float>(ps, lr: 0.5, momentum: 0.9), rng),
            "spirals" => TrainingStep([2, 100, 100, 3], () => new ReLU<float>(), 300, Loss.CrossEntropy, ps => new Adam<float>(ps, lr: 1e-2), rng),
            "mlp-mnist" => TrainingStep([784, 512, 256, 10], () => new ReLU<float>(), 128, Loss.CrossEntropy, ps => new Adam<float>(ps, lr: 1e-3), rng),
            "mlp-wide" => TrainingStep([784, 2048, 2048, 10], () => new ReLU<float>(), 256, Loss.CrossEntropy, ps => new Adam<float>(ps, lr: 1e-3), rng),
            "mlp-deep-sigmoid" => TrainingStep([64, 64, 64, 64, 64, 64, 64, 64, 64, 10], () => new Sigmoid<float>(), 64, Loss.CrossEntropy,
                ps => new SGD<float>(ps, lr: 0.1, momentum: 0.9), rng),
            _ when name.StartsWith("act-", StringComparison.Ordinal) => ActivationStep(name["act-".Length..], rng),
            _ when name.StartsWith("gemm-", StringComparison.Ordinal) && int.TryParse(name["gemm-".Length..], out int n) => ProductStep(n, rng),
            _ when name.StartsWith("gemm-", StringComparison.Ordinal) && name.Split('-') is [_, var which, var m, var k, var n] =>
                DenseProduct(int.Parse(m), int.Parse(k), int.Parse(n), which, rng),
            _ when name.StartsWith("infer-b", StringComparison.Ordinal) && int.TryParse(name["infer-b".Length..], out int batch) => Inference(batch, rng).MiniGrad,
            _ when name.StartsWith("scale-batch-", StringComparison.Ordinal) && int.TryParse(name["scale-batch-".Length..], out int size) =>
                TrainingStep([784, 512, 256, 10], () => new ReLU<float>(), size, Loss.CrossEntropy, ps => new Adam<float>(ps, lr: 1e-3), rng),
            _ when name.StartsWith("scale-width-", StringComparison.Ordinal) && int.TryParse(name["scale-width-".Length..], out int width) =>
                TrainingStep([784, width, 10], () => new ReLU<float>(), 128, Loss.CrossEntropy, ps => new Adam<float>(ps, lr: 1e-3), rng),
            "peak-fma" => Machine.Peak().Step,
            "copy-4mib" => Machine.Copy(),
            _ => throw new ArgumentException($"Unknown workload '{name}'. Known: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    private enum Loss { BinaryCrossEntropy, CrossEntropy }

    /// <summary>zero_grad, forward, loss, backward, optimizer step: one training step of an MLP.</summary>
    private static Action TrainingStep(int[] sizes, Func<Module<float>> activation, int batch, Loss loss,
        Func<IEnumerable<Tensor<float>>, Optimizer<float>> optimizerFor, Random rng)
    {
        var layers = new List<Module<float>>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            layers.Add(new Dense<float>(sizes[i], sizes[i + 1], rng));
            if (i + 2 < sizes.Length) layers.Add(activation());
        }
        var model = new Sequential<float>([.. layers]);
        var optimizer = optimizerFor(model.Parameters());
        var x = Tensor<float>.RandomNormal(batch, sizes[0], rng);
        int classes = sizes[^1];
        var labels = Enumerable.Range(0, batch).Select(_ => rng.Next(classes)).ToArray();
        var targets = Tensor<float>.FromArray(batch, classes, Enumerable.Range(0, batch * classes).Select(_ => (float)rng.Next(2)).ToArray());
        var crossEntropy = new CrossEntropyLoss<float>();
        var binaryCrossEntropy = new BCEWithLogitsLoss<float>();
        return () =>
        {
            optimizer.ZeroGrad();
            using (var tape = new Tape())
            {
                var logits = model.Forward(x);
                tape.Backward(loss == Loss.CrossEntropy ? crossEntropy.Forward(logits, labels) : binaryCrossEntropy.Forward(logits, targets));
            }
            optimizer.Step();
        };
    }

    /// <summary>One activation's forward, then backward of a fixed upstream gradient, on a 256 × 4096 input.</summary>
    private static Action ActivationStep(string activationName, Random rng)
    {
        if (!Activations.Contains(activationName))
            throw new ArgumentException($"Unknown act-* workload '{activationName}'. Known: {string.Join(", ", Activations)}.", nameof(activationName));
        var activation = Activation.Create<float>(activationName);
        var x = Tensor<float>.RandomNormal(256, 4096, rng, requiresGrad: true);
        var upstream = Tensor<float>.RandomNormal(256, 4096, rng);
        return () =>
        {
            x.ZeroGrad();
            using var tape = new Tape();
            tape.Backward(activation.Forward(x), upstream);
        };
    }

    /// <summary>
    /// Inference of the mnist MLP (784-512-256-10, ReLU) on a batch, with no tape open: MiniGrad's Forward, and the same model
    /// exported to ONNX and run by ONNX Runtime (CPU, both cores), the anchor for serving.
    /// </summary>
    public static (Action MiniGrad, Action OnnxRuntime) Inference(int batch, Random rng)
    {
        var model = new Sequential<float>(new Dense<float>(784, 512, rng), new ReLU<float>(), new Dense<float>(512, 256, rng),
            new ReLU<float>(), new Dense<float>(256, 10, rng));
        model.Eval();
        var x = Tensor<float>.RandomNormal(batch, 784, rng);
        var onnx = new MemoryStream();
        Onnx.OnnxExporter.Export(model, onnx);
        var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx.ToArray(), new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = WorkerPool.Threads });
        var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(x.AsSpan().ToArray(), [batch, 784]);
        var output = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new float[batch * 10], [batch, 10]);
        var run = new Microsoft.ML.OnnxRuntime.RunOptions();
        string[] inputNames = ["input"], outputNames = ["output"];
        return (() => model.Forward(x), () => session.Run(run, inputNames, [input], outputNames, [output]));
    }

    /// <summary>
    /// One of a Dense layer's three products, as its forward and backward call them: x·W (m × k by k × n), dY·Wᵀ
    /// (m × n by n × k, B transposed) or Xᵀ·dY (k × m by m × n, A transposed).
    /// </summary>
    private static Action DenseProduct(int m, int k, int n, string which, Random rng)
    {
        var x = Tensor<float>.RandomNormal(m, k, rng).Values;
        var w = Tensor<float>.RandomNormal(k, n, rng).Values;
        var dy = Tensor<float>.RandomNormal(m, n, rng).Values;
        var output = new float[Math.Max(m * n, Math.Max(m * k, k * n))];
        return which switch
        {
            "xw" => () => Gemm.Multiply(m, n, k, x, false, w, false, output, accumulate: false),
            "dx" => () => Gemm.Multiply(m, k, n, dy, false, w, true, output, accumulate: false),
            "dw" => () => Gemm.Multiply(k, n, m, x, true, dy, false, output, accumulate: false),
            _ => throw new ArgumentException($"Unknown Dense product '{which}': xw, dx or dw.", nameof(which)),
        };
    }

    /// <summary>One n × n by n × n product.</summary>
    private static Action ProductStep(int n, Random rng)
    {
        var a = Tensor<float>.RandomNormal(n, n, rng);
        var b = Tensor<float>.RandomNormal(n, n, rng);
        var c = new float[n * n];
        return () => Gemm.Multiply(n, n, n, a.Values, false, b.Values, false, c, accumulate: false);
    }
}
