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
}
