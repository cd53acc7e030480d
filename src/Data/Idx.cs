using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;

namespace MiniGrad.Data;

/// <summary>
/// Reads the IDX format of the MNIST files (LeCun et al.): a big-endian magic number whose third byte is the element type
/// (0x08 unsigned byte, the only one MNIST uses and the only one read here) and whose fourth is the number of dimensions,
/// then each dimension as a big-endian 32-bit count, then the elements, row-major. Plain or gzip-compressed (told by the
/// gzip signature at the start).
/// </summary>
/// <remarks>
/// Nothing in a file is trusted: the magic number, the number of dimensions and every dimension are checked, and the
/// data must be exactly as long as the dimensions say. The data is read into a buffer that grows only as real bytes
/// arrive, so a header that claims gigabytes in a small file fails without allocating them. A bad file is an
/// <see cref="InvalidDataException"/> that says what is wrong.
/// </remarks>
public static class Idx
{
    /// <summary>The most elements a file may claim (about 2³¹, the largest array).</summary>
    private const long MaxElements = int.MaxValue;

    /// <summary>
    /// Images of an IDX file of unsigned bytes with three dimensions (count × rows × cols): one row per image, rows·cols
    /// values each, every byte multiplied by <paramref name="scale"/> (1/255 by default, giving values in [0, 1]).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not such an IDX file.</exception>
    public static Tensor<T> ReadImages<T>(string path, double scale = 1.0 / 255) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var file = File.OpenRead(path);
        return ReadImages<T>(file, scale);
    }

    /// <inheritdoc cref="ReadImages{T}(string, double)"/>
    public static Tensor<T> ReadImages<T>(Stream stream, double scale = 1.0 / 255) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (dimensions, data) = Read(stream);
        if (dimensions.Length != 3) throw new InvalidDataException($"IDX: images need 3 dimensions (count, rows, cols); the file has {dimensions.Length}.");
        int count = dimensions[0], size = dimensions[1] * dimensions[2];
        var images = Tensor<T>.Zeros(count, size);
        var values = images.AsSpan();
        T factor = T.CreateTruncating(scale);
        for (int i = 0; i < data.Length; i++) values[i] = T.CreateTruncating(data[i]) * factor;
        return images;
    }

    /// <summary>The labels of a one-dimensional IDX file of unsigned bytes, such as MNIST's digits 0–9.</summary>
    /// <exception cref="InvalidDataException">The file is not such an IDX file.</exception>
    public static int[] ReadLabels(string path)
    {
        using var file = File.OpenRead(path);
        return ReadLabels(file);
    }

    /// <inheritdoc cref="ReadLabels(string)"/>
    public static int[] ReadLabels(Stream stream)
    {
        var (dimensions, data) = Read(stream);
        if (dimensions.Length != 1) throw new InvalidDataException($"IDX: labels need 1 dimension; the file has {dimensions.Length}.");
        return data.Select(b => (int)b).ToArray();
    }

    /// <summary>The dimensions and the bytes of an IDX file of unsigned bytes, checked.</summary>
    /// <exception cref="InvalidDataException">The file is not an IDX file of unsigned bytes, or its length does not fit its dimensions.</exception>
    public static (int[] Dimensions, byte[] Data) Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffered = new BufferedStream(stream);
        Span<byte> signature = stackalloc byte[2];
        int got = buffered.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        var prefix = signature[..got].ToArray();
        try
        {
            if (got == 2 && prefix[0] == 0x1f && prefix[1] == 0x8b) return ParseGzip(prefix, buffered);
            return Parse(new PrefixedStream(prefix, buffered));
        }
        catch (Exception error) when (error is InvalidDataException or EndOfStreamException or IOException)
        {
            throw error is InvalidDataException { Message: var message } && message.StartsWith("IDX", StringComparison.Ordinal)
                ? error : new InvalidDataException($"IDX: the file is damaged ({error.Message}).", error);
        }
    }

    /// <summary>
    /// A gzip-compressed IDX file. .NET's <see cref="GZipStream"/> does not check the gzip trailer (RFC 1952: the CRC-32 and
    /// length of the uncompressed data), so a file cut inside the trailer or with a damaged checksum would read without
    /// complaint; the compressed bytes (no more than the input holds) are kept, and the trailer checked after decompressing.
    /// </summary>
    private static (int[] Dimensions, byte[] Data) ParseGzip(byte[] signature, Stream rest)
    {
        var compressed = new MemoryStream();
        compressed.Write(signature);
        rest.CopyTo(compressed);
        const int SmallestMember = 18; // 10-byte header, an empty deflate block, 8-byte trailer
        if (compressed.Length < SmallestMember)
            throw new InvalidDataException($"IDX: the gzip file is {compressed.Length} bytes, shorter than a gzip header and trailer.");
        var bytes = compressed.GetBuffer();
        int length = (int)compressed.Length;
        uint expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(length - 8)), expectedLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(length - 4));
        var checksummed = new Checksummed(new GZipStream(new MemoryStream(bytes, 0, length), CompressionMode.Decompress));
        var result = Parse(checksummed); // reads to the end of the data (one byte past the IDX data, to find any excess)
        if (checksummed.Crc != expectedCrc || (uint)checksummed.Count != expectedLength)
            throw new InvalidDataException("IDX: the gzip file's checksum or length does not match its contents; the file is damaged or cut short.");
        return result;
    }

    private static (int[] Dimensions, byte[] Data) Parse(Stream source)
    {
        Span<byte> header = stackalloc byte[4];
        if (source.ReadAtLeast(header, 4, throwOnEndOfStream: false) < 4) throw new InvalidDataException("IDX: the file is shorter than its 4-byte magic number.");
        if (header[0] != 0 || header[1] != 0) throw new InvalidDataException($"IDX: the magic number starts {header[0]:x2} {header[1]:x2}, not 00 00.");
        if (header[2] != 0x08) throw new InvalidDataException($"IDX: element type 0x{header[2]:x2}; MiniGrad reads unsigned bytes (0x08), as MNIST has.");
        int rank = header[3];
        if (rank is < 1 or > 4) throw new InvalidDataException($"IDX: {rank} dimensions; between 1 and 4 are read.");
        var dimensions = new int[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++)
        {
            if (source.ReadAtLeast(header, 4, throwOnEndOfStream: false) < 4) throw new InvalidDataException($"IDX: the file ends inside dimension {d + 1} of {rank}.");
            uint size = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (size > MaxElements) throw new InvalidDataException($"IDX: dimension {d + 1} is {size}, larger than an array can hold.");
            dimensions[d] = (int)size;
            elements *= size;
            if (elements > MaxElements) throw new InvalidDataException($"IDX: the dimensions [{string.Join(", ", dimensions[..(d + 1)])}] make more elements than an array can hold.");
        }

        // Grow the buffer with the data that really arrives, never past what the header claims (plus one byte to see excess).
        var data = new MemoryStream();
        var chunk = new byte[81920];
        for (int read; data.Length <= elements && (read = source.Read(chunk, 0, (int)Math.Min(chunk.Length, elements + 1 - data.Length))) > 0;)
            data.Write(chunk, 0, read);
        if (data.Length != elements)
            throw new InvalidDataException(data.Length < elements
                ? $"IDX: the dimensions [{string.Join(", ", dimensions)}] need {elements} bytes of data; the file has {data.Length}."
                : $"IDX: the file has more data than the dimensions [{string.Join(", ", dimensions)}] say ({elements} bytes).");
        return (dimensions, data.ToArray());
    }

    /// <summary>Reads another stream, counting the bytes and computing their CRC-32 (IEEE 802.3, as gzip's trailer holds it).</summary>
    private sealed class Checksummed(Stream inner) : ForwardOnlyStream
    {
        private static readonly uint[] Table = MakeTable();
        private uint crc = 0xFFFFFFFF;

        public uint Crc => ~crc;

        public long Count { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = inner.Read(buffer, offset, count);
            for (int i = offset; i < offset + read; i++) crc = Table[(crc ^ buffer[i]) & 0xFF] ^ (crc >> 8);
            Count += read;
            return read;
        }

        private static uint[] MakeTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            return table;
        }
    }

    /// <summary>A stream that yields some bytes already read, then the rest of another stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : ForwardOnlyStream
    {
        private int position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (position < prefix.Length)
            {
                int n = Math.Min(count, prefix.Length - position);
                Array.Copy(prefix, position, buffer, offset, n);
                position += n;
                return n;
            }
            return rest.Read(buffer, offset, count);
        }
    }

    /// <summary>A stream that can only be read front to back: what the two above share.</summary>
    private abstract class ForwardOnlyStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
