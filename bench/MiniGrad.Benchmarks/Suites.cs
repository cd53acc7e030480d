using MiniGrad.Kernels;
using BenchmarkDotNet.Attributes;
using MiniGrad.Activations;
using MiniGrad.Layers;

namespace MiniGrad.Benchmarks;

/// <summary>The matrix product at square and dense-layer shapes, every transposition the layers use.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] a = [], b = [], c = [];

    /// <summary>(m, k, n): square products and the shapes of mlp-mnist's first layer.</summary>
    [Params("128x128x128", "512x512x512", "1024x1024x1024", "128x784x512", "300x100x100")]
    public string Shape { get; set; } = "";

    private int M => int.Parse(Shape.Split('x')[0]);
    private int K => int.Parse(Shape.Split('x')[1]);
    private int N => int.Parse(Shape.Split('x')[2]);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(0);
        int size = Math.Max(M, Math.Max(K, N));
        a = Enumerable.Range(0, size * size).Select(_ => (float)rng.NextDouble()).ToArray();
        b = Enumerable.Range(0, size * size).Select(_ => (float)rng.NextDouble()).ToArray();
        c = new float[size * size];
    }

    /// <summary>Forward: x·W.</summary>
    [Benchmark(Baseline = true)]
    public void Forward() => Gemm.Multiply(M, N, K, a, false, b, false, c, accumulate: false);

    /// <summary>Input gradient: dY·Wᵀ (W stored k × n, read transposed).</summary>
    [Benchmark]
    public void InputGradient() => Gemm.Multiply(M, K, N, a, false, b, true, c, accumulate: true);

    /// <summary>Weight gradient: Xᵀ·dY (X stored m × k, read transposed).</summary>
    [Benchmark]
    public void WeightGradient() => Gemm.Multiply(K, N, M, a, true, b, false, c, accumulate: true);
}

/// <summary>Each activation's forward alone and forward + backward, on the act-* workload's 256 × 4096 input.</summary>
[MemoryDiagnoser]
public class ActivationBenchmarks
{
    private Module<float> activation = null!;
    private Tensor<float> x = null!, upstream = null!;

    [ParamsSource(nameof(AllActivations))]
    public string Name { get; set; } = "";

    public static IEnumerable<string> AllActivations => Workloads.Activations;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(0);
        activation = Activation.Create<float>(Name);
        x = Tensor<float>.RandomNormal(256, 4096, rng, requiresGrad: true);
        upstream = Tensor<float>.RandomNormal(256, 4096, rng);
    }

    /// <summary>Inference: no tape is open, so nothing is recorded.</summary>
    [Benchmark]
    public Tensor<float> Forward() => activation.Forward(x);

    /// <summary>The act-* step: forward on the tape, then backward of the upstream gradient.</summary>
    [Benchmark]
    public void ForwardBackward()
    {
        x.ZeroGrad();
        using var tape = new Tape();
        tape.Backward(activation.Forward(x), upstream);
    }
}

/// <summary>One training step of each training workload of the step benchmark.</summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Action step = null!;

    [Params("xor", "spirals", "mlp-mnist", "mlp-deep-sigmoid", "mlp-wide")]
    public string Workload { get; set; } = "";

    [GlobalSetup]
    public void Setup() => step = Workloads.Create(Workload);

    [Benchmark]
    public void Step() => step();
}
