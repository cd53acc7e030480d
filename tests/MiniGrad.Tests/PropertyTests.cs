using CsCheck;
using MiniGrad.Activations;
using MiniGrad.Losses;

namespace MiniGrad.Tests;

/// <summary>
/// Properties of the engine over random shapes and values (CsCheck): gradients against central differences for every op
/// and activation, (A·B)ᵀ = Bᵀ·Aᵀ, softmax rows summing to 1 for any temperature, losses never negative, and save → load
/// giving back every bit. A failure prints the seed that reproduces it.
/// </summary>
public class PropertyTests
{
    /// <summary>A shape of 1–5 rows and columns, an inner size of 1–5, and a seed for the values.</summary>
    private static readonly Gen<(int Rows, int Cols, int Inner, int Seed)> Shapes =
        Gen.Select(Gen.Int[1, 5], Gen.Int[1, 5], Gen.Int[1, 5], Gen.Int);

    /// <summary>Values in [low, high], kept at least 1e−3 from 0, where ReLU and its family have their kink.</summary>
    private static Tensor<double> Values(int rows, int cols, double low, double high, Random rng)
    {
        var t = Tensor<double>.RandomUniform(rows, cols, low, high, rng, requiresGrad: true);
        var span = t.AsSpan();
        for (int i = 0; i < span.Length; i++)
            if (Math.Abs(span[i]) < 1e-3) span[i] = 1e-3 * (span[i] < 0 ? -1 : 1) + span[i];
        return t;
    }

    /// <summary>Σ y ⊙ w for fixed random w, so that every output element counts differently.</summary>
    private static Func<Tensor<double>> Weighted(Func<Tensor<double>> f, int seed)
    {
        Tensor<double>? w = null;
        return () =>
        {
            var y = f();
            w ??= Tensor<double>.RandomUniform(y.Rows, y.Cols, -1, 1, new Random(seed));
            return (y * w).Sum();
        };
    }

    private static readonly Dictionary<string, Func<(int Rows, int Cols, int Inner, int Seed), (Tensor<double>[] Inputs, Func<Tensor<double>> Output)>> Ops = new()
    {
        ["MatMul"] = s => Two(Values(s.Rows, s.Inner, -2, 2, R(s)), Values(s.Inner, s.Cols, -2, 2, R(s, 1)), (a, b) => a.MatMul(b)),
        ["Linear"] = s => Three(Values(s.Rows, s.Inner, -2, 2, R(s)), Values(s.Inner, s.Cols, -2, 2, R(s, 1)), Values(1, s.Cols, -2, 2, R(s, 2)), (x, w, b) => x.Linear(w, b)),
        ["Transpose"] = s => One(Values(s.Rows, s.Cols, -2, 2, R(s)), a => a.Transpose()),
        ["Add (broadcast row)"] = s => Two(Values(s.Rows, s.Cols, -2, 2, R(s)), Values(1, s.Cols, -2, 2, R(s, 1)), (a, b) => a + b),
        ["Subtract (broadcast column)"] = s => Two(Values(s.Rows, s.Cols, -2, 2, R(s)), Values(s.Rows, 1, -2, 2, R(s, 1)), (a, b) => a - b),
        ["Multiply"] = s => Two(Values(s.Rows, s.Cols, -2, 2, R(s)), Values(s.Rows, s.Cols, -2, 2, R(s, 1)), (a, b) => a * b),
        ["Divide"] = s => Two(Values(s.Rows, s.Cols, -2, 2, R(s)), Values(s.Rows, s.Cols, 0.5, 2, R(s, 1)), (a, b) => a / b),
        ["Exp"] = s => One(Values(s.Rows, s.Cols, -2, 2, R(s)), a => a.Exp()),
        ["Log"] = s => One(Values(s.Rows, s.Cols, 0.2, 3, R(s)), a => a.Log()),
        ["Square"] = s => One(Values(s.Rows, s.Cols, -2, 2, R(s)), a => a.Square()),
        ["Mean"] = s => One(Values(s.Rows, s.Cols, -2, 2, R(s)), a => a.Mean()),
        ["TakeRows"] = s => One(Values(s.Rows, s.Cols, -2, 2, R(s)), a => a.TakeRows(Enumerable.Range(0, s.Inner).Select(i => (i * 7 + s.Seed & int.MaxValue) % s.Rows).ToArray())),
    };

    private static Random R((int Rows, int Cols, int Inner, int Seed) s, int salt = 0) => new(s.Seed ^ (salt * 7919));

    private static (Tensor<double>[], Func<Tensor<double>>) One(Tensor<double> a, Func<Tensor<double>, Tensor<double>> f) => ([a], () => f(a));
    private static (Tensor<double>[], Func<Tensor<double>>) Two(Tensor<double> a, Tensor<double> b, Func<Tensor<double>, Tensor<double>, Tensor<double>> f) => ([a, b], () => f(a, b));
    private static (Tensor<double>[], Func<Tensor<double>>) Three(Tensor<double> a, Tensor<double> b, Tensor<double> c, Func<Tensor<double>, Tensor<double>, Tensor<double>, Tensor<double>> f) => ([a, b, c], () => f(a, b, c));

    public static TheoryData<string> OpNames => [.. Ops.Keys];

    [Theory]
    [MemberData(nameof(OpNames))]
    public void Every_op_has_the_right_gradient_for_any_shape_and_values(string name) =>
        Shapes.Sample(shape =>
        {
            var (inputs, output) = Ops[name](shape);
            Numerics.Passes(GradCheck.Check(Weighted(output, shape.Seed), inputs));
        }, iter: 60, threads: 1);

    public static TheoryData<string> ActivationNames => [.. Activation.Names.Where(name => name != "maxout")];

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Every_activation_has_the_right_gradient_for_any_shape_and_values(string name) =>
        Shapes.Sample(shape =>
        {
            var module = Activation.Create<double>(name, new Random(shape.Seed));
            if (name == "rrelu") module.Eval(); // in training each pass draws new slopes
            var x = Values(shape.Rows, shape.Cols, -4, 4, R(shape));
            var inputs = new[] { x }.Concat(module.Parameters()).ToArray();
            Numerics.Passes(GradCheck.Check(Weighted(() => module.Forward(x), shape.Seed), inputs));
        }, iter: 40, threads: 1);

    [Fact]
    public void Maxout_has_the_right_gradient_for_any_shape_and_values() =>
        Shapes.Sample(shape =>
        {
            var maxout = new Maxout<double>(shape.Inner, shape.Cols, pieces: 1 + (shape.Seed & int.MaxValue) % 3, new Random(shape.Seed));
            var x = Values(shape.Rows, shape.Inner, -2, 2, R(shape));
            Numerics.Passes(GradCheck.Check(Weighted(() => maxout.Forward(x), shape.Seed), [x, .. maxout.Parameters()]));
        }, iter: 60, threads: 1);

    [Fact]
    public void The_transpose_of_a_product_is_the_product_of_the_transposes_in_reverse() =>
        Gen.Select(Gen.Int[1, 70], Gen.Int[1, 70], Gen.Int[1, 70], Gen.Int).Sample(s =>
        {
            var a = Tensor<double>.RandomNormal(s.Item1, s.Item2, new Random(s.Item4));
            var b = Tensor<double>.RandomNormal(s.Item2, s.Item3, new Random(s.Item4 + 1));
            Numerics.Close(a.MatMul(b).Transpose(), b.Transpose().MatMul(a.Transpose()), 1e-12);
        }, iter: 200);

    [Fact]
    public void Softmax_rows_sum_to_one_for_any_temperature_and_any_logits() =>
        Gen.Select(Gen.Double[0.01, 100], Shapes, Gen.Double[1, 1000]).Sample(s =>
        {
            var (temperature, shape, scale) = s;
            var x = Tensor<double>.RandomUniform(shape.Rows, shape.Cols, -scale, scale, R(shape));
            var p = new Softmax<double>(temperature).Forward(x);
            var pf = new Softmax<float>(temperature).Forward(Tensor<float>.FromArray(x.Rows, x.Cols, x.AsSpan().ToArray().Select(v => (float)v).ToArray()));
            for (int r = 0; r < x.Rows; r++)
            {
                double sum = 0, sumf = 0;
                for (int c = 0; c < x.Cols; c++)
                {
                    Assert.InRange(p[r, c], 0.0, 1.0);
                    sum += p[r, c];
                    sumf += pf[r, c];
                }
                Assert.Equal(1.0, sum, 12);
                Assert.Equal(1.0, sumf, 5);
            }
        }, iter: 500);

    [Fact]
    public void Losses_are_never_negative() =>
        Gen.Select(Shapes, Gen.Double[0, 1], Gen.Double[0.01, 5]).Sample(s =>
        {
            var (shape, smoothing, delta) = s;
            var rng = R(shape);
            var x = Tensor<double>.RandomUniform(shape.Rows, shape.Cols, -50, 50, rng);
            var target = Tensor<double>.RandomUniform(shape.Rows, shape.Cols, 0, 1, rng);
            var probabilities = Tensor<double>.RandomUniform(shape.Rows, shape.Cols, 1e-9, 1 - 1e-9, rng);
            int[] labels = Enumerable.Range(0, shape.Rows).Select(_ => rng.Next(shape.Cols)).ToArray();
            double[] weights = Enumerable.Range(0, shape.Cols).Select(_ => rng.NextDouble() + 0.01).ToArray();
            double[] values =
            [
                new MSELoss<double>().Forward(x, target).Item,
                new L1Loss<double>().Forward(x, target).Item,
                new HuberLoss<double>(delta).Forward(x, target).Item,
                new BCELoss<double>().Forward(probabilities, target).Item,
                new BCEWithLogitsLoss<double>().Forward(x, target).Item,
                new CrossEntropyLoss<double>(weights, smoothing).Forward(x, labels).Item,
                new NLLLoss<double>(weights).Forward(new LogSoftmax<double>().Forward(x), labels).Item,
            ];
            Assert.All(values, v => Assert.True(v >= 0 && double.IsFinite(v), $"a loss of {v}"));
        }, iter: 1000);

    /// <summary>A random chain of the layers MiniGrad saves, with widths that fit, and a seed for its weights.</summary>
    private static readonly Gen<(int[] Kinds, int[] Widths, int Seed)> Architectures =
        Gen.Select(Gen.Int[0, 8].Array[1, 6], Gen.Int[1, 6].Array[7], Gen.Int);

    private static Sequential<T> Build<T>((int[] Kinds, int[] Widths, int Seed) a) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new Random(a.Seed);
        var modules = new List<Module<T>>();
        int width = a.Widths[0];
        for (int i = 0; i < a.Kinds.Length; i++)
        {
            int next = a.Widths[i + 1];
            modules.Add(a.Kinds[i] switch
            {
                0 => new Dense<T>(width, next, rng),
                1 => new Maxout<T>(width, next, 2, rng),
                2 => new BatchNorm1d<T>(width),
                3 => new LayerNorm<T>(width),
                4 => new PReLU<T>(0.1 + rng.NextDouble(), numParameters: width),
                5 => new Dropout<T>(0.3, rng),
                6 => new Swish<T>(0.5 + rng.NextDouble()),
                7 => Activation.Create<T>(Activation.Names[rng.Next(Activation.Names.Count)] is var name && name != "maxout" ? name : "tanh", rng),
                _ => new Dense<T>(width, next, WeightInit.HeNormal, rng),
            });
            if (a.Kinds[i] is 0 or 1 or 8) width = next;
        }
        var model = new Sequential<T>([.. modules]);
        // Move every parameter and running statistic off its initial value, so that nothing is saved by default alone.
        for (int step = 0; step < 2; step++) model.Forward(Tensor<T>.RandomNormal(4, a.Widths[0], rng));
        foreach (var p in model.Parameters()) Tensor<T>.RandomNormal(p.Rows, p.Cols, rng).AsSpan().CopyTo(p.AsSpan());
        model.Eval();
        return model;
    }

    [Fact]
    public void Save_then_load_gives_back_every_bit_of_any_model() =>
        Architectures.Sample(a =>
        {
            RoundTrips(Build<float>(a), a.Widths[0]);
            RoundTrips(Build<double>(a), a.Widths[0]);
        }, iter: 150);

    private static void RoundTrips<T>(Sequential<T> model, int inputs) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var file = new MemoryStream();
        model.Save(file);
        file.Position = 0;
        var loaded = Sequential<T>.Load(file);
        Assert.Equal(model.ToString(), loaded.ToString());
        Assert.Equal(model.CopyState().SelectMany(t => t), loaded.CopyState().SelectMany(t => t));
        var x = Tensor<T>.RandomNormal(3, inputs, new Random(5));
        Assert.Equal(model.Forward(x).AsSpan().ToArray(), loaded.Forward(x).AsSpan().ToArray());
    }
}
