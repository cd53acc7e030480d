using MathNet.Numerics.LinearAlgebra;

namespace MiniGrad.Tests;

public class TensorTests
{
    [Fact]
    public void FromArray_keeps_rows_and_columns()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 0, 1, 2 }, { 3, 4, 5 } }, requiresGrad: true);
        Assert.Equal((2, 3), (x.Rows, x.Cols));
        Assert.Equal(5.0, x[1, 2]);
        Assert.Equal(1.0, x[0, 1]);
        Assert.True(x.RequiresGrad);
        Assert.Null(x.Grad);
        Assert.Equal(new double[,] { { 0, 1, 2 }, { 3, 4, 5 } }, x.ToArray());
        Assert.Equal("2x3", x.Shape);

        x[1, 0] = 2.0;
        Assert.Equal(2.0, x.ToArray()[1, 0]);
    }

    [Fact]
    public void FromArray_of_a_row_major_span_checks_the_count()
    {
        var x = Tensor<float>.FromArray(2, 2, [1f, 2f, 3f, 4f]);
        Assert.Equal(3f, x[1, 0]);
        var error = Assert.Throws<ArgumentException>(() => Tensor<float>.FromArray(2, 2, [1f, 2f, 3f]));
        Assert.Contains("2x2", error.Message);
    }

    [Fact]
    public void Factories_fill_as_named()
    {
        Assert.All(Tensor<double>.Zeros(2, 3).AsSpan().ToArray(), v => Assert.Equal(0.0, v));
        Assert.All(Tensor<double>.Ones(2, 3).AsSpan().ToArray(), v => Assert.Equal(1.0, v));
        Assert.All(Tensor<float>.Full(3, 1, 2.5f).AsSpan().ToArray(), v => Assert.Equal(2.5f, v));
        var u = Tensor<double>.Random(50, 40, new Random(0));
        Assert.All(u.AsSpan().ToArray(), v => Assert.InRange(v, 0.0, 1.0));
        var n = Tensor<double>.RandomNormal(100, 100, mean: 3, std: 2, new Random(0));
        double mean = n.Mean().Item, variance = (n - mean).Square().Mean().Item;
        Assert.InRange(mean, 2.9, 3.1);
        Assert.InRange(variance, 3.8, 4.2);
    }

    [Fact]
    public void Random_tensors_are_reproducible_from_the_seed()
    {
        var a = Tensor<float>.RandomUniform(4, 4, -2, 2, new Random(42));
        var b = Tensor<float>.RandomUniform(4, 4, -2, 2, new Random(42));
        Assert.Equal(a.ToArray(), b.ToArray());
    }

    [Fact]
    public void Converts_to_and_from_MathNet_matrices()
    {
        var m = Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        var x = Tensor<double>.FromMatrix(m);
        Assert.Equal(6.0, x[2, 1]);
        Assert.Equal(m, x.ToMatrix());
    }

    [Fact]
    public void Bad_shapes_and_indices_are_named()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor<double>.Zeros(-1, 2));
        var x = Tensor<double>.Zeros(2, 3);
        Assert.Equal("row", Assert.Throws<ArgumentOutOfRangeException>(() => x[2, 0]).ParamName);
        Assert.Equal("col", Assert.Throws<ArgumentOutOfRangeException>(() => x[0, 3]).ParamName);
        Assert.Throws<InvalidOperationException>(() => x.Item);
    }

    [Fact]
    public void Only_float_and_double_are_supported()
    {
        // At first use, with the reason in the exception itself (not hidden in a TypeInitializationException's inner one).
        Assert.Contains("Tensor<Half> is not supported", Assert.Throws<NotSupportedException>(() => Tensor<Half>.Zeros(1, 1)).Message);
        Assert.Contains("Half", Assert.Throws<NotSupportedException>(() => new Dense<Half>(2, 3, new Random(0))).Message);
        Assert.Throws<NotSupportedException>(() => Tensor<Half>.FromArray(new Half[1, 1]));
    }

    [Fact]
    public void MatMul_of_mismatched_shapes_names_the_op_and_both_shapes()
    {
        var a = Tensor<double>.Ones(2, 3, requiresGrad: true);
        var b = Tensor<double>.Ones(4, 5);
        using var tape = new Tape();
        var error = Assert.Throws<ArgumentException>(() => a.MatMul(b));
        Assert.Contains("MatMul", error.Message);
        Assert.Contains("2x3", error.Message);
        Assert.Contains("4x5", error.Message);
        Assert.Equal(0, tape.Count); // refused before anything was recorded
    }

    [Fact]
    public void Elementwise_ops_that_do_not_broadcast_name_the_op_and_both_shapes()
    {
        var a = Tensor<double>.Ones(2, 3);
        var b = Tensor<double>.Ones(3, 2);
        foreach (var (op, name) in new (Func<Tensor<double>>, string)[] { (() => a + b, "Add"), (() => a - b, "Subtract"), (() => a * b, "Multiply"), (() => a / b, "Divide") })
        {
            var error = Assert.Throws<ArgumentException>(op);
            Assert.Contains(name, error.Message);
            Assert.Contains("2x3", error.Message);
            Assert.Contains("3x2", error.Message);
        }
    }

    [Fact]
    public void Values_of_the_ops()
    {
        var a = Tensor<double>.FromArray(new double[,] { { 1, 2 }, { 3, 4 } });
        var row = Tensor<double>.FromArray(new double[,] { { 10, 20 } });
        var column = Tensor<double>.FromArray(new double[,] { { 10 }, { 20 } });
        Assert.Equal(new double[,] { { 11, 22 }, { 13, 24 } }, (a + row).ToArray());
        Assert.Equal(new double[,] { { 11, 12 }, { 23, 24 } }, (a + column).ToArray());
        Assert.Equal(new double[,] { { 9, 18 }, { 7, 16 } }, (row - a).ToArray());
        Assert.Equal(new double[,] { { 10, 40 }, { 30, 80 } }, (a * row).ToArray());
        Assert.Equal(new double[,] { { 10, 5 }, { 20 / 3.0, 5 } }, (column / a).ToArray());
        Assert.Equal(new double[,] { { 7, 10 }, { 15, 22 } }, a.MatMul(a).ToArray());
        Assert.Equal(new double[,] { { 1, 3 }, { 2, 4 } }, a.Transpose().ToArray());
        Assert.Equal(10.0, a.Sum().Item);
        Assert.Equal(2.5, a.Mean().Item);
        Assert.Equal(new double[,] { { 1, 4 }, { 9, 16 } }, a.Square().ToArray());
        Assert.Equal(new double[,] { { -1, -2 }, { -3, -4 } }, (-a).ToArray());
        Assert.Equal(Math.Exp(3), a.Exp()[1, 0], 1e-12);
        Assert.Equal(Math.Log(4), a.Log()[1, 1], 1e-15);
        Assert.Equal(new double[,] { { 0, -1 }, { -2, -3 } }, (1.0 - a).ToArray());
        Assert.Equal(new double[,] { { 2, 1 }, { 2 / 3.0, 0.5 } }, (2.0 / a).ToArray());
        Assert.Equal(new double[,] { { 0.5, 1 }, { 1.5, 2 } }, (a / 2.0).ToArray());
    }

    [Fact]
    public void Detach_copies_off_the_tape()
    {
        var x = Tensor<double>.Ones(1, 2, requiresGrad: true);
        var copy = x.Detach();
        copy[0, 0] = 5;
        Assert.Equal(1.0, x[0, 0]);
        Assert.False(copy.RequiresGrad);
    }

    [Fact]
    public void ToString_reads_like_PyTorch()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 0, 1.5 } }, requiresGrad: true);
        Assert.Equal("tensor([[0, 1.5]], 1x2, requires_grad)", x.ToString());
    }
}
