using MiniGrad.Activations;

namespace MiniGrad.Tests;

public class TapeTests
{
    [Fact]
    public void Without_a_tape_nothing_is_recorded()
    {
        var x = Tensor<double>.Ones(2, 2, requiresGrad: true);
        var y = (x * x).Sum();
        Assert.False(y.RequiresGrad);
        Assert.False(Tape.IsRecording);
        Assert.Null(x.Grad);

        using var tape = new Tape();
        Assert.True(Tape.IsRecording);
        Assert.Equal(0, tape.Count);
        Assert.Throws<ArgumentException>(() => tape.Backward(y)); // y was computed before the tape opened
    }

    [Fact]
    public void Only_ops_on_tensors_that_require_grad_are_recorded()
    {
        var data = Tensor<double>.Ones(2, 2);
        var w = Tensor<double>.Ones(2, 2, requiresGrad: true);
        using var tape = new Tape();
        var scaled = data * 2.0;       // not recorded: nothing in it requires grad
        Assert.Equal(0, tape.Count);
        var y = scaled.MatMul(w).Sum(); // two ops recorded
        Assert.Equal(2, tape.Count);
        Assert.True(y.RequiresGrad);
        Assert.False(y.IsLeaf);
        Assert.False(scaled.RequiresGrad);
        Assert.True(scaled.IsLeaf && w.IsLeaf);
    }

    [Fact]
    public void Backward_seeds_one_and_fills_leaf_gradients()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 1, 2 }, { 3, 4 } }, requiresGrad: true);
        using (var tape = new Tape())
            tape.Backward((x * 3.0).Sum());
        Assert.Equal(new double[,] { { 3, 3 }, { 3, 3 } }, x.Grad!.ToArray());
    }

    [Fact]
    public void Gradients_accumulate_over_passes_until_cleared()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 2 } }, requiresGrad: true);
        for (int pass = 0; pass < 2; pass++)
            using (var tape = new Tape())
                tape.Backward(x.Square().Sum());
        Assert.Equal(8.0, x.Grad![0, 0]); // 2 · (2x) at x = 2

        x.ZeroGrad();
        Assert.Equal(0.0, x.Grad![0, 0]);
    }

    /// <summary>
    /// ZeroGrad writes nothing: the next backward pass writes each gradient over the old one instead of adding to it.
    /// Every kind of first writer (the products of a dense layer, an element-wise and a row-wise activation, an op that
    /// adds into a cleared buffer) must then give exactly what a fresh model gives, and a tensor used twice must still get
    /// both contributions: only the first of them writes.
    /// </summary>
    [Fact]
    public void After_ZeroGrad_the_next_pass_gives_exactly_the_gradients_of_a_fresh_model()
    {
        (Sequential<double> Model, Tensor<double> X) Build() =>
            (new Sequential<double>(new Dense<double>(5, 7, new Random(3)), new Tanh<double>(), new Dense<double>(7, 4, new Random(4)),
                new Softmax<double>()), Tensor<double>.RandomNormal(6, 5, new Random(5), requiresGrad: true));
        Tensor<double> Loss(Sequential<double> model, Tensor<double> x)
        {
            var h = model.Forward(x);
            var relu = new ReLU<double>();
            return (h * h).Sum() + (relu.Forward(x) + relu.Forward(x)).Sum(); // x reaches ReLU twice, and the tape's Add and Sum too
        }
        double[][] Gradients(Sequential<double> model, Tensor<double> x) =>
            [.. model.Parameters().Append(x).Select(p => p.Grad!.AsSpan().ToArray())];

        var (fresh, freshX) = Build();
        using (var tape = new Tape()) tape.Backward(Loss(fresh, freshX));

        var (reused, reusedX) = Build();
        var other = Tensor<double>.RandomNormal(6, 5, new Random(9), requiresGrad: true);
        for (int pass = 0; pass < 2; pass++) // leave other gradients behind, twice over
            using (var tape = new Tape()) tape.Backward(Loss(reused, other) * 3.0 + Loss(reused, reusedX));
        reused.ZeroGrad();
        reusedX.ZeroGrad();
        using (var tape = new Tape()) tape.Backward(Loss(reused, reusedX));

        var expected = Gradients(fresh, freshX);
        var actual = Gradients(reused, reusedX);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
        Assert.Contains(actual[^1], g => g != 0);
    }

    [Fact]
    public void A_gradient_kept_from_before_ZeroGrad_is_rewritten_by_the_next_pass_and_a_fresh_read_shows_zeros()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 2, -1 } }, requiresGrad: true);
        using (var tape = new Tape()) tape.Backward(x.Square().Sum());
        var kept = x.Grad!;
        x.ZeroGrad();
        Assert.Equal(new double[,] { { 0, 0 } }, x.Grad!.ToArray()); // reading Grad writes the zeros
        Assert.Same(kept, x.Grad); // the memory is kept
        using (var tape = new Tape()) tape.Backward((x * 3.0).Sum());
        Assert.Equal(new double[,] { { 3, 3 } }, kept.ToArray());
        x.ZeroGrad(); // and this time nobody reads Grad before the pass
        using (var tape = new Tape()) tape.Backward((x * 5.0).Sum());
        Assert.Equal(new double[,] { { 5, 5 } }, kept.ToArray());
    }

    [Fact]
    public void A_tape_is_single_use()
    {
        var x = Tensor<double>.Ones(1, 1, requiresGrad: true);
        using var tape = new Tape();
        var loss = x.Square().Sum();
        tape.Backward(loss);
        var error = Assert.Throws<InvalidOperationException>(() => tape.Backward(loss));
        Assert.Contains("single-use", error.Message);
        Assert.Equal(2.0, x.Grad![0, 0]); // unchanged by the refused second call
    }

    [Fact]
    public void A_disposed_tape_cannot_be_used()
    {
        var x = Tensor<double>.Ones(1, 1, requiresGrad: true);
        var tape = new Tape();
        var loss = x.Sum();
        tape.Dispose();
        Assert.Throws<InvalidOperationException>(() => tape.Backward(loss));
        Assert.Throws<InvalidOperationException>(() => tape.Count);
        tape.Dispose(); // twice is harmless
        Assert.False(Tape.IsRecording);
    }

    [Fact]
    public void An_old_handle_cannot_use_the_next_tape()
    {
        var first = new Tape();
        first.Dispose();
        using var second = new Tape();
        Assert.Throws<InvalidOperationException>(() => first.Count);
        Assert.Equal(0, second.Count);
    }

    [Fact]
    public void A_new_tape_closes_the_one_still_open_on_its_thread()
    {
        var x = Tensor<double>.Ones(2, 2, requiresGrad: true);
        var abandoned = new Tape();          // never disposed, never run: as an exception thrown mid-step leaves it
        var lost = x.Exp();
        Assert.Equal(1, abandoned.Count);

        using (var next = new Tape())        // does not throw, and does not inherit the abandoned record
        {
            Assert.Equal(0, next.Count);
            next.Backward(x.Square().Sum());
        }
        Assert.Equal(new double[,] { { 2, 2 }, { 2, 2 } }, x.Grad!.ToArray()); // only the new tape's pass reached x
        var error = Assert.Throws<InvalidOperationException>(() => abandoned.Count);
        Assert.Contains("closed", error.Message);
        Assert.Throws<InvalidOperationException>(() => lost[0, 0]); // its intermediates went back to the pool
        abandoned.Dispose(); // harmless now
    }

    [Fact]
    public void A_finished_tape_that_is_never_disposed_records_nothing_more_and_blocks_nothing()
    {
        var w = Tensor<double>.FromArray(new double[,] { { 3 } }, requiresGrad: true);
        var finished = new Tape();
        finished.Backward((w * w).Sum());
        Assert.False(Tape.IsRecording);
        var inference = w * 2.0;               // after backward nothing is recorded: a plain result
        Assert.True(inference.IsLeaf);
        Assert.Equal(6.0, inference[0, 0]);

        for (int step = 0; step < 3; step++)   // later steps on this thread run as usual
            using (var tape = new Tape()) tape.Backward((w * w).Sum());
        Assert.Equal(4 * 6.0, w.Grad![0, 0]);
    }

    [Fact]
    public void An_abandoned_tape_on_a_pool_thread_does_not_poison_later_work_there()
    {
        var w = Tensor<double>.FromArray(new double[,] { { 3 } }, requiresGrad: true);
        var results = new double[4];
        var thread = new Thread(() =>
        {
            try
            {
                var tape = new Tape();
                _ = (w * w).Sum();
                throw new InvalidDataException("a request fails mid-step, before Backward and Dispose");
            }
            catch (InvalidDataException)
            {
            }
            for (int request = 0; request < results.Length; request++)
            {
                var x = Tensor<double>.FromArray(new double[,] { { request } }, requiresGrad: true);
                using (var tape = new Tape()) tape.Backward((x * x).Sum());
                results[request] = x.Grad![0, 0];
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal([0.0, 2, 4, 6], results);
    }

    [Fact]
    public void A_default_tape_says_how_to_open_one()
    {
        var error = Assert.Throws<InvalidOperationException>(() => default(Tape).Backward(Tensor<double>.Ones(1, 1, requiresGrad: true)));
        Assert.Contains("new Tape()", error.Message);
    }

    [Fact]
    public void Backward_needs_a_scalar_loss_or_an_upstream_gradient()
    {
        var x = Tensor<double>.FromArray(new double[,] { { 1, 2 } }, requiresGrad: true);
        using (var tape = new Tape())
        {
            var y = x.Square();
            var error = Assert.Throws<ArgumentException>(() => tape.Backward(y));
            Assert.Contains("1x2", error.Message);
            Assert.Throws<ArgumentException>(() => tape.Backward(y, Tensor<double>.Ones(2, 1)));
            tape.Backward(y, Tensor<double>.FromArray(new double[,] { { 10, 100 } }));
        }
        Assert.Equal(new double[,] { { 20, 400 } }, x.Grad!.ToArray()); // 2x · upstream
    }

    [Fact]
    public void Intermediates_stay_readable_until_dispose_and_the_loss_until_the_next_tape()
    {
        var x = Tensor<double>.Ones(2, 2, requiresGrad: true);
        Tensor<double> hidden, loss, kept;
        using (var tape = new Tape())
        {
            hidden = x * 2.0;
            loss = hidden.Sum();
            kept = hidden.Detach();
            tape.Backward(loss);
            Assert.Equal(8.0, loss.Item);
            Assert.Equal(new double[,] { { 2, 2 }, { 2, 2 } }, hidden.ToArray()); // PyTorch's habit: read the logits after backward
            Assert.Null(hidden.Grad);                                             // an intermediate's gradient is not kept
        }
        var error = Assert.Throws<InvalidOperationException>(() => hidden[0, 0]);
        Assert.Contains("Detach", error.Message);
        Assert.Equal(8.0, loss.Item);      // losses.Add(loss.Item) after the using block
        Assert.Equal(2.0, kept[0, 0]);
        Assert.Equal(1.0, x[0, 0]);        // leaves are never released
        Assert.NotNull(x.Grad);

        using (new Tape())                 // the next tape takes the loss's memory back
            Assert.Throws<InvalidOperationException>(() => loss.Item);
    }

    [Fact]
    public void A_tape_disposed_without_backward_releases_its_intermediates()
    {
        var x = Tensor<double>.Ones(2, 2, requiresGrad: true);
        Tensor<double> y;
        using (new Tape()) y = x.Exp();
        Assert.Throws<InvalidOperationException>(() => y.ToArray());
        Assert.Null(x.Grad);
    }

    [Fact]
    public void A_warm_step_reuses_pooled_buffers()
    {
        var rng = new Random(0);
        var x = Tensor<float>.RandomUniform(16, 8, -1, 1, rng);
        var w = Tensor<float>.RandomUniform(8, 4, -1, 1, rng, requiresGrad: true);
        var tanh = new Tanh<float>();
        void Step()
        {
            using var tape = new Tape();
            tape.Backward(tanh.Forward(x.MatMul(w)).Square().Mean());
        }

        Step();
        long created = Tensor<float>.PoolCreated;
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(created, Tensor<float>.PoolCreated);
    }

    [Fact]
    public void A_tape_belongs_to_its_thread()
    {
        var x = Tensor<double>.Ones(1, 1, requiresGrad: true);
        using var tape = new Tape();
        var loss = x.Square().Sum();
        Exception? error = null;
        bool recordingThere = true;
        var other = new Thread(() =>
        {
            recordingThere = Tape.IsRecording;
            try { tape.Backward(loss); } catch (Exception e) { error = e; }
        });
        other.Start();
        other.Join();
        Assert.False(recordingThere); // the tape records only on the thread that opened it
        Assert.IsType<InvalidOperationException>(error);
        tape.Backward(loss);
        Assert.Equal(2.0, x.Grad![0, 0]);
    }
}
