using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using CsCheck;
using MiniGrad.Activations;
using MiniGrad.Data;

namespace MiniGrad.Tests;

/// <summary>
/// The loaders against corrupt and hostile files (CsCheck property tests): random bytes, every truncation of a valid file,
/// bit flips, hostile headers. Each load either succeeds or throws its documented exception; a failed load leaves the
/// target model as it was; and no load allocates much beyond the size of what it was given. A save that fails part-way
/// leaves the previous file intact.
/// </summary>
public class FuzzTests
{
    private static Sequential<float> Model(int seed = 1) =>
        new(new Dense<float>(3, 4, new Random(seed)), new BatchNorm1d<float>(4), new ReLU<float>(), new Dense<float>(4, 2, new Random(seed + 1)));

    private static readonly byte[] ValidFile = Saved(Model(9));

    private static byte[] Saved(Sequential<float> model)
    {
        var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    private static float[] State(Module<float> model) => model.CopyState().SelectMany(t => t).ToArray();

    /// <summary>
    /// Runs <paramref name="load"/>, which must succeed or throw <typeparamref name="TExpected"/>; returns whether it
    /// succeeded, and checks that it allocated at most 32 bytes per input byte plus 1 MB, however large the sizes the
    /// input claims.
    /// </summary>
    private static bool Loads<TExpected>(byte[] input, Action load) where TExpected : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool loaded;
        try
        {
            load();
            loaded = true;
        }
        catch (TExpected)
        {
            loaded = false;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= 32L * input.Length + (1 << 20), $"a load of {input.Length} bytes allocated {allocated} bytes");
        return loaded;
    }

    /// <summary>LoadWeights into a fresh model: succeeds, or throws InvalidDataException and leaves the model unchanged.</summary>
    private static void LoadWeightsSafely(byte[] file)
    {
        var target = Model();
        var before = State(target);
        if (!Loads<InvalidDataException>(file, () => target.LoadWeights(new MemoryStream(file)))) Assert.Equal(before, State(target));
        Loads<InvalidDataException>(file, () => Sequential<float>.Load(new MemoryStream(file)));
    }

    [Fact]
    public void Random_bytes_are_refused_as_invalid_data() =>
        Gen.Byte.Array[0, 600].Sample(LoadWeightsSafely, iter: 2000);

    [Fact]
    public void Random_bytes_behind_a_plausible_header_length_are_refused_as_invalid_data() =>
        Gen.Select(Gen.Int[0, 300], Gen.Byte.Array[0, 400]).Sample(pair =>
        {
            var (length, rest) = pair;
            var file = new byte[8 + rest.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)length);
            rest.CopyTo(file, 8);
            LoadWeightsSafely(file);
        }, iter: 2000);

    [Fact]
    public void Every_truncation_of_a_valid_file_is_refused()
    {
        for (int length = 0; length < ValidFile.Length; length++)
        {
            var target = Model();
            var before = State(target);
            var cut = ValidFile[..length];
            Assert.False(Loads<InvalidDataException>(cut, () => target.LoadWeights(new MemoryStream(cut))), $"a file cut to {length} bytes loaded");
            Assert.Equal(before, State(target));
        }
        Assert.True(Loads<InvalidDataException>(ValidFile, () => Model().LoadWeights(new MemoryStream(ValidFile))));
    }

    [Fact]
    public void Bit_flips_load_or_are_refused_and_never_half_load() =>
        Gen.Select(Gen.Int[0, ValidFile.Length * 8 - 1], Gen.Int[0, ValidFile.Length * 8 - 1]).Sample(flips =>
        {
            var file = (byte[])ValidFile.Clone();
            file[flips.Item1 / 8] ^= (byte)(1 << (flips.Item1 % 8));
            file[flips.Item2 / 8] ^= (byte)(1 << (flips.Item2 % 8));
            LoadWeightsSafely(file); // a flip in the data changes a weight (a valid file); one in the header must be caught
        }, iter: 3000);

    /// <summary>A safetensors file with <paramref name="header"/> (JSON) and <paramref name="dataBytes"/> bytes of data.</summary>
    private static byte[] WithHeader(string header, int dataBytes = 64, ulong? claimedLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, claimedLength ?? (ulong)json.Length);
        json.CopyTo(file, 8);
        return file;
    }

    public static TheoryData<string, byte[]> HostileFiles => new()
    {
        { "a header length of 2^63", WithHeader("{}", claimedLength: 1UL << 63) },
        { "a header length just past the end", WithHeader("{}", dataBytes: 0, claimedLength: 3) },
        { "offsets past the data", WithHeader("""{"0.weight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,4800]}}""") },
        { "overlapping offsets", WithHeader("""{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]},"b":{"dtype":"F32","shape":[8],"data_offsets":[16,48]}}""") },
        { "a negative dimension", WithHeader("""{"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}""") },
        { "an overflowing shape", WithHeader("""{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,64]}}""") },
        { "a huge number", WithHeader("""{"a":{"dtype":"F32","shape":[1e400],"data_offsets":[0,64]}}""") },
        { "deep JSON", WithHeader(new string('[', 10_000) + new string(']', 10_000)) },
        { "a deep architecture", WithHeader("{\"__metadata__\":{\"minigrad.architecture\":\"" + string.Concat(Enumerable.Repeat("{\\\"kind\\\":\\\"Sequential\\\",\\\"settings\\\":{},\\\"children\\\":[", 5000)) + "\"}}", dataBytes: 0) },
        { "a huge model in a small file", WithHeader("""{"__metadata__":{"minigrad.architecture":"{\"kind\":\"Sequential\",\"settings\":{},\"children\":[{\"kind\":\"Dense\",\"settings\":{\"in\":\"100000\",\"out\":\"100000\"},\"children\":[]}]}"},"0.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", dataBytes: 16) },
        { "a large model in a small file", WithHeader("""{"__metadata__":{"minigrad.architecture":"{\"kind\":\"Sequential\",\"settings\":{},\"children\":[{\"kind\":\"Dense\",\"settings\":{\"in\":\"10000\",\"out\":\"10000\"},\"children\":[]}]}"},"0.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", dataBytes: 16) },
        { "an unknown module", WithHeader("""{"__metadata__":{"minigrad.architecture":"{\"kind\":\"Evil\",\"settings\":{},\"children\":[]}"}}""", dataBytes: 0) },
        { "invalid UTF-8", WithHeader("{\"\u00ff\":1}").Select((b, i) => i == 10 ? (byte)0xC3 : i == 11 ? (byte)0x28 : b).ToArray() },
        { "a dtype of its own", WithHeader("""{"a":{"dtype":"U8","shape":[64],"data_offsets":[0,64]}}""") },
    };

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void Hostile_headers_are_refused_as_invalid_data_without_allocating_what_they_claim(string what, byte[] file)
    {
        var target = Model();
        var before = State(target);
        Assert.False(Loads<InvalidDataException>(file, () => target.LoadWeights(new MemoryStream(file))), what);
        Assert.Equal(before, State(target));
        Assert.False(Loads<InvalidDataException>(file, () => Sequential<float>.Load(new MemoryStream(file))), what);
    }

    [Fact]
    public void The_architecture_may_not_ask_for_more_values_than_its_file_holds()
    {
        // Dense(10000 → 10000) would be 400 MB, an array .NET could allocate; the file is a few hundred bytes. The message says why.
        var file = HostileFiles.Single(row => (string)row[0] == "a large model in a small file")[1] as byte[];
        var error = Assert.Throws<InvalidDataException>(() => Sequential<float>.Load(new MemoryStream(file!)));
        Assert.Contains("more than the", error.Message);
    }

    /// <summary>A stream that accepts <paramref name="limit"/> bytes and then fails, as a full disk or a killed process would.</summary>
    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => written;
        public override long Position { get => written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            int allowed = (int)Math.Min(count, limit - written);
            inner.Write(buffer, offset, allowed);
            written += allowed;
            if (allowed < count) throw new IOException($"The disk is full after {written} bytes (simulated).");
        }
    }

    [Fact]
    public void A_save_that_fails_part_way_leaves_the_previous_file_intact()
    {
        string folder = Path.Combine(Path.GetTempPath(), "minigrad-save-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string path = Path.Combine(folder, "model.safetensors");
            var saved = Model(3);
            saved.Save(path);
            var original = File.ReadAllBytes(path);
            var other = Model(4);
            foreach (long limit in new long[] { 0, 1, 8, 100, original.Length / 2, original.Length - 1 })
            {
                Assert.Throws<IOException>(() => other.Save(path, file => new FailingStream(file, limit)));
                Assert.Equal(original, File.ReadAllBytes(path));
                Assert.Equal(["model.safetensors"], Directory.GetFiles(folder).Select(Path.GetFileName)); // no temporary file left behind
            }
            var loaded = Sequential<float>.Load(path);
            Assert.Equal(State(saved), State(loaded));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One of <paramref name="set"/>'s characters, each equally likely (repeat one to make it likelier).</summary>
    private static Gen<char> Characters(string set) => Gen.Int[0, set.Length - 1].Select(i => set[i]);

    [Fact]
    public void Random_csv_text_reads_or_is_a_format_error_naming_the_line() =>
        Characters(",,\"\n\n12.e-+x \r").Array[0, 120].Sample(chars =>
        {
            string text = "a,b,label\n" + new string(chars);
            try
            {
                var data = Csv.ReadClassification<float>(new StringReader(text), "label");
                Assert.Equal(data.Features.Rows, data.Labels.Length);
                Assert.All(data.Labels, label => Assert.InRange(label, 0, Math.Max(0, data.Classes.Length - 1)));
            }
            catch (FormatException error)
            {
                Assert.Contains("CSV", error.Message);
                Assert.Contains("line", error.Message);
            }
        }, iter: 3000);

    [Fact]
    public void Random_csv_targets_read_or_are_a_format_error() =>
        Characters(",\n1.e-Na \"").Array[0, 80].Sample(chars =>
        {
            try
            {
                var data = Csv.ReadRegression<double>(new StringReader("x,y\n" + new string(chars)), "y");
                Assert.Equal(data.Features.Rows, data.Targets.Rows);
            }
            catch (FormatException error)
            {
                Assert.Contains("line", error.Message);
            }
        }, iter: 3000);

    private static byte[] ValidIdx(bool compressed)
    {
        var bytes = new List<byte> { 0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4 };
        bytes.AddRange(Enumerable.Range(0, 48).Select(i => (byte)(i * 5)));
        if (!compressed) return [.. bytes];
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(bytes.ToArray());
        return output.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_truncation_and_random_flip_of_an_idx_file_reads_or_is_invalid_data(bool compressed)
    {
        var valid = ValidIdx(compressed);
        Assert.True(Loads<InvalidDataException>(valid, () => Idx.ReadImages<float>(new MemoryStream(valid))));
        for (int length = 0; length < valid.Length; length++)
        {
            var cut = valid[..length];
            Assert.False(Loads<InvalidDataException>(cut, () => Idx.ReadImages<float>(new MemoryStream(cut))), $"an IDX file cut to {length} bytes was read");
        }
        Gen.Int[0, valid.Length * 8 - 1].Sample(bit =>
        {
            var file = (byte[])valid.Clone();
            file[bit / 8] ^= (byte)(1 << (bit % 8));
            Loads<InvalidDataException>(file, () => Idx.Read(new MemoryStream(file)));
        }, iter: 2000);
    }

    [Fact]
    public void Random_bytes_are_never_read_as_more_than_they_hold() =>
        Gen.Byte.Array[0, 200].Sample(bytes => { Loads<InvalidDataException>(bytes, () => Idx.Read(new MemoryStream(bytes))); }, iter: 3000);
}
