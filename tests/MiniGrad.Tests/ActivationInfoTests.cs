using MiniGrad.Activations;
using MiniGrad.Layers;

namespace MiniGrad.Tests;

/// <summary>
/// The machine-readable descriptions, checked numerically against the code over a grid, so they cannot drift:
/// range, zero-centredness, monotonicity and smoothness, for every activation <see cref="Activation.Create{T}"/>
/// builds, and for Maxout through constructed pieces.
/// </summary>
public class ActivationInfoTests
{
    private const double Step = 0.01, End = 15;

    public static TheoryData<string> CreatableNames => new(Activation.Names.Where(name => name != "maxout"));

    /// <summary>f over the grid −15, −14.99, …, 15 (0 exactly among them), and one-sided slopes at each point.</summary>
    private static (double[] X, double[] F, double[] LeftSlope, double[] RightSlope) Sample(Module<double> module)
    {
        module.Eval(); // RReLU's deterministic form
        int n = (int)Math.Round(2 * End / Step) + 1;
        var x = Enumerable.Range(0, n).Select(k => (k - (n - 1) / 2) / 100.0).ToArray();
        const double h = 1e-5;
        double[] Evaluate(double shift)
        {
            // Row (x, 0): an element-wise f gives f(x) in column 0; softmax gives σ(x), log-softmax −softplus(−x).
            var batch = Tensor<double>.Zeros(n, 2);
            for (int k = 0; k < n; k++) batch[k, 0] = x[k] + shift;
            var y = module.Forward(batch);
            return Enumerable.Range(0, n).Select(k => y[k, 0]).ToArray();
        }
        var (f, left, right) = (Evaluate(0), Evaluate(-h), Evaluate(h));
        return (x, f, f.Zip(left, (a, b) => (a - b) / h).ToArray(), right.Zip(f, (a, b) => (a - b) / h).ToArray());
    }

    [Theory]
    [MemberData(nameof(CreatableNames))]
    public void Range_claims_hold_on_the_grid(string name)
    {
        var info = Activation.Describe(name);
        var (x, f, _, _) = Sample(Activation.Create<double>(name, new Random(0)));
        double min = f.Min(), max = f.Max();
        int middleLeft = Array.IndexOf(x, -End / 2), middleRight = Array.IndexOf(x, End / 2);

        if (double.IsNegativeInfinity(info.Lower))
            Assert.True(f[0] / f[middleLeft] > 1.9 && f[0] < 0, $"{name}: claims unbounded below, but f(−15) = {f[0]} is not about twice f(−7.5) = {f[middleLeft]}");
        else
        {
            Assert.True(info.LowerIncluded ? min >= info.Lower - 1e-12 : min > info.Lower, $"{name}: min {min:R} outside {info.Range}");
            Assert.True(min - info.Lower < 1e-3, $"{name}: min {min:R} does not come near the claimed bound {info.Lower}");
        }
        if (double.IsPositiveInfinity(info.Upper))
            Assert.True(f[^1] / f[middleRight] > 1.9 && f[^1] > 0, $"{name}: claims unbounded above, but f(15) = {f[^1]} is not about twice f(7.5) = {f[middleRight]}");
        else
        {
            Assert.True(info.UpperIncluded ? max <= info.Upper + 1e-12 : max < info.Upper, $"{name}: max {max:R} outside {info.Range}");
            Assert.True(info.Upper - max < 1e-3, $"{name}: max {max:R} does not come near the claimed bound {info.Upper}");
        }
    }

    [Theory]
    [MemberData(nameof(CreatableNames))]
    public void Zero_centred_monotonic_and_smooth_claims_hold_on_the_grid(string name)
    {
        var info = Activation.Describe(name);
        var (x, f, left, right) = Sample(Activation.Create<double>(name, new Random(0)));

        // E f(X) for X ~ N(0, 1), by the rectangle rule over the grid (the tails beyond ±15 weigh nothing).
        double mean = x.Select((v, k) => f[k] * Math.Exp(-v * v / 2) / Math.Sqrt(2 * Math.PI) * Step).Sum();
        if (info.ZeroCentred) Assert.True(Math.Abs(mean) < 0.01, $"{name}: claims zero-centred, but E f(X) = {mean}");
        else Assert.True(Math.Abs(mean) > 0.05, $"{name}: claims not zero-centred, but E f(X) = {mean}");

        double steepestFall = Enumerable.Range(1, f.Length - 1).Min(k => f[k] - f[k - 1]);
        if (info.Monotonic) Assert.True(steepestFall >= -1e-12, $"{name}: claims monotonic, but falls by {-steepestFall}");
        else Assert.True(steepestFall < -1e-6, $"{name}: claims not monotonic, but never falls");

        double largestJump = left.Zip(right, (l, r) => Math.Abs(r - l)).Max();
        if (info.Smooth) Assert.True(largestJump < 1e-3, $"{name}: claims smooth, but f' jumps by {largestJump}");
        else Assert.True(largestJump > 1e-2, $"{name}: claims a kink, but f' never jumps by more than {largestJump}");
    }

    [Fact]
    public void Maxout_claims_hold_for_pieces_that_show_them()
    {
        var info = Activation.Describe("maxout");
        Maxout<double> TwoPieces(double slope0, double slope1)
        {
            var maxout = new Maxout<double>(1, 1, 2, new Random(0));
            (maxout.Weights[0][0, 0], maxout.Weights[1][0, 0], maxout.Biases[0][0, 0], maxout.Biases[1][0, 0]) = (slope0, slope1, 0, 0);
            return maxout;
        }
        double[] Values(Module<double> m, params double[] xs) => m.Forward(Tensor<double>.FromArray(xs.Length, 1, xs)).AsSpan().ToArray();

        // max(x, x/2): unbounded both ways, not zero-centred (E = 0.2), a kink at 0.
        var leaky = Values(TwoPieces(1, 0.5), -15, -7.5, 7.5, 15, -1e-6, 0, 1e-6);
        Assert.True(double.IsNegativeInfinity(info.Lower) && leaky[0] / leaky[1] > 1.9);
        Assert.True(double.IsPositiveInfinity(info.Upper) && leaky[3] / leaky[2] > 1.9);
        Assert.False(info.Smooth);
        Assert.True(Math.Abs((leaky[6] - leaky[5]) / 1e-6 - (leaky[5] - leaky[4]) / 1e-6) > 0.4);
        Assert.False(info.ZeroCentred);
        // max(x, −x) = |x|: not monotonic.
        var absolute = Values(TwoPieces(1, -1), -2, -1, 1, 2);
        Assert.False(info.Monotonic);
        Assert.True(absolute[1] < absolute[0]);
    }

    [Fact]
    public void Every_activation_is_described_once_with_its_formula()
    {
        Assert.Equal(Activation.All.Count, Activation.All.Select(info => info.Name).Distinct().Count());
        Assert.All(Activation.All, info =>
        {
            Assert.False(string.IsNullOrWhiteSpace(info.Formula));
            Assert.False(string.IsNullOrWhiteSpace(info.Derivative));
            Assert.False(string.IsNullOrWhiteSpace(info.Use));
        });
        Assert.Equal("(0, 1)", Activation.Describe("sigmoid").Range);
        Assert.Equal("[0, ∞)", Activation.Describe("relu").Range);
        Assert.Equal("(−1.7581, ∞)", Activation.Describe("selu").Range);
        Assert.Equal("[−0.17, ∞)", Activation.Describe("gelu").Range);
    }

    [Fact]
    public void Create_takes_PyTorch_names_in_any_case_and_spelling()
    {
        Assert.IsType<ReLU<float>>(Activation.Create<float>("relu"));
        Assert.IsType<ReLU<float>>(Activation.Create<float>("ReLU"));
        Assert.IsType<LeakyReLU<double>>(Activation.Create<double>("leaky_relu"));
        Assert.IsType<LeakyReLU<double>>(Activation.Create<double>("LeakyReLU"));
        Assert.IsType<LeakyReLU<double>>(Activation.Create<double>("LEAKY-RELU"));
        Assert.False(Assert.IsType<GELU<float>>(Activation.Create<float>("gelu")).Approximate);
        Assert.True(Assert.IsType<GELU<float>>(Activation.Create<float>("gelu_tanh")).Approximate);
        Assert.IsType<SiLU<float>>(Activation.Create<float>("swish"));
        Assert.IsType<Identity<float>>(Activation.Create<float>("linear"));
        Assert.IsType<LogSoftmax<float>>(Activation.Create<float>("log_softmax"));
        foreach (var name in Activation.Names.Where(name => name != "maxout"))
        {
            var module = Activation.Create<float>(name);
            Assert.StartsWith(module.GetType().Name.Split('`')[0], Activation.Describe(name).Title); // "GELU (tanh)" is a GELU
        }
    }

    [Fact]
    public void An_unknown_name_lists_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => Activation.Create<float>("rectifier"));
        Assert.Contains("'rectifier'", error.Message);
        foreach (var name in Activation.Names) Assert.Contains(name, error.Message);
        var maxout = Assert.Throws<ArgumentException>(() => Activation.Create<float>("maxout"));
        Assert.Contains("new Maxout<T>(inFeatures, outFeatures, pieces, rng)", maxout.Message);
    }
}
