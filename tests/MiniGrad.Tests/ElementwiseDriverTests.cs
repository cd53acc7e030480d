using MiniGrad.Kernels;

namespace MiniGrad.Tests;

/// <summary>The element-wise driver: every vector width and the scalar tail give the scalar result, for every length.</summary>
[Trait("Category", "Kernels")]
public class ElementwiseDriverTests
{
    /// <summary>f(x) = 2x + 1; applying it twice in place shows each element is read before it is written.</summary>
    private readonly struct Affine : IUnaryOperator<double>
    {
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<double, TLanes> => x * 2.0 + TLanes.One;
    }

    /// <summary>dx += dy · (x + y), so each of the three inputs matters.</summary>
    private readonly struct Mixed : IGradientOperator<float>
    {
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<float, TLanes> => dy * (x + y);
    }

    /// <summary>f(x, a) = k·(x − a), with k a field, so a lost or swapped operand or parameter shows.</summary>
    private readonly struct ScaledDifference(double k) : IBinaryOperator<double>
    {
        public TLanes Invoke<TLanes>(TLanes x, TLanes a) where TLanes : struct, ILanes<double, TLanes> => (x - a) * k;
    }

    [Fact]
    public void Binary_Map_matches_the_scalar_form_for_every_length()
    {
        for (int length = 0; length <= 257; length++)
        {
            var x = Enumerable.Range(0, length).Select(i => i * 0.5).ToArray();
            var a = Enumerable.Range(0, length).Select(i => 100.0 - i).ToArray();
            var y = new double[length];
            Elementwise.Map(x, a, y, new ScaledDifference(3));
            for (int i = 0; i < length; i++) Assert.Equal(3 * (x[i] - a[i]), y[i]);
        }
    }

    [Fact]
    public void Column_sums_add_each_column_of_every_row_exactly_once_for_every_width()
    {
        foreach (int rows in new[] { 0, 1, 3, 17 })
            for (int cols = 0; cols <= 150; cols++)
                foreach (bool negate in new[] { false, true })
                {
                    // Small integers, so every summation order gives the exact total.
                    var source = Enumerable.Range(0, rows * cols).Select(i => (float)(i % 7 - 3)).ToArray();
                    var target = Enumerable.Range(0, cols).Select(j => (float)j).ToArray();
                    var expected = (float[])target.Clone();
                    for (int r = 0; r < rows; r++)
                        for (int j = 0; j < cols; j++) expected[j] += negate ? -source[r * cols + j] : source[r * cols + j];
                    Broadcast<float>.AddColumnSums(source, rows, cols, target, negate);
                    Assert.Equal(expected, target);
                }
        Assert.Throws<ArgumentException>(() => Broadcast<float>.AddColumnSums(new float[6], 2, 4, new float[4], negate: false));
    }

    [Fact]
    public void MapSum_writes_every_value_and_returns_their_sum_for_every_length()
    {
        for (int length = 0; length <= 257; length++)
        {
            // Small integers, so every summation order gives the exact total.
            var x = Enumerable.Range(0, length).Select(i => (double)(i % 9 - 4)).ToArray();
            var y = new double[length];
            double total = Elementwise.MapSum(x, y, new Affine());
            for (int i = 0; i < length; i++) Assert.Equal(2 * x[i] + 1, y[i]);
            Assert.Equal(x.Sum(v => 2 * v + 1), total);
        }
    }

    [Fact]
    public void Max_finds_the_largest_number_wherever_it_is_for_every_length_and_ignores_NaN()
    {
        for (int length = 1; length <= 150; length++)
            for (int at = 0; at < length; at++)
            {
                var x = Enumerable.Range(0, length).Select(i => (float)(-(i % 11) - 1)).ToArray();
                x[at] = 5;
                if (length > 1) x[(at + 1) % length] = float.NaN;
                Assert.Equal(5f, Elementwise.Max<float>(x));
            }
        Assert.Equal(float.NegativeInfinity, Elementwise.Max<float>([float.NaN, float.NaN, float.NaN]));
        Assert.Equal(float.PositiveInfinity, Elementwise.Max<float>(Enumerable.Repeat(1f, 40).Append(float.PositiveInfinity).ToArray()));
        Assert.Throws<ArgumentException>(() => Elementwise.Max<float>([]));
    }

    [Fact]
    public void Sum_adds_every_share_exactly_once_for_every_length()
    {
        for (int length = 0; length <= 257; length++)
        {
            // Small integers, so every summation order gives the exact total.
            var x = Enumerable.Range(0, length).Select(i => (float)(i % 5)).ToArray();
            var y = Enumerable.Range(0, length).Select(i => (float)(i % 3)).ToArray();
            var dy = Enumerable.Range(0, length).Select(i => i % 2 == 0 ? 1f : -2f).ToArray();
            float expected = 0;
            for (int i = 0; i < length; i++) expected += dy[i] * (x[i] + y[i]);
            Assert.Equal(expected, Elementwise.Sum<float, Mixed>(x, y, dy));
        }
    }

    [Fact]
    public void Map_matches_the_scalar_form_for_every_length_and_works_in_place()
    {
        for (int length = 0; length <= 257; length++)
        {
            var x = Enumerable.Range(0, length).Select(i => i * 0.37 - 20).ToArray();
            var y = new double[length];
            Elementwise.Map<double, Affine>(x, y);
            Assert.Equal(x.Select(v => 2 * v + 1), y);

            Elementwise.Map<double, Affine>(y, y); // in place
            Assert.Equal(x.Select(v => 2 * (2 * v + 1) + 1), y);
        }
    }

    [Fact]
    public void AccumulateGradient_adds_each_element_exactly_once_for_every_length()
    {
        for (int length = 0; length <= 257; length++)
        {
            var x = Enumerable.Range(0, length).Select(i => (float)i).ToArray();
            var y = Enumerable.Range(0, length).Select(i => 0.5f * i).ToArray();
            var dy = Enumerable.Range(0, length).Select(i => i % 2 == 0 ? 1f : -1f).ToArray();
            var dx = Enumerable.Repeat(10f, length).ToArray();
            Elementwise.AccumulateGradient<float, Mixed>(x, y, dy, dx);
            for (int i = 0; i < length; i++) Assert.Equal(10f + dy[i] * (x[i] + y[i]), dx[i]);
        }
    }

    [Fact]
    public void Spans_of_different_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Elementwise.Map<double, Affine>(new double[4], new double[5]));
        Assert.Throws<ArgumentException>(() => Elementwise.AccumulateGradient<float, Mixed>(new float[4], new float[4], new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Elementwise.Map(new double[4], new double[3], new double[4], new ScaledDifference(1)));
        Assert.Throws<ArgumentException>(() => Elementwise.Sum<float, Mixed>(new float[4], new float[5], new float[4]));
    }
}
