using MiniGrad.Samples.Xor;

namespace MiniGrad.Tests;

public class XorSampleTests
{
    [Fact]
    public void The_XOR_sample_learns_all_four_points()
    {
        var losses = new List<double>();
        var result = XorTraining.Train(seed: 0, epochs: 500, log: (_, loss) => losses.Add(loss));
        Assert.Equal(1.0, result.Accuracy);
        Assert.Equal(500, losses.Count);
        Assert.True(losses[^1] < 0.01 && losses[^1] < losses[0] / 10, $"loss went from {losses[0]} to {losses[^1]}");
        for (int i = 0; i < 4; i++)
            Assert.Equal(result.Targets[i], result.Probabilities[i] >= 0.5 ? 1.0 : 0.0);
    }

    [Fact]
    public void Training_is_reproducible_from_the_seed()
    {
        Assert.Equal(XorTraining.Train(seed: 3, epochs: 50).Loss, XorTraining.Train(seed: 3, epochs: 50).Loss);
    }
}
