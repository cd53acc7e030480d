using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using MathNet.Numerics.LinearAlgebra;
using MiniGrad.Kernels;

namespace MiniGrad;

/// <summary>
/// A rank-2 tensor of <c>float</c> or <c>double</c>: <see cref="Rows"/> × <see cref="Cols"/>, row-major and
/// contiguous. A batch is rows, features are columns; a bias is 1 × n; a loss is 1 × 1.
/// </summary>
/// <remarks>
/// <para>A tensor created with <c>requiresGrad: true</c> is a leaf whose gradient the tape accumulates
/// (<c>+=</c>) into <see cref="Grad"/>. While a <see cref="Tape"/> is open on this thread, every op that reads
/// such a tensor is recorded, and its result requires grad too.</para>
/// <para>Results recorded on a tape are intermediates: their memory comes from a pool, stays readable until the tape is
/// disposed and then goes back to the pool (the loss that <see cref="Tape.Backward{T}(Tensor{T})"/> started from stays
/// readable until the next tape opens on this thread). Reading an intermediate after that throws
/// <see cref="InvalidOperationException"/>; call <see cref="Detach"/> to keep a copy.</para>
/// </remarks>
/// <typeparam name="T"><c>float</c> (training) or <c>double</c> (gradient checks).</typeparam>
public sealed partial class Tensor<T> : IPoolable, IReleasable, IClaimable where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] values;
    private bool requiresGrad;

    /// <summary>Whether the pool owns this tensor's memory (a tape intermediate, its gradient, a scratch buffer).</summary>
    internal bool IsPooled { get; private init; }

    /// <summary>Whether a pooled tensor has gone back to the pool, so that reading it through the public API throws.</summary>
    internal bool IsReleased { get; private set; }

    bool IPoolable.IsReleased { get => IsReleased; set => IsReleased = value; }

    /// <summary>Number of rows (the batch dimension).</summary>
    public int Rows { get; private set; }

    /// <summary>Number of columns (the feature dimension).</summary>
    public int Cols { get; private set; }

    /// <summary>Number of elements, <see cref="Rows"/> × <see cref="Cols"/>.</summary>
    public int Length => values.Length;

    internal Tensor(int rows, int cols)
    {
        RequireSupportedType();
        TensorBudget.Take((long)rows * cols);
        if ((long)rows * cols > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(rows), $"A {rows}x{cols} tensor would hold {(long)rows * cols} elements; a tensor holds at most {Array.MaxLength}.");
        Rows = rows;
        Cols = cols;
        values = new T[checked(rows * cols)];
    }

    private Tensor(int rows, int cols, T[] values, bool requiresGrad)
    {
        RequireSupportedType();
        Rows = rows;
        Cols = cols;
        this.values = values;
        this.requiresGrad = requiresGrad;
    }

    /// <summary>
    /// Refuses an element type other than float and double at the first tensor made of it, with an exception that says so
    /// (a check in a static constructor would surface as a TypeInitializationException hiding the reason). The JIT folds it
    /// away for float and double.
    /// </summary>
    /// <exception cref="NotSupportedException">T is neither float nor double.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RequireSupportedType()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"Tensor<{typeof(T).Name}> is not supported: MiniGrad computes in float or double.");
    }

    /// <summary>The elements, row-major, with no checks: for the engine's own kernels.</summary>
    internal Span<T> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => values;
    }

    /// <summary>The backing array (exactly <see cref="Length"/> long), for kernels that hand it to other threads.</summary>
    internal T[] Values => values;

    /// <summary>Row <paramref name="row"/> as a span of <see cref="Cols"/> elements, with no checks.</summary>
    internal Span<T> Row(int row) => values.AsSpan(row * Cols, Cols);

    // ---- The pool -------------------------------------------------------------------------------------------

    [ThreadStatic] private static long poolCreated;

    /// <summary>How many tensors this thread's pool has had to create (rather than reuse) so far.</summary>
    internal static long PoolCreated => poolCreated;

    /// <summary>A pooled rows × cols tensor from this thread's pool; its contents are whatever its last user left.</summary>
    internal static Tensor<T> Rent(int rows, int cols)
    {
        var tensor = Pool<Tensor<T>>.TryRent(rows * cols);
        if (tensor is null)
        {
            poolCreated++;
            return new Tensor<T>(rows, cols) { IsPooled = true };
        }
        tensor.Rows = rows;
        tensor.Cols = cols;
        return tensor;
    }

    /// <summary>Gives a pooled tensor back; from now on reading it through the public API throws.</summary>
    internal void Return()
    {
        if (!IsPooled) throw new InvalidOperationException("Internal error: a tensor the pool does not own was returned to it.");
        requiresGrad = false;
        Pool<Tensor<T>>.Return(this);
    }

    /// <summary>
    /// Whether the tape computes a gradient for this tensor. Settable on leaves (tensors made by the user);
    /// results of recorded ops always require grad.
    /// </summary>
    public bool RequiresGrad
    {
        get { ThrowIfReleased(); return requiresGrad; }
        set
        {
            ThrowIfReleased();
            if (Node is not null && !value)
                throw new InvalidOperationException("RequiresGrad cannot be turned off on a result recorded by a tape; use Detach() to get a copy that does not require grad.");
            requiresGrad = value;
        }
    }

    /// <summary>
    /// Whether this tensor was made by the user rather than by a recorded op (PyTorch's <c>is_leaf</c>).
    /// Only leaves keep a <see cref="Grad"/> after backward, and only leaves can be optimizer parameters.
    /// </summary>
    public bool IsLeaf => !IsPooled;

    /// <summary>
    /// The gradient of the last backward pass with respect to this tensor, accumulated (<c>+=</c>) over passes:
    /// same shape as this tensor, <c>null</c> until a backward pass reaches it. Cleared by <see cref="ZeroGrad"/>.
    /// </summary>
    public Tensor<T>? Grad
    {
        get { ThrowIfReleased(); return MaterializeGrad(); }
    }

    /// <summary>
    /// Sets <see cref="Grad"/> to zero, keeping its memory, if there is one. The zeros are not written here: the next
    /// backward pass writes its gradient over the old one instead of adding to it, so zeroing costs no pass over memory
    /// (the effect of PyTorch's <c>zero_grad()</c>, which drops <c>.grad</c> for the same reason). Reading
    /// <see cref="Grad"/> before then writes the zeros. So read <see cref="Grad"/> after this call; a gradient tensor
    /// kept from before it still shows the old values until one of those two happens.
    /// </summary>
    public void ZeroGrad()
    {
        ThrowIfReleased();
        if (grad is not null) gradIsZero = true;
    }

    /// <summary>The shape as PyTorch prints it in its messages, e.g. <c>2x3</c>.</summary>
    public string Shape => $"{Rows}x{Cols}";

    /// <summary>The element at <paramref name="row"/>, <paramref name="col"/>.</summary>
    [IndexerName("Element")] // frees the name Item for the value of a 1x1 tensor, as PyTorch's item()
    public T this[int row, int col]
    {
        get
        {
            ThrowIfReleased();
            return values[Index(row, col)];
        }
        set
        {
            ThrowIfReleased();
            values[Index(row, col)] = value;
        }
    }

    /// <summary>The single value of a 1 × 1 tensor, such as a loss (PyTorch's <c>item()</c>).</summary>
    public T Item
    {
        get
        {
            ThrowIfReleased();
            if (Length != 1) throw new InvalidOperationException($"Item needs a 1x1 tensor; this one is {Shape}.");
            return values[0];
        }
    }

    /// <summary>The elements, row-major, for reading or writing in place.</summary>
    public Span<T> AsSpan()
    {
        ThrowIfReleased();
        return values;
    }

    private int Index(int row, int col)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row index out of range for a {Shape} tensor.");
        if ((uint)col >= (uint)Cols) throw new ArgumentOutOfRangeException(nameof(col), col, $"Column index out of range for a {Shape} tensor.");
        return row * Cols + col;
    }

    internal void ThrowIfReleased()
    {
        if (IsReleased)
            throw new InvalidOperationException(
                "This tensor was an intermediate result on a tape that has been disposed, and its memory has gone back to the pool. " +
                "Read what you need before the tape is disposed (the loss stays readable until the next tape opens), or call Detach() to keep a copy.");
    }

    // ---- Creation ----------------------------------------------------------------------------------------

    /// <summary>A tensor holding a copy of <paramref name="values"/> (rows × columns).</summary>
    public static Tensor<T> FromArray(T[,] values, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(values);
        var tensor = new Tensor<T>(values.GetLength(0), values.GetLength(1)) { requiresGrad = requiresGrad };
        int i = 0;
        foreach (var value in values) tensor.values[i++] = value; // a T[,] enumerates row-major
        return tensor;
    }

    /// <summary>A <paramref name="rows"/> × <paramref name="cols"/> tensor holding a copy of the row-major <paramref name="values"/>.</summary>
    public static Tensor<T> FromArray(int rows, int cols, ReadOnlySpan<T> values, bool requiresGrad = false)
    {
        CheckDimensions(rows, cols);
        if (values.Length != rows * cols)
            throw new ArgumentException($"FromArray: {values.Length} values cannot fill a {rows}x{cols} tensor ({rows * cols} elements).", nameof(values));
        return new Tensor<T>(rows, cols, values.ToArray(), requiresGrad);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor<T> Zeros(int rows, int cols, bool requiresGrad = false) => Full(rows, cols, T.Zero, requiresGrad);

    /// <summary>A tensor of ones.</summary>
    public static Tensor<T> Ones(int rows, int cols, bool requiresGrad = false) => Full(rows, cols, T.One, requiresGrad);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor<T> Full(int rows, int cols, T value, bool requiresGrad = false)
    {
        var tensor = Create(rows, cols, requiresGrad);
        tensor.values.AsSpan().Fill(value);
        return tensor;
    }

    /// <summary>A tensor of samples from U[0, 1) drawn row-major from <paramref name="rng"/> (PyTorch's <c>rand</c>).</summary>
    public static Tensor<T> Random(int rows, int cols, System.Random rng, bool requiresGrad = false) =>
        RandomUniform(rows, cols, 0.0, 1.0, rng, requiresGrad);

    /// <summary>A tensor of samples from U[<paramref name="low"/>, <paramref name="high"/>) drawn row-major from <paramref name="rng"/>.</summary>
    public static Tensor<T> RandomUniform(int rows, int cols, double low, double high, System.Random rng, bool requiresGrad = false)
    {
        var tensor = Create(rows, cols, requiresGrad);
        tensor.FillUniform(low, high, rng);
        return tensor;
    }

    /// <summary>A tensor of samples from N(0, 1) drawn row-major from <paramref name="rng"/> (PyTorch's <c>randn</c>).</summary>
    public static Tensor<T> RandomNormal(int rows, int cols, System.Random rng, bool requiresGrad = false) =>
        RandomNormal(rows, cols, 0, 1, rng, requiresGrad);

    /// <summary>A tensor of samples from N(<paramref name="mean"/>, <paramref name="std"/>²) drawn row-major from <paramref name="rng"/>.</summary>
    public static Tensor<T> RandomNormal(int rows, int cols, double mean, double std, System.Random rng, bool requiresGrad = false)
    {
        var tensor = Create(rows, cols, requiresGrad);
        tensor.FillNormal(mean, std, rng);
        return tensor;
    }

    private static Tensor<T> Create(int rows, int cols, bool requiresGrad)
    {
        CheckDimensions(rows, cols);
        return new Tensor<T>(rows, cols) { requiresGrad = requiresGrad };
    }

    /// <summary>Fills this tensor in place with samples of U[<paramref name="low"/>, <paramref name="high"/>), drawn row-major.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or low &gt; high.</exception>
    internal void FillUniform(double low, double high, System.Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Require.Finite(low, nameof(low));
        if (!double.IsFinite(high) || high < low) throw Require.OutOfRange(nameof(high), high, $"must be a finite number ≥ low ({low.ToString(CultureInfo.InvariantCulture)})");
        for (int i = 0; i < values.Length; i++) values[i] = T.CreateTruncating(low + (high - low) * rng.NextDouble());
    }

    /// <summary>Fills this tensor in place with samples of N(<paramref name="mean"/>, <paramref name="std"/>²), drawn row-major.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The mean is not finite, or std is not finite and ≥ 0.</exception>
    internal void FillNormal(double mean, double std, System.Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Require.Finite(mean, nameof(mean));
        Require.NonNegative(std, nameof(std));
        for (int i = 0; i < values.Length; i++) values[i] = T.CreateTruncating(MathNet.Numerics.Distributions.Normal.Sample(rng, mean, std));
    }

    /// <summary>A tensor holding a copy of a MathNet matrix.</summary>
    public static Tensor<T> FromMatrix(Matrix<T> matrix, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return FromArray(matrix.ToArray(), requiresGrad);
    }

    /// <summary>A copy of the elements as a MathNet dense matrix.</summary>
    public Matrix<T> ToMatrix() => Matrix<T>.Build.DenseOfArray(ToArray());

    /// <summary>A copy of the elements as a rows × columns array.</summary>
    public T[,] ToArray()
    {
        ThrowIfReleased();
        var array = new T[Rows, Cols];
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
                array[r, c] = values[r * Cols + c];
        return array;
    }

    /// <summary>
    /// A copy that is off the tape and does not require grad (PyTorch's <c>detach().clone()</c>); it stays valid
    /// after the tape has released this tensor's memory.
    /// </summary>
    public Tensor<T> Detach()
    {
        ThrowIfReleased();
        return new Tensor<T>(Rows, Cols, values.ToArray(), requiresGrad: false);
    }

    internal static void CheckDimensions(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if ((long)rows * cols > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(rows), $"A {rows}x{cols} tensor has more elements than an array can hold.");
    }

    /// <summary>The values in PyTorch's style, e.g. <c>tensor([[0, 1], [1, 0]], requires_grad)</c>; at most 6 rows and columns are shown.</summary>
    public override string ToString()
    {
        if (IsReleased) return $"tensor(released {Shape} intermediate)";
        const int shown = 6;
        var text = new StringBuilder("tensor([");
        for (int r = 0; r < Math.Min(Rows, shown); r++)
        {
            if (r > 0) text.Append(", ");
            text.Append('[');
            for (int c = 0; c < Math.Min(Cols, shown); c++)
            {
                if (c > 0) text.Append(", ");
                text.Append(values[r * Cols + c].ToString("G6", CultureInfo.InvariantCulture));
            }
            if (Cols > shown) text.Append(", ...");
            text.Append(']');
        }
        if (Rows > shown) text.Append(", ...");
        text.Append("], ").Append(Shape);
        if (requiresGrad) text.Append(", requires_grad");
        return text.Append(')').ToString();
    }
}
