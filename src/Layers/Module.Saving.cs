using System.Numerics;
using MiniGrad.Serialization;

namespace MiniGrad.Layers;

/// <summary>
/// One tensor of a module's state as PyTorch's <c>state_dict</c> names and shapes it, and how to copy it out of the module
/// (row-major, in PyTorch's layout) and back in.
/// </summary>
/// <param name="Name">The name, e.g. <c>weight</c> (prefixed with the module's path by the container).</param>
/// <param name="Shape">PyTorch's shape, e.g. <c>[out, in]</c> for a dense weight.</param>
/// <param name="Read">The values in PyTorch's layout.</param>
/// <param name="Write">Takes values in PyTorch's layout into the module.</param>
internal sealed record StateTensor<T>(string Name, long[] Shape, Func<T[]> Read, Action<T[]> Write) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether this is a counter (BatchNorm's <c>num_batches_tracked</c>), saved as PyTorch's I64 rather than as weights.</summary>
    public bool IsCounter { get; init; }

    /// <summary>The shape as PyTorch prints it, e.g. <c>[8, 2]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";

    /// <summary>A parameter saved as it is held: a 1 × n row as PyTorch's vector [n], anything else as [rows, cols].</summary>
    internal static StateTensor<T> Of(string name, Tensor<T> parameter) => new(
        name, parameter.Rows == 1 ? [parameter.Cols] : [parameter.Rows, parameter.Cols],
        () => parameter.AsSpan().ToArray(),
        values => values.CopyTo(parameter.AsSpan()));

    /// <summary>An in × out weight saved as PyTorch's out × in (<c>nn.Linear</c>'s layout).</summary>
    internal static StateTensor<T> Transposed(string name, Tensor<T> weight) => new(
        name, [weight.Cols, weight.Rows],
        () =>
        {
            var values = new T[weight.Length];
            for (int r = 0; r < weight.Rows; r++)
                for (int c = 0; c < weight.Cols; c++) values[c * weight.Rows + r] = weight[r, c];
            return values;
        },
        values =>
        {
            for (int r = 0; r < weight.Rows; r++)
                for (int c = 0; c < weight.Cols; c++) weight[r, c] = values[c * weight.Rows + r];
        });
}

public abstract partial class Module<T>
{
    /// <summary>
    /// Saves the module's weights to <paramref name="path"/> as a safetensors file in PyTorch's <c>state_dict</c> layout
    /// (see <see cref="Save(Stream)"/>). The write is atomic: the file appears whole, or the old one stays.
    /// </summary>
    public void Save(string path) => Save(path, file => file);

    /// <summary>
    /// <see cref="Save(string)"/>, writing through <paramref name="through"/> (the tests pass a stream that fails part-way,
    /// as a full disk or a killed process would, and check that the old file survives).
    /// </summary>
    internal void Save(string path, Func<FileStream, Stream> through)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var target = through(file);
                Save(target);
                target.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Writes the module's weights to <paramref name="stream"/> as safetensors: every tensor of its state under PyTorch's
    /// name and shape (<c>0.weight</c> [out, in], <c>0.bias</c> [out], …), F32 for a float model and F64 for a double one,
    /// with the architecture in the file's <c>__metadata__</c> when every module can describe itself.
    /// </summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var state = State("").ToList();
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        if (Spec() is { } spec) metadata[ArchitectureKey] = spec.ToJson();
        SafetensorsFile.Write(stream, state.Select(s => (s.Name, s.Shape, s.Read(), s.IsCounter)).ToList(), metadata);
    }

    /// <summary>
    /// Fills this module's weights from a safetensors file written by <see cref="Save(string)"/> or from a PyTorch
    /// <c>state_dict</c>, after checking it as <c>load_state_dict(strict=True)</c> does.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid, or a tensor is missing, extra, misshapen or of an
    /// unsupported dtype; the message names it, and the module is unchanged.</exception>
    public void LoadWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.OpenRead(path);
        LoadWeights(file);
    }

    /// <inheritdoc cref="LoadWeights(string)"/>
    public void LoadWeights(Stream stream)
    {
        using var seekable = Seekable(stream);
        LoadWeights(seekable, SafetensorsFile.ReadHeader(seekable));
    }

    /// <summary>The key of the architecture in a saved file's <c>__metadata__</c>.</summary>
    internal const string ArchitectureKey = "minigrad.architecture";

    private protected void LoadWeights(Stream stream, SafetensorsFile.Header header)
    {
        var expected = State("").ToList();
        var entries = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var missing = expected.Where(s => !entries.ContainsKey(s.Name)).Select(s => s.Name).ToList();
        var unexpected = entries.Keys.Except(expected.Select(s => s.Name)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"The file does not fit {this}: " + string.Join("; ",
                new[] { missing.Count > 0 ? $"missing {string.Join(", ", missing)}" : "", unexpected.Count > 0 ? $"unexpected {string.Join(", ", unexpected)}" : "" }
                .Where(part => part.Length > 0)) + ".");

        // Read and check everything first; only then change the module, so a bad file leaves it as it was.
        var values = new List<(StateTensor<T> Target, T[] Values)>();
        foreach (var target in expected)
        {
            var entry = entries[target.Name];
            if (!entry.Shape.SequenceEqual(target.Shape))
                throw new InvalidDataException($"Tensor '{target.Name}' is {entry.ShapeText} in the file but {target.ShapeText} in {this}.");
            if (entry.Type == SafetensorsType.I64 && !target.IsCounter)
                throw new InvalidDataException($"Tensor '{target.Name}' is I64 in the file; MiniGrad reads weights as F16, BF16, F32 or F64.");
            var buffer = new T[entry.Count];
            SafetensorsFile.ReadValues(stream, header, entry, buffer);
            values.Add((target, buffer));
        }
        foreach (var (target, buffer) in values) target.Write(buffer);
    }

    /// <summary>A seekable view of <paramref name="stream"/>: itself, or a copy of what is left of it.</summary>
    private protected static Stream Seekable(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek) return new SubStream(stream);
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    /// <summary>Every tensor of this module's state and its sub-modules', named from <paramref name="prefix"/>.</summary>
    internal IEnumerable<StateTensor<T>> State(string prefix)
    {
        foreach (var tensor in OwnState()) yield return tensor with { Name = prefix + tensor.Name };
        foreach (var (name, child) in children)
            foreach (var tensor in child.State($"{prefix}{name}."))
                yield return tensor;
    }

    /// <summary>A copy of every tensor of the state (weights and running statistics), for <see cref="RestoreState"/>.</summary>
    internal T[][] CopyState() => State("").Select(tensor => tensor.Read()).ToArray();

    /// <summary>Puts back a state taken by <see cref="CopyState"/> from this module.</summary>
    internal void RestoreState(T[][] copy)
    {
        int i = 0;
        foreach (var tensor in State("")) tensor.Write(copy[i++]);
    }

    /// <summary>
    /// This module's own tensors as a saved file holds them: by default each registered parameter under its name, a
    /// 1 × n row as [n] and anything else as [rows, cols]. Layers whose PyTorch layout differs (Dense, Maxout) override it.
    /// </summary>
    private protected virtual IEnumerable<StateTensor<T>> OwnState() => parameters.Select(p => StateTensor<T>.Of(p.Name, p.Parameter));

    /// <summary>
    /// This module's architecture, for <see cref="Sequential{T}.Load(string)"/>; null when it cannot describe itself (a
    /// module of your own), in which case a file holds its weights only and <see cref="LoadWeights(string)"/> reads them.
    /// </summary>
    internal virtual ModuleSpec? Spec() => null;

    /// <summary>A view of a stream from its current position, so a caller's stream can be read as a whole file.</summary>
    private sealed class SubStream(Stream inner) : Stream
    {
        private readonly long start = inner.Position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => inner.Length - start;
        public override long Position { get => inner.Position - start; set => inner.Position = start + value; }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => origin switch
        {
            SeekOrigin.Begin => inner.Seek(start + offset, SeekOrigin.Begin) - start,
            SeekOrigin.Current => inner.Seek(offset, SeekOrigin.Current) - start,
            _ => inner.Seek(offset, SeekOrigin.End) - start,
        };
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { } // the caller's stream stays open
    }
}
