using MiniGrad.Layers;
using MiniGrad.Losses;

namespace MiniGrad.Tests;

[Trait("Category", "Kernels")] // the gradient checks reach every vector width of the element-wise maximum
public class MaxoutTests
{
    [Fact]
    public void Exposes_each_piece_and_lists_its_parameters_in_order()
    {
        var maxout = new Maxout<double>(inFeatures: 3, outFeatures: 4, pieces: 3, new Random(0));
        Assert.Equal(3, maxout.Pieces);
        Assert.All(maxout.Weights, w => Assert.Equal("3x4", w.Shape));
        Assert.All(maxout.Biases, b => Assert.Equal("1x4", b.Shape));
        Assert.All(maxout.Weights.Concat(maxout.Biases), p => Assert.True(p.RequiresGrad));
        Assert.Equal([maxout.Weights[0], maxout.Biases[0], maxout.Weights[1], maxout.Biases[1], maxout.Weights[2], maxout.Biases[2]], maxout.Parameters());
        // PyTorch's Linear init per piece: U(±1/√3).
        Assert.All(maxout.Parameters().SelectMany(p => p.ToArray().Cast<double>()), v => Assert.InRange(v, -1 / Math.Sqrt(3), 1 / Math.Sqrt(3)));
        Assert.Equal("Maxout(3 → 4, pieces: 3)", maxout.ToString());
    }

    [Fact]
    public void Output_is_the_largest_piece()
    {
        var rng = new Random(1);
        var maxout = new Maxout<double>(3, 4, 3, rng);
        var x = Tensor<double>.RandomUniform(5, 3, -2, 2, rng);
        var y = maxout.Forward(x);
        var pieces = Enumerable.Range(0, 3).Select(k => (x.ToMatrix() * maxout.Weights[k].ToMatrix()).ToArray()).ToArray();
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(Enumerable.Range(0, 3).Max(k => pieces[k][r, c] + maxout.Biases[k][0, c]), y[r, c], 1e-14);
    }

    [Fact]
    public void Gradient_flows_only_through_the_winning_piece_and_ties_go_to_the_first()
    {
        var maxout = new Maxout<double>(1, 1, 3, new Random(2));
        // Piece 0: y = x; piece 1: y = −x; piece 2: y = x − 100 never wins. At x = 0 pieces 0 and 1 tie.
        (maxout.Weights[0][0, 0], maxout.Biases[0][0, 0]) = (1, 0);
        (maxout.Weights[1][0, 0], maxout.Biases[1][0, 0]) = (-1, 0);
        (maxout.Weights[2][0, 0], maxout.Biases[2][0, 0]) = (1, -100);
        var x = Tensor<double>.FromArray(new double[,] { { 2 }, { -3 }, { 0 } }, requiresGrad: true);
        using (var tape = new Tape())
        {
            var y = maxout.Forward(x);
            Assert.Equal(new double[,] { { 2 }, { 3 }, { 0 } }, y.ToArray()); // |x|
            tape.Backward(y.Sum());
        }
        Assert.Equal(2.0 + 0, maxout.Weights[0].Grad![0, 0]);  // rows where piece 0 wins: x = 2 and the tie at x = 0
        Assert.Equal(-3.0, maxout.Weights[1].Grad![0, 0]);     // row x = −3
        Assert.Equal(2.0, maxout.Biases[0].Grad![0, 0]);
        Assert.Equal(1.0, maxout.Biases[1].Grad![0, 0]);
        Assert.Equal(0.0, maxout.Weights[2].Grad?[0, 0] ?? 0.0);
        Assert.Equal(0.0, maxout.Biases[2].Grad?[0, 0] ?? 0.0);
        Assert.Equal(new double[,] { { 1 }, { -1 }, { 1 } }, x.Grad!.ToArray());
    }

    [Fact]
    public void GradCheck_through_a_maxout_network()
    {
        var rng = new Random(3);
        var model = new Sequential<double>(new Maxout<double>(3, 15, 3, rng), new Dense<double>(15, 2, rng));
        var x = Tensor<double>.RandomUniform(9, 3, -2, 2, rng, requiresGrad: true);
        var target = Tensor<double>.RandomUniform(9, 2, -1, 1, rng);
        Numerics.Passes(GradCheck.Check(() => new MSELoss<double>().Forward(model.Forward(x), target), model.Parameters().Append(x).ToArray()));
    }

    [Fact]
    public void Bad_sizes_and_inputs_are_refused()
    {
        Assert.Equal("pieces", Assert.Throws<ArgumentOutOfRangeException>(() => new Maxout<float>(3, 4, 0, new Random())).ParamName);
        Assert.Equal("inFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => new Maxout<float>(0, 4, 2, new Random())).ParamName);
        Assert.Throws<ArgumentNullException>(() => new Maxout<float>(3, 4, 2, null!));
        var error = Assert.Throws<ArgumentException>(() => new Maxout<float>(3, 4, 2, new Random()).Forward(Tensor<float>.Zeros(2, 5)));
        Assert.Contains("Maxout(3 → 4, pieces: 2)", error.Message);
        Assert.Contains("2x5", error.Message);
    }
}
