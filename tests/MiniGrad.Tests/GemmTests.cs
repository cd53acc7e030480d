using System.Numerics;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;

namespace MiniGrad.Tests;

/// <summary>
/// The matrix product against a naive triple loop (summed in double) and against MathNet's product, for every
/// transposition, with and without accumulation and bias, at every size 1..67 and at sizes that straddle the
/// tile (6 × 2 vectors, and the last four rows' 4 × 2) and block (96 rows, 256 deep, 2048 wide) edges.
/// </summary>
[Trait("Category", "Kernels")]
public class GemmTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        for (int size = 1; size <= 67; size++) data.Add(size, size, size);
        foreach (int large in new[] { 127, 129, 511, 1025 })
        {
            // Each large size in each position, the other two kept small so the naive loop stays quick.
            data.Add(large, 13, 7);
            data.Add(11, large, 5);
            data.Add(9, 17, large);
        }
        data.Add(97, 95, 257);  // just past one block of rows and one slice of depth
        data.Add(7, 2100, 3);   // wider than one block of columns
        // A few rows times a stored B (inference at batch 1): B streamed, not packed; split over the threads when large.
        data.Add(1, 1025, 300);
        data.Add(3, 2100, 17);
        data.Add(4, 130, 1025);
        data.Add(2, 4099, 70);
        // ... on one thread B read eight rows at a time (k mod 8 leaves single rows: k = 7 none but those, 11 and 13 three
        // and five after a group), sums in chunks of 2,048 columns, and C narrower than a vector: 10 classes on 256-bit
        // vectors (8 + 2 scalar columns) where the widest are 512-bit.
        data.Add(1, 10, 256);
        data.Add(2, 6, 7);
        data.Add(4, 33, 11);
        data.Add(3, 40, 13);
        data.Add(1, 2049, 3);
        // One panel of rows (B's values each used once) or a B block that fits in L1: B's whole panels read in place,
        // a last narrower one packed; over two slices of depth.
        data.Add(2, 100, 300);
        data.Add(6, 100, 300);
        data.Add(70, 40, 100);
        // spirals' hidden layer: three whole tiles and a last panel of 4 columns, which the wider paths compute four columns
        // to a quarter of a vector (InQuarters): A stored m × k in groups of W/4 steps of k (here, and at 33..36 and 65..67
        // with k mod 4 left over), A stored transposed (Xᵀ·dY, 100 × 100, 300 deep: two slices) in groups of W/4 rows;
        // 128-bit vectors compute them 128 bits wide, twelve rows at a time (NarrowWidth).
        data.Add(300, 100, 100);
        data.Add(100, 100, 300);
        // Large enough to split over two threads, by rows (m ≥ n), into bands shorter than the 2W rows the four-column tile
        // of a transposed A computes at a time (InQuarters): its rows then begin at row 0, or end at the last.
        data.Add(40, 36, 1500);
        data.Add(18, 17, 7000); // the same for the twelve rows of a stored A, where a last panel of 1 column is four-column (double on 512 bits, float on 256)
        // mlp-deep-sigmoid's layer, over two slices of depth: 64 rows leave a last panel of four, which the four-row tile
        // computes into C where it lies, the second slice adding to the first (RegisterTile.Four).
        data.Add(64, 64, 300);
        data.Add(0, 3, 4);
        data.Add(3, 0, 4);
        data.Add(3, 4, 0);      // no products: C keeps its value (and gets the bias)
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Double_matches_the_naive_product(int m, int n, int k) => MatchesNaive<double>(m, n, k);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float_matches_the_naive_product(int m, int n, int k) => MatchesNaive<float>(m, n, k);

    /// <summary>
    /// Checks C = [C +] op(A)·op(B) [+ bias] elementwise against the sum in double, to the rounding bound
    /// γₖ·Σₚ|a·b| with γₖ = (k + 2)·u: one missing or doubled term is far outside it.
    /// </summary>
    private static void MatchesNaive<T>(int m, int n, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double unit = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53); // unit roundoff
        var rng = new Random(m * 10007 + n * 101 + k);
        foreach (bool transposeA in new[] { false, true })
            foreach (bool transposeB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                    foreach (bool withBias in new[] { false, true })
                    {
                        var a = Tensor<T>.RandomUniform(transposeA ? k : m, transposeA ? m : k, -1, 1, rng);
                        var b = Tensor<T>.RandomUniform(transposeB ? n : k, transposeB ? k : n, -1, 1, rng);
                        var c = Tensor<T>.RandomUniform(m, n, -1, 1, rng);
                        var bias = withBias ? Tensor<T>.RandomUniform(1, n, -1, 1, rng) : null;
                        var expected = new double[m, n];
                        var magnitude = new double[m, n];
                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < n; j++)
                            {
                                double start = accumulate ? double.CreateTruncating(c[i, j]) : 0, shift = bias is null ? 0 : double.CreateTruncating(bias[0, j]);
                                double sum = start + shift, size = Math.Abs(start) + Math.Abs(shift);
                                for (int p = 0; p < k; p++)
                                {
                                    double product = double.CreateTruncating(transposeA ? a[p, i] : a[i, p]) * double.CreateTruncating(transposeB ? b[j, p] : b[p, j]);
                                    sum += product;
                                    size += Math.Abs(product);
                                }
                                expected[i, j] = sum;
                                magnitude[i, j] = size;
                            }

                        Gemm.Multiply(m, n, k, a.Values, transposeA, b.Values, transposeB, c.Values, accumulate, bias?.Values);

                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < n; j++)
                            {
                                double actual = double.CreateTruncating(c[i, j]);
                                double allowed = (k + 2) * unit * magnitude[i, j] + 1e-300;
                                if (Math.Abs(actual - expected[i, j]) > allowed)
                                    Assert.Fail($"{typeof(T).Name} {m}x{n}x{k} transposeA={transposeA} transposeB={transposeB} accumulate={accumulate} bias={withBias} " +
                                                $"at [{i}, {j}]: expected {expected[i, j]:R}, got {actual:R} (allowed error {allowed:G3})");
                            }
                    }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(17, 31, 5)]
    [InlineData(129, 64, 127)]
    [InlineData(300, 257, 100)]
    public void Every_transposition_matches_MathNet(int m, int k, int n)
    {
        var rng = new Random(5);
        var a = Tensor<double>.RandomUniform(m, k, -1, 1, rng);
        var at = Tensor<double>.FromMatrix(a.ToMatrix().Transpose());
        var b = Tensor<double>.RandomUniform(k, n, -1, 1, rng);
        var bt = Tensor<double>.FromMatrix(b.ToMatrix().Transpose());
        var expected = Tensor<double>.FromMatrix(a.ToMatrix() * b.ToMatrix());
        Numerics.Close(expected, a.MatMul(b), 1e-12);
        foreach (var (left, transposeA) in new[] { (a, false), (at, true) })
            foreach (var (right, transposeB) in new[] { (b, false), (bt, true) })
            {
                var c = Tensor<double>.Zeros(m, n);
                Gemm.Multiply(m, n, k, left.Values, transposeA, right.Values, transposeB, c.Values, accumulate: false);
                Numerics.Close(expected, c, 1e-12);
            }
    }

    [Fact]
    public void A_large_product_is_bit_identical_from_run_to_run()
    {
        // Large enough to be split over the worker threads and to span several blocks in every dimension.
        const int m = 301, n = 2111, k = 517;
        var rng = new Random(11);
        var a = Tensor<float>.RandomNormal(m, k, rng);
        var b = Tensor<float>.RandomNormal(k, n, rng);
        var first = new float[m * n];
        Gemm.Multiply(m, n, k, a.Values, false, b.Values, false, first, accumulate: false);
        for (int run = 0; run < 5; run++)
        {
            var again = new float[m * n];
            Gemm.Multiply(m, n, k, a.Values, false, b.Values, false, again, accumulate: false);
            Assert.True(first.AsSpan().SequenceEqual(again), $"run {run} differs from the first");
        }
    }

    /// <summary>
    /// A few rows times a stored B, on one thread (below the parallel threshold), with B beginning at each of the eight
    /// 8-byte places in a cache line: where the vectors are a line wide, the kernel shifts them onto line boundaries and
    /// sums the columns before and after in two overlapping vectors. Wherever B lies, C must come out the same bits, and
    /// right: within the rounding bound of the sum in double (a column taken from the wrong lane or summed twice is not).
    /// </summary>
    [Theory]
    [InlineData(1, 512, 37)]   // the first layer's 512 columns, 37 deep: four eight-row groups and five single rows
    [InlineData(3, 48, 16)]    // three vectors of 16: once shifted, two aligned ones and the two that overlap them
    [InlineData(2, 32, 9)]     // two vectors, the fewest that are shifted: one aligned between the two overlapping ones
    [InlineData(1, 2112, 13)]  // two chunks of sums, the second 64 columns wide
    [InlineData(4, 1000, 15)]  // rows of 4,000 bytes begin at different places in a line, so float is not shifted (double is)
    public void A_few_rows_give_the_same_bits_wherever_B_begins_in_a_cache_line(int m, int n, int k)
    {
        Same<float>(m, n, k);
        Same<double>(m, n, k);

        static void Same<T>(int m, int n, int k) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Assert.True((long)m * n * k < Gemm.ParallelThreshold / 32, "the product must run on one thread");
            var rng = new Random(n * 31 + k);
            var a = Tensor<T>.RandomUniform(m, k, -1, 1, rng).Values;
            var values = Tensor<T>.RandomUniform(k, n, -1, 1, rng).Values;
            var start = Tensor<T>.RandomUniform(m, n, -1, 1, rng).Values;
            var bias = Tensor<T>.RandomUniform(1, n, -1, 1, rng).Values;
            T[]? first = null;
            var pins = ArraysAtEveryPlaceInALine<T>(values.Length);
            try
            {
                foreach (var (b, offset) in pins.Select(pin => ((T[])pin.Target!, pin.AddrOfPinnedObject() % 64)))
                {
                    values.CopyTo(b, 0);
                    var c = (T[])start.Clone();
                    Gemm.Multiply(m, n, k, a, false, b, false, c, accumulate: true, bias);
                    first ??= c;
                    Assert.True(first.AsSpan().SequenceEqual(c), $"{typeof(T).Name} {m}x{n}x{k}: B {offset} bytes into a line gives other bits");
                }
            }
            finally
            {
                foreach (var pin in pins) pin.Free();
            }
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double expected = double.CreateTruncating(start[i * n + j]) + double.CreateTruncating(bias[j]);
                    double size = Math.Abs(double.CreateTruncating(start[i * n + j])) + Math.Abs(double.CreateTruncating(bias[j]));
                    for (int p = 0; p < k; p++)
                    {
                        double product = double.CreateTruncating(a[i * k + p]) * double.CreateTruncating(values[p * n + j]);
                        expected += product;
                        size += Math.Abs(product);
                    }
                    double unit = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
                    double actual = double.CreateTruncating(first![i * n + j]);
                    Assert.True(Math.Abs(actual - expected) <= (k + 2) * unit * size, $"{typeof(T).Name} {m}x{n}x{k} at [{i}, {j}]: expected {expected:R}, got {actual:R}");
                }
        }
    }

    /// <summary>
    /// Eight pinned arrays of <paramref name="length"/> elements whose data begin 0, 8, …, 56 bytes into a 64-byte line. The
    /// runtime places arrays on 8-byte boundaries; a small array allocated between two moves the next one along.
    /// </summary>
    private static GCHandle[] ArraysAtEveryPlaceInALine<T>(int length) where T : unmanaged
    {
        var found = new GCHandle?[8];
        for (int attempt = 0; attempt < 4096 && found.Any(pin => pin is null); attempt++)
        {
            GC.KeepAlive(new byte[attempt % 64]);
            var pin = GCHandle.Alloc(new T[length], GCHandleType.Pinned);
            long offset = pin.AddrOfPinnedObject() % 64;
            if (offset % 8 == 0 && found[offset / 8] is null) found[offset / 8] = pin;
            else pin.Free();
        }
        if (found.Any(pin => pin is null))
        {
            foreach (var pin in found) pin?.Free();
            Assert.Fail($"could not place an array of {length} {typeof(T).Name} at every 8-byte offset in a line");
        }
        return [.. found.Select(pin => pin!.Value)];
    }

    [Fact]
    public void Bad_sizes_are_rejected_before_anything_is_written()
    {
        var c = new double[6];
        var error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(2, 3, 4, new double[7], false, new double[12], false, c, accumulate: false));
        Assert.Contains("2x4", error.Message);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(2, 3, 1, new double[2], false, new double[3], false, c, false, bias: new double[2]));
        Assert.All(c, value => Assert.Equal(0.0, value));
    }
}
