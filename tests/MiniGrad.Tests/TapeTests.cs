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
    public void One_tape_per_thread()
    {
        using var tape = new Tape();
        var error = Assert.Throws<InvalidOperationException>(() => new Tape());
        Assert.Contains("already open", error.Message);
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
    public void Intermediates_are_released_after_backward_but_the_loss_stays_until_dispose()
    {
        var x = Tensor<double>.Ones(2, 2, requiresGrad: true);
        Tensor<double> hidden, loss;
        using (var tape = new Tape())
        {
            hidden = x * 2.0;
            loss = hidden.Sum();
            var kept = hidden.Detach();
            tape.Backward(loss);
            Assert.Equal(8.0, loss.Item);
            Assert.Equal(2.0, kept[0, 0]);
            var error = Assert.Throws<InvalidOperationException>(() => hidden[0, 0]);
            Assert.Contains("Detach", error.Message);
        }
        Assert.Throws<InvalidOperationException>(() => loss.Item);
        Assert.Equal(1.0, x[0, 0]); // leaves are never released
        Assert.NotNull(x.Grad);
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
        long created = TensorPool<float>.Created;
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(created, TensorPool<float>.Created);
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
