using MiniGrad.Playground.Engine;

namespace MiniGrad.Playground.Tests;

/// <summary>
/// What each lesson's text says, checked on the same engine code the page runs (no browser): the claims a learner reads
/// beside the pictures must be what the pictures show.
/// </summary>
public class LessonTests
{
    private static Session Trained(Settings settings, int steps)
    {
        var session = new Session(settings);
        for (int i = 0; i < steps; i++) session.Step();
        return session;
    }

    private static double[] HiddenNorms(Session session) => session.LastReport.Layers.Take(session.Settings.Hidden.Length).Select(l => l.GradientNorm).ToArray();

    [Fact]
    public void Deep_sigmoid_vanishes_its_first_layer_gets_a_hundredth_of_the_last_ones_gradient_or_less()
    {
        var lesson = Lessons.Find("deep-sigmoid")!;
        using var atStart = new Session(lesson.Settings);
        using var later = Trained(lesson.Settings, 200);
        foreach (var session in new[] { atStart, later })
        {
            var norms = HiddenNorms(session);
            Assert.True(norms[0] * 100 <= norms[^1], $"layer 1: {norms[0]:G3}, layer {norms.Length}: {norms[^1]:G3}");
        }
        using var relu = Trained(lesson.Settings with { Activation = "relu" }, 200); // "switch to relu to see the bars level out"
        var reluNorms = HiddenNorms(relu);
        Assert.True(reluNorms[0] * 100 > reluNorms[^1], $"ReLU: layer 1 {reluNorms[0]:G3}, layer {reluNorms.Length} {reluNorms[^1]:G3}");
    }

    [Fact]
    public void Dying_relu_kills_units_at_a_high_rate_and_leaky_relu_keeps_them()
    {
        // Over several seeds, not one: which units die is chaotic, and at 0.3 (the preset before) a whole layer died in
        // about half of the seeds, leaving every layer below it no gradient at all, which reads as a vanishing gradient.
        var lesson = Lessons.Find("dying-relu")!;
        for (int seed = 0; seed < 5; seed++)
        {
            var settings = lesson.Settings with { Seed = seed };
            using var relu = Trained(settings, 300);
            using var leaky = Trained(settings with { Activation = "leaky_relu" }, 300);
            double Dead(Session s) => s.LastReport.Layers.Take(3).Average(l => l.DeadFraction);
            Assert.True(Dead(relu) >= 0.2, $"seed {seed}, ReLU: {Dead(relu):P0} dead");
            Assert.Equal(0, Dead(leaky));
            var norms = HiddenNorms(relu);
            Assert.True(norms[0] * 100 > norms[^1],
                $"seed {seed}: the ReLU preset shows a vanishing gradient: {string.Join(", ", norms.Select(n => n.ToString("G3")))}; {Dead(relu):P0} dead");
        }
    }

    [Fact]
    public void Tanh_learns_the_moons_in_fewer_steps_than_sigmoid()
    {
        var lesson = Lessons.Find("tanh-vs-sigmoid")!;
        using var tanh = Trained(lesson.Settings, 300);
        using var sigmoid = Trained(lesson.Settings with { Activation = "sigmoid" }, 300);
        Assert.True(tanh.Latest.TrainLoss < sigmoid.Latest.TrainLoss / 2, $"tanh {tanh.Latest.TrainLoss:F3}, sigmoid {sigmoid.Latest.TrainLoss:F3}");
        Assert.True(tanh.Latest.TrainAccuracy >= 0.95, $"tanh reaches {tanh.Latest.TrainAccuracy:P0}");
    }

    [Fact]
    public void Selu_keeps_the_gradient_within_tenfold_across_eight_layers()
    {
        var lesson = Lessons.Find("selu-depth")!;
        using var selu = new Session(lesson.Settings);
        var norms = HiddenNorms(selu);
        Assert.True(norms.Max() / norms.Min() <= 10, $"SELU spread {norms.Max() / norms.Min():F1}×");
        using var sigmoid = new Session(lesson.Settings with { Activation = "sigmoid" });
        var sigmoidNorms = HiddenNorms(sigmoid);
        Assert.True(sigmoidNorms.Max() / sigmoidNorms.Min() > 100, $"sigmoid spread {sigmoidNorms.Max() / sigmoidNorms.Min():F1}×");
    }

    [Fact]
    public void Temperature_flattens_the_probabilities_without_moving_the_boundaries()
    {
        var lesson = Lessons.Find("temperature")!;
        using var session = Trained(lesson.Settings, 200);
        var grid = Session.Grid(20);
        var sharp = session.Probabilities(grid, 1);
        var flat = session.Probabilities(grid, 3);
        Assert.Equal(sharp.ArgMax(), flat.ArgMax());
        double MeanTop(Tensor<float> p) => Enumerable.Range(0, p.Rows).Average(r => Enumerable.Range(0, p.Cols).Max(c => (double)p[r, c]));
        Assert.True(MeanTop(flat) < MeanTop(sharp) - 0.05, $"τ = 3: {MeanTop(flat):F3}, τ = 1: {MeanTop(sharp):F3}");
    }

    [Fact]
    public void Maxout_fits_the_two_spirals()
    {
        var lesson = Lessons.Find("maxout")!;
        using var session = Trained(lesson.Settings, 1500);
        Assert.True(session.Latest.TrainAccuracy >= 0.9, $"Maxout reaches {session.Latest.TrainAccuracy:P0}");
    }

    [Fact]
    public void A_url_reproduces_the_settings_and_the_run()
    {
        var settings = new Settings { Data = "moons", Noise = 0.15, TrainShare = 0.6, Points = 200, Hidden = [5, 7, 3], Activation = "elu", Alpha = 0.7, Temperature = 2, Optimizer = "momentum", LearningRate = 0.05, BatchSize = 10, Seed = 42 };
        var again = Settings.FromQuery("?" + settings.ToQuery());
        Assert.Equal(settings.ToQuery(), again.ToQuery());
        Assert.Equal([5, 7, 3], again.Hidden);
        using var first = Trained(settings, 50);
        using var second = Trained(again, 50);
        Assert.Equal(first.Latest, second.Latest);
    }

    [Fact]
    public void A_url_with_bad_values_falls_back_to_defaults_or_the_nearest_allowed_value()
    {
        var settings = Settings.FromQuery("?data=mystery&hidden=0,300&act=nope&lr=-3&batch=abc&noise=9");
        var defaults = new Settings();
        Assert.Equal(defaults.Data, settings.Data);
        Assert.Equal([1, 64], settings.Hidden);                 // each width clamped to 1–64
        Assert.Equal(defaults.Activation, settings.Activation);
        Assert.Equal(1e-5, settings.LearningRate);
        Assert.Equal(defaults.BatchSize, settings.BatchSize);
        Assert.Equal(0.5, settings.Noise);
    }
}
