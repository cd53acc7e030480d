using MiniGrad.Optimizers;

namespace MiniGrad.Tests;

/// <summary>
/// Three steps of each optimizer on L = ½ Σ p² (so the gradient is p itself), against values worked out from
/// the update rules. Single-element parameters keep the arithmetic checkable by hand; the comments show it.
/// </summary>
public class OptimizerTests
{
    private static Tensor<double> Parameter(params double[] values) => Tensor<double>.FromArray(1, values.Length, values, requiresGrad: true);

    private static double[] Train(Tensor<double> p, Optimizer<double> optimizer, int steps = 3)
    {
        var trajectory = new double[steps];
        for (int s = 0; s < steps; s++)
        {
            optimizer.ZeroGrad();
            using (var tape = new Tape()) tape.Backward((p.Square() * 0.5).Sum()); // dL/dp = p
            optimizer.Step();
            trajectory[s] = p[0, 0];
        }
        return trajectory;
    }

    private static void Equal(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-13);
    }

    [Fact]
    public void SGD_plain()
    {
        // p ← p − 0.1·p = 0.9p
        var p = Parameter(1);
        Equal([0.9, 0.81, 0.729], Train(p, new SGD<double>([p], lr: 0.1)));
    }

    [Fact]
    public void SGD_with_momentum()
    {
        // b₁ = g₁ = 1,               p₁ = 1 − 0.1·1 = 0.9
        // b₂ = 0.9·1 + 0.9 = 1.8,    p₂ = 0.9 − 0.18 = 0.72
        // b₃ = 0.9·1.8 + 0.72 = 2.34, p₃ = 0.72 − 0.234 = 0.486
        var p = Parameter(1);
        Equal([0.9, 0.72, 0.486], Train(p, new SGD<double>([p], lr: 0.1, momentum: 0.9)));
    }

    [Fact]
    public void SGD_with_momentum_and_dampening()
    {
        // The first step takes b = g undamped; later b ← 0.9b + (1 − 0.5)g.
        // b₁ = 1, p₁ = 0.9; b₂ = 0.9 + 0.45 = 1.35, p₂ = 0.765; b₃ = 1.215 + 0.3825 = 1.5975, p₃ = 0.60525
        var p = Parameter(1);
        Equal([0.9, 0.765, 0.60525], Train(p, new SGD<double>([p], lr: 0.1, momentum: 0.9, dampening: 0.5)));
    }

    [Fact]
    public void SGD_with_Nesterov_momentum()
    {
        // d = g + 0.9b.  b₁ = 1, d₁ = 1.9, p₁ = 0.81
        // b₂ = 0.9 + 0.81 = 1.71, d₂ = 0.81 + 1.539 = 2.349, p₂ = 0.5751
        // b₃ = 1.539 + 0.5751 = 2.1141, d₃ = 0.5751 + 1.90269 = 2.47779, p₃ = 0.327321
        var p = Parameter(1);
        Equal([0.81, 0.5751, 0.327321], Train(p, new SGD<double>([p], lr: 0.1, momentum: 0.9, nesterov: true)));
    }

    [Fact]
    public void SGD_with_weight_decay()
    {
        // g = p + 0.1p, so p ← p − 0.1·1.1p = 0.89p
        var p = Parameter(1);
        Equal([0.89, 0.7921, 0.704969], Train(p, new SGD<double>([p], lr: 0.1, weightDecay: 0.1)));
    }

    [Fact]
    public void Adam()
    {
        // Step 1: m = 0.1, v = 0.001, m̂ = 1, v̂ = 1, p = 1 − 0.1·1/(1 + 1e-8) = 0.900000001.
        var p = Parameter(1, -2);
        var trajectory = Train(p, new Adam<double>([p], lr: 0.1));
        Equal([0.900000001, 0.8004122297123382, 0.701586274504415], trajectory);
        Assert.Equal(-1.7006233928121137, p[0, 1], 1e-13); // each element on its own
    }

    [Fact]
    public void Adam_adds_weight_decay_to_the_gradient()
    {
        // g = p + 0.5p = 1.5p; at step 1 m̂/√v̂ = 1.5/(1.5 + 1e-8·...) so p₁ = 1 − 0.1·1.5/(1.5 + 1e-8) = 0.9000000006666...
        var p = Parameter(1);
        Equal([0.9000000006666666, 0.8004122290319746, 0.7015862734654918], Train(p, new Adam<double>([p], lr: 0.1, weightDecay: 0.5)));
    }

    [Fact]
    public void AdamW_decays_the_weights_directly()
    {
        // Step 1: p ← 1·(1 − 0.1·0.5) = 0.95, then the Adam step with g = 1: 0.95 − 0.1/(1 + 1e-8) = 0.850000001
        var p = Parameter(1);
        Equal([0.850000001, 0.7082484443656524, 0.574973932253246], Train(p, new AdamW<double>([p], lr: 0.1, weightDecay: 0.5)));
    }

    [Fact]
    public void AdamW_default_weight_decay_is_PyTorchs()
    {
        var p = Parameter(1);
        Assert.Equal(0.01, new AdamW<double>([p]).WeightDecay);
        Assert.Equal(0.0, new Adam<double>([p]).WeightDecay);
    }

    [Fact]
    public void Parameters_without_a_gradient_are_left_alone()
    {
        var used = Parameter(1);
        var unused = Parameter(5);
        var optimizer = new Adam<double>([used, unused], lr: 0.1);
        using (var tape = new Tape()) tape.Backward(used.Sum());
        optimizer.Step();
        Assert.Equal(5.0, unused[0, 0]);
        Assert.NotEqual(1.0, used[0, 0]);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_learning_rate_is_named(double lr)
    {
        var p = Parameter(1);
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD<double>([p], lr: lr)).ParamName);
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>([p], lr: lr)).ParamName);
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW<double>([p], lr: lr)).ParamName);
        var sgd = new SGD<double>([p], lr: 0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = lr);
        Assert.Equal(0.1, sgd.LearningRate);
    }

    [Fact]
    public void Every_other_hyperparameter_is_checked_and_named()
    {
        var p = Parameter(1);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD<double>([p], momentum: -0.9)).ParamName);
        Assert.Equal("dampening", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD<double>([p], dampening: double.NaN)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD<double>([p], weightDecay: -1)).ParamName);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new SGD<double>([p], nesterov: true)).ParamName);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new SGD<double>([p], momentum: 0.9, dampening: 0.1, nesterov: true)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>([p], beta1: 1.0)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>([p], beta2: -0.1)).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>([p], eps: -1e-8)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW<double>([p], weightDecay: double.NaN)).ParamName);
    }

    [Fact]
    public void The_parameter_list_is_checked()
    {
        var p = Parameter(1);
        Assert.Throws<ArgumentException>(() => new SGD<double>([]));
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => new SGD<double>([p, p])).Message);
        Assert.Contains("not a leaf", Assert.Throws<ArgumentException>(() => new Adam<double>([Tensor<double>.Ones(1, 1)])).Message);
        using var tape = new Tape();
        var intermediate = p * 2.0;
        Assert.Contains("not a leaf", Assert.Throws<ArgumentException>(() => new Adam<double>([intermediate])).Message);
    }

    [Fact]
    public void ZeroGrad_clears_and_Step_trains_in_float()
    {
        var p = Tensor<float>.FromArray(new float[,] { { 3f } }, requiresGrad: true);
        var optimizer = new SGD<float>([p], lr: 0.25);
        using (var tape = new Tape()) tape.Backward(p.Square().Sum()); // dL/dp = 2p = 6
        optimizer.Step();
        Assert.Equal(1.5f, p[0, 0]); // 3 − 0.25·6
        optimizer.ZeroGrad();
        Assert.Equal(0f, p.Grad![0, 0]);
    }

    /// <summary>
    /// Steps <paramref name="optimizer"/> once with a random gradient, then <paramref name="zeroSteps"/> times with a zero
    /// gradient (a dead unit), over 67 elements: 512-, 256- and 128-bit steps and a scalar tail.
    /// </summary>
    private static void DecayWithZeroGradients<T>(Tensor<T> p, Optimizer<T> optimizer, int zeroSteps) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var g = Tensor<T>.RandomUniform(p.Rows, p.Cols, -1, 1, new Random(3));
        for (int t = 0; t <= zeroSteps; t++)
        {
            optimizer.ZeroGrad();
            using (var tape = new Tape()) tape.Backward((p * (t == 0 ? g : Tensor<T>.Zeros(p.Rows, p.Cols))).Sum());
            optimizer.Step();
        }
    }

    private static void AssertFlushed<T>(ReadOnlySpan<T> state, string what) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // Without the flush, β·m passes through the subnormals and sticks at the smallest one (β·ε rounds back to ε).
        for (int i = 0; i < state.Length; i++)
            Assert.True(state[i] == T.Zero, $"{what}[{i}] = {state[i]}: a decayed state must be stored as 0, not as a subnormal");
    }

    [Fact]
    public void Adam_stores_moments_that_decay_below_the_smallest_normal_as_zero()
    {
        // β₁ = 0.9 takes 0.1 below 2⁻¹²⁶ in about 830 steps and below 2⁻¹⁰²² in about 6,700; β₂ = 0.5 decays v with it.
        var floats = Tensor<float>.RandomUniform(1, 67, -1, 1, new Random(1), requiresGrad: true);
        var adam = new Adam<float>([floats], lr: 1e-3, beta2: 0.5);
        DecayWithZeroGradients(floats, adam, 1_000);
        AssertFlushed(adam.MomentsOf(0).First.Span, "m");
        AssertFlushed(adam.MomentsOf(0).Second.Span, "v");

        var doubles = Tensor<double>.RandomUniform(1, 67, -1, 1, new Random(1), requiresGrad: true);
        var adamW = new AdamW<double>([doubles], lr: 1e-3, beta2: 0.5);
        DecayWithZeroGradients(doubles, adamW, 7_000);
        AssertFlushed(adamW.MomentsOf(0).First.Span, "m");
        AssertFlushed(adamW.MomentsOf(0).Second.Span, "v");
    }

    [Fact]
    public void SGD_stores_a_momentum_buffer_that_decays_below_the_smallest_normal_as_zero()
    {
        var floats = Tensor<float>.RandomUniform(1, 67, -1, 1, new Random(2), requiresGrad: true);
        var sgd = new SGD<float>([floats], lr: 1e-3, momentum: 0.9);
        DecayWithZeroGradients(floats, sgd, 1_000);
        AssertFlushed(sgd.MomentumBufferOf(0).Span, "b");
    }

    [Fact]
    public void A_moment_at_the_smallest_normal_is_kept()
    {
        // The flush takes only |x| < 2⁻¹²⁶: one step with gradient g stores m = (1 − β₁)·g, here exactly 2⁻¹²⁶.
        float smallestNormal = float.ScaleB(1, -126);
        var p = Tensor<float>.Zeros(1, 19, requiresGrad: true);
        var adam = new Adam<float>([p], lr: 1e-3, beta1: 0.5);
        using (var tape = new Tape()) tape.Backward((p * Tensor<float>.Full(p.Rows, p.Cols, 2 * smallestNormal)).Sum());
        adam.Step();
        Assert.All(adam.MomentsOf(0).First.ToArray(), m => Assert.Equal(smallestNormal, m));
    }
}
