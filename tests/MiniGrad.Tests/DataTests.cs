using System.Buffers.Binary;
using System.IO.Compression;
using MiniGrad.Data;

namespace MiniGrad.Tests;

/// <summary>The minibatch loader, the split, the scaler, the IDX reader and the MNIST subset shipped in data/.</summary>
public class DataTests
{
    /// <summary>n examples whose single feature is their index, labelled index mod 3.</summary>
    private static (Tensor<float> X, int[] Labels) Numbered(int n) =>
        (Tensor<float>.FromArray(n, 1, Enumerable.Range(0, n).Select(i => (float)i).ToArray()), Enumerable.Range(0, n).Select(i => i % 3).ToArray());

    [Theory]
    [InlineData(10, 4, false, new[] { 4, 4, 2 })]
    [InlineData(10, 4, true, new[] { 4, 4 })]
    [InlineData(8, 4, false, new[] { 4, 4 })]
    [InlineData(3, 5, false, new[] { 3 })]
    public void A_loader_gives_batches_of_its_size_keeping_or_dropping_the_last(int count, int batchSize, bool dropLast, int[] sizes)
    {
        var (x, labels) = Numbered(count);
        var loader = new DataLoader<float>(x, labels, batchSize, dropLast: dropLast);

        var seen = new List<int>();
        foreach (var (features, batchLabels) in loader)
        {
            seen.Add(features.Rows);
            for (int i = 0; i < features.Rows; i++) Assert.Equal((int)features[i, 0] % 3, batchLabels[i]); // each label travels with its row
        }
        Assert.Equal(sizes, seen);
        Assert.Equal(sizes.Length, loader.BatchCount);
    }

    [Fact]
    public void Each_epoch_visits_every_example_once_in_a_new_order_that_the_seed_repeats()
    {
        var (x, labels) = Numbered(50);
        List<int[]> Epochs(int seed)
        {
            var loader = new DataLoader<float>(x, labels, batchSize: 8, seed: seed);
            return Enumerable.Range(0, 3).Select(_ => loader.SelectMany(b => b.Features.AsSpan().ToArray().Select(v => (int)v)).ToArray()).ToList();
        }

        var run = Epochs(seed: 7);
        foreach (var epoch in run) Assert.Equal(Enumerable.Range(0, 50), epoch.Order());
        Assert.NotEqual(run[0], run[1]);
        Assert.NotEqual(Enumerable.Range(0, 50), run[0]);
        Assert.Equal(run.SelectMany(e => e), Epochs(seed: 7).SelectMany(e => e));
        Assert.NotEqual(run[0], Epochs(seed: 8)[0]);
    }

    [Fact]
    public void Without_shuffling_the_order_is_the_data_sets()
    {
        var (x, labels) = Numbered(7);
        var loader = new DataLoader<float>(x, labels, batchSize: 3, shuffle: false);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (float)i), loader.SelectMany(b => b.Features.AsSpan().ToArray()));
    }

    [Fact]
    public void A_regression_loader_carries_target_rows_with_their_features()
    {
        var x = Tensor<double>.FromArray(5, 2, Enumerable.Range(0, 10).Select(i => (double)i).ToArray());
        var y = Tensor<double>.FromArray(5, 1, [0.0, 10, 20, 30, 40]);
        var loader = new DataLoader<double>(x, y, batchSize: 2, seed: 3);

        Assert.False(loader.HasLabels);
        Assert.Contains("batch.Targets", Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var (features, labels) in loader) Assert.Fail("a regression batch must not deconstruct into labels");
        }).Message);
        foreach (var batch in loader)
        {
            Assert.Empty(batch.Labels);
            for (int i = 0; i < batch.Count; i++) Assert.Equal(batch.Features[i, 0] * 5, batch.Targets![i, 0]);
        }
    }

    [Fact]
    public void Iterating_a_warm_loader_allocates_nothing()
    {
        var (x, labels) = Numbered(1000);
        var loader = new DataLoader<float>(x, labels, batchSize: 64);
        float Epoch()
        {
            float sum = 0;
            foreach (var batch in loader) sum += batch.Features[0, 0] + batch.Labels[0];
            return sum;
        }
        Epoch(); // warm: the full and the last partial batch are made
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Epoch();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_loader_rejects_mismatched_or_empty_data_and_a_batch_size_below_one()
    {
        var (x, labels) = Numbered(5);
        Assert.Contains("5 examples", Assert.Throws<ArgumentException>(() => new DataLoader<float>(x, labels[..4], 2)).Message);
        Assert.Contains("rows of targets", Assert.Throws<ArgumentException>(() => new DataLoader<float>(x, Tensor<float>.Zeros(4, 1), 2)).Message);
        Assert.Throws<ArgumentException>(() => new DataLoader<float>(Tensor<float>.Zeros(0, 3), [], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader<float>(x, labels, 0));
    }

    [Fact]
    public void A_stratified_split_keeps_each_classs_share_and_parts_are_disjoint_and_complete()
    {
        var labels = Enumerable.Range(0, 100).Select(i => i < 70 ? 0 : i < 90 ? 1 : 2).ToArray(); // 70/20/10
        var x = Tensor<float>.FromArray(100, 1, Enumerable.Range(0, 100).Select(i => (float)i).ToArray());

        var (train, test) = Split.TrainTest(x, labels, testFraction: 0.2, stratify: true, new Random(1));

        Assert.Equal([14, 4, 2], Enumerable.Range(0, 3).Select(c => test.Labels.Count(l => l == c)));
        Assert.Equal([56, 16, 8], Enumerable.Range(0, 3).Select(c => train.Labels.Count(l => l == c)));
        var trainIds = train.Features.AsSpan().ToArray().Select(v => (int)v).ToArray();
        var testIds = test.Features.AsSpan().ToArray().Select(v => (int)v).ToArray();
        Assert.Equal(Enumerable.Range(0, 100), trainIds.Concat(testIds).Order());
        Assert.All(trainIds.Select((id, i) => (id, i)), p => Assert.Equal(labels[p.id], train.Labels[p.i]));
        Assert.Equal(testIds, Split.TrainTest(x, labels, 0.2, stratify: true, new Random(1)).Test.Features.AsSpan().ToArray().Select(v => (int)v));
        Assert.NotEqual(testIds, Split.TrainTest(x, labels, 0.2, stratify: true, new Random(2)).Test.Features.AsSpan().ToArray().Select(v => (int)v));
    }

    [Fact]
    public void A_plain_split_of_a_regression_set_keeps_targets_with_their_rows()
    {
        var x = Tensor<double>.FromArray(10, 1, Enumerable.Range(0, 10).Select(i => (double)i).ToArray());
        var (train, test) = Split.TrainTest(x, x * 2.0, testFraction: 0.3, new Random(0));

        Assert.Equal(3, test.Features.Rows);
        Assert.Equal(7, train.Features.Rows);
        for (int i = 0; i < 3; i++) Assert.Equal(test.Features[i, 0] * 2, test.Targets[i, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Split.TrainTest(x, x, testFraction: 1.0, new Random(0)));
    }

    [Fact]
    public void The_scaler_learns_from_training_data_only_and_inverts()
    {
        var train = Tensor<double>.FromArray(4, 2, [1, 10, 2, 10, 3, 10, 6, 10]); // column 1 does not vary
        var test = Tensor<double>.FromArray(2, 2, [3, 12, 0, 10]);
        var scaler = new StandardScaler<double>();

        var z = scaler.FitTransform(train);

        double mean = 3, std = Math.Sqrt((4 + 1 + 0 + 9) / 4.0); // population σ, as scikit-learn
        Assert.Equal((1 - mean) / std, z[0, 0], 12);
        Assert.Equal(0.0, z[3, 1]);                                 // σ = 0: only centred
        Assert.Equal(0.0, scaler.Transform(test)[0, 0], 12);        // the training mean, not the test's
        Assert.Equal(2.0, scaler.Transform(test)[0, 1], 12);
        Numerics.Close(test, scaler.InverseTransform(scaler.Transform(test)), 1e-12);
        Assert.Throws<ArgumentException>(() => scaler.Transform(Tensor<double>.Zeros(1, 3)));
        Assert.Throws<InvalidOperationException>(() => new StandardScaler<double>().Transform(test));
    }

    /// <summary>An IDX file of unsigned bytes: magic 00 00 08 rank, big-endian dimensions, the data.</summary>
    private static byte[] IdxBytes(int[] dimensions, byte[] data, int? declaredRank = null, byte type = 0x08)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)(declaredRank ?? dimensions.Length) };
        foreach (int d in dimensions)
        {
            var field = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(field, d);
            bytes.AddRange(field);
        }
        bytes.AddRange(data);
        return [.. bytes];
    }

    private static byte[] Corrupt(byte[] bytes)
    {
        for (int i = 12; i < bytes.Length - 8; i += 7) bytes[i] ^= 0x5A;
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(bytes);
        return output.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Idx_images_and_labels_read_plain_or_gzip_compressed(bool compressed)
    {
        byte[] pixels = Enumerable.Range(0, 2 * 2 * 3).Select(i => (byte)(i * 20)).ToArray();
        byte[] images = IdxBytes([2, 2, 3], pixels), labels = IdxBytes([2], [7, 1]);
        if (compressed) (images, labels) = (Gzip(images), Gzip(labels));

        var x = Idx.ReadImages<float>(new MemoryStream(images));
        Assert.Equal("2x6", x.Shape);
        Assert.Equal(220f / 255, x[1, 5], 6);
        Assert.Equal(220f, Idx.ReadImages<float>(new MemoryStream(images), scale: 1)[1, 5]);
        Assert.Equal([7, 1], Idx.ReadLabels(new MemoryStream(labels)));
    }

    public static TheoryData<string, byte[], string> BadIdxFiles => new()
    {
        { "wrong magic", [1, 0, 8, 1, 0, 0, 0, 1, 5], "magic number" },
        { "not bytes", IdxBytes([1], [5], type: 0x0D), "element type 0x0d" },
        { "too short", [0, 0], "shorter than its 4-byte magic" },
        { "ends in the dimensions", IdxBytes([3], [])[..6], "ends inside dimension 1" },
        { "data too short", IdxBytes([2, 2, 2], [1, 2, 3]), "need 8 bytes of data; the file has 3" },
        { "data too long", IdxBytes([2], [1, 2, 3]), "more data than the dimensions" },
        { "claims gigabytes", IdxBytes([60000, 60000, 1], [1, 2, 3]), "more elements than an array can hold" },
        { "claims a gigabyte", IdxBytes([1000, 1000, 1000], [1, 2, 3]), "need 1000000000 bytes of data; the file has 3" },
        { "rank 0", IdxBytes([], [], declaredRank: 0), "0 dimensions" },
        { "cut gzip", Gzip(IdxBytes([100], new byte[100]))[..12], "shorter than a gzip header and trailer" },
        { "gzip cut in its trailer", Gzip(IdxBytes([100], new byte[100]))[..^3], "checksum or length" },
        { "corrupt gzip", Corrupt(Gzip(IdxBytes([3000], Enumerable.Range(0, 3000).Select(i => (byte)(i * i)).ToArray()))), "damaged" },
    };

    [Theory]
    [MemberData(nameof(BadIdxFiles))]
    public void A_bad_idx_file_is_an_invalid_data_error_saying_what_is_wrong(string what, byte[] file, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => Idx.Read(new MemoryStream(file)));
        Assert.True(error.Message.Contains(message), $"{what}: {error.Message}");
    }

    [Fact]
    public void Images_need_three_dimensions_and_labels_one()
    {
        Assert.Contains("3 dimensions", Assert.Throws<InvalidDataException>(() => Idx.ReadImages<float>(new MemoryStream(IdxBytes([2], [1, 2])))).Message);
        Assert.Contains("1 dimension", Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(new MemoryStream(IdxBytes([1, 1, 1], [1])))).Message);
    }

    [Fact]
    public void The_shipped_mnist_subset_is_8000_training_and_2000_test_digits_with_no_digit_in_both()
    {
        var trainImages = Idx.Read(File.OpenRead(TestData.Path("mnist/train-images-idx3-ubyte.gz")));
        var testImages = Idx.Read(File.OpenRead(TestData.Path("mnist/test-images-idx3-ubyte.gz")));
        var trainLabels = Idx.ReadLabels(TestData.Path("mnist/train-labels-idx1-ubyte.gz"));
        var testLabels = Idx.ReadLabels(TestData.Path("mnist/test-labels-idx1-ubyte.gz"));

        Assert.Equal([8000, 28, 28], trainImages.Dimensions);
        Assert.Equal([2000, 28, 28], testImages.Dimensions);
        Assert.Equal(8000, trainLabels.Length);
        Assert.Equal(2000, testLabels.Length);
        Assert.All(Enumerable.Range(0, 10), digit => Assert.InRange(testLabels.Count(l => l == digit), 150, 250)); // every digit, about 200 each
        Assert.All(trainLabels.Concat(testLabels), label => Assert.InRange(label, 0, 9));

        static string Key(byte[] data, int i) => Convert.ToHexString(data, i * 784, 784);
        var train = Enumerable.Range(0, 8000).Select(i => Key(trainImages.Data, i)).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, 2000), i => train.Contains(Key(testImages.Data, i)));
        long directory = new DirectoryInfo(Path.GetDirectoryName(TestData.Path("iris.csv"))!).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.True(directory < 5_000_000, $"the data folder takes {directory} bytes");
    }

    [Fact]
    public void Noiseless_circles_lie_on_radius_1_and_factor_with_the_outer_circle_first()
    {
        var (x, labels) = Datasets.Circles<double>(50, noise: 0, factor: 0.3, new Random(1));
        Assert.Equal((100, 2), (x.Rows, x.Cols));
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(i < 50 ? 0 : 1, labels[i]);
            Assert.Equal(i < 50 ? 1.0 : 0.3, Math.Sqrt(x[i, 0] * x[i, 0] + x[i, 1] * x[i, 1]), 12);
        }
    }

    [Fact]
    public void Noiseless_moons_lie_on_their_half_circles_from_one_end_to_the_other()
    {
        var (x, labels) = Datasets.Moons<double>(20, noise: 0, new Random(1));
        for (int i = 0; i < 40; i++)
        {
            var (cx, cy) = labels[i] == 0 ? (0.0, 0.0) : (1.0, 0.5); // the upper moon is centred at the origin, the lower at (1, 0.5)
            Assert.Equal(1.0, Math.Sqrt((x[i, 0] - cx) * (x[i, 0] - cx) + (x[i, 1] - cy) * (x[i, 1] - cy)), 12);
            Assert.True(labels[i] == 0 ? x[i, 1] >= -1e-12 : x[i, 1] <= 0.5 + 1e-12, $"point {i} is on the wrong half");
        }
        Assert.Equal((1.0, 0.0), (x[0, 0], x[0, 1]));           // t = 0
        Assert.Equal(-1.0, x[19, 0], 12);                           // t = π
        Assert.Equal((0.0, 0.5), (x[20, 0], x[20, 1]));         // the lower moon starts at t = 0 too
    }

    [Fact]
    public void Blobs_scatter_around_centres_on_the_unit_circle_with_the_spread_asked_for()
    {
        var (x, labels) = Datasets.Blobs<double>(4000, classes: 3, spread: 0.2, new Random(7));
        for (int k = 0; k < 3; k++)
        {
            var rows = Enumerable.Range(0, labels.Length).Where(i => labels[i] == k).ToArray();
            Assert.Equal(4000, rows.Length);
            double angle = 2 * Math.PI * k / 3;
            double meanX = rows.Average(i => x[i, 0]), meanY = rows.Average(i => x[i, 1]);
            double sd = Math.Sqrt(rows.Average(i => (x[i, 0] - meanX) * (x[i, 0] - meanX)));
            Assert.InRange(meanX - Math.Cos(angle), -0.02, 0.02); // the standard error is 0.2/√4000 ≈ 0.003
            Assert.InRange(meanY - Math.Sin(angle), -0.02, 0.02);
            Assert.InRange(sd, 0.19, 0.21);
        }
    }

    [Fact]
    public void The_new_data_sets_repeat_with_their_seed_and_move_by_their_noise()
    {
        Assert.Equal(Datasets.Moons<float>(30, 0.1, new Random(3)).Inputs.AsSpan().ToArray(), Datasets.Moons<float>(30, 0.1, new Random(3)).Inputs.AsSpan().ToArray());
        Assert.NotEqual(Datasets.Moons<float>(30, 0.1, new Random(3)).Inputs.AsSpan().ToArray(), Datasets.Moons<float>(30, 0.1, new Random(4)).Inputs.AsSpan().ToArray());
        var clean = Datasets.Circles<double>(2000, 0, 0.5, new Random(5));
        var noisy = Datasets.Circles<double>(2000, 0.1, 0.5, new Random(5));
        double sd = Math.Sqrt(Enumerable.Range(0, 4000).Average(i => Math.Pow(noisy.Inputs[i, 0] - clean.Inputs[i, 0], 2)));
        Assert.InRange(sd, 0.095, 0.105);
    }

    [Fact]
    public void The_new_data_sets_refuse_bad_arguments_by_name()
    {
        Assert.Throws<ArgumentOutOfRangeException>("pointsPerClass", () => Datasets.Circles<float>(0, 0, 0.5, new Random()));
        Assert.Throws<ArgumentOutOfRangeException>("noise", () => Datasets.Moons<float>(5, -0.1, new Random()));
        Assert.Throws<ArgumentOutOfRangeException>("factor", () => Datasets.Circles<float>(5, 0, factor: 1, new Random()));
        Assert.Throws<ArgumentOutOfRangeException>("classes", () => Datasets.Blobs<float>(5, 1, 0.1, new Random()));
        Assert.Throws<ArgumentNullException>("rng", () => Datasets.Blobs<float>(5, 3, 0.1, null!));
    }
}
