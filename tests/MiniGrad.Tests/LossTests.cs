using MiniGrad.Losses;

namespace MiniGrad.Tests;

/// <summary>Loss values at hand-checked points, gradients against central differences, and the extremes.</summary>
public class LossTests
{
    private static Tensor<double> Row(params double[] values) => Tensor<double>.FromArray(1, values.Length, values, requiresGrad: true);

    [Fact]
    public void MSE_is_the_mean_of_squared_differences()
    {
        var p = Tensor<double>.FromArray(new double[,] { { 1, 2 }, { 3, 4 } });
        var t = Tensor<double>.FromArray(new double[,] { { 1.5, 2 }, { 2, 6 } });
        Assert.Equal(1.3125, new MSELoss<double>().Forward(p, t).Item, 1e-15); // (0.25 + 0 + 1 + 4) / 4
    }

    [Fact]
    public void BCE_is_the_mean_negative_log_likelihood()
    {
        var loss = new BCELoss<double>().Forward(Row(0.9, 0.2, 0.5), Tensor<double>.FromArray(new double[,] { { 1, 0, 1 } }));
        Assert.Equal(0.34055041584399376, loss.Item, 1e-15); // −(ln 0.9 + ln 0.8 + ln 0.5) / 3
    }

    [Fact]
    public void BCE_clamps_each_log_at_minus_100_like_PyTorch()
    {
        var p = Row(0, 1);
        using var tape = new Tape();
        var loss = new BCELoss<double>().Forward(p, Tensor<double>.FromArray(new double[,] { { 1, 0 } }));
        Assert.Equal(100.0, loss.Item);
        tape.Backward(loss);
        Assert.True(Numerics.AllFinite(p.Grad!), p.Grad!.ToString());
    }

    [Fact]
    public void BCE_rejects_inputs_that_are_not_probabilities()
    {
        var target = Tensor<double>.Zeros(1, 2);
        var error = Assert.Throws<ArgumentException>(() => new BCELoss<double>().Forward(Row(0.5, 1.5), target));
        Assert.Contains("element 1", error.Message);
        Assert.Throws<ArgumentException>(() => new BCELoss<double>().Forward(Row(0.5, double.NaN), target));
    }

    [Fact]
    public void BCE_with_logits_equals_BCE_of_the_sigmoid_without_forming_it()
    {
        var logits = Row(2, -1, 0);
        var target = Tensor<double>.FromArray(new double[,] { { 1, 0, 0.5 } });
        using var tape = new Tape();
        var loss = new BCEWithLogitsLoss<double>().Forward(logits, target);
        Assert.Equal(0.3777789597070469, loss.Item, 1e-15); // (ln(1 + e⁻²) + ln(1 + e⁻¹) + ln 2) / 3
        tape.Backward(loss);
        Assert.Equal(-0.0397343073407059, logits.Grad![0, 0], 1e-15);  // (σ(2) − 1) / 3
        Assert.Equal(0.08964714045666504, logits.Grad![0, 1], 1e-15);  // σ(−1) / 3
        Assert.Equal(0.0, logits.Grad![0, 2], 1e-15);                  // (σ(0) − 0.5) / 3
    }

    [Fact]
    public void Cross_entropy_is_the_mean_of_log_sum_exp_minus_the_true_logit()
    {
        var logits = Tensor<double>.FromArray(new double[,] { { 1, 2, 3 }, { 1, 1, 1 } });
        var loss = new CrossEntropyLoss<double>().Forward(logits, [2, 0]);
        Assert.Equal(0.753109126556245, loss.Item, 1e-15); // (ln(e + e² + e³) − 3 + ln 3) / 2
    }

    [Fact]
    public void Cross_entropy_labels_are_checked_before_anything_happens()
    {
        var logits = Tensor<double>.Zeros(2, 3, requiresGrad: true);
        var ce = new CrossEntropyLoss<double>();
        using var tape = new Tape();
        var outOfRange = Assert.Throws<ArgumentException>(() => ce.Forward(logits, [0, 3]));
        Assert.Contains("label 3 at row 1", outOfRange.Message);
        Assert.Contains("0 to 2", outOfRange.Message);
        Assert.Contains("label -1", Assert.Throws<ArgumentException>(() => ce.Forward(logits, [-1, 0])).Message);
        var wrongCount = Assert.Throws<ArgumentException>(() => ce.Forward(logits, [0, 1, 2]));
        Assert.Contains("3 labels for 2 rows", wrongCount.Message);
        Assert.Equal(0, tape.Count);
    }

    [Fact]
    public void Losses_name_themselves_when_shapes_differ()
    {
        var p = Tensor<double>.Zeros(4, 1);
        var t = Tensor<double>.Zeros(4, 2);
        Assert.Contains("MSELoss", Assert.Throws<ArgumentException>(() => new MSELoss<double>().Forward(p, t)).Message);
        Assert.Contains("BCELoss", Assert.Throws<ArgumentException>(() => new BCELoss<double>().Forward(p, t)).Message);
        Assert.Contains("BCEWithLogitsLoss: input is 4x1 but target is 4x2", Assert.Throws<ArgumentException>(() => new BCEWithLogitsLoss<double>().Forward(p, t)).Message);
    }

    // ---- Gradients ------------------------------------------------------------------------------------------

    [Fact]
    public void MSE_gradient_for_prediction_and_target()
    {
        var p = Tensor<double>.RandomUniform(3, 2, -1, 1, new Random(1), requiresGrad: true);
        var t = Tensor<double>.RandomUniform(3, 2, -1, 1, new Random(2), requiresGrad: true);
        Numerics.Passes(GradCheck.Check(() => new MSELoss<double>().Forward(p * 2.0, t), p, t));
    }

    [Fact]
    public void BCE_gradient_for_probabilities_and_target()
    {
        var p = Tensor<double>.RandomUniform(3, 2, 0.05, 0.95, new Random(1), requiresGrad: true);
        var t = Tensor<double>.RandomUniform(3, 2, 0, 1, new Random(2), requiresGrad: true);
        Numerics.Passes(GradCheck.Check(() => new BCELoss<double>().Forward(p, t), p, t));
    }

    [Fact]
    public void BCE_with_logits_gradient_for_logits_and_target()
    {
        var x = Tensor<double>.RandomUniform(3, 2, -4, 4, new Random(1), requiresGrad: true);
        var t = Tensor<double>.RandomUniform(3, 2, 0, 1, new Random(2), requiresGrad: true);
        Numerics.Passes(GradCheck.Check(() => new BCEWithLogitsLoss<double>().Forward(x, t), x, t));
    }

    [Fact]
    public void Cross_entropy_gradient()
    {
        var x = Tensor<double>.RandomUniform(4, 5, -3, 3, new Random(1), requiresGrad: true);
        Numerics.Passes(GradCheck.Check(() => new CrossEntropyLoss<double>().Forward(x * 1.0, [0, 4, 2, 2]), x));
        var wide = Tensor<double>.RandomUniform(3, 21, -3, 3, new Random(2), requiresGrad: true); // rows past the narrow path
        Numerics.Passes(GradCheck.Check(() => new CrossEntropyLoss<double>().Forward(wide * 1.0, [20, 0, 7]), wide));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Float_cross_entropy_matches_log_sum_exp_in_double_for_narrow_and_wide_rows(int classes)
    {
        // Rows under 16 classes are normalised element by element, wider ones by the vector loops: both against double.
        var rng = new Random(classes);
        const int rows = 37;
        var x = Tensor<float>.RandomUniform(rows, classes, -8, 8, rng, requiresGrad: true);
        int[] labels = Enumerable.Range(0, rows).Select(_ => rng.Next(classes)).ToArray();
        float loss;
        using (var tape = new Tape())
        {
            var output = new CrossEntropyLoss<float>().Forward(x, labels);
            loss = output.Item;
            tape.Backward(output);
        }

        double expected = 0;
        for (int b = 0; b < rows; b++)
        {
            double[] row = Enumerable.Range(0, classes).Select(c => (double)x[b, c]).ToArray();
            double max = row.Max(), logSum = Math.Log(row.Sum(v => Math.Exp(v - max)));
            expected += (logSum - (row[labels[b]] - max)) / rows;
            for (int c = 0; c < classes; c++)
            {
                double gradient = (Math.Exp(row[c] - max - logSum) - (c == labels[b] ? 1 : 0)) / rows;
                Assert.Equal(gradient, x.Grad![b, c], 3e-8);
            }
        }
        Assert.Equal(expected, loss, 2e-6 * Math.Max(1, expected));

        var nan = Tensor<float>.Zeros(2, classes);
        nan[1, classes - 1] = float.NaN;
        Assert.True(float.IsNaN(new CrossEntropyLoss<float>().Forward(nan, [0, 0]).Item), "a NaN logit makes the loss NaN");
    }

    // ---- Extremes: logits of ±1000 --------------------------------------------------------------------

    [Fact]
    public void BCE_with_logits_is_finite_at_plus_and_minus_1000()
    {
        var x = Tensor<float>.FromArray(new float[,] { { 1000, -1000, 1000, -1000 } }, requiresGrad: true);
        var t = Tensor<float>.FromArray(new float[,] { { 0, 1, 1, 0 } });
        using var tape = new Tape();
        var loss = new BCEWithLogitsLoss<float>().Forward(x, t);
        Assert.Equal(500f, loss.Item); // (1000 + 1000 + 0 + 0) / 4
        tape.Backward(loss);
        Assert.Equal(new float[,] { { 0.25f, -0.25f, 0, 0 } }, x.Grad!.ToArray());
    }

    [Fact]
    public void Cross_entropy_is_finite_at_plus_and_minus_1000()
    {
        var x = Tensor<float>.FromArray(new float[,] { { 1000, -1000, 0 }, { -1000, -1000, -1000 } }, requiresGrad: true);
        using var tape = new Tape();
        var loss = new CrossEntropyLoss<float>().Forward(x, [1, 2]);
        Assert.Equal((2000f + MathF.Log(3)) / 2, loss.Item, 1e-3f);
        tape.Backward(loss);
        Assert.True(Numerics.AllFinite(x.Grad!), x.Grad!.ToString());
        Numerics.Close(0.5f, x.Grad![0, 0], 1e-6);   // (softmax − one-hot) / 2
        Numerics.Close(-0.5f, x.Grad![0, 1], 1e-6);
    }

    [Fact]
    public void Cross_entropy_of_large_equal_logits_keeps_float_precision()
    {
        // Three logits of 1000: −ln(1/3) = ln 3. Rounding 1000 + ln 3 to float before taking 1000 off again lost up to
        // 3e-5; log-softmax's order ((x − max) first) keeps float's relative precision, as PyTorch's does.
        var x = Tensor<float>.FromArray(new float[,] { { 1000, 1000, 1000 }, { 1e4f, 1e4f - 2, 1e4f - 4 } });
        var loss = new CrossEntropyLoss<float>().Forward(x, [0, 1]);
        double expected = (Math.Log(3) + (2 + Math.Log(1 + Math.Exp(-2) + Math.Exp(-4)))) / 2;
        Numerics.Close(expected, (double)loss.Item, 1e-6 * expected);
    }

    [Fact]
    public void BCE_and_MSE_through_a_saturated_sigmoid_stay_finite_at_plus_and_minus_1000()
    {
        var x = Tensor<float>.FromArray(new float[,] { { 1000, -1000 } }, requiresGrad: true);
        var t = Tensor<float>.FromArray(new float[,] { { 0, 1 } });
        var sigmoid = new Activations.Sigmoid<float>();
        foreach (var loss in new Func<Tensor<float>, Tensor<float>>[] { p => new BCELoss<float>().Forward(p, t), p => new MSELoss<float>().Forward(p, t) })
        {
            x.ZeroGrad();
            using var tape = new Tape();
            var value = loss(sigmoid.Forward(x));
            Assert.True(float.IsFinite(value.Item));
            tape.Backward(value);
            Assert.True(Numerics.AllFinite(x.Grad!), x.Grad!.ToString());
        }
    }
}
