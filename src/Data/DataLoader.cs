using System.Collections;
using System.Numerics;

namespace MiniGrad.Data;

/// <summary>One minibatch: its features, and its class labels (classification) or targets (regression).</summary>
/// <param name="Features">batch × features.</param>
/// <param name="Labels">One class index per row; empty for a regression loader.</param>
/// <param name="Targets">batch × outputs for a regression loader; null for a classification one.</param>
public readonly record struct Batch<T>(Tensor<T> Features, int[] Labels, Tensor<T>? Targets) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The number of examples in the batch.</summary>
    public int Count => Features.Rows;

    /// <summary>Deconstructs a classification batch: <c>foreach (var (x, labels) in loader)</c>.</summary>
    /// <exception cref="InvalidOperationException">The batch holds regression targets, not labels (read <see cref="Targets"/>).</exception>
    public void Deconstruct(out Tensor<T> features, out int[] labels) => (features, labels) = Targets is null ? (Features, Labels)
        : throw new InvalidOperationException("This batch holds regression targets, not class labels: write foreach (var batch in loader) and read batch.Features and batch.Targets.");
}

/// <summary>
/// Minibatches of a data set, as PyTorch's <c>DataLoader</c> gives them: <c>foreach (var (x, labels) in loader)</c> visits
/// every example once per epoch (each <c>foreach</c> is an epoch), in an order shuffled afresh each epoch from the seed,
/// <see cref="BatchSize"/> rows at a time, the last batch smaller unless <see cref="DropLast"/>.
/// </summary>
/// <remarks>
/// The loader reuses its batch tensors and label arrays: each batch overwrites the one before it, so iterating allocates
/// nothing once warm. Read what you need from a batch before the next, or <see cref="Tensor{T}.Detach"/> it to keep it.
/// The batches are plain tensors (no gradient), made for feeding a model.
/// </remarks>
public sealed class DataLoader<T> : IEnumerable<Batch<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T> features;
    private readonly int[]? labels;
    private readonly Tensor<T>? targets;
    private readonly Random? shuffler;
    private readonly int[] order;
    private readonly Batch<T>[] buffers = new Batch<T>[2]; // a full batch, and the last partial one

    /// <summary>A loader of <paramref name="features"/> with class <paramref name="labels"/>, for classification.</summary>
    /// <param name="features">examples × features.</param>
    /// <param name="labels">One class index per example.</param>
    /// <param name="batchSize">Examples per batch, at least 1.</param>
    /// <param name="shuffle">Whether each epoch visits the examples in a new random order.</param>
    /// <param name="dropLast">Whether to leave out the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">Seeds the shuffling, so runs repeat exactly.</param>
    /// <exception cref="ArgumentException">The counts of features and labels differ, or there are no examples.</exception>
    public DataLoader(Tensor<T> features, int[] labels, int batchSize, bool shuffle = true, bool dropLast = false, int seed = 0)
        : this(features, labels, null, batchSize, shuffle, dropLast, seed)
    {
    }

    /// <summary>A loader of <paramref name="features"/> with <paramref name="targets"/> (one row per example), for regression.</summary>
    /// <exception cref="ArgumentException">The row counts differ, or there are no examples.</exception>
    public DataLoader(Tensor<T> features, Tensor<T> targets, int batchSize, bool shuffle = true, bool dropLast = false, int seed = 0)
        : this(features, null, targets, batchSize, shuffle, dropLast, seed)
    {
    }

    private DataLoader(Tensor<T> features, int[]? labels, Tensor<T>? targets, int batchSize, bool shuffle, bool dropLast, int seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        features.ThrowIfReleased();
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int count = features.Rows;
        if (count == 0) throw new ArgumentException("DataLoader: the data set has no examples.", nameof(features));
        if (labels is not null && labels.Length != count)
            throw new ArgumentException($"DataLoader: {count} examples ({features.Shape} features) but {labels.Length} labels.", nameof(labels));
        if (targets is not null && targets.Rows != count)
            throw new ArgumentException($"DataLoader: {count} examples ({features.Shape} features) but {targets.Rows} rows of targets ({targets.Shape}).", nameof(targets));
        (this.features, this.labels, this.targets) = (features, labels, targets);
        (BatchSize, DropLast) = (batchSize, dropLast);
        shuffler = shuffle ? new Random(seed) : null;
        order = Enumerable.Range(0, count).ToArray();
    }

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether a last, smaller batch is left out.</summary>
    public bool DropLast { get; }

    /// <summary>The number of features (columns) of each example.</summary>
    public int FeatureCount => features.Cols;

    /// <summary>The number of target columns of a regression loader; 0 for a classification one.</summary>
    public int TargetCount => targets?.Cols ?? 0;

    /// <summary>The largest class label, −1 for a regression loader (for checking labels against a model's outputs).</summary>
    internal int LargestLabel => labels is null || labels.Length == 0 ? -1 : labels.Max();

    /// <summary>Whether the batches carry class labels (a classification loader) rather than targets (a regression one).</summary>
    public bool HasLabels => labels is not null;

    /// <summary>The number of examples.</summary>
    public int Count => order.Length;

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>Starts an epoch: a new order when shuffling, then the batches.</summary>
    public Enumerator GetEnumerator()
    {
        if (shuffler is not null)
            for (int i = order.Length - 1; i > 0; i--) // Fisher–Yates
            {
                int j = shuffler.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        return new Enumerator(this);
    }

    IEnumerator<Batch<T>> IEnumerable<Batch<T>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The batch of <paramref name="size"/> examples that start at <paramref name="start"/> of this epoch's order.</summary>
    private Batch<T> Fill(int start, int size)
    {
        int slot = size == BatchSize ? 0 : 1;
        if (buffers[slot].Features is null || buffers[slot].Count != size)
            buffers[slot] = new Batch<T>(Tensor<T>.Zeros(size, features.Cols), labels is null ? [] : new int[size],
                targets is null ? null : Tensor<T>.Zeros(size, targets.Cols));
        var batch = buffers[slot];
        for (int i = 0; i < size; i++)
        {
            int example = order[start + i];
            features.Row(example).CopyTo(batch.Features.Row(i));
            if (labels is not null) batch.Labels[i] = labels[example];
            if (targets is not null) targets.Row(example).CopyTo(batch.Targets!.Row(i));
        }
        return batch;
    }

    /// <summary>Walks one epoch's batches; a struct, so <c>foreach</c> allocates nothing.</summary>
    public struct Enumerator : IEnumerator<Batch<T>>
    {
        private readonly DataLoader<T> loader;
        private int next;

        internal Enumerator(DataLoader<T> loader) => this.loader = loader;

        /// <summary>The current batch.</summary>
        public Batch<T> Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        /// <summary>Fills the next batch; false when the epoch is over.</summary>
        public bool MoveNext()
        {
            int size = Math.Min(loader.BatchSize, loader.Count - next);
            if (size <= 0 || (size < loader.BatchSize && loader.DropLast)) return false;
            Current = loader.Fill(next, size);
            next += size;
            return true;
        }

        /// <summary>Not supported: start a new epoch with a new <c>foreach</c>.</summary>
        public readonly void Reset() => throw new NotSupportedException("Start a new epoch with a new foreach over the loader.");

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
