using MiniGrad.Activations;

namespace MiniGrad.Tests;

/// <summary>Every differentiable op's gradient against central differences, in double.</summary>
public class OpGradientTests
{
    /// <summary>An op under test: the shapes (and value range) of its inputs, and the op itself.</summary>
    private sealed record Case((int Rows, int Cols, double Low, double High)[] Inputs, Func<Tensor<double>[], Tensor<double>> Op);

    private static (int, int, double, double) Any(int rows, int cols) => (rows, cols, -1.5, 1.5);
    private static (int, int, double, double) Positive(int rows, int cols) => (rows, cols, 0.5, 2.0);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["MatMul"] = new([Any(3, 4), Any(4, 5)], t => t[0].MatMul(t[1])),
        ["MatMul 1x1 inner"] = new([Any(3, 1), Any(1, 2)], t => t[0].MatMul(t[1])),
        ["MatMul vector"] = new([Any(1, 7), Any(7, 1)], t => t[0].MatMul(t[1])),
        ["Transpose"] = new([Any(3, 5)], t => t[0].Transpose()),
        ["Add"] = new([Any(3, 4), Any(3, 4)], t => t[0] + t[1]),
        ["Add row broadcast"] = new([Any(3, 4), Any(1, 4)], t => t[0] + t[1]),
        ["Add row broadcast on the left"] = new([Any(1, 4), Any(3, 4)], t => t[0] + t[1]),
        ["Add column broadcast"] = new([Any(3, 4), Any(3, 1)], t => t[0] + t[1]),
        ["Add 1x1 broadcast"] = new([Any(3, 4), Any(1, 1)], t => t[0] + t[1]),
        ["Add outer broadcast"] = new([Any(3, 1), Any(1, 4)], t => t[0] + t[1]),
        ["Subtract"] = new([Any(3, 4), Any(3, 4)], t => t[0] - t[1]),
        ["Subtract row broadcast"] = new([Any(3, 4), Any(1, 4)], t => t[0] - t[1]),
        ["Subtract column broadcast on the left"] = new([Any(3, 1), Any(3, 4)], t => t[0] - t[1]),
        ["Multiply"] = new([Any(3, 4), Any(3, 4)], t => t[0] * t[1]),
        ["Multiply row broadcast"] = new([Any(3, 4), Any(1, 4)], t => t[0] * t[1]),
        ["Multiply column broadcast"] = new([Any(3, 4), Any(3, 1)], t => t[0] * t[1]),
        ["Multiply 1x1 on the left"] = new([Any(1, 1), Any(3, 4)], t => t[0] * t[1]),
        ["Divide"] = new([Any(3, 4), Positive(3, 4)], t => t[0] / t[1]),
        ["Divide row broadcast"] = new([Any(3, 4), Positive(1, 4)], t => t[0] / t[1]),
        ["Divide column broadcast"] = new([Any(3, 4), Positive(3, 1)], t => t[0] / t[1]),
        ["Divide broadcast numerator"] = new([Any(1, 4), Positive(3, 4)], t => t[0] / t[1]),
        ["Negate"] = new([Any(3, 4)], t => -t[0]),
        ["Exp"] = new([Any(3, 4)], t => t[0].Exp()),
        ["Log"] = new([Positive(3, 4)], t => t[0].Log()),
        ["Square"] = new([Any(3, 4)], t => t[0].Square()),
        ["Sum"] = new([Any(3, 4)], t => t[0].Sum()),
        ["Mean"] = new([Any(3, 4)], t => t[0].Mean()),
        ["tensor + scalar"] = new([Any(2, 3)], t => t[0] + 0.7),
        ["scalar + tensor"] = new([Any(2, 3)], t => 0.7 + t[0]),
        ["tensor - scalar"] = new([Any(2, 3)], t => t[0] - 0.7),
        ["scalar - tensor"] = new([Any(2, 3)], t => 0.7 - t[0]),
        ["tensor * scalar"] = new([Any(2, 3)], t => t[0] * -1.3),
        ["scalar * tensor"] = new([Any(2, 3)], t => -1.3 * t[0]),
        ["tensor / scalar"] = new([Any(2, 3)], t => t[0] / 0.4),
        ["scalar / tensor"] = new([Positive(2, 3)], t => 0.4 / t[0]),
        ["named methods"] = new([Any(2, 3), Positive(2, 3)], t => t[0].Add(t[1]).Multiply(t[1]).Subtract(t[0]).Divide(t[1]).Negate()),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradient_matches_central_differences(string name)
    {
        var (inputs, op) = Cases[name];
        var tensors = inputs.Select((s, i) => Tensor<double>.RandomUniform(s.Rows, s.Cols, s.Low, s.High, new Random(100 + i), requiresGrad: true)).ToArray();
        Tensor<double>? weights = null;

        // A weighted sum makes every output element count with a different weight, so a gradient routed to the
        // wrong element (a transposed or mis-broadcast one) cannot pass.
        Tensor<double> Loss()
        {
            var y = op(tensors);
            weights ??= Tensor<double>.RandomUniform(y.Rows, y.Cols, -1, 1, new Random(7));
            return (y * weights).Sum();
        }

        Numerics.Passes(GradCheck.Check(Loss, tensors));
    }

    [Fact]
    public void Only_inputs_that_require_grad_get_a_gradient()
    {
        var x = Tensor<double>.RandomUniform(3, 4, -1, 1, new Random(1));
        var w = Tensor<double>.RandomUniform(4, 2, -1, 1, new Random(2), requiresGrad: true);
        Numerics.Passes(GradCheck.Check(() => x.MatMul(w).Square().Sum(), w));
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Diamond_graph_accumulates_both_paths()
    {
        // x feeds two branches that meet again; h is also used twice. Each use must add its share.
        var x = Tensor<double>.RandomUniform(2, 3, -1, 1, new Random(3), requiresGrad: true);
        Numerics.Passes(GradCheck.Check(() =>
        {
            var h = x.Square();
            return (h * x + h.Exp() - x).Sum();
        }, x));
    }

    [Fact]
    public void Tensor_used_twice_in_one_op_gets_both_shares()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 3 } }, requiresGrad: true);
        using (var tape = new Tape()) tape.Backward((x * x).Sum());
        Assert.Equal(6.0, x.Grad![0, 0]); // d(x²)/dx = 2x
    }

    [Fact]
    public void Chain_twenty_ops_deep()
    {
        var rng = new Random(4);
        var x = Tensor<double>.RandomUniform(3, 4, -1, 1, rng, requiresGrad: true);
        var weights = Enumerable.Range(0, 5).Select(_ => Tensor<double>.RandomUniform(4, 4, -0.8, 0.8, rng, requiresGrad: true)).ToArray();
        var bias = Tensor<double>.RandomUniform(1, 4, -0.5, 0.5, rng, requiresGrad: true);
        var tanh = new Tanh<double>();

        Tensor<double> Deep()
        {
            var h = x;
            for (int i = 0; i < 20; i++)
                h = (i % 4) switch
                {
                    0 => h.MatMul(weights[i / 4]),
                    1 => h + bias,
                    2 => tanh.Forward(h),
                    _ => h * 1.5,
                };
            return h.Square().Mean();
        }

        var inputs = new[] { x, bias }.Concat(weights).ToArray();
        Numerics.Passes(GradCheck.Check(Deep, inputs));
    }
}
