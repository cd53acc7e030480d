// The libtorch peer of MiniGrad's step benchmark (bench/MiniGrad.Benchmarks): the same workloads, built the same way,
// run in libtorch through TorchSharp, printing the same JSON lines with "peer":"libtorch".
//
//     dotnet TorchPeer.dll [threads=2] [workload-prefix]
//
// A step is timed as MiniGrad's is: warm up for a fixed time, then five rounds of many steps; the line gives the median
// round's µs per step and the fastest and slowest rounds, so the spread is visible.
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
string prefix = args.Length > 1 ? args[1] : "";
set_num_threads(threads);
manual_seed(0);

bool exact = Workloads.All.Any(w => w.Name == prefix); // "scale-batch-1" is that one, not also 16 and 1024
foreach (var (name, build) in Workloads.All)
{
    if (exact ? name != prefix : !name.StartsWith(prefix, StringComparison.Ordinal)) continue;
    var (median, fastest, slowest) = Timing.Measure(build());
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"peer\":\"libtorch\",\"threads\":{threads},\"workload\":\"{name}\",\"us_per_step\":{median:F2},\"us_min\":{fastest:F2},\"us_max\":{slowest:F2}}}"));
}

/// <summary>The workloads of the step benchmark, by name, each built only when it runs.</summary>
static class Workloads
{
    private static readonly string[] Activations =
        ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus", "mish", "softmax"];

    public static IEnumerable<(string Name, Func<Action> Build)> All
    {
        get
        {
            yield return ("xor", () => Training([2, 8, 1], () => nn.Tanh(), 4, binary: true, adam: false, lr: 0.5));
            yield return ("spirals", () => Training([2, 100, 100, 3], () => nn.ReLU(), 300, binary: false, adam: true, lr: 1e-2));
            yield return ("mlp-mnist", () => Training([784, 512, 256, 10], () => nn.ReLU(), 128, binary: false, adam: true, lr: 1e-3));
            yield return ("mlp-wide", () => Training([784, 2048, 2048, 10], () => nn.ReLU(), 256, binary: false, adam: true, lr: 1e-3));
            yield return ("mlp-deep-sigmoid", () => Training([64, 64, 64, 64, 64, 64, 64, 64, 64, 10], () => nn.Sigmoid(), 64, binary: false, adam: false, lr: 0.1));
            foreach (var activation in Activations) yield return ("act-" + activation, () => ActivationStep(activation));
            foreach (int n in new[] { 128, 512, 1024 }) yield return ($"gemm-{n}", () => Product(n));
            foreach (var (m, k, n) in new[] { (128, 784, 512), (256, 2048, 2048), (300, 100, 100), (64, 64, 64) })
            {
                yield return ($"gemm-xw-{m}-{k}-{n}", () => DenseProduct(m, k, n, "xw"));
                yield return ($"gemm-dx-{m}-{k}-{n}", () => DenseProduct(m, k, n, "dx"));
                yield return ($"gemm-dw-{m}-{k}-{n}", () => DenseProduct(m, k, n, "dw"));
            }
            foreach (int batch in new[] { 1, 4, 16, 64, 256, 1024, 4096 })
                yield return ($"scale-batch-{batch}", () => Training([784, 512, 256, 10], () => nn.ReLU(), batch, binary: false, adam: true, lr: 1e-3));
            foreach (int width in new[] { 16, 64, 256, 1024, 4096 })
                yield return ($"scale-width-{width}", () => Training([784, width, 10], () => nn.ReLU(), 128, binary: false, adam: true, lr: 1e-3));
        }
    }

    /// <summary>zero_grad, forward, loss, backward, optimizer step of an MLP on fixed random data; no activation after the last layer.</summary>
    private static Action Training(int[] sizes, Func<nn.Module<Tensor, Tensor>> activation, int batch, bool binary, bool adam, double lr)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            layers.Add(($"linear{i}", nn.Linear(sizes[i], sizes[i + 1])));
            if (i + 2 < sizes.Length) layers.Add(($"activation{i}", activation()));
        }
        var model = nn.Sequential(layers);
        var x = randn(batch, sizes[0]).DetachFromDisposeScope();
        int classes = sizes[^1];
        var target = (binary ? randint(0, 2, [batch, classes]).to(ScalarType.Float32) : randint(0, classes, [batch]).to(ScalarType.Int64)).DetachFromDisposeScope();
        optim.Optimizer optimizer = adam ? optim.Adam(model.parameters(), lr) : optim.SGD(model.parameters(), lr, momentum: 0.9);
        nn.Module<Tensor, Tensor, Tensor> loss = binary ? nn.BCEWithLogitsLoss() : nn.CrossEntropyLoss();
        return () =>
        {
            optimizer.zero_grad();
            loss.forward(model.forward(x), target).backward();
            optimizer.step();
        };
    }

    /// <summary>One activation's forward, then backward of a fixed upstream gradient, on a 256 × 4096 input (gelu exact, softmax by row).</summary>
    private static Action ActivationStep(string name)
    {
        Func<Tensor, Tensor> f = name switch
        {
            "sigmoid" => t => t.sigmoid(),
            "tanh" => t => t.tanh(),
            "relu" => t => nn.functional.relu(t),
            "leaky_relu" => t => nn.functional.leaky_relu(t, 0.01),
            "elu" => t => nn.functional.elu(t, 1.0),
            "selu" => t => nn.functional.selu(t),
            "gelu" => t => nn.functional.gelu(t),
            "silu" => t => nn.functional.silu(t),
            "softplus" => t => nn.functional.softplus(t),
            "mish" => t => nn.functional.mish(t),
            "softmax" => t => t.softmax(1),
            _ => throw new ArgumentException($"unknown activation {name}"),
        };
        var x = randn(256, 4096).requires_grad_(true).DetachFromDisposeScope();
        var upstream = randn(256, 4096).DetachFromDisposeScope();
        return () =>
        {
            x.grad?.zero_();
            f(x).backward([upstream]);
        };
    }

    /// <summary>One n × n by n × n float32 product.</summary>
    /// <summary>
    /// One of a Dense layer's three products for a batch of m, k inputs and n outputs: x·W (m × k by k × n), dY·Wᵀ
    /// (m × n by n × k) or Xᵀ·dY (k × m by m × n), the transposes as views, as autograd hands them to BLAS.
    /// </summary>
    private static Action DenseProduct(int m, int k, int n, string which)
    {
        var x = randn(m, k).DetachFromDisposeScope();
        var w = randn(k, n).DetachFromDisposeScope();
        var dy = randn(m, n).DetachFromDisposeScope();
        return which switch
        {
            "xw" => () => x.matmul(w),
            "dx" => () => dy.matmul(w.t()),
            _ => () => x.t().matmul(dy),
        };
    }

    private static Action Product(int n)
    {
        var a = randn(n, n).DetachFromDisposeScope();
        var b = randn(n, n).DetachFromDisposeScope();
        return () => a.matmul(b);
    }
}

/// <summary>Times a step as MiniGrad's step benchmark does, freeing each step's tensors as it goes.</summary>
static class Timing
{
    private const int Rounds = 5;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1.5), Round = TimeSpan.FromSeconds(0.4);

    public static (double Median, double Fastest, double Slowest) Measure(Action step)
    {
        void Run()
        {
            using var scope = NewDisposeScope();
            step();
        }

        int steps = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < WarmUp || steps < 10)
        {
            Run();
            steps++;
        }
        int perRound = Math.Max(3, (int)(steps * (Round / clock.Elapsed)));
        var times = new double[Rounds];
        for (int round = 0; round < Rounds; round++)
        {
            clock.Restart();
            for (int i = 0; i < perRound; i++) Run();
            times[round] = clock.Elapsed.TotalMicroseconds / perRound;
        }
        Array.Sort(times);
        return (times[Rounds / 2], times[0], times[^1]);
    }
}
