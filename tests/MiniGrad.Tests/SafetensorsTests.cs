using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MiniGrad.Activations;

namespace MiniGrad.Tests;

/// <summary>
/// Saving and loading in safetensors, PyTorch's state_dict layout: round trips, the file's layout, files written by
/// PyTorch, and the strictness of loading (every fault an InvalidDataException naming it, the model untouched).
/// </summary>
public class SafetensorsTests
{
    /// <summary>A model with every kind of module that has state or settings.</summary>
    private static Sequential<T> EveryModule<T>(int seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var prelu = new PReLU<T>(init: 0.2, numParameters: 5);
        for (int c = 0; c < 5; c++) prelu.Slope[0, c] = T.CreateTruncating(0.1 * c - 0.2);
        var swish = new Swish<T>(beta: 1.25);
        return new Sequential<T>(
            new Dense<T>(3, 5, rng), prelu, new Dense<T>(5, 6, WeightInit.HeNormal, rng), new LeakyReLU<T>(0.05),
            new Maxout<T>(6, 4, 3, rng), new ELU<T>(0.7), new Dense<T>(4, 4, rng), new GELU<T>(approximate: true),
            new Dense<T>(4, 4, rng), new Softplus<T>(2, 10), new Dense<T>(4, 4, rng), swish, new RReLU<T>(0.1, 0.3),
            new Dense<T>(4, 4, rng), new SiLU<T>(1.5), new Mish<T>(), new SELU<T>(), new Tanh<T>(), new Sigmoid<T>(),
            new Dense<T>(4, 3, rng), new Softmax<T>(temperature: 0.7), new Identity<T>());
    }

    [Fact]
    public void A_saved_model_loads_as_an_identical_model_in_float_and_double()
    {
        RoundTrip<float>();
        RoundTrip<double>();

        static void RoundTrip<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var model = EveryModule<T>(seed: 1);
            model.Eval();
            var stream = new MemoryStream();
            model.Save(stream);
            stream.Position = 0;
            var loaded = Sequential<T>.Load(stream);

            Assert.False(loaded.IsTraining);                      // Load returns the model ready for inference
            Assert.Equal(model.ToString(), loaded.ToString());
            Assert.Equal(model.NamedParameters().Select(p => (p.Name, p.Parameter.ToArray())), loaded.NamedParameters().Select(p => (p.Name, p.Parameter.ToArray())));
            var x = Tensor<T>.RandomNormal(7, 3, new Random(2));
            Assert.Equal(model.Forward(x).ToArray(), loaded.Forward(x).ToArray()); // bit for bit
        }
    }

    [Fact]
    public void The_file_holds_PyTorch_names_shapes_and_dtypes()
    {
        var rng = new Random(3);
        var dense = new Dense<float>(2, 3, rng);
        var model = new Sequential<float>(dense, new PReLU<float>(numParameters: 3), new Maxout<float>(3, 2, 2, rng));
        var stream = new MemoryStream();
        model.Save(stream);
        var bytes = stream.ToArray();

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + headerLength) % 8); // the data starts 8-byte aligned
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var root = header.RootElement;
        Assert.Equal("pt", root.GetProperty("__metadata__").GetProperty("format").GetString());
        string[] names = [.. root.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__")];
        Assert.Equal(["0.weight", "0.bias", "1.weight", "2.weight", "2.bias"], names);
        long[] Shape(string name) => [.. root.GetProperty(name).GetProperty("shape").EnumerateArray().Select(v => v.GetInt64())];
        Assert.Equal([3L, 2], Shape("0.weight"));  // nn.Linear's [out, in]
        Assert.Equal([3L], Shape("0.bias"));
        Assert.Equal([3L], Shape("1.weight"));     // PReLU's num_parameters
        Assert.Equal([4L, 3], Shape("2.weight"));  // Linear(3, 2·2)
        Assert.Equal([4L], Shape("2.bias"));
        Assert.All(names, n => Assert.Equal("F32", root.GetProperty(n).GetProperty("dtype").GetString()));

        // 0.weight[o, i] is W[i, o], little-endian F32, at its offsets.
        long begin = root.GetProperty("0.weight").GetProperty("data_offsets")[0].GetInt64();
        int data = 8 + (int)headerLength;
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 2; i++)
                Assert.Equal(dense.Weight[i, o], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(data + (int)begin + 4 * (o * 2 + i))));

        // Maxout: row unit·pieces + piece holds W_piece's column for that unit.
        var maxout = (Maxout<float>)model[2];
        long maxoutBegin = root.GetProperty("2.weight").GetProperty("data_offsets")[0].GetInt64();
        for (int unit = 0; unit < 2; unit++)
            for (int piece = 0; piece < 2; piece++)
                for (int i = 0; i < 3; i++)
                    Assert.Equal(maxout.Weights[piece][i, unit],
                        BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(data + (int)maxoutBegin + 4 * ((unit * 2 + piece) * 3 + i))));
    }

    [Fact]
    public void A_double_model_saves_F64_and_loads_into_float_by_rounding()
    {
        var model = new Sequential<double>(new Dense<double>(2, 2, new Random(4)));
        model.Weight()[0, 0] = 0.1; // not a float
        var stream = new MemoryStream();
        model.Save(stream);
        Assert.Contains("\"F64\"", Encoding.UTF8.GetString(stream.ToArray()));
        stream.Position = 0;
        var single = Sequential<float>.Load(stream);
        Assert.Equal(0.1f, ((Dense<float>)single[0]).Weight[0, 0]);

        var back = new MemoryStream();
        single.Save(back);
        back.Position = 0;
        var widened = Sequential<double>.Load(back); // F32 into double: exact
        Assert.Equal((double)0.1f, ((Dense<double>)widened[0]).Weight[0, 0]);
    }

    [Fact]
    public void Save_to_a_path_replaces_the_file_whole_and_leaves_nothing_behind()
    {
        string folder = Directory.CreateTempSubdirectory("minigrad-save-").FullName;
        string path = Path.Combine(folder, "model.safetensors");
        var model = new Sequential<float>(new Dense<float>(3, 2, new Random(5)));
        model.Save(path);
        var first = System.IO.File.ReadAllBytes(path);
        ((Dense<float>)model[0]).Weight[0, 0] += 1;
        model.Save(path);
        Assert.NotEqual(first, System.IO.File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(folder).Select(Path.GetFileName));
        var loaded = Sequential<float>.Load(path);
        Assert.Equal(((Dense<float>)model[0]).Weight.ToArray(), ((Dense<float>)loaded[0]).Weight.ToArray());
        Directory.Delete(folder, recursive: true);
    }

    // ---- Strictness ---------------------------------------------------------------------------------------

    private static byte[] Bytes(string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>A 2 → 1 dense model and what a valid file of it says: weight [1, 2] and bias [1] of F32, 12 bytes of data.</summary>
    private static Sequential<float> Small() => new(new Dense<float>(2, 1, new Random(6)));

    private const string Good = "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";

    [Theory]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}", 8, "missing 0.bias")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},\"1.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16, "unexpected 1.weight")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "'0.weight' is [2, 1] in the file but [1, 2]")]
    [InlineData("{\"0.weight\":{\"dtype\":\"I32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "dtype I32")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16, "hole of 4 bytes before tensor '0.bias'")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "'0.bias' overlaps")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 16, "data section is 16 bytes but the tensors cover 12")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,12]}}", 12, "shape [2] of F32 takes 8 bytes")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1152921504606846976,2],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "more elements than the 12-byte data section holds")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,-2],\"data_offsets\":[0,8]}}", 12, "whole number ≥ 0")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8000]}}", 12, "outside the 12-byte data section")]
    [InlineData("[1,2,3]", 12, "not a JSON object")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "names '0.weight' twice")]
    [InlineData("{\"__metadata__\":{\"a\":1}}", 0, "'a' is not a string")]
    [InlineData("{\"0.weight\":{\"dtype\":\"F32\",", 12, "not valid JSON")]
    public void A_bad_file_is_refused_by_name_and_leaves_the_model_unchanged(string header, int dataBytes, string problem)
    {
        var model = Small();
        var before = model.Parameters().Select(p => p.ToArray()).ToList();
        var error = Assert.Throws<InvalidDataException>(() => model.LoadWeights(new MemoryStream(Bytes(header, dataBytes))));
        Assert.Contains(problem, error.Message);
        Assert.Equal(before, model.Parameters().Select(p => p.ToArray()));
    }

    [Fact]
    public void A_good_hand_written_file_loads_F16_BF16_and_F32()
    {
        var model = Small();
        var bytes = Bytes(Good, 12);
        int data = bytes.Length - 12;
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(data), 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(data + 4), -2.25f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(data + 8), 0.125f);
        model.LoadWeights(new MemoryStream(bytes));
        var dense = (Dense<float>)model[0];
        Assert.Equal(new float[,] { { 1.5f }, { -2.25f } }, dense.Weight.ToArray()); // [out, in] read back into in × out
        Assert.Equal(0.125f, dense.Bias[0, 0]);

        // The same values as F16 and BF16 (both exact for these numbers).
        string halves = "{\"0.weight\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[0,4]},\"0.bias\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]}}";
        var small = Bytes(halves, 6);
        int start = small.Length - 6;
        BinaryPrimitives.WriteHalfLittleEndian(small.AsSpan(start), (Half)(-3.5f));
        BinaryPrimitives.WriteHalfLittleEndian(small.AsSpan(start + 2), (Half)0.75f);
        BinaryPrimitives.WriteUInt16LittleEndian(small.AsSpan(start + 4), (ushort)(BitConverter.SingleToInt32Bits(-6f) >> 16));
        model.LoadWeights(new MemoryStream(small));
        Assert.Equal(new float[,] { { -3.5f }, { 0.75f } }, dense.Weight.ToArray());
        Assert.Equal(-6f, dense.Bias[0, 0]);
    }

    [Fact]
    public void Truncations_and_huge_header_lengths_are_refused_without_allocating_them()
    {
        var model = Small();
        var stream = new MemoryStream();
        model.Save(stream);
        var bytes = stream.ToArray();
        var before = model.Parameters().Select(p => p.ToArray()).ToList();
        for (int length = 0; length < bytes.Length; length++)
            Assert.Throws<InvalidDataException>(() => model.LoadWeights(new MemoryStream(bytes[..length])));
        var huge = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 1UL << 60);
        Assert.Contains("claims 1152921504606846976 bytes", Assert.Throws<InvalidDataException>(() => model.LoadWeights(new MemoryStream(huge))).Message);
        Assert.Equal(before, model.Parameters().Select(p => p.ToArray()));
    }

    // ---- Files PyTorch wrote, and files PyTorch read (Reference/pytorch_safetensors.py made these) ------------------

    private static string Reference(string file) => Path.Combine(AppContext.BaseDirectory, "Reference", file);

    /// <summary>The model behind Reference/minigrad-model.safetensors: every layout PyTorch must accept (Linear, PReLU per feature, Maxout).</summary>
    private static Sequential<float> FixtureModel()
    {
        var rng = new Random(42);
        var prelu = new PReLU<float>(numParameters: 6);
        for (int c = 0; c < 6; c++) prelu.Slope[0, c] = 0.05f * (c + 1);
        return new Sequential<float>(new Dense<float>(3, 6, rng), prelu, new Maxout<float>(6, 4, 3, rng), new LeakyReLU<float>(0.1),
            new Dense<float>(4, 4, rng), new ELU<float>(0.5), new Dense<float>(4, 3, rng), new Softmax<float>(temperature: 0.5));
    }

    [Fact]
    public void The_committed_MiniGrad_file_is_what_MiniGrad_writes()
    {
        var stream = new MemoryStream();
        FixtureModel().Save(stream);
        string path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Reference", "minigrad-model.safetensors");
        if (Environment.GetEnvironmentVariable("MINIGRAD_WRITE_FIXTURES") == "1") System.IO.File.WriteAllBytes(path, stream.ToArray());
        Assert.Equal(System.IO.File.ReadAllBytes(Reference("minigrad-model.safetensors")), stream.ToArray());
    }

    [Fact]
    public void PyTorch_loads_a_MiniGrad_file_strictly_and_computes_what_MiniGrad_computes()
    {
        var (x, expected) = Case("minigrad-model.json");
        var model = Sequential<float>.Load(Reference("minigrad-model.safetensors"));
        Numerics.Close(expected, model.Forward(x), 1e-5);
    }

    [Fact]
    public void A_PyTorch_state_dict_loads_into_the_same_network_and_gives_PyTorch_s_outputs()
    {
        var (x, expected) = Case("pytorch-model.json");
        var rng = new Random(0);
        var model = new Sequential<float>(new Dense<float>(3, 5, rng), new PReLU<float>(numParameters: 5), new Dense<float>(5, 4, rng),
            new Tanh<float>(), new Dense<float>(4, 2, rng));
        model.LoadWeights(Reference("pytorch-model.safetensors"));
        Numerics.Close(expected, model.Forward(x), 1e-5);
        Assert.Contains("no architecture", Assert.Throws<InvalidDataException>(() => Sequential<float>.Load(Reference("pytorch-model.safetensors"))).Message);
    }

    /// <summary>The input and PyTorch's output stored in a reference JSON file.</summary>
    private static (Tensor<float> X, Tensor<float> Y) Case(string file)
    {
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(Reference(file)));
        Tensor<float> Read(string name)
        {
            var rows = json.RootElement.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
            return Tensor<float>.FromArray(rows.Length, rows[0].Length, rows.SelectMany(r => r).ToArray());
        }
        return (Read("x"), Read("y"));
    }

    [Fact]
    public void A_file_without_architecture_says_to_use_LoadWeights()
    {
        var error = Assert.Throws<InvalidDataException>(() => Sequential<float>.Load(new MemoryStream(Bytes(Good, 12))));
        Assert.Contains("LoadWeights", error.Message);
    }
}

/// <summary>Small helpers for the tests above.</summary>
internal static class SequentialTestExtensions
{
    internal static Tensor<double> Weight(this Sequential<double> model) => ((Dense<double>)model[0]).Weight;
}
