using MiniGrad.Optimizers;

namespace MiniGrad.Tests;

/// <summary>
/// The vectorised update loops against the update rules written out element by element, for every length
/// 0..67: each length reaches a different mix of 512-, 256- and 128-bit steps and scalar tail.
/// </summary>
[Trait("Category", "Kernels")]
public class OptimizerKernelTests
{
    public static TheoryData<int> Lengths() => [.. Enumerable.Range(0, 68)];

    /// <summary>Runs three steps with a fresh random gradient each, and returns the parameter and the gradients used.</summary>
    private static (double[] Parameter, double[][] Gradients) Train(int length, Func<Tensor<double>, Optimizer<double>> create)
    {
        var rng = new Random(length);
        var p = Tensor<double>.RandomUniform(1, Math.Max(length, 1), -1, 1, rng, requiresGrad: true);
        if (length == 0) p = Tensor<double>.Zeros(1, 1, requiresGrad: true);
        var optimizer = create(p);
        var gradients = new double[3][];
        for (int t = 0; t < 3; t++)
        {
            var g = Tensor<double>.RandomUniform(p.Rows, p.Cols, -1, 1, rng);
            gradients[t] = g.AsSpan().ToArray();
            optimizer.ZeroGrad();
            using (var tape = new Tape()) tape.Backward((p * g).Sum()); // dL/dp = g
            optimizer.Step();
        }
        return (p.AsSpan().ToArray(), gradients);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SGD_with_Nesterov_momentum_and_weight_decay_matches_its_rule(int length)
    {
        const double lr = 0.1, momentum = 0.9, decay = 0.01;
        var start = Tensor<double>.RandomUniform(1, Math.Max(length, 1), -1, 1, new Random(length)).AsSpan().ToArray();
        var (actual, gradients) = Train(length, p => new SGD<double>([p], lr, momentum, weightDecay: decay, nesterov: true));
        for (int i = 0; i < actual.Length; i++)
        {
            double p = length == 0 ? 0 : start[i], b = 0;
            for (int t = 0; t < 3; t++)
            {
                double d = gradients[t][i] + decay * p;
                b = t == 0 ? d : momentum * b + d;
                p -= lr * (d + momentum * b);
            }
            Assert.Equal(p, actual[i], 1e-14);
        }
    }

    /// <summary>Plain SGD, decay alone, momentum alone, momentum with dampening, and all three: each switch of the loop.</summary>
    [Theory]
    [MemberData(nameof(Lengths))]
    public void SGD_in_each_configuration_matches_its_rule(int length)
    {
        const double lr = 0.1;
        var start = Tensor<double>.RandomUniform(1, Math.Max(length, 1), -1, 1, new Random(length)).AsSpan().ToArray();
        foreach (var (momentum, dampening, decay) in new[] { (0.0, 0.0, 0.0), (0.0, 0.0, 0.01), (0.9, 0.0, 0.0), (0.9, 0.25, 0.0), (0.9, 0.25, 0.01) })
        {
            var (actual, gradients) = Train(length, p => new SGD<double>([p], lr, momentum, dampening, decay));
            for (int i = 0; i < actual.Length; i++)
            {
                double p = length == 0 ? 0 : start[i], b = 0;
                for (int t = 0; t < 3; t++)
                {
                    double d = gradients[t][i] + decay * p;
                    if (momentum != 0)
                    {
                        b = t == 0 ? d : momentum * b + (1 - dampening) * d;
                        d = b;
                    }
                    p -= lr * d;
                }
                Assert.True(Math.Abs(p - actual[i]) <= 1e-14,
                    $"momentum {momentum}, dampening {dampening}, decay {decay}, element {i}: expected {p:R}, got {actual[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Adam_and_AdamW_match_their_rules(int length)
    {
        const double lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, decay = 0.05;
        var start = Tensor<double>.RandomUniform(1, Math.Max(length, 1), -1, 1, new Random(length)).AsSpan().ToArray();
        foreach (bool decoupled in new[] { false, true })
        {
            var (actual, gradients) = Train(length, p => decoupled
                ? new AdamW<double>([p], lr, beta1, beta2, eps, decay)
                : new Adam<double>([p], lr, beta1, beta2, eps, decay));
            for (int i = 0; i < actual.Length; i++)
            {
                double p = length == 0 ? 0 : start[i], m = 0, v = 0;
                for (int t = 1; t <= 3; t++)
                {
                    double g = gradients[t - 1][i];
                    if (decoupled) p *= 1 - lr * decay;
                    else g += decay * p;
                    m = beta1 * m + (1 - beta1) * g;
                    v = beta2 * v + (1 - beta2) * g * g;
                    double mHat = m / (1 - Math.Pow(beta1, t)), vHat = v / (1 - Math.Pow(beta2, t));
                    p -= lr * mHat / (Math.Sqrt(vHat) + eps);
                }
                Assert.Equal(p, actual[i], 1e-12);
            }
        }
    }

    /// <summary>
    /// The flush threshold of the optimizers' moments, written as bit patterns in Lanes.SmallestNormal: it must be the
    /// smallest positive normal number of each type, 2^(1 − bias), so that everything below it is a subnormal.
    /// </summary>
    [Fact]
    public void The_flush_threshold_is_the_smallest_normal_number_of_each_type()
    {
        AssertSmallestNormal(MiniGrad.Kernels.Lanes.SmallestNormal<float>(), float.ScaleB(1f, -126));
        AssertSmallestNormal(MiniGrad.Kernels.Lanes.SmallestNormal<double>(), double.ScaleB(1d, -1022));
        AssertSmallestNormal(MiniGrad.Kernels.Lanes.SmallestNormal<Half>(), Half.ScaleB(Half.One, -14));
    }

    private static void AssertSmallestNormal<T>(T actual, T expected) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal(expected, actual);
        Assert.True(T.IsNormal(actual), $"{typeof(T).Name}: {actual} is not normal");
        Assert.True(T.IsSubnormal(T.BitDecrement(actual)), $"{typeof(T).Name}: the value below {actual} is not subnormal");
    }
}
