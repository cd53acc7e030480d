using MiniGrad.Activations;
using MiniGrad.Layers;

namespace MiniGrad.Tests;

/// <summary>
/// A forward pass without a tape takes a <see cref="Sequential{T}"/>'s intermediate results from the pool and gives each
/// back once the next layer has read it: the values are those of running the layers one by one, and what the caller
/// gets back or passed in is never a buffer the pool lends again.
/// </summary>
public class InferenceRecyclingTests
{
    private static Sequential<float> Model(Random rng, params Module<float>[] tail) =>
        new([new Dense<float>(6, 16, rng), new ReLU<float>(), new Dense<float>(16, 8, rng), new Tanh<float>(), .. tail]);

    [Fact]
    public void A_recycling_pass_gives_the_values_of_the_layers_run_one_by_one()
    {
        var rng = new Random(1);
        var model = Model(rng, new Dropout<float>(0.5, rng), new BatchNorm1d<float>(8),
            new Sequential<float>(new Tanh<float>(), new Dense<float>(8, 7, rng)), // its input is the outer chain's to give back
            new Dense<float>(7, 3, rng), new Softmax<float>());
        model.Eval();
        var x = Tensor<float>.RandomNormal(5, 6, rng);

        var expected = x;
        foreach (var layer in model.Layers) expected = layer.Forward(expected);
        for (int pass = 0; pass < 3; pass++) // the later passes run on buffers the earlier ones gave back
            Assert.Equal(expected.ToArray(), model.Forward(x).ToArray());
    }

    [Fact]
    public void What_a_pass_returns_stays_the_callers_even_when_the_last_layer_passes_its_input_through()
    {
        var rng = new Random(2);
        foreach (var model in new[] { Model(rng), Model(rng, new Dropout<float>(0.3, rng)), new Sequential<float>(Model(rng), new Identity<float>()) })
        {
            model.Eval();
            var x = Tensor<float>.RandomNormal(4, 6, rng);
            var first = model.Forward(x);
            Assert.False(first.IsPooled); // so no tape or chain will ever hand it to the pool
            var kept = first.ToArray();
            for (int pass = 0; pass < 3; pass++) model.Forward(Tensor<float>.RandomNormal(4, 6, rng));
            Assert.Equal(kept, first.ToArray()); // a pooled buffer would hold a later pass's values, or throw as released
        }
    }

    [Fact]
    public void The_input_is_never_given_back_even_when_the_first_layer_passes_it_through()
    {
        var rng = new Random(3);
        var model = new Sequential<float>(new Dropout<float>(0.5, rng), new Dense<float>(6, 4, rng), new Dropout<float>(0.5, rng));
        model.Eval();
        var x = Tensor<float>.RandomNormal(3, 6, rng);
        var values = x.ToArray();
        model.Forward(x);
        model.Forward(Tensor<float>.RandomNormal(3, 6, rng));
        Assert.Equal(values, x.ToArray());
        Assert.False(x.RequiresGrad); // readable: a tensor given to the pool throws here
    }

    /// <summary>A module of the user's own that keeps what it was given, as a PyTorch forward hook might.</summary>
    private sealed class Probe : Module<float>
    {
        public List<Tensor<float>> Seen { get; } = [];

        public override Tensor<float> Forward(Tensor<float> x)
        {
            Seen.Add(x);
            return x.Detach();
        }
    }

    [Fact]
    public void A_module_of_the_users_own_keeps_valid_tensors_because_its_chain_does_not_recycle()
    {
        var rng = new Random(4);
        var probe = new Probe();
        var inner = new Sequential<float>(new Dense<float>(6, 5, rng), probe, new ReLU<float>());
        var model = new Sequential<float>(inner, new Dense<float>(5, 2, rng)); // the user's module is one level down
        var first = Tensor<float>.RandomNormal(3, 6, rng);
        var seenFirst = ((Dense<float>)inner[0]).Forward(first).ToArray();

        model.Forward(first);
        model.Forward(Tensor<float>.RandomNormal(3, 6, rng));
        Assert.Equal(seenFirst, probe.Seen[0].ToArray());
    }

    [Fact]
    public void With_a_tape_open_the_chain_records_as_before()
    {
        var rng = new Random(5);
        var model = Model(rng, new Dense<float>(8, 1, rng));
        var x = Tensor<float>.RandomNormal(4, 6, rng);
        using var tape = new Tape();
        var y = model.Forward(x);
        Assert.True(y.RequiresGrad);
        tape.Backward(y.Sum());
        Assert.Contains(model.Parameters(), p => p.Grad!.ToArray().Cast<float>().Any(g => g != 0));
    }
}
