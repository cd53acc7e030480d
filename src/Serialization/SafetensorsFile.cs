using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace MiniGrad.Serialization;

/// <summary>The element types a safetensors file may hold that MiniGrad reads (it writes F32 and F64).</summary>
internal enum SafetensorsType { F16, BF16, F32, F64, I64 }

/// <summary>One tensor of a safetensors file: its name, element type, shape, and where its bytes lie in the data section.</summary>
/// <param name="Name">The tensor's name, e.g. <c>0.weight</c>.</param>
/// <param name="Type">Its element type.</param>
/// <param name="Shape">Its dimensions, outermost first (empty for a scalar).</param>
/// <param name="Begin">The offset of its first byte in the data section.</param>
/// <param name="End">The offset just past its last byte.</param>
internal sealed record SafetensorsEntry(string Name, SafetensorsType Type, long[] Shape, long Begin, long End)
{
    /// <summary>The number of elements: the product of the dimensions (1 for a scalar).</summary>
    public long Count => Shape.Aggregate(1L, (product, dimension) => product * dimension);

    /// <summary>The shape as PyTorch prints it, e.g. <c>[8, 2]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of a UTF-8 JSON header
/// mapping each tensor's name to its <c>dtype</c>, <c>shape</c> and <c>data_offsets</c> (plus an optional
/// <c>__metadata__</c> map of strings), then the tensors' raw little-endian bytes, row-major, back to back.
/// </summary>
/// <remarks>
/// Reading trusts nothing: the header's length, every offset and every shape are checked against the file's length
/// before anything is allocated from them, the tensors must tile the data section exactly (no holes, no overlaps), and
/// every fault is an <see cref="InvalidDataException"/> that names what is wrong. Nothing in a file is ever executed.
/// </remarks>
internal static class SafetensorsFile
{
    /// <summary>The largest header read (the reference implementation's limit too).</summary>
    internal const int MaxHeaderBytes = 100_000_000;

    /// <summary>What a file holds before its data is read: the metadata, the tensors in file order, and where the data starts.</summary>
    internal sealed record Header(IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<SafetensorsEntry> Entries, long DataStart, long DataLength);

    /// <summary>
    /// Writes <paramref name="tensors"/> (name, shape, row-major values, and whether it is a counter, written as I64) and
    /// <paramref name="metadata"/> as one file; other tensors are F32 for float and F64 for double.
    /// </summary>
    internal static void Write<T>(Stream stream, IReadOnlyList<(string Name, long[] Shape, T[] Values, bool Counter)> tensors, IReadOnlyDictionary<string, string> metadata)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var weights = typeof(T) == typeof(float) ? SafetensorsType.F32 : SafetensorsType.F64;
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata) writer.WriteString(key, value);
            writer.WriteEndObject();
            long offset = 0;
            foreach (var (name, shape, values, counter) in tensors)
            {
                var type = counter ? SafetensorsType.I64 : weights;
                writer.WriteStartObject(name);
                writer.WriteString("dtype", type.ToString());
                writer.WriteStartArray("shape");
                foreach (long dimension in shape) writer.WriteNumberValue(dimension);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset += (long)values.Length * Size(type));
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        int padding = (int)((8 - json.Length % 8) % 8); // spaces, so the data starts 8-byte aligned
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(json.Length + padding));
        stream.Write(length);
        json.WriteTo(stream);
        for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');

        var buffer = new byte[64 * 1024];
        foreach (var (_, _, values, counter) in tensors)
        {
            var type = counter ? SafetensorsType.I64 : weights;
            int size = Size(type);
            for (int start = 0; start < values.Length; start += buffer.Length / size)
            {
                int count = Math.Min(buffer.Length / size, values.Length - start);
                for (int i = 0; i < count; i++)
                {
                    var bytes = buffer.AsSpan(i * size, size);
                    if (type == SafetensorsType.F32) BinaryPrimitives.WriteSingleLittleEndian(bytes, float.CreateTruncating(values[start + i]));
                    else if (type == SafetensorsType.F64) BinaryPrimitives.WriteDoubleLittleEndian(bytes, double.CreateTruncating(values[start + i]));
                    else BinaryPrimitives.WriteInt64LittleEndian(bytes, long.CreateTruncating(values[start + i]));
                }
                stream.Write(buffer, 0, count * size);
            }
        }
    }

    /// <summary>Reads and checks the header of the file in <paramref name="stream"/> (seekable), leaving the data unread.</summary>
    /// <exception cref="InvalidDataException">The file is short, the header is not valid JSON of the format, or the entries do not tile the data.</exception>
    internal static Header ReadHeader(Stream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw Invalid($"the file is {fileLength} bytes long, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw Invalid($"the header claims {headerLength} bytes but the file has only {fileLength - 8} after the length");
        if (headerLength > MaxHeaderBytes) throw Invalid($"the header claims {headerLength} bytes, more than the {MaxHeaderBytes} allowed");
        if (headerLength < 2) throw Invalid($"the header is {headerLength} bytes, too short for a JSON object");
        var json = new byte[(int)headerLength];
        stream.ReadExactly(json);
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw Invalid("the header is not valid UTF-8");

        long dataStart = 8 + (long)headerLength, dataLength = fileLength - dataStart;
        var (metadata, entries) = Parse(json, dataLength);
        CheckTiling(entries, dataLength);
        return new Header(metadata, entries, dataStart, dataLength);
    }

    /// <summary>
    /// Reads <paramref name="entry"/>'s values from <paramref name="stream"/> into <paramref name="destination"/> (its
    /// length is the entry's count), converting from the file's element type to T.
    /// </summary>
    internal static void ReadValues<T>(Stream stream, Header header, SafetensorsEntry entry, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = Size(entry.Type);
        stream.Position = header.DataStart + entry.Begin;
        var buffer = new byte[Math.Min(64 * 1024, Math.Max(size, (int)Math.Min(entry.End - entry.Begin, int.MaxValue)))];
        for (int start = 0; start < destination.Length;)
        {
            int count = Math.Min(buffer.Length / size, destination.Length - start);
            stream.ReadExactly(buffer, 0, count * size);
            for (int i = 0; i < count; i++)
            {
                var bytes = buffer.AsSpan(i * size, size);
                destination[start + i] = entry.Type switch
                {
                    SafetensorsType.F16 => T.CreateTruncating((float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(bytes))),
                    SafetensorsType.BF16 => T.CreateTruncating(BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes) << 16)),
                    SafetensorsType.F32 => T.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(bytes)),
                    SafetensorsType.F64 => T.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(bytes)),
                    _ => T.CreateTruncating(BinaryPrimitives.ReadInt64LittleEndian(bytes)),
                };
            }
            start += count;
        }
    }

    /// <summary>Bytes per element of <paramref name="type"/>.</summary>
    internal static int Size(SafetensorsType type) => type switch
    {
        SafetensorsType.F16 or SafetensorsType.BF16 => 2,
        SafetensorsType.F32 => 4,
        _ => 8,
    };

    private static (Dictionary<string, string> Metadata, List<SafetensorsEntry> Entries) Parse(byte[] json, long dataLength)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<SafetensorsEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json.AsSpan().TrimEnd((byte)' '), new JsonReaderOptions { MaxDepth = 4 });
            Expect(ref reader, JsonTokenType.StartObject, "the header is not a JSON object");
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                if (!names.Add(name)) throw Invalid($"the header names '{name}' twice");
                if (name == "__metadata__") ReadMetadata(ref reader, metadata);
                else entries.Add(ReadEntry(ref reader, name, dataLength));
            }
            if (reader.Read()) throw Invalid("the header has text after its JSON object");
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException)
        {
            throw Invalid($"the header is not valid JSON ({error.Message})");
        }
        return (metadata, entries);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        Expect(ref reader, JsonTokenType.StartObject, "__metadata__ is not an object");
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            Expect(ref reader, JsonTokenType.String, $"__metadata__ '{key}' is not a string");
            metadata[key] = reader.GetString()!;
        }
    }

    private static SafetensorsEntry ReadEntry(ref Utf8JsonReader reader, string name, long dataLength)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"tensor '{name}' is not an object");
        string? dtype = null;
        List<long>? shape = null, offsets = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype":
                    Expect(ref reader, JsonTokenType.String, $"tensor '{name}': dtype is not a string");
                    dtype = reader.GetString();
                    break;
                case "shape":
                    shape = ReadNumbers(ref reader, name, field);
                    break;
                case "data_offsets":
                    offsets = ReadNumbers(ref reader, name, field);
                    break;
                default:
                    throw Invalid($"tensor '{name}' has an unknown field '{field}'");
            }
        }
        if (dtype is null || shape is null || offsets is null) throw Invalid($"tensor '{name}' lacks dtype, shape or data_offsets");
        if (!Enum.TryParse<SafetensorsType>(dtype, ignoreCase: false, out var type) || !Enum.IsDefined(type) || int.TryParse(dtype, out _))
            throw Invalid($"tensor '{name}' has dtype {dtype}, which MiniGrad does not read (F16, BF16, F32, F64, and I64 for counters)");
        if (offsets.Count != 2 || offsets[0] > offsets[1] || offsets[1] > dataLength)
            throw Invalid($"tensor '{name}' has data_offsets [{string.Join(", ", offsets)}] outside the {dataLength}-byte data section");
        long count = 1; // the product of the non-zero dimensions, kept ≤ dataLength so that it cannot overflow
        foreach (long dimension in shape)
        {
            if (dimension > 0 && count > dataLength / dimension)
                throw Invalid($"tensor '{name}' has shape [{string.Join(", ", shape)}], more elements than the {dataLength}-byte data section holds");
            count *= Math.Max(dimension, 1);
        }
        long elements = shape.Contains(0) ? 0 : count;
        if (elements > (offsets[1] - offsets[0]) / Size(type) + 1 || elements * Size(type) != offsets[1] - offsets[0])
            throw Invalid($"tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype} takes {elements * Size(type)} bytes but data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        return new SafetensorsEntry(name, type, [.. shape], offsets[0], offsets[1]);
    }

    private static List<long> ReadNumbers(ref Utf8JsonReader reader, string name, string field)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"tensor '{name}': {field} is not an array");
        var numbers = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long number) || number < 0)
                throw Invalid($"tensor '{name}': {field} holds something other than a whole number ≥ 0");
            if (numbers.Count == 64) throw Invalid($"tensor '{name}': {field} has more than 64 entries");
            numbers.Add(number);
        }
        return numbers;
    }

    /// <summary>The tensors, taken by offset, must cover the data section exactly once: no holes, no overlaps, nothing after.</summary>
    private static void CheckTiling(List<SafetensorsEntry> entries, long dataLength)
    {
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin > expected) throw Invalid($"the data section has a hole of {entry.Begin - expected} bytes before tensor '{entry.Name}'");
            if (entry.Begin < expected) throw Invalid($"tensor '{entry.Name}' overlaps the tensor before it (it starts at {entry.Begin}, the one before ends at {expected})");
            expected = entry.End;
        }
        if (expected != dataLength) throw Invalid($"the data section is {dataLength} bytes but the tensors cover {expected}");
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw Invalid("the header's JSON ends early");
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string problem)
    {
        if (Next(ref reader) != type) throw Invalid(problem);
    }

    internal static InvalidDataException Invalid(string problem) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Not a valid safetensors file: {problem}."));
}
