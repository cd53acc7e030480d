using MiniGrad.Activations;
using MiniGrad.Layers;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Tests;

/// <summary>Once warm, a whole training step (zero grads, forward, loss, backward, optimizer step) allocates nothing.</summary>
public class AllocationTests
{
    /// <summary>Managed bytes one warm step allocates: zero the gradients, forward and loss, backward, step.</summary>
    private static long BytesPerStep<T>(Optimizer<T> optimizer, Func<Tensor<T>> loss) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        void Step()
        {
            optimizer.ZeroGrad();
            using (var tape = new Tape()) tape.Backward(loss());
            optimizer.Step();
        }

        for (int i = 0; i < 50; i++) Step(); // warm: pool filled, optimizer state made, code jitted
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) Step();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
    }

    [Fact]
    public void Tanh_network_with_BCE_with_logits_and_SGD_momentum()
    {
        var rng = new Random(0);
        var model = new Sequential<float>(new Dense<float>(2, 8, rng), new Tanh<float>(), new Dense<float>(8, 1, rng));
        var (x, y) = Data.Datasets.Xor<float>();
        var loss = new BCEWithLogitsLoss<float>();
        var optimizer = new SGD<float>(model.Parameters(), lr: 0.5, momentum: 0.9, weightDecay: 1e-4, nesterov: true);
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), y)));
    }

    [Fact]
    public void ReLU_network_with_cross_entropy_and_Adam()
    {
        var rng = new Random(0);
        var model = new Sequential<float>(new Dense<float>(2, 32, rng), new ReLU<float>(), new Dense<float>(32, 32, rng), new ReLU<float>(), new Dense<float>(32, 3, rng));
        var x = Tensor<float>.RandomUniform(60, 2, -1, 1, rng);
        int[] labels = Enumerable.Range(0, 60).Select(i => i % 3).ToArray();
        var loss = new CrossEntropyLoss<float>();
        var optimizer = new Adam<float>(model.Parameters(), lr: 1e-2);
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), labels)));
    }

    [Fact]
    public void Sigmoid_network_with_MSE_and_AdamW()
    {
        var rng = new Random(0);
        var model = new Sequential<double>(new Dense<double>(4, 6, rng), new Sigmoid<double>(), new Dense<double>(6, 2, rng), new Identity<double>());
        var x = Tensor<double>.RandomUniform(10, 4, -1, 1, rng);
        var target = Tensor<double>.RandomUniform(10, 2, -1, 1, rng);
        var loss = new MSELoss<double>();
        var optimizer = new AdamW<double>(model.Parameters());
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), target)));
    }

    [Theory]
    [MemberData(nameof(ActivationCases.ModuleNames), MemberType = typeof(ActivationCases))]
    public void Every_activation_trains_without_allocating(string name)
    {
        var rng = new Random(0);
        var model = new Sequential<float>(new Dense<float>(2, 15, rng), ActivationCases.CreateModule<float>(name, features: 15), new Dense<float>(15, 3, rng));
        var x = Tensor<float>.RandomUniform(20, 2, -1, 1, rng);
        var target = Tensor<float>.RandomUniform(20, 3, -1, 1, rng);
        var loss = new MSELoss<float>();
        var optimizer = new Adam<float>(model.Parameters(), lr: 1e-3);
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), target)));
    }

    [Fact]
    public void Maxout_network_trains_without_allocating()
    {
        var rng = new Random(0);
        var model = new Sequential<float>(new Maxout<float>(2, 8, 3, rng), new Dense<float>(8, 1, rng));
        var (x, y) = Data.Datasets.Xor<float>();
        var loss = new BCEWithLogitsLoss<float>();
        var optimizer = new SGD<float>(model.Parameters(), lr: 0.1, momentum: 0.9);
        Assert.Equal(0, BytesPerStep(optimizer, () => loss.Forward(model.Forward(x), y)));
    }
}
