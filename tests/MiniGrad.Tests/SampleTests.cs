using System.Buffers.Binary;
using MiniGrad.Activations;
using SkiaSharp;

namespace MiniGrad.Tests;

/// <summary>
/// Every sample, run as CI runs it (<c>--quick</c>) in this process: it must exit 0 (its claim holds) and write every
/// picture it names as a valid, non-blank PNG with text on it.
/// </summary>
[Collection(nameof(SampleTests))] // the samples write to the console; one at a time keeps the log readable
public class SampleTests : IDisposable
{
    private readonly string output = Path.Combine(Path.GetTempPath(), "minigrad-samples-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
    }

    private int Run(Func<string[], int> main, params string[] extra) => main(["--quick", "--out", output, .. extra]);

    [Fact]
    public void Spirals_reaches_97_percent_and_draws_its_decision_boundary_and_loss()
    {
        Assert.Equal(0, Run(Samples.Spirals.Program.Main));
        AssertPictures("spirals.png", "loss.png");
    }

    [Fact]
    public void Activations_draws_every_activation_and_its_measurements_agree_with_the_docs()
    {
        Assert.Equal(0, Run(Samples.Activations.Program.Main));
        AssertPictures([.. Activation.Names.Select(name => name + ".png")]);
    }

    [Fact]
    public void GradientFlow_shows_sigmoid_vanishing_and_the_ReLU_family_holding()
    {
        Assert.Equal(0, Run(Samples.GradientFlow.Program.Main));
        AssertPictures("gradient_flow.png");
    }

    [Fact]
    public void DeadRelu_shows_ReLU_units_dying_costing_nothing_when_wide_and_most_when_narrow()
    {
        Assert.Equal(0, Run(Samples.DeadRelu.Program.Main));
        AssertPictures("dead_units.png", "narrow.png", "relu_layers.png", "relu_gradient_norms.png");
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("leaky_relu")]
    [InlineData("relu")]
    public void DeadRelu_with_one_activation_checks_that_ones_part(string activation) =>
        Assert.Equal(0, Run(Samples.DeadRelu.Program.Main, "--activation", activation));

    /// <summary>The claims that depend on the random draws (data, weights, batches) hold for other seeds too, not only the default.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Statistical_claims_hold_for_other_seeds(int seed)
    {
        string[] seeded = ["--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        Assert.Equal(0, Run(Samples.Spirals.Program.Main, seeded));
        Assert.Equal(0, Run(Samples.GradientFlow.Program.Main, seeded));
        Assert.Equal(0, Run(Samples.DeadRelu.Program.Main, seeded));
        Assert.Equal(0, Run(Samples.Mnist.Program.Main, seeded));
    }

    [Fact]
    public void Iris_reports_a_split_that_misses_the_target_as_a_failed_claim()
    {
        // 30 held-out flowers: one mistake is 96.7%, two are 93.3%. The split with seed 4 holds two flowers every model here
        // gets wrong, and the sample says so rather than passing.
        Assert.Equal(1, Run(Samples.Iris.Program.Main, "--seed", "4"));
    }

    [Fact]
    public void The_range_measurement_tells_reached_ends_from_approached_ones()
    {
        var relu = Samples.Activations.Measurement.Measure("relu", new ReLU<double>());
        var sigmoid = Samples.Activations.Measurement.Measure("sigmoid", new Sigmoid<double>());
        var elu = Samples.Activations.Measurement.Measure("elu", new ELU<double>());
        var gelu = Samples.Activations.Measurement.Measure("gelu", new GELU<double>());

        Assert.True(relu.LowerIncluded);                                 // ReLU(x) = 0 for every x ≤ 0
        Assert.False(sigmoid.LowerIncluded || sigmoid.UpperIncluded);    // σ only approaches 0 and 1
        Assert.Equal((0.0, 1.0), (sigmoid.Lower, sigmoid.Upper));
        Assert.False(elu.LowerIncluded);                                 // −α, approached as x → −∞
        Assert.True(gelu.LowerIncluded);                                 // GELU's minimum, reached near x = −0.75
    }

    [Fact]
    public void Export_saves_reloads_and_exports_a_model_that_ONNX_Runtime_runs_the_same()
    {
        Assert.Equal(0, Run(Samples.Export.Program.Main));
        Assert.True(File.Exists(Path.Combine(output, "spirals.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "spirals.onnx")));
        var reloaded = Layers.Sequential<float>.Load(Path.Combine(output, "spirals.safetensors"));
        Assert.Equal(5, reloaded.Layers.Count);
    }

    [Fact]
    public void Mnist_learns_the_held_out_digits_and_draws_its_confusion_matrix_mistakes_and_curves()
    {
        Assert.Equal(0, Run(Samples.Mnist.Program.Main));
        AssertPictures("confusion.png", "misclassified.png", "training.png");
    }

    [Fact]
    public void Mnist_compares_eight_activations_on_the_same_digits()
    {
        Assert.Equal(0, Run(Samples.Mnist.Program.Main, "--compare"));
        AssertPictures("compare.png");
        Assert.NotEqual(0, Run(Samples.Mnist.Program.Main, "--shift", "9")); // out of range: refused
    }

    [Fact]
    public void Iris_classifies_the_held_out_flowers_from_the_csv_and_saves_its_model()
    {
        Assert.Equal(0, Run(Samples.Iris.Program.Main));
        AssertPictures("training.png");
        var model = Layers.Sequential<float>.Load(Path.Combine(output, "iris.safetensors"));
        Assert.Equal("4x3", model.Forward(Tensor<float>.Zeros(4, 4)).Shape);
    }

    [Fact]
    public void A_sample_whose_claim_fails_exits_with_1()
    {
        // Sigmoid units do not fit the spirals to 97% in a quick run: the sample must say so through its exit code.
        Assert.Equal(1, Run(Samples.Spirals.Program.Main, "--activation", "sigmoid", "--epochs", "20"));
    }

    [Theory]
    [InlineData("--activation", "nope")]
    [InlineData("--lr", "-1")]
    [InlineData("--epochs", "0")]
    [InlineData("--unknown", "1")]
    public void Bad_options_are_refused_before_any_work(string option, string value)
    {
        Assert.NotEqual(0, Run(Samples.Spirals.Program.Main, option, value));
        Assert.False(File.Exists(Path.Combine(output, "spirals.png")));
    }

    /// <summary>Each file is a PNG (signature, IHDR) of a sensible size whose pixels are not blank and include dark text.</summary>
    private void AssertPictures(params string[] files)
    {
        foreach (var file in files)
        {
            string path = Path.Combine(output, file);
            Assert.True(File.Exists(path), $"{file} was not written");
            byte[] bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 5000, $"{file} is only {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
            Assert.InRange(width, 300, 2000);
            Assert.InRange(height, 300, 2000);

            using var bitmap = SKBitmap.Decode(bytes);
            Assert.NotNull(bitmap);
            var colours = new HashSet<uint>();
            int dark = 0;
            for (int y = 0; y < bitmap.Height; y++)
                for (int x = 0; x < bitmap.Width; x++)
                {
                    var pixel = bitmap.GetPixel(x, y);
                    colours.Add((uint)pixel);
                    if (pixel.Red + pixel.Green + pixel.Blue < 150) dark++;
                }
            Assert.True(colours.Count > 20, $"{file} has only {colours.Count} colours: blank?");
            Assert.True(dark > 300, $"{file} has only {dark} dark pixels: no text or axes drawn?");
        }
    }
}
