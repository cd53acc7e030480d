using MiniGrad.Activations;
using MiniGrad.Layers;

namespace MiniGrad.Tests;

/// <summary>
/// Work split over the worker pool (large activations and products) gives exactly what one thread gives, and
/// the upstream gradient lent to backward is never written.
/// </summary>
public class ParallelTests
{
    [Theory]
    [InlineData("gelu")]
    [InlineData("elu")]
    [InlineData("sigmoid")]
    [InlineData("softmax")]
    public void A_large_activation_split_over_threads_equals_its_kernel_run_on_one_thread(string name)
    {
        // 300 × 311 = 93,300 elements: above the parallel threshold, and not a multiple of any vector width.
        var rng = new Random(3);
        var x = Tensor<float>.RandomNormal(300, 311, rng, requiresGrad: true);
        var upstream = Tensor<float>.RandomNormal(300, 311, rng);
        var activation = Activation.Create<float>(name);
        Assert.True(x.Length >= ElementwiseActivation<float>.ParallelLength);

        float[] output, gradient;
        using (var tape = new Tape())
        {
            var y = activation.Forward(x);
            output = y.AsSpan().ToArray();
            tape.Backward(y, upstream);
            gradient = x.Grad!.AsSpan().ToArray();
        }

        var expectedOutput = new float[x.Length];
        var expectedGradient = new float[x.Length];
        if (activation is ElementwiseActivation<float> elementwise)
        {
            elementwise.ForwardKernel(x.AsSpan(), expectedOutput);
            elementwise.BackwardKernel(x.AsSpan(), expectedOutput, upstream.AsSpan(), expectedGradient);
        }
        else
        {
            var rowwise = (RowwiseActivation<float>)activation;
            for (int r = 0; r < x.Rows; r++)
            {
                var row = new Range(r * x.Cols, (r + 1) * x.Cols);
                rowwise.ForwardKernel(x.AsSpan()[row], expectedOutput.AsSpan(row));
                rowwise.BackwardKernel(expectedOutput.AsSpan(row), upstream.AsSpan()[row], expectedGradient.AsSpan(row));
            }
        }
        Assert.Equal(expectedOutput, output);
        Assert.Equal(expectedGradient, gradient);
    }

    [Fact]
    public void Backward_reads_the_upstream_gradient_without_writing_it()
    {
        var rng = new Random(4);
        var x = Tensor<double>.RandomNormal(3, 5, rng, requiresGrad: true);
        var upstream = Tensor<double>.RandomNormal(3, 5, rng);
        var before = upstream.ToArray();
        for (int pass = 1; pass <= 2; pass++)
        {
            using var tape = new Tape();
            var y = x * 2.0;
            tape.Backward(y, upstream);
            Assert.Equal(before, upstream.ToArray());
            Numerics.Close(Tensor<double>.FromArray(before) * (2.0 * pass), x.Grad!, 1e-15); // dx accumulates 2·upstream per pass
        }
    }

    [Fact]
    public void Backward_from_a_leaf_adds_the_upstream_gradient_to_its_grad()
    {
        var x = Tensor<double>.Ones(2, 2, requiresGrad: true);
        var upstream = Tensor<double>.Full(2, 2, 3.0);
        using (var tape = new Tape())
        {
            var y = x * 1.0; // something recorded, so the tape is not empty
            tape.Backward(x, upstream);
        }
        Assert.Equal(new double[,] { { 3, 3 }, { 3, 3 } }, x.Grad!.ToArray());
        upstream[0, 0] = 100;
        Assert.Equal(3.0, x.Grad![0, 0]); // the leaf's grad is its own buffer, not the upstream tensor
    }

    [Fact]
    public void A_dense_layer_is_one_fused_op_with_correct_gradients()
    {
        var rng = new Random(8);
        var dense = new Dense<double>(7, 9, rng);
        var x = Tensor<double>.RandomNormal(5, 7, rng, requiresGrad: true);
        using (var tape = new Tape())
        {
            dense.Forward(x);
            Assert.Equal(1, tape.Count);
        }
        Numerics.Passes(GradCheck.Check(() => dense.Forward(x).Square().Sum(), x, dense.Weight, dense.Bias));
        var error = Assert.Throws<ArgumentException>(() => x.Linear(dense.Weight, Tensor<double>.Zeros(1, 8)));
        Assert.Contains("1x9", error.Message);
    }
}
