using MiniGrad.Plotting;

namespace MiniGrad.Tests;

/// <summary>The plotting library refuses malformed input with a message naming what is wrong, before writing anything.</summary>
public class PlottingTests
{
    private static readonly string Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"minigrad-plot-{Guid.NewGuid():N}.png");

    [Fact]
    public void A_series_with_unequal_x_and_y_counts_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Plots.Lines(Path, "t", "x", "y", [new Series("broken", [1, 2, 3], [1, 2])]));
        Assert.Contains("'broken' has 3 x values and 2 y values", error.Message);
        Assert.False(File.Exists(Path));
    }

    [Fact]
    public void A_decision_boundary_needs_one_label_per_point_and_two_columns()
    {
        var points = Tensor<double>.FromArray(new double[,] { { 0, 0 }, { 1, 1 } });
        static Tensor<double> Uniform(Tensor<double> grid) => Tensor<double>.Full(grid.Rows, 2, 0.5);
        Assert.Contains("2 points but 3 labels", Assert.Throws<ArgumentException>(() => Plots.DecisionBoundary(Path, "t", points, [0, 1, 1], Uniform)).Message);
        Assert.Contains("must be n x 2, got 2x3", Assert.Throws<ArgumentException>(() => Plots.DecisionBoundary(Path, "t", Tensor<double>.Zeros(2, 3), [0, 1], Uniform)).Message);
        Assert.False(File.Exists(Path));
    }

    [Fact]
    public void Training_curves_need_as_many_accuracies_as_losses()
    {
        Assert.Contains("3 losses but 2 accuracies", Assert.Throws<ArgumentException>(() => Plots.Training(Path, "t", [1, 0.5, 0.2], [0.5, 0.9])).Message);
        Assert.False(File.Exists(Path));
    }

    [Fact]
    public void An_image_grid_needs_images_of_the_stated_size_and_one_caption_each()
    {
        var images = Tensor<float>.Zeros(3, 16);
        Assert.Contains("not 5 × 3 images", Assert.Throws<ArgumentException>(() => Plots.Images(Path, "t", images, ["a", "b", "c"], 5, 3)).Message);
        Assert.Contains("3 images but 2 captions", Assert.Throws<ArgumentException>(() => Plots.Images(Path, "t", images, ["a", "b"], 4, 4)).Message);
        Assert.False(File.Exists(Path));
    }

    [Fact]
    public void An_image_grid_draws_each_image_dark_on_white()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"minigrad-images-{Guid.NewGuid():N}.png");
        try
        {
            var images = Tensor<float>.Zeros(2, 4);
            images[1, 0] = 1; // the second image's top-left pixel is ink
            Plots.Images(path, "two images", images, ["blank", "one dot"], 2, 2, columns: 2, scale: 10);
            using var bitmap = SkiaSharp.SKBitmap.Decode(path);
            var inked = Enumerable.Range(0, bitmap.Width).SelectMany(x => Enumerable.Range(36, 20).Select(y => bitmap.GetPixel(x, y)))
                .Count(colour => colour.Red == 0 && colour.Green == 0 && colour.Blue == 0);
            Assert.Equal(100, inked); // one 10 × 10 black square: the dot, scaled, and nothing from the blank image
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_title_too_wide_for_its_picture_is_refused_rather_than_clipped()
    {
        var line = new Series("y", [0, 1], [0, 1]);
        var error = Assert.Throws<ArgumentException>(() => Plots.Lines(Path, new string('W', 80), "x", "y", [line], width: 400, height: 300));
        Assert.Contains("too wide for a 400 px picture", error.Message);
        Assert.False(File.Exists(Path));
    }
}
