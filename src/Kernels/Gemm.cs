using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniGrad.Kernels;

/// <summary>
/// The one matrix product behind every MatMul and Dense layer, forward and backward:
/// C (m × n) = op(A) · op(B) [+ bias], or C += op(A) · op(B) [+ bias] when accumulating, where op(X) is X or
/// Xᵀ and bias is a 1 × n row added to every row. All matrices are row-major and contiguous; A is stored
/// m × k (k × m when transposed) and B k × n (n × k when transposed), so no transpose is ever materialised.
/// </summary>
/// <remarks>
/// <para>The structure is the classic one of Goto and van de Geijn (2008), as in BLIS: C is computed in
/// blocks of <see cref="BlockRows"/> rows × <see cref="BlockCols"/> columns, summing over k in slices of
/// <see cref="BlockDepth"/>. For each slice, op(B)'s block is copied ("packed") into panels
/// <c>NR</c> columns wide and op(A)'s into panels <see cref="TileRows"/> rows tall, each laid out in the
/// order the micro-kernel reads it, so the kernel streams both from L1/L2 with unit stride whatever the
/// transposition. Packing a stored A, a stored B or a transposed B asks for the cache lines of the rows it reads next,
/// since each row's run there is too short for the hardware prefetchers to follow. The micro-kernel keeps a
/// <see cref="TileRows"/> × NR tile of C in registers (NR = two vectors: 32 floats with AVX-512) and adds one rank-1
/// update per k. A product at most <see cref="DirectColumns"/> wide would use each packed panel of A only a few times,
/// so there the kernel reads A where it is stored, transposed or not. Likewise a stored B is read in place when one panel
/// of A's rows would use each packed value once, or when its block is small enough (<see cref="InPlaceElements"/>) to
/// stay in L1 unpacked.</para>
/// <para>Edges are packed with zeros, so the kernel always computes a whole tile; a tile that sticks out of
/// C is written to a scratch tile and only its valid part is added. A last panel of at most four rows takes a four-row
/// tile (RegisterTile.Four), written into C where it lies when it is exactly four rows (64, 256, 1,024 rows leave four).
/// A last panel of columns at most one vector wide is packed as wide as the narrowest vector that holds it and computed
/// twelve rows at a time, so its padding costs at most one such vector, not two whole ones; one of at most four columns,
/// on vectors of eight lanes or more, is computed four columns to a quarter of a vector, so a multiply-add covers four
/// steps of k or four rows of C (Job.InQuarters). The bias is added in the first slice's write-out, so <c>x·W + b</c> is
/// one pass over C.</para>
/// <para>Large products are split over the <see cref="WorkerPool"/> by rows (or by columns when there are few
/// rows) at tile boundaries. Every element of C is summed in the same order — slice by slice, k ascending
/// within a slice (in the four-column panel of an A stored m × k, as W/4 interleaved partial sums added pairwise) —
/// whichever thread computes it, so results are bit-identical from run to run.</para>
/// </remarks>
internal static class Gemm
{
    internal const int TileRows = 6;
    internal const int BlockRows = 96;
    internal const int BlockDepth = 256;
    internal const int BlockCols = 2048;

    /// <summary>Below this many multiply-adds a product runs on the calling thread alone.</summary>
    internal const long ParallelThreshold = 1 << 21;

    /// <summary>C = [C +] op(A) · op(B) [+ bias]; see the class remarks.</summary>
    /// <exception cref="ArgumentException">An array is too small for its matrix, or the bias is not n long.</exception>
    internal static void Multiply<T>(
        int m, int n, int k,
        T[] a, bool transposeA,
        T[] b, bool transposeB,
        T[] c, bool accumulate,
        T[]? bias = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(m, n, k, a, b, c, bias);
        if (m == 0 || n == 0) return;

        if (Lanes512<T>.IsAccelerated) Run<T, Lanes512<T>>(m, n, k, a, transposeA, b, transposeB, c, accumulate, bias);
        else if (Lanes256<T>.IsAccelerated) Run<T, Lanes256<T>>(m, n, k, a, transposeA, b, transposeB, c, accumulate, bias);
        else if (Lanes128<T>.IsAccelerated) Run<T, Lanes128<T>>(m, n, k, a, transposeA, b, transposeB, c, accumulate, bias);
        else Run<T, Lanes1<T>>(m, n, k, a, transposeA, b, transposeB, c, accumulate, bias);
    }

    /// <summary>One product's operands, C = [C +] op(A) · op(B), for <see cref="MultiplyBoth"/>.</summary>
    internal readonly record struct Product<T>(int M, int N, int K, T[] A, bool TransposeA, T[] B, bool TransposeB, T[] C, bool Accumulate);

    /// <summary>
    /// Two products, the first then the second, as a layer's backward step needs them: dX = dY·Wᵀ and dW = Xᵀ·dY. When
    /// they are independent (neither writes an array the other reads or writes) and both are mid-sized
    /// (<see cref="SideBySideMinimum"/>), they run side by side, each whole on its own share of the threads, rather than
    /// one after the other, each split: a split product packs its shared operand once per thread and pays a hand-off for
    /// half the work. Either way every element of C is summed in the same order, so the results are bit-identical to two
    /// calls of <see cref="Multiply"/>, whatever the thread count.
    /// </summary>
    /// <exception cref="ArgumentException">An array is too small for its matrix (checked for both before either runs).</exception>
    internal static void MultiplyBoth<T>(in Product<T> first, in Product<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(first.M, first.N, first.K, first.A, first.B, first.C, bias: null);
        Check(second.M, second.N, second.K, second.A, second.B, second.C, bias: null);
        if (!RunsSideBySide(first, second))
        {
            Multiply(first.M, first.N, first.K, first.A, first.TransposeA, first.B, first.TransposeB, first.C, first.Accumulate);
            Multiply(second.M, second.N, second.K, second.A, second.TransposeA, second.B, second.TransposeB, second.C, second.Accumulate);
            return;
        }

        if (Lanes512<T>.IsAccelerated) RunBoth<T, Lanes512<T>>(first, second);
        else if (Lanes256<T>.IsAccelerated) RunBoth<T, Lanes256<T>>(first, second);
        else if (Lanes128<T>.IsAccelerated) RunBoth<T, Lanes128<T>>(first, second);
        else RunBoth<T, Lanes1<T>>(first, second);
    }

    /// <summary>
    /// Products of <see cref="SideBySideMinimum"/> to <see cref="SideBySideLimit"/> multiply-adds and at least
    /// <see cref="SideBySideDepth"/> deep run side by side in <see cref="MultiplyBoth"/> (<see cref="RunsSideBySide"/>).
    /// Below the minimum, handing one to another thread costs more than it saves; above the limit, each splits well on its
    /// own, and splitting keeps the threads even when the two run at different speeds; a shallower product is bound by
    /// writing C rather than by its multiply-adds, so it would finish far from its partner (bench/MiniGrad.Benchmarks/NOTES.md
    /// has the measurements). While the cores are far apart the minimum is raised as <see cref="WorkerPool.Threshold"/> says.
    /// </summary>
    internal const long SideBySideMinimum = ParallelThreshold / 16, SideBySideLimit = 1 << 22;

    /// <inheritdoc cref="SideBySideMinimum"/>
    internal const int SideBySideDepth = 32;

    /// <summary>
    /// Whether <see cref="MultiplyBoth"/> runs the two at once: with two threads or more, when neither writes an array the
    /// other reads or writes, and both are mid-sized and deep enough (<see cref="SideBySideMinimum"/>).
    /// </summary>
    internal static bool RunsSideBySide<T>(in Product<T> first, in Product<T> second)
    {
        bool independent = first.C != second.C && first.C != second.A && first.C != second.B && second.C != first.A && second.C != first.B;
        if (WorkerPool.Threads < 2 || !independent) return false;
        long minimum = WorkerPool.Threshold(SideBySideMinimum);
        return MidSized(first, minimum) && MidSized(second, minimum);

        static bool MidSized(in Product<T> product, long minimum)
        {
            long size = (long)product.M * product.N * product.K;
            bool fewRows = product.M <= FewRows && !product.TransposeA && !product.TransposeB; // those take FewRowsTimesB
            return size >= minimum && size <= SideBySideLimit && product.K >= SideBySideDepth && !fewRows;
        }
    }

    private static void Check<T>(int m, int n, int k, T[] a, T[] b, T[] c, T[]? bias)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
            throw new ArgumentException($"Gemm: arrays of {a.Length}, {b.Length} and {c.Length} elements do not hold {m}x{k}, {k}x{n} and {m}x{n} matrices.");
        if (bias is not null && bias.Length != n)
            throw new ArgumentException($"Gemm: the bias has {bias.Length} elements but C has {n} columns.", nameof(bias));
    }

    /// <summary>The width of a micro-tile for this element type on this machine: two vectors.</summary>
    internal static int TileCols<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        Lanes512<T>.IsAccelerated ? 2 * Lanes512<T>.Count
        : Lanes256<T>.IsAccelerated ? 2 * Lanes256<T>.Count
        : Lanes128<T>.IsAccelerated ? 2 * Lanes128<T>.Count
        : 2;

    private static void Run<T, TLanes>(int m, int n, int k, T[] a, bool transposeA, T[] b, bool transposeB, T[] c, bool accumulate, T[]? bias)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        if (k == 0)
        {
            // No products to sum: C keeps its value (or starts at zero) and gets the bias.
            for (int i = 0; i < m; i++)
            {
                var row = c.AsSpan(i * n, n);
                if (!accumulate) row.Clear();
                if (bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
            }
            return;
        }

        // A few rows of A times a stored B (a batch of one at inference): packing would copy all of B for a handful of
        // rows of C, so stream B instead, row by row, as a matrix-vector product does; with vectors no wider than C's rows
        // (n = 10 classes: 256-bit vectors where 512-bit ones would leave every column to the scalar tail).
        if (m <= FewRows && !transposeA && !transposeB)
        {
            bool narrowerThanVector = n < TLanes.Count && Lanes128<T>.IsAccelerated && typeof(TLanes) != typeof(Lanes128<T>);
            if (!narrowerThanVector)
                FewRowsTimesB<T, TLanes>(m, n, k, a, b, c, accumulate, bias);
            else if (n >= Lanes256<T>.Count && Lanes256<T>.IsAccelerated && typeof(TLanes) != typeof(Lanes256<T>))
                FewRowsTimesB<T, Lanes256<T>>(m, n, k, a, b, c, accumulate, bias);
            else
                FewRowsTimesB<T, Lanes128<T>>(m, n, k, a, b, c, accumulate, bias);
            return;
        }

        // The blocked, packed algorithm, on Cᵀ when C is narrow (Job.Set).
        var job = Job<T, TLanes>.ForThisThread;
        job.Set(m, n, k, a, transposeA, b, transposeB, c, accumulate, bias);
        WorkerPool.Run(job, WorkerPool.PartsFor((long)m * n * k, ParallelThreshold));
        job.Clear();
    }

    /// <summary><see cref="MultiplyBoth"/> on the blocked path: the first product on the first half of the threads, the second on the rest.</summary>
    private static void RunBoth<T, TLanes>(in Product<T> first, in Product<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        var pair = PairJob<T, TLanes>.ForThisThread;
        pair.First.Set(first);
        pair.Second.Set(second);
        WorkerPool.Run(pair, WorkerPool.Threads);
        pair.First.Clear();
        pair.Second.Clear();
    }

    /// <summary>
    /// Two products as one piece of parallel work: parts 0 .. ⌈P/2⌉ − 1 compute the first, the others the second. Run as a
    /// single part (the thread setting lowered meanwhile), it computes both, one after the other.
    /// </summary>
    private sealed class PairJob<T, TLanes> : IParallelWork
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        [ThreadStatic] private static PairJob<T, TLanes>? current;

        internal Job<T, TLanes> First { get; } = new();
        internal Job<T, TLanes> Second { get; } = new();

        internal static PairJob<T, TLanes> ForThisThread => current ??= new PairJob<T, TLanes>();

        public void Run(int part, int parts)
        {
            if (parts == 1)
            {
                First.Run(0, 1);
                Second.Run(0, 1);
                return;
            }
            int firstParts = (parts + 1) / 2;
            if (part < firstParts) First.Run(part, firstParts);
            else Second.Run(part - firstParts, parts - firstParts);
        }
    }

    /// <summary>One product, as a piece of parallel work: part p of P computes a band of rows or of columns of C.</summary>
    /// <remarks>
    /// Its packing and edge methods are marked AggressiveOptimization: they read no static readonly values, so compiled
    /// fully at their first call they are what tier 1 makes of them, without the first thousand steps of a small network
    /// spent in tier-0 code (see the remarks of <see cref="Lanes.Run{T, TLoop}"/>).
    /// </remarks>
    private sealed class Job<T, TLanes> : IParallelWork
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        [ThreadStatic] private static Job<T, TLanes>? current;

        private int m, n, k;
        private T[] a = [], b = [], c = [];
        private T[]? bias;
        private bool transposeA, transposeB, accumulate;
        /// <summary>Whether this job computes Cᵀ (m × n here) into the caller's n × m C.</summary>
        private bool transposedOutput;

        internal static Job<T, TLanes> ForThisThread => current ??= new Job<T, TLanes>();

        /// <summary>
        /// This job computes C = [C +] op(A) · op(B) [+ bias]. The tile is TileRows × 2 vectors, so a narrow C (n of 3
        /// classes, say) would waste most of each tile: then it computes Cᵀ = op(B)ᵀ·op(A)ᵀ instead, whose long side lies
        /// along the vectors, and writes it back transposed: the same sums, in the same order, on far fewer padded lanes.
        /// Writing back transposed goes element by element, so this pays only when it at least halves the padded tile area.
        /// </summary>
        internal void Set(int m, int n, int k, T[] a, bool transposeA, T[] b, bool transposeB, T[] c, bool accumulate, T[]? bias)
        {
            int tileCols = 2 * TLanes.Count;
            transposedOutput = 2L * RoundUp(n, TileRows) * RoundUp(m, tileCols) < (long)RoundUp(m, TileRows) * RoundUp(n, tileCols);
            if (transposedOutput)
                (this.m, this.n, this.k, this.a, this.transposeA, this.b, this.transposeB) = (n, m, k, b, !transposeB, a, !transposeA);
            else
                (this.m, this.n, this.k, this.a, this.transposeA, this.b, this.transposeB) = (m, n, k, a, transposeA, b, transposeB);
            (this.c, this.accumulate, this.bias) = (c, accumulate, bias);
        }

        /// <summary>This job computes <paramref name="product"/> (no bias), as <see cref="Set(int, int, int, T[], bool, T[], bool, T[], bool, T[])"/>.</summary>
        internal void Set(in Product<T> product) =>
            Set(product.M, product.N, product.K, product.A, product.TransposeA, product.B, product.TransposeB, product.C, product.Accumulate, bias: null);

        internal void Clear() => (a, b, c, bias) = ([], [], [], null); // let the arrays go

        public void Run(int part, int parts)
        {
            int tileCols = 2 * TLanes.Count;
            // Split the longer side, at tile boundaries, into near-equal bands.
            if (m >= n || n < parts * tileCols)
            {
                var (start, end) = WorkerPool.Band(m, TileRows, part, parts);
                if (start < end) Compute(start, end, 0, n);
            }
            else
            {
                var (start, end) = WorkerPool.Band(n, tileCols, part, parts);
                if (start < end) Compute(0, m, start, end);
            }
        }


        /// <summary>C[rowStart..rowEnd, colStart..colEnd] by the blocked, packed algorithm.</summary>
        private void Compute(int rowStart, int rowEnd, int colStart, int colEnd)
        {
            int tileCols = 2 * TLanes.Count;
            var buffers = PackBuffers<T>.ForThisThread(
                BlockRows * BlockDepth,
                BlockDepth * RoundUp(Math.Min(BlockCols, colEnd - colStart), tileCols));
            Span<T> packedA = buffers.A, packedB = buffers.B;
            // A narrow product uses each panel of A only a few times (once per NR columns), too few to repay packing it:
            // then the micro-kernel reads A where it is stored (PanelOfA), and only a last panel of fewer rows is packed.
            bool direct = n <= DirectColumns;
            // A stored B's whole-width panels are read where they lie, with its row stride, when packing them would not pay:
            // when one panel of A's rows uses each value of B once, or when B's block is small enough to stay in L1 while
            // the panels of A pass over it. Only a last, narrower panel is packed then (its padding must be zeros).
            bool bInPlace = !transposeB && (m <= TileRows || (long)Math.Min(k, BlockDepth) * n <= InPlaceElements);
            Span<T> scratch = stackalloc T[TileRows * tileCols]; // an edge tile, written whole, then its valid corner copied

            for (int jc = colStart; jc < colEnd; jc += BlockCols)
            {
                int nc = Math.Min(BlockCols, colEnd - jc);
                for (int pc = 0; pc < k; pc += BlockDepth)
                {
                    int kc = Math.Min(BlockDepth, k - pc);
                    bool first = pc == 0;
                    bool load = accumulate || !first;
                    PackB(packedB, pc, kc, jc, nc, tileCols, partialOnly: bInPlace);
                    for (int ic = rowStart; ic < rowEnd; ic += BlockRows)
                    {
                        int mc = Math.Min(BlockRows, rowEnd - ic);
                        PackA(packedA, ic, mc, pc, kc, partialOnly: direct);
                        for (int jr = 0; jr < nc; jr += tileCols)
                        {
                            int cols = Math.Min(tileCols, nc - jr);
                            if (cols <= TLanes.Count)
                            {
                                ref T narrowPanel = ref packedB[jr * kc];
                                bool addBias = first && bias is not null;
                                int width = NarrowWidth(cols);
                                if (InQuarters(cols) && transposeA)
                                    SpreadPanel(kc, ref narrowPanel, ic, mc, pc, jc + jr, cols, scratch, load, addBias);
                                else if (InQuarters(cols))
                                    QuartersPanel(kc, ref narrowPanel, ic, mc, pc, jc + jr, cols, scratch, load, addBias);
                                else if (width == TLanes.Count)
                                    NarrowPanel<TLanes>(kc, ref narrowPanel, packedA, direct, ic, mc, pc, jc + jr, cols, scratch, load, addBias);
                                else if (width == Lanes256<T>.Count)
                                    NarrowPanel<Lanes256<T>>(kc, ref narrowPanel, packedA, direct, ic, mc, pc, jc + jr, cols, scratch, load, addBias);
                                else
                                    NarrowPanel<Lanes128<T>>(kc, ref narrowPanel, packedA, direct, ic, mc, pc, jc + jr, cols, scratch, load, addBias);
                                continue;
                            }
                            bool whole = bInPlace && cols == tileCols;
                            ref T bPanel = ref whole ? ref b[pc * n + jc + jr] : ref packedB[jr * kc];
                            nint bRow = whole ? n : tileCols;
                            bool inPlace = cols == tileCols && !transposedOutput; // tiles go into C where it lies
                            ref T biasRow = ref first && bias is not null && inPlace ? ref bias[jc + jr] : ref Unsafe.NullRef<T>();
                            int ir = 0;
                            if (inPlace && mc >= TileRows)
                            {
                                // The whole panels of six rows, in one call down the column. Packed panels lie kc·6 apart,
                                // six rows of a stored A 6·aRow apart (PanelOfA).
                                ref T aPanel = ref PanelOfA(packedA, direct, ic, 0, mc, pc, kc, out nint aRow, out nint aStep);
                                int panels = mc / TileRows;
                                nint panelStep = direct ? TileRows * aRow : TileRows * kc;
                                MicroKernel(panels, panelStep, kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c[ic * n + jc + jr], n, load, ref biasRow);
                                ir = panels * TileRows;
                            }
                            for (; ir < mc; ir += TileRows)
                            {
                                int rows = Math.Min(TileRows, mc - ir);
                                ref T aPanel = ref PanelOfA(packedA, direct, ic, ir, mc, pc, kc, out nint aRow, out nint aStep);
                                bool four = rows <= 4; // a last panel of four rows or fewer takes the four-row tile
                                if (inPlace && rows == 4)
                                    MicroKernel(1, 0, kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c[(ic + ir) * n + jc + jr], n, load, ref biasRow, four);
                                else
                                {
                                    MicroKernel(1, 0, kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref MemoryMarshal.GetReference(scratch), tileCols, load: false, ref Unsafe.NullRef<T>(), four);
                                    AddTile(scratch, tileCols, ic + ir, jc + jr, rows, cols, load, first && bias is not null);
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The panel of A for rows ic + ir onward of this slice, and how to step through it: a packed panel holds element
        /// (r, p) at r + p·<see cref="TileRows"/> (aRow 1, aStep 6). Read in place, A stored m × k holds it at r·k + p
        /// (aRow k, aStep 1), and A stored k × m (transposed) at p·m + r (aRow 1, aStep m: six adjacent values per p, as
        /// packed, one row of storage apart). In place is used only for whole panels of a direct product; a last panel of
        /// fewer rows was packed.
        /// </summary>
        private ref T PanelOfA(Span<T> packedA, bool direct, int ic, int ir, int mc, int pc, int kc, out nint aRow, out nint aStep)
        {
            if (!direct || mc - ir < TileRows)
            {
                (aRow, aStep) = (1, TileRows);
                return ref packedA[ir * kc];
            }
            if (transposeA)
            {
                (aRow, aStep) = (1, m);
                return ref a[pc * m + ic + ir];
            }
            (aRow, aStep) = (k, 1);
            return ref a[(ic + ir) * k + pc];
        }

        /// <summary>
        /// How wide a last panel of <paramref name="cols"/> ≤ W columns is packed and computed: the narrowest accelerated
        /// vector that holds it, never wider than this job's. n = 100 with 32-float tiles leaves 4 columns: a 128-bit vector
        /// holds them where a 512-bit one would be three-quarters padding. Zen 4 executes a 512-bit multiply-add as two
        /// 256-bit halves, one per cycle against two 256- or 128-bit ones, so there the narrower kernel takes half the time;
        /// where a 512-bit multiply-add costs what a narrower one does, it costs the same and moves less padding.
        /// </summary>
        private static int NarrowWidth(int cols) =>
            Lanes128<T>.IsAccelerated && cols <= Lanes128<T>.Count && Lanes128<T>.Count < TLanes.Count ? Lanes128<T>.Count
            : Lanes256<T>.IsAccelerated && cols <= Lanes256<T>.Count && Lanes256<T>.Count < TLanes.Count ? Lanes256<T>.Count
            : TLanes.Count;

        /// <summary>
        /// The last panel of C's columns when it is at most one vector wide (n = 100 with 32-float tiles leaves 4): B's panel
        /// was packed <typeparamref name="TNarrow"/> wide (<see cref="NarrowWidth"/>), and <see cref="NarrowKernel"/>
        /// computes twelve rows by one such vector, two panels of A at once, instead of six rows by two vectors of which the
        /// second is all padding. Its tiles go through the scratch tile (twelve rows of one narrow vector: at most the size
        /// of a whole tile).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void NarrowPanel<TNarrow>(int kc, ref T bPanel, Span<T> packedA, bool direct, int ic, int mc, int pc, int col, int cols,
            Span<T> scratch, bool load, bool addBias)
            where TNarrow : struct, ILanes<T, TNarrow>
        {
            int w = TNarrow.Count;
            ref T tile = ref MemoryMarshal.GetReference(scratch);
            for (int ir = 0; ir < mc; ir += 2 * TileRows)
            {
                int rows = Math.Min(2 * TileRows, mc - ir);
                ref T top = ref PanelOfA(packedA, direct, ic, ir, mc, pc, kc, out nint aRow, out nint aStep);
                if (rows <= TileRows) // one panel left: it is computed twice over, once for each half of the kernel
                {
                    NarrowKernel<TNarrow>(kc, ref top, ref top, aRow, aStep, ref bPanel, ref tile);
                    AddTile(scratch, w, ic + ir, col, rows, cols, load, addBias);
                    continue;
                }
                ref T bottom = ref PanelOfA(packedA, direct, ic, ir + TileRows, mc, pc, kc, out nint bottomRow, out nint bottomStep);
                if (bottomRow == aRow && bottomStep == aStep)
                {
                    NarrowKernel<TNarrow>(kc, ref top, ref bottom, aRow, aStep, ref bPanel, ref tile);
                    AddTile(scratch, w, ic + ir, col, rows, cols, load, addBias);
                }
                else // a whole panel read in place above a packed last panel: one at a time
                {
                    NarrowKernel<TNarrow>(kc, ref top, ref top, aRow, aStep, ref bPanel, ref tile);
                    AddTile(scratch, w, ic + ir, col, TileRows, cols, load, addBias);
                    NarrowKernel<TNarrow>(kc, ref bottom, ref bottom, bottomRow, bottomStep, ref bPanel, ref tile);
                    AddTile(scratch, w, ic + ir + TileRows, col, rows - TileRows, cols, load, addBias);
                }
            }
        }

        /// <summary>
        /// Whether a last panel of <paramref name="cols"/> columns is computed four columns to a quarter of a vector: at most
        /// four columns, vectors of at least eight lanes (512 bits, or 256 bits of float), and A read in place (a direct
        /// product) with enough rows: <see cref="QuartersPanel"/> when A is stored m × k, <see cref="SpreadPanel"/> when it is
        /// stored transposed. spirals' hidden layer (n = 100) leaves 4 columns after three whole tiles; the narrow tile spends
        /// a multiply-add on them per row and step of k, on a quarter of a 512-bit vector, where these spend one per four
        /// steps of a row, or per step of four rows. A product only a few steps deep (spirals' first layer: k = 2) keeps the
        /// narrow tile, which has no partial sums to add up. PackB and Compute both ask, so the panel is packed the way it is
        /// read.
        /// </summary>
        private bool InQuarters(int cols) =>
            cols <= 4 && TLanes.Count >= 8 && n <= DirectColumns && m >= QuarterRows && (transposeA || k >= TLanes.Count);

        /// <summary>
        /// How many adjacent rows of A the four-column tiles compute at a time: 2W for a transposed A
        /// (<see cref="RegisterTile{T, TVector}.Spread"/>), twelve for a stored one (<see cref="RegisterTile{T, TVector}.Quarters"/>).
        /// </summary>
        private int QuarterRows => transposeA ? 2 * TLanes.Count : 2 * TileRows;

        /// <summary>
        /// The first of the <see cref="QuarterRows"/> rows computed for rows firstRow .. firstRow + rows − 1: those rows,
        /// or, when fewer are left, the block that ends at the last of them, or begins at row 0 when a thread's band is
        /// shorter than the block. A has at least that many rows (<see cref="InQuarters"/>), so the block lies inside it; the
        /// rows outside firstRow .. are computed too, and not written.
        /// </summary>
        private int QuarterStart(int firstRow, int rows) => Math.Max(firstRow + rows - QuarterRows, 0);

        /// <summary>op(B)[p, j]: b[p·n + j], or b[j·k + p] when B is stored transposed.</summary>
        private T ValueOfB(int p, int j) => transposeB ? b[j * k + p] : b[p * n + j];

        /// <summary>
        /// The last panel of C's columns, at most four, for <see cref="InQuarters"/> when A is stored m × k: twelve rows at
        /// a time (<see cref="QuarterStart"/>) by <see cref="RegisterTile{T, TVector}.Quarters"/> over the whole groups of
        /// G = W/4 steps of k (each element's G partial sums added pairwise), then the last kc mod G products added one by one.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void QuartersPanel(int kc, ref T bPanel, int ic, int mc, int pc, int col, int cols, Span<T> scratch, bool load, bool addBias)
        {
            int w = TLanes.Count, g = w / 4, groups = kc / g;
            ref T tile = ref MemoryMarshal.GetReference(scratch); // twelve rows of four
            for (int ir = 0; ir < mc; ir += QuarterRows)
            {
                int rows = Math.Min(QuarterRows, mc - ir), firstRow = ic + ir, start = QuarterStart(firstRow, rows);
                QuartersKernel(groups, ref a[start * k + pc], ref a[(start + TileRows) * k + pc], k, ref bPanel, ref tile);
                for (int p = groups * g; p < kc; p++) // the last steps, fewer than G: B's group is padded with zeros
                    for (int t = 0; t < QuarterRows; t++)
                    {
                        T ap = a[(start + t) * k + pc + p];
                        for (int j = 0; j < 4; j++)
                            Unsafe.Add(ref tile, t * 4 + j) += ap * Unsafe.Add(ref bPanel, groups * w + j * g + p - groups * g);
                    }
                AddTile(scratch[((firstRow - start) * 4)..], 4, firstRow, col, rows, cols, load, addBias);
            }
        }

        /// <summary>
        /// The last panel of C's columns, at most four, for <see cref="InQuarters"/> when A is stored transposed (k × m, so a
        /// step of k holds adjacent rows side by side): 2W rows at a time (<see cref="QuarterStart"/>) by
        /// <see cref="RegisterTile{T, TVector}.Spread"/>, each element one multiply-add chain over k in ascending order, as
        /// the narrow tile sums it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SpreadPanel(int kc, ref T bPanel, int ic, int mc, int pc, int col, int cols, Span<T> scratch, bool load, bool addBias)
        {
            ref T tile = ref MemoryMarshal.GetReference(scratch); // 2W rows of four
            for (int ir = 0; ir < mc; ir += QuarterRows)
            {
                int rows = Math.Min(QuarterRows, mc - ir), firstRow = ic + ir, start = QuarterStart(firstRow, rows);
                SpreadKernel(kc, ref a[pc * m + start], m, ref bPanel, ref tile);
                AddTile(scratch[((firstRow - start) * 4)..], 4, firstRow, col, rows, cols, load, addBias);
            }
        }

        /// <summary>
        /// Packs op(B)[pc .. pc+kc, col .. col+cols] (cols ≤ 4) for <see cref="SpreadPanel"/>: step p holds
        /// target[p·W + j·G + g] = op(B)[pc + p, col + j] for every g &lt; G = W/4 (each value G times), zeros past the last
        /// column. Each run of G is one 16-byte store where it is 16 bytes long (512-bit vectors).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackSpread(Span<T> packed, int pc, int kc, int col, int cols)
        {
            int w = TLanes.Count, g = w / 4;
            ref T target = ref MemoryMarshal.GetReference(packed[..(kc * w)]);
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < 4; j++)
                {
                    T value = j < cols ? ValueOfB(pc + p, col + j) : T.Zero;
                    ref T run = ref Unsafe.Add(ref target, p * w + j * g);
                    if (g * Unsafe.SizeOf<T>() == 16) Vector128.Create(value).StoreUnsafe(ref run);
                    else for (int lane = 0; lane < g; lane++) Unsafe.Add(ref run, lane) = value;
                }
        }

        /// <summary>
        /// Packs op(B)[pc .. pc+kc, col .. col+cols] (cols ≤ 4) for <see cref="QuartersPanel"/>: group q holds
        /// target[q·W + j·G + g] = op(B)[pc + qG + g, col + j], G = W/4, with zeros past the last column and the last row.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackQuarters(Span<T> packed, int pc, int kc, int col, int cols)
        {
            int w = TLanes.Count, g = w / 4, groups = (kc + g - 1) / g;
            ref T target = ref MemoryMarshal.GetReference(packed[..(groups * w)]);
            for (int q = 0; q < groups; q++)
                for (int j = 0; j < 4; j++)
                    for (int lane = 0; lane < g; lane++)
                    {
                        int p = q * g + lane;
                        Unsafe.Add(ref target, q * w + j * g + lane) = j < cols && p < kc ? ValueOfB(pc + p, col + j) : T.Zero;
                    }
        }

        /// <summary>
        /// Writes the valid <paramref name="rows"/> × <paramref name="cols"/> corner of a scratch tile whose top-left
        /// is C[row, col] (for a transposed job, Cᵀ[row, col], i.e. C[col, row]): C = [C +] tile [+ bias].
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AddTile(ReadOnlySpan<T> tile, int tileCols, int row, int col, int rows, int cols, bool load, bool addBias)
        {
            // The corner's index is checked; the valid part of a tile lies inside C by construction.
            ref T values = ref MemoryMarshal.GetReference(tile);
            if (transposedOutput) // tile element (r, j) goes to C[col + j, row + r]: one element at a time, m apart
            {
                ref T corner = ref c[col * m + row];
                for (int r = 0; r < rows; r++)
                {
                    ref T source = ref Unsafe.Add(ref values, r * tileCols);
                    ref T target = ref Unsafe.Add(ref corner, r);
                    T shift = addBias ? bias![row + r] : T.Zero; // one bias per row of Cᵀ
                    for (int j = 0; j < cols; j++)
                    {
                        ref T element = ref Unsafe.Add(ref target, j * m);
                        T value = addBias ? Unsafe.Add(ref source, j) + shift : Unsafe.Add(ref source, j);
                        element = load ? element + value : value;
                    }
                }
                return;
            }
            // Row r of the tile goes along row row + r of C: this job's vectors, then 128-bit ones, then one at a time.
            ref T start = ref c[row * n + col];
            ref T shifts = ref addBias ? ref bias![col] : ref Unsafe.NullRef<T>();
            for (int r = 0; r < rows; r++)
            {
                ref T source = ref Unsafe.Add(ref values, r * tileCols);
                ref T target = ref Unsafe.Add(ref start, r * n);
                int j = AddRow<TLanes>(ref source, ref target, ref shifts, 0, cols, load);
                if (Lanes128<T>.IsAccelerated && Lanes128<T>.Count < TLanes.Count)
                    j = AddRow<Lanes128<T>>(ref source, ref target, ref shifts, j, cols, load);
                AddRow<Lanes1<T>>(ref source, ref target, ref shifts, j, cols, load);
            }
        }

        /// <summary>
        /// target[j..cols] = [target +] (source [+ shifts])[j..cols] in whole <typeparamref name="TRow"/> vectors, from
        /// <paramref name="j"/> on; returns where it stopped. Each lane computes what the scalar code does, in the same order.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int AddRow<TRow>(ref T source, ref T target, ref T shifts, int j, int cols, bool load)
            where TRow : struct, ILanes<T, TRow>
        {
            bool addBias = !Unsafe.IsNullRef(ref shifts);
            for (; j <= cols - TRow.Count; j += TRow.Count)
            {
                var value = TRow.Load(ref Unsafe.Add(ref source, j));
                if (addBias) value += TRow.Load(ref Unsafe.Add(ref shifts, j));
                if (load) value = TRow.Load(ref Unsafe.Add(ref target, j)) + value;
                value.Store(ref Unsafe.Add(ref target, j));
            }
            return j;
        }

        /// <summary>
        /// Packs op(A)[ic .. ic+mc, pc .. pc+kc] into panels of <see cref="TileRows"/> rows: panel q holds, for
        /// each p, the TileRows values op(A)[ic + q·TileRows + r, pc + p] side by side (zeros past row m).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackA(Span<T> packed, int ic, int mc, int pc, int kc, bool partialOnly)
        {
            for (int ir = partialOnly ? mc - mc % TileRows : 0; ir < mc; ir += TileRows)
            {
                var panel = packed.Slice(ir * kc, TileRows * kc);
                int rows = Math.Min(TileRows, mc - ir);
                if (rows < TileRows) panel.Clear();
                ref T target = ref MemoryMarshal.GetReference(panel);
                if (transposeA && rows == TileRows) // A stored k × m: op(A)[i, p] = a[p·m + i], so each p gives six adjacent values
                    CopySixes(ref a[pc * m + ic + ir], m, ref target, kc);
                else if (transposeA)
                    for (int p = 0; p < kc; p++)
                        Copy(ref a[(pc + p) * m + ic + ir], 1, ref Unsafe.Add(ref target, p * TileRows), 1, rows);
                else // op(A)[i, p] = a[i·k + p]: row i goes down the panel's column r
                {
                    ref T source = ref a[(ic + ir) * k + pc];
                    if (ir + 2 * TileRows <= mc) PrefetchPanel(ref Unsafe.Add(ref source, TileRows * k), k, TileRows, kc);
                    if (rows == TileRows) TransposeSix(ref source, k, ref target, kc);
                    else TransposeRows(ref source, k, ref target, TileRows, kc, rows);
                }
            }
        }

        /// <summary>
        /// Packs op(B)[pc .. pc+kc, jc .. jc+nc] into panels NR columns wide: panel q holds, for each p, the NR
        /// values op(B)[pc + p, jc + q·NR + j] side by side (zeros past column n). With <paramref name="partialOnly"/>, only
        /// a last panel narrower than NR, the whole ones being read in place.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackB(Span<T> packed, int pc, int kc, int jc, int nc, int tileCols, bool partialOnly)
        {
            for (int jr = partialOnly ? nc - nc % tileCols : 0; jr < nc; jr += tileCols)
            {
                int cols = Math.Min(tileCols, nc - jr);
                if (InQuarters(cols))
                {
                    if (transposeA) PackSpread(packed[(jr * kc)..], pc, kc, jc + jr, cols);
                    else PackQuarters(packed[(jr * kc)..], pc, kc, jc + jr, cols);
                    continue;
                }
                int width = cols <= TLanes.Count ? NarrowWidth(cols) : tileCols; // a last panel of at most one vector is packed one narrow vector wide
                var panel = packed.Slice(jr * kc, width * kc);
                if (cols < width) panel.Clear();
                ref T target = ref MemoryMarshal.GetReference(panel);
                if (transposeB) // B stored n × k: op(B)[p, j] = b[j·k + p]: row j goes down the panel's column j
                    TransposeRows(ref b[(jc + jr) * k + pc], k, ref target, width, kc, cols);
                else if (cols == tileCols) // op(B)[p, j] = b[p·n + j]: each p gives two adjacent vectors
                    PackRows(ref b[pc * n + jc + jr], n, ref target, kc);
                else
                    for (int p = 0; p < kc; p++)
                        Copy(ref b[(pc + p) * n + jc + jr], 1, ref Unsafe.Add(ref target, p * width), 1, cols);
            }
        }

        /// <summary>
        /// Copies six adjacent values from each of <paramref name="count"/> rows (row stride <paramref name="stride"/>) to
        /// consecutive places: a panel of <see cref="TileRows"/> from a transposed A. Each run is one block copy of a size
        /// known to the compiler, which it emits as two or three vector moves. The caller has checked that the array holds
        /// the whole matrix.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void CopySixes(ref T source, int stride, ref T target, int count)
        {
            uint bytes = (uint)(TileRows * Unsafe.SizeOf<T>());
            for (int p = 0; p < count; p++)
            {
                Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref target), ref Unsafe.As<T, byte>(ref source), bytes);
                source = ref Unsafe.Add(ref source, stride);
                target = ref Unsafe.Add(ref target, TileRows);
            }
        }

        /// <summary>
        /// target[6p + r] = source[r · stride + p] for r &lt; 6 and p &lt; <paramref name="count"/>: a whole panel of
        /// <see cref="TileRows"/> rows of a stored A, written in one walk. On x86, each step reads one 16-byte vector from
        /// each of the six rows and interleaves them in registers: four values of a row at a time for float (a 4 × 4 block
        /// of the first four rows, stored as four 16-byte runs, and the last two rows as four 8-byte pairs after them), two
        /// for double (three 16-byte pairs per step of k). The last count mod 4 (float) or mod 2 (double) go one by one.
        /// Writing each step's six values together, rather than a 4-row pass and then a 2-row pass, fills the panel's cache
        /// lines once (measured in bench/MiniGrad.Benchmarks/NOTES.md). The caller's index arithmetic keeps the rows inside
        /// the array.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TransposeSix(ref T source, int stride, ref T target, int count)
        {
            ref T row1 = ref Unsafe.Add(ref source, stride);
            ref T row2 = ref Unsafe.Add(ref source, 2 * stride);
            ref T row3 = ref Unsafe.Add(ref source, 3 * stride);
            ref T row4 = ref Unsafe.Add(ref source, 4 * stride);
            ref T row5 = ref Unsafe.Add(ref source, 5 * stride);
            int p = 0;
            if (typeof(T) == typeof(float) && Sse.IsSupported)
            {
                for (; p + 4 <= count; p += 4)
                {
                    var a = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref source, p)));
                    var b = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref row1, p)));
                    var c = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref row2, p)));
                    var d = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref row3, p)));
                    var e = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref row4, p)));
                    var f = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref row5, p)));
                    ref float step = ref Unsafe.As<T, float>(ref target);
                    StoreFourByFour(a, b, c, d, ref step, TileRows);             // a0 b0 c0 d0 at 0, a1 b1 c1 d1 at 6, …
                    StoreFourPairs(e, f, ref Unsafe.Add(ref step, 4), TileRows); // e0 f0 at 4, e1 f1 at 10, …
                    target = ref Unsafe.Add(ref target, 4 * TileRows);
                }
            }
            else if (typeof(T) == typeof(double) && Sse2.IsSupported)
            {
                for (; p + 2 <= count; p += 2)
                {
                    var a = Vector128.LoadUnsafe(ref Unsafe.As<T, double>(ref Unsafe.Add(ref source, p)));
                    var b = Vector128.LoadUnsafe(ref Unsafe.As<T, double>(ref Unsafe.Add(ref row1, p)));
                    var c = Vector128.LoadUnsafe(ref Unsafe.As<T, double>(ref Unsafe.Add(ref row2, p)));
                    var d = Vector128.LoadUnsafe(ref Unsafe.As<T, double>(ref Unsafe.Add(ref row3, p)));
                    var e = Vector128.LoadUnsafe(ref Unsafe.As<T, double>(ref Unsafe.Add(ref row4, p)));
                    var f = Vector128.LoadUnsafe(ref Unsafe.As<T, double>(ref Unsafe.Add(ref row5, p)));
                    ref double step = ref Unsafe.As<T, double>(ref target);
                    Sse2.UnpackLow(a, b).StoreUnsafe(ref step);                           // a0 b0
                    Sse2.UnpackLow(c, d).StoreUnsafe(ref Unsafe.Add(ref step, 2));        // c0 d0
                    Sse2.UnpackLow(e, f).StoreUnsafe(ref Unsafe.Add(ref step, 4));        // e0 f0
                    Sse2.UnpackHigh(a, b).StoreUnsafe(ref Unsafe.Add(ref step, 6));       // a1 b1
                    Sse2.UnpackHigh(c, d).StoreUnsafe(ref Unsafe.Add(ref step, 8));       // c1 d1
                    Sse2.UnpackHigh(e, f).StoreUnsafe(ref Unsafe.Add(ref step, 10));      // e1 f1
                    target = ref Unsafe.Add(ref target, 2 * TileRows);
                }
            }
            for (; p < count; p++)
            {
                target = Unsafe.Add(ref source, p);
                Unsafe.Add(ref target, 1) = Unsafe.Add(ref row1, p);
                Unsafe.Add(ref target, 2) = Unsafe.Add(ref row2, p);
                Unsafe.Add(ref target, 3) = Unsafe.Add(ref row3, p);
                Unsafe.Add(ref target, 4) = Unsafe.Add(ref row4, p);
                Unsafe.Add(ref target, 5) = Unsafe.Add(ref row5, p);
                target = ref Unsafe.Add(ref target, TileRows);
            }
        }

        /// <summary>
        /// Asks for every cache line of <paramref name="count"/> values in each of <paramref name="rows"/> rows (row stride
        /// <paramref name="stride"/>): the next rows a packing will read, while it transposes these (the next panel of a
        /// stored A, the next four rows of a transposed B). Each row's run is a few lines, too short for the hardware
        /// prefetchers to pick up as a stream, so without this the packing waits on L3 for each line in turn
        /// (bench/MiniGrad.Benchmarks/NOTES.md). A hint only; the caller keeps the rows inside the matrix.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PrefetchPanel(ref T first, int stride, int rows, int count)
        {
            int line = CacheLine / Unsafe.SizeOf<T>();
            for (int r = 0; r < rows; r++)
            {
                ref T row = ref Unsafe.Add(ref first, r * stride);
                for (int i = 0; i < count; i += line) PrefetchLine(ref Unsafe.Add(ref row, i));
                PrefetchLine(ref Unsafe.Add(ref row, count - 1)); // the run need not start on a line
            }
        }

        /// <summary>
        /// target[p · targetStride + r] = source[r · sourceStride + p] for r &lt; <paramref name="rows"/> and p &lt;
        /// <paramref name="count"/>: rows of a stored matrix written down adjacent columns of a panel, four at a time (the
        /// next four rows' lines asked for first, <see cref="PrefetchPanel"/>), then two, then one. The caller has checked
        /// that the array holds the whole matrix, so every row read lies inside it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TransposeRows(ref T source, int sourceStride, ref T target, int targetStride, int count, int rows)
        {
            int r = 0;
            for (; r + 4 <= rows; r += 4)
            {
                ref T four = ref Unsafe.Add(ref source, r * sourceStride);
                if (r + 8 <= rows) PrefetchPanel(ref Unsafe.Add(ref four, 4 * sourceStride), sourceStride, 4, count);
                TransposeFour(ref four, sourceStride, ref Unsafe.Add(ref target, r), targetStride, count);
            }
            if (r + 2 <= rows)
            {
                TransposeTwo(ref Unsafe.Add(ref source, r * sourceStride), sourceStride, ref Unsafe.Add(ref target, r), targetStride, count);
                r += 2;
            }
            for (; r < rows; r++)
                Copy(ref Unsafe.Add(ref source, r * sourceStride), 1, ref Unsafe.Add(ref target, r), targetStride, count);
        }

        /// <summary>
        /// target[p · targetStride + r] = source[r · sourceStride + p] for r &lt; 4 and p &lt; count: four rows of a stored
        /// matrix written down four adjacent columns of a panel. For float on x86, four values of each row are read as one
        /// vector and the 4 × 4 block is transposed in registers (two rounds of interleaving: 16 values in 4 loads, 8
        /// shuffles and 4 stores instead of 16 loads and 16 stores); the last count mod 4 go one by one. The caller's index
        /// arithmetic keeps the four rows inside the array.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TransposeFour(ref T source, int sourceStride, ref T target, int targetStride, int count)
        {
            ref T row1 = ref Unsafe.Add(ref source, sourceStride);
            ref T row2 = ref Unsafe.Add(ref source, 2 * sourceStride);
            ref T row3 = ref Unsafe.Add(ref source, 3 * sourceStride);
            int p = 0;
            if (typeof(T) == typeof(float) && Sse.IsSupported)
            {
                for (; p + 4 <= count; p += 4)
                {
                    var a = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref source, p)));
                    var b = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref row1, p)));
                    var c = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref row2, p)));
                    var d = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref row3, p)));
                    StoreFourByFour(a, b, c, d, ref Unsafe.As<T, float>(ref target), targetStride);
                    target = ref Unsafe.Add(ref target, 4 * targetStride);
                }
            }
            for (; p < count; p++)
            {
                target = Unsafe.Add(ref source, p);
                Unsafe.Add(ref target, 1) = Unsafe.Add(ref row1, p);
                Unsafe.Add(ref target, 2) = Unsafe.Add(ref row2, p);
                Unsafe.Add(ref target, 3) = Unsafe.Add(ref row3, p);
                target = ref Unsafe.Add(ref target, targetStride);
            }
        }

        /// <summary>
        /// target[p · targetStride + r] = source[r · sourceStride + p] for r &lt; 2 and p &lt; count: the last two rows of
        /// a panel of six. For float on x86, four values of each row are interleaved in registers and written as four pairs.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TransposeTwo(ref T source, int sourceStride, ref T target, int targetStride, int count)
        {
            ref T row1 = ref Unsafe.Add(ref source, sourceStride);
            int p = 0;
            if (typeof(T) == typeof(float) && Sse.IsSupported)
            {
                for (; p + 4 <= count; p += 4)
                {
                    var a = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref source, p)));
                    var b = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref row1, p)));
                    StoreFourPairs(a, b, ref Unsafe.As<T, float>(ref target), targetStride);
                    target = ref Unsafe.Add(ref target, 4 * targetStride);
                }
            }
            for (; p < count; p++)
            {
                target = Unsafe.Add(ref source, p);
                Unsafe.Add(ref target, 1) = Unsafe.Add(ref row1, p);
                target = ref Unsafe.Add(ref target, targetStride);
            }
        }

        /// <summary>
        /// column[j · stride + r] = row r's value j, for four rows a .. d of four values each: the 4 × 4 block transposed in
        /// registers (two rounds of interleaving, 8 shuffles) and written as four 16-byte runs, one stride apart.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreFourByFour(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d, ref float column, nint stride)
        {
            var ab01 = Sse.UnpackLow(a, b);   // a0 b0 a1 b1
            var cd01 = Sse.UnpackLow(c, d);   // c0 d0 c1 d1
            var ab23 = Sse.UnpackHigh(a, b);  // a2 b2 a3 b3
            var cd23 = Sse.UnpackHigh(c, d);  // c2 d2 c3 d3
            Sse.MoveLowToHigh(ab01, cd01).StoreUnsafe(ref column);                            // a0 b0 c0 d0
            Sse.MoveHighToLow(cd01, ab01).StoreUnsafe(ref Unsafe.Add(ref column, stride));    // a1 b1 c1 d1
            Sse.MoveLowToHigh(ab23, cd23).StoreUnsafe(ref Unsafe.Add(ref column, 2 * stride)); // a2 b2 c2 d2
            Sse.MoveHighToLow(cd23, ab23).StoreUnsafe(ref Unsafe.Add(ref column, 3 * stride)); // a3 b3 c3 d3
        }

        /// <summary>
        /// column[j · stride + r] = row r's value j, for two rows a, b of four values each: interleaved in registers and
        /// written as four pairs, one stride apart (a pair of floats moves as one 8-byte value).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreFourPairs(Vector128<float> a, Vector128<float> b, ref float column, nint stride)
        {
            var ab01 = Sse.UnpackLow(a, b).AsDouble();   // (a0 b0) (a1 b1)
            var ab23 = Sse.UnpackHigh(a, b).AsDouble();  // (a2 b2) (a3 b3)
            Unsafe.As<float, double>(ref column) = ab01.ToScalar();
            Unsafe.As<float, double>(ref Unsafe.Add(ref column, stride)) = ab01.GetElement(1);
            Unsafe.As<float, double>(ref Unsafe.Add(ref column, 2 * stride)) = ab23.ToScalar();
            Unsafe.As<float, double>(ref Unsafe.Add(ref column, 3 * stride)) = ab23.GetElement(1);
        }

        /// <summary>How many rows ahead <see cref="PackRows"/> asks for B's cache lines.</summary>
        private const int PrefetchRows = 12;

        /// <summary>
        /// Copies two vectors from each of <paramref name="count"/> rows of B (row stride <paramref name="stride"/>) into
        /// consecutive places of a panel. Walking down a column of B touches a new cache line, often a new page, every
        /// row, which the hardware prefetchers do not follow; so each row's lines are requested
        /// <see cref="PrefetchRows"/> rows before they are copied, and the copy no longer waits on memory one line at a time.
        /// The prefetch addresses past B's last row are hints to nowhere, never read.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void PackRows(ref T source, int stride, ref T target, int count)
        {
            nuint w = (nuint)TLanes.Count;
            for (int p = 0; p < count; p++)
            {
                if (p + PrefetchRows < count) Prefetch(ref Unsafe.Add(ref source, PrefetchRows * stride), 2 * (int)w);
                TLanes.Load(ref source).Store(ref target);
                TLanes.Load(ref Unsafe.Add(ref source, w)).Store(ref Unsafe.Add(ref target, w));
                source = ref Unsafe.Add(ref source, stride);
                target = ref Unsafe.Add(ref target, 2 * w);
            }
        }

        /// <summary>
        /// target[i · targetStride] = source[i · sourceStride] for i &lt; count. The callers' index arithmetic keeps
        /// both walks inside their arrays (the first element of each is bounds-checked where the ref is taken).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Copy(ref T source, nint sourceStride, ref T target, nint targetStride, int count)
        {
            for (int i = 0; i < count; i++)
            {
                target = source;
                source = ref Unsafe.Add(ref source, sourceStride);
                target = ref Unsafe.Add(ref target, targetStride);
            }
        }

        /// <summary>
        /// The register tile on the vector type behind this job's <typeparamref name="TLanes"/>: <paramref name="panels"/>
        /// tiles of six rows down C, <paramref name="panelStep"/> apart in A (<see cref="RegisterTile{T, TVector}.Whole"/>),
        /// or, with <paramref name="four"/>, one tile of four rows (<see cref="RegisterTile{T, TVector}.Four"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void MicroKernel(int panels, nint panelStep, int kc, ref T aPanel, nint aRow, nint aStep, ref T bPanel, nint bRow, ref T c, int ldc, bool load, ref T bias, bool four = false)
        {
            if (four)
            {
                if (typeof(TLanes) == typeof(Lanes512<T>)) RegisterTile<T, Vector512<T>>.Four(kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c, ldc, load, ref bias);
                else if (typeof(TLanes) == typeof(Lanes256<T>)) RegisterTile<T, Vector256<T>>.Four(kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c, ldc, load, ref bias);
                else if (typeof(TLanes) == typeof(Lanes128<T>)) RegisterTile<T, Vector128<T>>.Four(kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c, ldc, load, ref bias);
                else RegisterTile<T, T>.Four(kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c, ldc, load, ref bias);
                return;
            }
            if (typeof(TLanes) == typeof(Lanes512<T>)) RegisterTile<T, Vector512<T>>.Whole(panels, panelStep, kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c, ldc, load, ref bias);
            else if (typeof(TLanes) == typeof(Lanes256<T>)) RegisterTile<T, Vector256<T>>.Whole(panels, panelStep, kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c, ldc, load, ref bias);
            else if (typeof(TLanes) == typeof(Lanes128<T>)) RegisterTile<T, Vector128<T>>.Whole(panels, panelStep, kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c, ldc, load, ref bias);
            else RegisterTile<T, T>.Whole(panels, panelStep, kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c, ldc, load, ref bias);
        }

        /// <summary>The narrow register tile, <see cref="RegisterTile{T, TVector}.Narrow"/>, on the vector type behind <typeparamref name="TNarrow"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void NarrowKernel<TNarrow>(int kc, ref T top, ref T bottom, nint aRow, nint aStep, ref T bPanel, ref T tile)
            where TNarrow : struct, ILanes<T, TNarrow>
        {
            if (typeof(TNarrow) == typeof(Lanes512<T>)) RegisterTile<T, Vector512<T>>.Narrow(kc, ref top, ref bottom, aRow, aStep, ref bPanel, ref tile);
            else if (typeof(TNarrow) == typeof(Lanes256<T>)) RegisterTile<T, Vector256<T>>.Narrow(kc, ref top, ref bottom, aRow, aStep, ref bPanel, ref tile);
            else if (typeof(TNarrow) == typeof(Lanes128<T>)) RegisterTile<T, Vector128<T>>.Narrow(kc, ref top, ref bottom, aRow, aStep, ref bPanel, ref tile);
            else RegisterTile<T, T>.Narrow(kc, ref top, ref bottom, aRow, aStep, ref bPanel, ref tile);
        }

        /// <summary>The four-column tile, <see cref="RegisterTile{T, TVector}.Quarters"/>, on the vector type behind this job's <typeparamref name="TLanes"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void QuartersKernel(int groups, ref T top, ref T bottom, nint aRow, ref T bPanel, ref T tile)
        {
            if (typeof(TLanes) == typeof(Lanes512<T>)) RegisterTile<T, Vector512<T>>.Quarters(groups, ref top, ref bottom, aRow, ref bPanel, ref tile);
            else if (typeof(TLanes) == typeof(Lanes256<T>)) RegisterTile<T, Vector256<T>>.Quarters(groups, ref top, ref bottom, aRow, ref bPanel, ref tile);
            else throw new NotSupportedException("The four-column tile needs vectors of at least eight lanes (InQuarters).");
        }

        /// <summary>The four-column tile of a transposed A, <see cref="RegisterTile{T, TVector}.Spread"/>, on the vector type behind this job's <typeparamref name="TLanes"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void SpreadKernel(int kc, ref T aPanel, nint aStep, ref T bPanel, ref T tile)
        {
            if (typeof(TLanes) == typeof(Lanes512<T>)) RegisterTile<T, Vector512<T>>.Spread(kc, ref aPanel, aStep, ref bPanel, ref tile);
            else if (typeof(TLanes) == typeof(Lanes256<T>)) RegisterTile<T, Vector256<T>>.Spread(kc, ref aPanel, aStep, ref bPanel, ref tile);
            else throw new NotSupportedException("The four-column tile needs vectors of at least eight lanes (InQuarters).");
        }

    }

    /// <summary>
    /// Asks for the C tile's cache lines before the sum over k starts, so that by the write-out (after
    /// thousands of instructions, far past what out-of-order execution looks ahead) they are in L1 rather than
    /// a stall on L2/L3. A hint only: it changes no value, and where the platform has no prefetch it does nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile<T>(ref T c, int ldc, int rows, int width)
    {
        for (int r = 0; r < rows; r++) Prefetch(ref Unsafe.Add(ref c, r * ldc), width);
    }

    /// <summary>
    /// Asks for the cache lines of <paramref name="count"/> consecutive T starting at <paramref name="first"/> (the
    /// first and the last, which cover a run of up to one line's length). Only a hint: x86's PREFETCHT0 reads nothing
    /// architecturally and cannot fault; on other platforms .NET has no prefetch, and this does nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch<T>(ref T first, int count)
    {
        PrefetchLine(ref first);
        PrefetchLine(ref Unsafe.Add(ref first, count - 1));
    }

    /// <summary>Asks for the cache line that holds <paramref name="value"/> (PREFETCHT0 on x86; elsewhere nothing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchLine<T>(ref T value)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref value));
    }

    /// <summary>
    /// The micro-kernels' register tiles, written once over the raw vector type <typeparamref name="TVector"/>:
    /// <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/> or <see cref="Vector128{T}"/> of T, or T itself where there is
    /// no SIMD, W lanes wide. Their five operations (<see cref="Load"/>, <see cref="Broadcast"/>, <see cref="MultiplyAdd"/>,
    /// <see cref="Add"/>, <see cref="Store"/>) test the type, which the JIT knows, and compile to that width's instruction
    /// alone (a multiply and an add for <see cref="MultiplyAdd"/> where the path has no FMA, as at 128 bits on x86).
    /// </summary>
    /// <remarks>
    /// The other kernels compute through <see cref="ILanes{T, TSelf}"/>; these two do not, because of how .NET 10's JIT
    /// allocates registers for a one-field struct. For <c>c = MultiplyAdd(a, b, c)</c> on a Lanes struct it writes the sum
    /// into the register of an operand that dies there (a broadcast of A, or B's last use) and copies it back into c's
    /// register (<c>vfmadd213ps</c>, then <c>vmovaps</c>): six copies among the 30 instructions of each step of k in
    /// <see cref="Whole"/>, twelve among the 43 of <see cref="Narrow"/>. On the raw vector it adds into c's own register
    /// (<c>vfmadd231ps</c>), and with AVX-512 folds each broadcast into its multiply-add as a memory operand. The sums are the
    /// same operations in the same order, so the results are bit-identical. Where the multiply-adds are the bound (one
    /// 512-bit FMA per cycle on Zen 4) it changes nothing; where the front end is the bound (two 256-bit FMAs per cycle,
    /// and a neighbour on the core's other hardware thread) it is measured in bench/MiniGrad.Benchmarks/NOTES.md.
    /// </remarks>
    private static class RegisterTile<T, TVector>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVector : struct
    {
        private static nuint W => (nuint)(Unsafe.SizeOf<TVector>() / Unsafe.SizeOf<T>());

        /// <summary>
        /// The register tile, <paramref name="panels"/> times down C: C[6q..6q + 6, 0..2W] (row stride <paramref name="ldc"/>)
        /// = [C +] Σₚ A[6q + ·, p] ⊗ B[p, 0..2W] [+ bias], with the 6 × 2 vectors of a tile held in registers for its whole
        /// sum. Panel q of A starts q·<paramref name="panelStep"/> past <paramref name="aPanel"/>; its element (r, p) is at
        /// r·<paramref name="aRow"/> + p·<paramref name="aStep"/>: a packed panel (1, 6) or six rows of a stored A (k, 1).
        /// B's row p starts p·<paramref name="bRow"/> past <paramref name="bPanel"/>: a packed panel (2W) or a stored B (n).
        /// </summary>
        /// <remarks>
        /// One call for a column of tiles rather than one a tile: with k = 64 (mlp-deep-sigmoid) a tile's sum is only 64
        /// steps, and the call, its saved registers and the caller's bookkeeping for each tile took about 0.3 µs of a
        /// 10.25 µs 64³ product on the 128-bit path, 3 % (bench/MiniGrad.Benchmarks/NOTES.md).
        /// </remarks>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        internal static void Whole(int panels, nint panelStep, int kc, ref T aPanel, nint aRow, nint aStep, ref T bPanel, nint bRow, ref T c, int ldc, bool load, ref T bias)
        {
            for (int q = 0; q < panels; q++)
            {
                ref T tile = ref Unsafe.Add(ref c, q * TileRows * ldc);
                PrefetchTile(ref tile, ldc, TileRows, 2 * (int)W);
                Rows<SixRows>(kc, ref Unsafe.Add(ref aPanel, q * panelStep), aRow, aStep, ref bPanel, bRow, ref tile, ldc, load, ref bias);
            }
        }

        /// <summary>
        /// The register tile's first four rows, C[0..4, 0..2W], stepped as <see cref="Whole"/>: a last panel of four rows
        /// (64, 256 or 1,024 rows leave four after the whole panels of six) computed into C where it lies, on two-thirds of
        /// the work, instead of six rows into a scratch tile and then copied.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        internal static void Four(int kc, ref T aPanel, nint aRow, nint aStep, ref T bPanel, nint bRow, ref T c, int ldc, bool load, ref T bias)
        {
            PrefetchTile(ref c, ldc, 4, 2 * (int)W);
            Rows<FourRows>(kc, ref aPanel, aRow, aStep, ref bPanel, bRow, ref c, ldc, load, ref bias);
        }

        /// <summary><see cref="Whole"/>'s row count, a marker type for <see cref="Rows{TRows}"/>.</summary>
        private readonly struct SixRows;

        /// <summary><see cref="Four"/>'s row count, a marker type for <see cref="Rows{TRows}"/>.</summary>
        private readonly struct FourRows;

        /// <summary>
        /// <see cref="Whole"/> and <see cref="Four"/>: rows 4 and 5 of the tile exist only for <see cref="SixRows"/>. The
        /// marker type is known to the JIT, so each compiles to its own rows alone, the four-row one with eight sums.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Rows<TRows>(int kc, ref T aPanel, nint aRow, nint aStep, ref T bPanel, nint bRow, ref T c, int ldc, bool load, ref T bias)
            where TRows : struct
        {
            bool six = typeof(TRows) == typeof(SixRows);
            nuint w = W;
            nint row2 = 2 * aRow, row3 = 3 * aRow, row4 = 4 * aRow, row5 = 5 * aRow;
            TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            TVector c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            ref T bp = ref bPanel;
            fixed (T* panel = &aPanel) // A is read through a pointer so its broadcasts can be loads (Broadcast)
            {
                T* ap = panel;
                for (int p = 0; p < kc; p++)
                {
                    var b0 = Load(ref bp);
                    var b1 = Load(ref Unsafe.Add(ref bp, w));
                    var a0 = Broadcast(ap);
                    c00 = MultiplyAdd(a0, b0, c00); c01 = MultiplyAdd(a0, b1, c01);
                    var a1 = Broadcast(ap + aRow);
                    c10 = MultiplyAdd(a1, b0, c10); c11 = MultiplyAdd(a1, b1, c11);
                    var a2 = Broadcast(ap + row2);
                    c20 = MultiplyAdd(a2, b0, c20); c21 = MultiplyAdd(a2, b1, c21);
                    var a3 = Broadcast(ap + row3);
                    c30 = MultiplyAdd(a3, b0, c30); c31 = MultiplyAdd(a3, b1, c31);
                    if (six)
                    {
                        var a4 = Broadcast(ap + row4);
                        c40 = MultiplyAdd(a4, b0, c40); c41 = MultiplyAdd(a4, b1, c41);
                        var a5 = Broadcast(ap + row5);
                        c50 = MultiplyAdd(a5, b0, c50); c51 = MultiplyAdd(a5, b1, c51);
                    }
                    ap += aStep;
                    bp = ref Unsafe.Add(ref bp, bRow);
                }
            }

            if (!Unsafe.IsNullRef(ref bias))
            {
                var bias0 = Load(ref bias);
                var bias1 = Load(ref Unsafe.Add(ref bias, w));
                c00 = Add(c00, bias0); c01 = Add(c01, bias1);
                c10 = Add(c10, bias0); c11 = Add(c11, bias1);
                c20 = Add(c20, bias0); c21 = Add(c21, bias1);
                c30 = Add(c30, bias0); c31 = Add(c31, bias1);
                if (six)
                {
                    c40 = Add(c40, bias0); c41 = Add(c41, bias1);
                    c50 = Add(c50, bias0); c51 = Add(c51, bias1);
                }
            }
            WriteRow(ref c, load, c00, c01);
            WriteRow(ref Unsafe.Add(ref c, ldc), load, c10, c11);
            WriteRow(ref Unsafe.Add(ref c, 2 * ldc), load, c20, c21);
            WriteRow(ref Unsafe.Add(ref c, 3 * ldc), load, c30, c31);
            if (six)
            {
                WriteRow(ref Unsafe.Add(ref c, 4 * ldc), load, c40, c41);
                WriteRow(ref Unsafe.Add(ref c, 5 * ldc), load, c50, c51);
            }
        }

        /// <summary>
        /// The narrow register tile: twelve rows by one vector, tile[r·W + j] = Σₚ A[r, p]·bPanel[p·W + j], where rows
        /// 0–5 come from the panel at <paramref name="top"/> and rows 6–11 from the one at <paramref name="bottom"/> (both
        /// stepped as in <see cref="Whole"/>). Twelve independent sums keep both FMA pipes busy, as the whole tile does.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void Narrow(int kc, ref T top, ref T bottom, nint aRow, nint aStep, ref T bPanel, ref T tile) =>
            TwelveRows<OneValue>(kc, ref top, ref bottom, aRow, aStep, ref bPanel, ref tile);

        /// <summary>
        /// The four-column tile: twelve rows of A, stored row-major (row stride <paramref name="aRow"/>), times a panel of
        /// at most four columns of B, with the sum over p spread across each vector. With G = W / 4, lane j·G + g of row r's
        /// vector sums A[r, p]·B[p, j] over the first <paramref name="groups"/>·G values of p with p mod G = g: each step
        /// multiplies G adjacent values of A's row, repeated four times (one broadcast load), by a packed group of B,
        /// bPanel[q·W + j·G + g] = B[qG + g, j]. So one multiply-add does G steps of p for the four columns, where the narrow
        /// tile (<see cref="Narrow"/>) spends one a step on four lanes. Rows 0–5 come from <paramref name="top"/>, 6–11 from
        /// <paramref name="bottom"/>. Each row's G partial sums of each column are then added (<see cref="StoreQuarterSums"/>)
        /// into tile[r·4 + j].
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void Quarters(int groups, ref T top, ref T bottom, nint aRow, ref T bPanel, ref T tile) =>
            TwelveRows<QuarterValues>(groups, ref top, ref bottom, aRow, (nint)(W / 4), ref bPanel, ref tile);

        /// <summary>What <see cref="TwelveRows{TValues}"/> broadcasts from A's rows: one value (<see cref="Narrow"/>).</summary>
        private readonly struct OneValue;

        /// <summary>What <see cref="TwelveRows{TValues}"/> broadcasts from A's rows: W/4 adjacent values (<see cref="Quarters"/>).</summary>
        private readonly struct QuarterValues;

        /// <summary>
        /// <see cref="Narrow"/> and <see cref="Quarters"/>: twelve sums, rows 0–5 of A from <paramref name="top"/> and 6–11
        /// from <paramref name="bottom"/>, each step multiplying what <typeparamref name="TValues"/> broadcasts from a row by
        /// the next vector of B's panel, A's pointers advancing <paramref name="aStep"/> and B's W a step. The marker type is
        /// known to the JIT, so each compiles to its own broadcast and write-out alone.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void TwelveRows<TValues>(int steps, ref T top, ref T bottom, nint aRow, nint aStep, ref T bPanel, ref T tile)
            where TValues : struct
        {
            nuint w = W;
            nint row2 = 2 * aRow, row3 = 3 * aRow, row4 = 4 * aRow, row5 = 5 * aRow;
            TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
            TVector c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
            ref T bp = ref bPanel;
            fixed (T* upper = &top, lower = &bottom)
            {
                T* ap = upper, aq = lower;
                for (int p = 0; p < steps; p++)
                {
                    var b = Load(ref bp);
                    c0 = MultiplyAdd(RowValues<TValues>(ap), b, c0);
                    c1 = MultiplyAdd(RowValues<TValues>(ap + aRow), b, c1);
                    c2 = MultiplyAdd(RowValues<TValues>(ap + row2), b, c2);
                    c3 = MultiplyAdd(RowValues<TValues>(ap + row3), b, c3);
                    c4 = MultiplyAdd(RowValues<TValues>(ap + row4), b, c4);
                    c5 = MultiplyAdd(RowValues<TValues>(ap + row5), b, c5);
                    c6 = MultiplyAdd(RowValues<TValues>(aq), b, c6);
                    c7 = MultiplyAdd(RowValues<TValues>(aq + aRow), b, c7);
                    c8 = MultiplyAdd(RowValues<TValues>(aq + row2), b, c8);
                    c9 = MultiplyAdd(RowValues<TValues>(aq + row3), b, c9);
                    c10 = MultiplyAdd(RowValues<TValues>(aq + row4), b, c10);
                    c11 = MultiplyAdd(RowValues<TValues>(aq + row5), b, c11);
                    ap += aStep;
                    aq += aStep;
                    bp = ref Unsafe.Add(ref bp, w);
                }
            }
            StoreRow<TValues>(c0, ref tile, 0); StoreRow<TValues>(c1, ref tile, 1); StoreRow<TValues>(c2, ref tile, 2);
            StoreRow<TValues>(c3, ref tile, 3); StoreRow<TValues>(c4, ref tile, 4); StoreRow<TValues>(c5, ref tile, 5);
            StoreRow<TValues>(c6, ref tile, 6); StoreRow<TValues>(c7, ref tile, 7); StoreRow<TValues>(c8, ref tile, 8);
            StoreRow<TValues>(c9, ref tile, 9); StoreRow<TValues>(c10, ref tile, 10); StoreRow<TValues>(c11, ref tile, 11);
        }

        /// <summary>
        /// Row r of <see cref="TwelveRows{TValues}"/>'s tile: the vector at tile[r·W] (<see cref="Narrow"/>), or its four
        /// columns' sums at tile[r·4] (<see cref="Quarters"/>, <see cref="StoreQuarterSums"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreRow<TValues>(TVector sums, ref T tile, int r) where TValues : struct
        {
            if (typeof(TValues) == typeof(QuarterValues)) StoreQuarterSums(sums, ref Unsafe.Add(ref tile, 4 * r));
            else Store(sums, ref Unsafe.Add(ref tile, (nuint)r * W));
        }

        /// <summary>The vector <see cref="TwelveRows{TValues}"/> multiplies for the row at <paramref name="source"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe TVector RowValues<TValues>(T* source) where TValues : struct =>
            typeof(TValues) == typeof(QuarterValues) ? BroadcastQuarter(source) : Broadcast(source);

        /// <summary>
        /// The four-column tile of a transposed A: 2W rows of C by four columns, one multiply-add a step of k for G = W/4
        /// rows. A's element (r, p) is at r + p·<paramref name="aStep"/> from <paramref name="aPanel"/> (A stored k × m), so
        /// G adjacent rows are G adjacent values: the vector for rows vG .. vG + G − 1 is those values repeated four times
        /// (one broadcast load), and lane j·G + g of its sum adds A[vG + g, p]·B[p, j] from bPanel[p·W + j·G + g] = B[p, j].
        /// Each element is a chain of multiply-adds over p in ascending order from zero. The eight sums are written to
        /// tile[r·4 + j], r = vG + g, by one shuffle each.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static unsafe void Spread(int kc, ref T aPanel, nint aStep, ref T bPanel, ref T tile)
        {
            nuint w = W;
            nint g = (nint)(w / 4);
            TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            ref T bp = ref bPanel;
            fixed (T* panel = &aPanel)
            {
                T* ap = panel;
                for (int p = 0; p < kc; p++)
                {
                    var b = Load(ref bp);
                    c0 = MultiplyAdd(BroadcastQuarter(ap), b, c0);
                    c1 = MultiplyAdd(BroadcastQuarter(ap + g), b, c1);
                    c2 = MultiplyAdd(BroadcastQuarter(ap + 2 * g), b, c2);
                    c3 = MultiplyAdd(BroadcastQuarter(ap + 3 * g), b, c3);
                    c4 = MultiplyAdd(BroadcastQuarter(ap + 4 * g), b, c4);
                    c5 = MultiplyAdd(BroadcastQuarter(ap + 5 * g), b, c5);
                    c6 = MultiplyAdd(BroadcastQuarter(ap + 6 * g), b, c6);
                    c7 = MultiplyAdd(BroadcastQuarter(ap + 7 * g), b, c7);
                    ap += aStep;
                    bp = ref Unsafe.Add(ref bp, w);
                }
            }
            StoreRowsOfFour(c0, ref tile); StoreRowsOfFour(c1, ref Unsafe.Add(ref tile, w)); StoreRowsOfFour(c2, ref Unsafe.Add(ref tile, 2 * w));
            StoreRowsOfFour(c3, ref Unsafe.Add(ref tile, 3 * w)); StoreRowsOfFour(c4, ref Unsafe.Add(ref tile, 4 * w)); StoreRowsOfFour(c5, ref Unsafe.Add(ref tile, 5 * w));
            StoreRowsOfFour(c6, ref Unsafe.Add(ref tile, 6 * w)); StoreRowsOfFour(c7, ref Unsafe.Add(ref tile, 7 * w));
        }

        /// <summary>target[g·4 + j] = lane j·G + g of <paramref name="sums"/>: G rows of four columns, from lanes grouped by column.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreRowsOfFour(TVector sums, ref T target)
        {
            if (typeof(TVector) == typeof(Vector512<float>))
                Vector512.Shuffle(In<Vector512<float>>(sums), Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15))
                    .StoreUnsafe(ref Unsafe.As<T, float>(ref target));
            else if (typeof(TVector) == typeof(Vector512<double>))
                Vector512.Shuffle(In<Vector512<double>>(sums), Vector512.Create(0L, 2, 4, 6, 1, 3, 5, 7)).StoreUnsafe(ref Unsafe.As<T, double>(ref target));
            else if (typeof(TVector) == typeof(Vector256<float>))
                Vector256.Shuffle(In<Vector256<float>>(sums), Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7)).StoreUnsafe(ref Unsafe.As<T, float>(ref target));
            else throw new NotSupportedException($"No four-column rows for {typeof(TVector).Name}.");
        }

        /// <summary>
        /// target[j] = the sum of lanes j·G .. j·G + G − 1 of <paramref name="sums"/>, for j &lt; 4: with G = 4,
        /// (s₀ + s₁) + (s₂ + s₃); with G = 2, s₀ + s₁. Two or one rounds of adding the vector to itself with neighbouring
        /// lanes swapped, then the four first lanes of the groups gathered into the low quarter.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreQuarterSums(TVector sums, ref T target)
        {
            if (typeof(TVector) == typeof(Vector512<float>))
            {
                var v = In<Vector512<float>>(sums);
                v += Vector512.Shuffle(v, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
                v += Vector512.Shuffle(v, Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
                Vector512.Shuffle(v, Vector512.Create(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).GetLower().GetLower()
                    .StoreUnsafe(ref Unsafe.As<T, float>(ref target));
            }
            else if (typeof(TVector) == typeof(Vector512<double>))
            {
                var v = In<Vector512<double>>(sums);
                v += Vector512.Shuffle(v, Vector512.Create(1L, 0, 3, 2, 5, 4, 7, 6));
                Vector512.Shuffle(v, Vector512.Create(0L, 2, 4, 6, 0, 0, 0, 0)).GetLower().StoreUnsafe(ref Unsafe.As<T, double>(ref target));
            }
            else if (typeof(TVector) == typeof(Vector256<float>))
            {
                var v = In<Vector256<float>>(sums);
                v += Vector256.Shuffle(v, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6));
                Vector256.Shuffle(v, Vector256.Create(0, 2, 4, 6, 0, 0, 0, 0)).GetLower().StoreUnsafe(ref Unsafe.As<T, float>(ref target));
            }
            else throw new NotSupportedException($"No four-column sums for {typeof(TVector).Name}.");
        }

        /// <summary>
        /// The W/4 values from <paramref name="source"/> on (memory the caller has pinned), repeated four times: one
        /// broadcast load (<c>vbroadcastf32x4</c> or <c>vbroadcastf64x2</c> for 512 bits, <c>vbroadcastsd</c> for two floats
        /// in 256). Only for the vectors <see cref="Quarters"/> runs on (<see cref="Gemm.Job{T, TLanes}"/> checks).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe TVector BroadcastQuarter(T* source) =>
            typeof(TVector) == typeof(Vector512<float>) ? Out(Avx512F.BroadcastVector128ToVector512((float*)source))
            : typeof(TVector) == typeof(Vector512<double>) ? Out(Avx512DQ.BroadcastVector128ToVector512((double*)source))
            : typeof(TVector) == typeof(Vector256<float>) ? Out(Vector256.Create(*(double*)source).AsSingle())
            : throw new NotSupportedException($"No quarter-vector broadcast for {typeof(TVector).Name}.");

        /// <summary>row[0..2W] = [row[0..2W] +] (left, right).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void WriteRow(ref T row, bool load, TVector left, TVector right)
        {
            ref T second = ref Unsafe.Add(ref row, W);
            if (load)
            {
                left = Add(Load(ref row), left);
                right = Add(Load(ref second), right);
            }
            Store(left, ref row);
            Store(right, ref second);
        }

        /// <summary>W values of T from <paramref name="source"/> on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Load(ref T source) =>
            typeof(TVector) == typeof(Vector512<T>) ? Out(Vector512.LoadUnsafe(ref source))
            : typeof(TVector) == typeof(Vector256<T>) ? Out(Vector256.LoadUnsafe(ref source))
            : typeof(TVector) == typeof(Vector128<T>) ? Out(Vector128.LoadUnsafe(ref source))
            : Out(source);

        /// <summary>
        /// Every lane the value at <paramref name="source"/> (memory the caller has pinned). For 128-bit float lanes on x86
        /// with AVX but not AVX2 (the 128-bit path, <c>DOTNET_EnableAVX2=0</c>), the JIT builds <c>Vector128.Create(*source)</c>
        /// from a scalar load and a shuffle, which competes with the multiplies and adds for the vector pipes (six shuffles per
        /// 24 of them in <see cref="Whole"/>); AVX's <c>vbroadcastss</c> from memory is a load alone, so it is used there.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe TVector Broadcast(T* source) =>
            typeof(TVector) == typeof(Vector512<T>) ? Out(Vector512.Create(*source))
            : typeof(TVector) == typeof(Vector256<T>) ? Out(Vector256.Create(*source))
            : typeof(TVector) == typeof(Vector128<float>) && Avx.IsSupported && !Avx2.IsSupported ? Out(Avx.BroadcastScalarToVector128((float*)source))
            : typeof(TVector) == typeof(Vector128<T>) ? Out(Vector128.Create(*source))
            : Out(*source);

        /// <summary>a·b + addend, lane by lane: fused where the hardware has FMA (MultiplyAddEstimate), as every Lanes type does.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector MultiplyAdd(TVector a, TVector b, TVector addend) =>
            typeof(TVector) == typeof(Vector512<float>) ? Out(Vector512.MultiplyAddEstimate(In<Vector512<float>>(a), In<Vector512<float>>(b), In<Vector512<float>>(addend)))
            : typeof(TVector) == typeof(Vector512<double>) ? Out(Vector512.MultiplyAddEstimate(In<Vector512<double>>(a), In<Vector512<double>>(b), In<Vector512<double>>(addend)))
            : typeof(TVector) == typeof(Vector256<float>) ? Out(Vector256.MultiplyAddEstimate(In<Vector256<float>>(a), In<Vector256<float>>(b), In<Vector256<float>>(addend)))
            : typeof(TVector) == typeof(Vector256<double>) ? Out(Vector256.MultiplyAddEstimate(In<Vector256<double>>(a), In<Vector256<double>>(b), In<Vector256<double>>(addend)))
            : typeof(TVector) == typeof(Vector128<float>) ? Out(Vector128.MultiplyAddEstimate(In<Vector128<float>>(a), In<Vector128<float>>(b), In<Vector128<float>>(addend)))
            : typeof(TVector) == typeof(Vector128<double>) ? Out(Vector128.MultiplyAddEstimate(In<Vector128<double>>(a), In<Vector128<double>>(b), In<Vector128<double>>(addend)))
            : Out(In<T>(a) * In<T>(b) + In<T>(addend)); // Lanes1's: a product and a sum, each rounded

        /// <summary>a + b, lane by lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Add(TVector a, TVector b) =>
            typeof(TVector) == typeof(Vector512<T>) ? Out(In<Vector512<T>>(a) + In<Vector512<T>>(b))
            : typeof(TVector) == typeof(Vector256<T>) ? Out(In<Vector256<T>>(a) + In<Vector256<T>>(b))
            : typeof(TVector) == typeof(Vector128<T>) ? Out(In<Vector128<T>>(a) + In<Vector128<T>>(b))
            : Out(In<T>(a) + In<T>(b));

        /// <summary>destination[0..W] = value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(TVector value, ref T destination)
        {
            if (typeof(TVector) == typeof(Vector512<T>)) In<Vector512<T>>(value).StoreUnsafe(ref destination);
            else if (typeof(TVector) == typeof(Vector256<T>)) In<Vector256<T>>(value).StoreUnsafe(ref destination);
            else if (typeof(TVector) == typeof(Vector128<T>)) In<Vector128<T>>(value).StoreUnsafe(ref destination);
            else destination = In<T>(value);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Out<TFrom>(TFrom value) where TFrom : struct => Unsafe.BitCast<TFrom, TVector>(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TTo In<TTo>(TVector value) where TTo : struct => Unsafe.BitCast<TVector, TTo>(value);
    }

    /// <summary>
    /// Up to this many columns of C (eight micro-tiles wide with AVX2), a stored A is read in place rather than packed:
    /// each panel of A would serve at most this many / NR tiles.
    /// </summary>
    internal const int DirectColumns = 128;

    /// <summary>
    /// A stored B block of at most this many elements (16 KB of float, half of the smallest L1 data cache of an x86 core
    /// with AVX2) is read in place by the micro-kernel rather than packed.
    /// </summary>
    internal const int InPlaceElements = 4096;

    /// <summary>Up to this many rows of A, a product streams B instead of packing it.</summary>
    internal const int FewRows = 4;

    /// <summary>
    /// A product of m ≤ <see cref="FewRows"/> rows of A by a stored B, as parallel work: part p of P computes a band of C's
    /// columns, cut at multiples of a strip, so each element is computed whole by one thread whatever the split. Alone, a
    /// thread reads B along its rows (<see cref="FewRowsAlongRows"/>); sharing the columns, each reads its band in strips
    /// (<see cref="FewRowsInStrips"/>). Each way was the faster one there (bench/MiniGrad.Benchmarks/NOTES.md), and both
    /// do the same operations on each element in the same order, so C's bits do not depend on which ran.
    /// </summary>
    private sealed class FewRowsJob<T, TLanes> : IParallelWork
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        [ThreadStatic] private static FewRowsJob<T, TLanes>? current;

        private int m, n, k;
        private T[] a = [], b = [], c = [];
        private T[]? bias;
        private bool accumulate;

        internal static FewRowsJob<T, TLanes> ForThisThread => current ??= new FewRowsJob<T, TLanes>();

        internal void Set(int m, int n, int k, T[] a, T[] b, T[] c, bool accumulate, T[]? bias) =>
            (this.m, this.n, this.k, this.a, this.b, this.c, this.accumulate, this.bias) = (m, n, k, a, b, c, accumulate, bias);

        internal void Clear() => (a, b, c, bias) = ([], [], [], null);

        public void Run(int part, int parts)
        {
            var (start, end) = WorkerPool.Band(n, 8 * TLanes.Count, part, parts);
            if (start >= end) return;
            if (parts == 1) FewRowsAlongRows<T, TLanes>(m, n, k, a, b, c, accumulate, bias, start, end);
            else FewRowsInStrips<T, TLanes>(m, n, k, a, b, c, accumulate, bias, start, end);
        }
    }

    /// <summary>C = [C +] A·B [+ bias] for m ≤ <see cref="FewRows"/>, A and B stored as they are, on the worker pool when large.</summary>
    private static void FewRowsTimesB<T, TLanes>(int m, int n, int k, T[] a, T[] b, T[] c, bool accumulate, T[]? bias)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        var rows = FewRowsJob<T, TLanes>.ForThisThread;
        rows.Set(m, n, k, a, b, c, accumulate, bias);
        WorkerPool.Run(rows, WorkerPool.PartsFor((long)m * n * k, ParallelThreshold / 32));
        rows.Clear();
    }

    /// <summary>
    /// C[i, start..end] = [C +] Σₚ A[i, p]·B[p, start..end] [+ bias] for the m ≤ <see cref="FewRows"/> rows of A, with A and
    /// B stored as they are. The sums of a chunk of at most <see cref="FewRowsChunk"/> columns are kept in a buffer that stays
    /// in L1, and B is read along its rows, eight rows at a time: sums[j] = ((sums[j] + A[i,p]·B[p,j]) + A[i,p+1]·B[p+1,j]) + ….
    /// Long runs of consecutive addresses are what the hardware prefetchers stream best: B read from L3 this way takes about
    /// a fifth less time than in strips a few cache lines wide down all k rows. Every element is summed over p in ascending
    /// order from zero, as a multiply-add on a vector's columns and a multiply then an add on the last few, then the bias
    /// is added, then C if accumulating: what <see cref="FewRowsInStrips"/> does too.
    /// </summary>
    /// <remarks>
    /// The runtime places an array on any 8-byte boundary, so B's rows mostly begin part-way into a cache line. With 512-bit
    /// vectors (a whole line each) that costs: on a Zen 5, the mnist MLP's forward pass at batch 1, which streams its 784 ×
    /// 512 weight from L3, took 28–30 µs where that began 8 to 56 bytes into a line and 24 where it began on one
    /// (bench/MiniGrad.Benchmarks/NOTES.md). So when the vectors are a line wide and all of B's rows begin at the same place
    /// in a line (n·size a multiple of it), the vectors are shifted onto line boundaries (<see cref="VectorShift{T}"/>): the
    /// aligned body, then one vector at the chunk's first column for the columns before the body, and one ending at its
    /// last vector column for those after it. Those two overlap the body; only their own lanes are written to C. Each
    /// column is still one lane of the same multiply-adds, so the shift never changes a bit.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FewRowsAlongRows<T, TLanes>(int m, int n, int k, T[] a, T[] b, T[] c, bool accumulate, T[]? bias, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        int w = TLanes.Count;
        // Nothing is packed here, so the thread's packing buffer for A holds the sums: a chunk's, and one vector more for a shift.
        ref T sums = ref MemoryMarshal.GetReference(PackBuffers<T>.ForThisThread(Math.Min(FewRowsChunk, end - start) + w, 0).A);
        ref T bs = ref MemoryMarshal.GetArrayDataReference(b);
        for (int i = 0; i < m; i++)
        {
            ref T ai = ref a[i * k];
            ref T ci = ref c[i * n];
            for (int first = start; first < end; first += FewRowsChunk)
            {
                int width = Math.Min(FewRowsChunk, end - first), vectors = width - width % w, j;
                // The chunk's vectors, the v-th summed in sums[v·w..]: shifted, `body` aligned ones from column `shift` on, then
                // one at column 0 (the columns before `shift`) and one at vectors − w (those after the body); else vectors / w
                // from column 0.
                int shift = vectors >= 2 * w ? VectorShift(ref Unsafe.Add(ref bs, first), n, w) : 0;
                int body = shift == 0 ? vectors / w : vectors / w - 1;
                int count = shift == 0 ? body : body + 2;
                int tail = count * w; // where the sums of the last columns, fewer than a vector, begin
                MemoryMarshal.CreateSpan(ref sums, tail + width - vectors).Clear();
                int p = 0;
                for (; p + 8 <= k; p += 8)
                {
                    ref T a0 = ref Unsafe.Add(ref ai, p);
                    TLanes x0 = TLanes.Create(a0), x1 = TLanes.Create(Unsafe.Add(ref a0, 1)), x2 = TLanes.Create(Unsafe.Add(ref a0, 2)), x3 = TLanes.Create(Unsafe.Add(ref a0, 3));
                    TLanes x4 = TLanes.Create(Unsafe.Add(ref a0, 4)), x5 = TLanes.Create(Unsafe.Add(ref a0, 5)), x6 = TLanes.Create(Unsafe.Add(ref a0, 6)), x7 = TLanes.Create(Unsafe.Add(ref a0, 7));
                    ref T b0 = ref Unsafe.Add(ref bs, p * n + first);
                    for (int v = 0; v < body; v++)
                        AddEightRows(ref Unsafe.Add(ref b0, shift + v * w), n, ref Unsafe.Add(ref sums, v * w), x0, x1, x2, x3, x4, x5, x6, x7);
                    if (shift != 0)
                    {
                        AddEightRows(ref b0, n, ref Unsafe.Add(ref sums, body * w), x0, x1, x2, x3, x4, x5, x6, x7);
                        AddEightRows(ref Unsafe.Add(ref b0, vectors - w), n, ref Unsafe.Add(ref sums, (body + 1) * w), x0, x1, x2, x3, x4, x5, x6, x7);
                    }
                    for (j = vectors; j < width; j++) // the last columns, fewer than a vector
                    {
                        ref T bj = ref Unsafe.Add(ref b0, j);
                        ref T slot = ref Unsafe.Add(ref sums, tail + j - vectors);
                        T sum = slot;
                        for (int q = 0; q < 8; q++) sum += Unsafe.Add(ref a0, q) * Unsafe.Add(ref bj, q * n);
                        slot = sum;
                    }
                }
                for (; p < k; p++) // the last rows of B, fewer than eight
                {
                    T ap = Unsafe.Add(ref ai, p);
                    var x = TLanes.Create(ap);
                    ref T bp = ref Unsafe.Add(ref bs, p * n + first);
                    for (int v = 0; v < count; v++)
                    {
                        int column = v < body ? shift + v * w : v == body ? 0 : vectors - w;
                        ref T slot = ref Unsafe.Add(ref sums, v * w);
                        TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, column)), TLanes.Load(ref slot)).Store(ref slot);
                    }
                    for (j = vectors; j < width; j++) Unsafe.Add(ref sums, tail + j - vectors) += ap * Unsafe.Add(ref bp, j);
                }
                for (int v = 0; v < body; v++) FinishFewRows(ref ci, first + shift + v * w, TLanes.Load(ref Unsafe.Add(ref sums, v * w)), accumulate, bias);
                if (shift != 0)
                {
                    for (j = 0; j < shift; j++) FinishFewRows(ref ci, first + j, Unsafe.Add(ref sums, body * w + j), accumulate, bias);
                    for (j = shift; j < w; j++) FinishFewRows(ref ci, first + vectors - w + j, Unsafe.Add(ref sums, (body + 1) * w + j), accumulate, bias);
                }
                for (j = vectors; j < width; j++) FinishFewRows(ref ci, first + j, Unsafe.Add(ref sums, tail + j - vectors), accumulate, bias);
            }
        }
    }

    /// <summary>
    /// sum[0..W] = ((sum + x0·B[0, 0..W]) + x1·B[1, 0..W]) + … + x7·B[7, 0..W], B's rows <paramref name="n"/> apart. The
    /// row address is stepped by one add a row, not recomputed from a product each time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddEightRows<T, TLanes>(ref T b, nint n, ref T sum, TLanes x0, TLanes x1, TLanes x2, TLanes x3, TLanes x4, TLanes x5, TLanes x6, TLanes x7)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        ref T row = ref b;
        var s = TLanes.MultiplyAdd(x0, TLanes.Load(ref row), TLanes.Load(ref sum));
        row = ref Unsafe.Add(ref row, n); s = TLanes.MultiplyAdd(x1, TLanes.Load(ref row), s);
        row = ref Unsafe.Add(ref row, n); s = TLanes.MultiplyAdd(x2, TLanes.Load(ref row), s);
        row = ref Unsafe.Add(ref row, n); s = TLanes.MultiplyAdd(x3, TLanes.Load(ref row), s);
        row = ref Unsafe.Add(ref row, n); s = TLanes.MultiplyAdd(x4, TLanes.Load(ref row), s);
        row = ref Unsafe.Add(ref row, n); s = TLanes.MultiplyAdd(x5, TLanes.Load(ref row), s);
        row = ref Unsafe.Add(ref row, n); s = TLanes.MultiplyAdd(x6, TLanes.Load(ref row), s);
        row = ref Unsafe.Add(ref row, n); s = TLanes.MultiplyAdd(x7, TLanes.Load(ref row), s);
        s.Store(ref sum);
    }

    /// <summary>
    /// How many elements from <paramref name="first"/> to the next cache-line boundary, when a vector of
    /// <paramref name="lanes"/> elements is a whole line and each row of B, <paramref name="n"/> elements long, begins at the
    /// same place in a line; else 0. Narrower vectors are not shifted: at 256 bits, shifting onto 32-byte boundaries gained
    /// nothing measurable (NOTES.md). The address is only a hint for speed: if the collector moves the array meanwhile, the
    /// result is the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int VectorShift<T>(ref T first, int n, int lanes) where T : unmanaged
    {
        int bytes = lanes * sizeof(T);
        if (bytes < CacheLine || (long)n * sizeof(T) % bytes != 0) return 0;
        int offset = (int)((nint)Unsafe.AsPointer(ref first) % bytes);
        return offset % sizeof(T) == 0 ? (bytes - offset) % bytes / sizeof(T) : 0;
    }

    /// <summary>
    /// C[i, start..end] = [C +] Σₚ A[i, p]·B[p, start..end] [+ bias] for the m ≤ <see cref="FewRows"/> rows of A, with A and
    /// B stored as they are. For each strip of eight vectors of C's row, the pass over k reads B's strip row by row and adds
    /// it, scaled by A[i, p], into accumulators held in registers; the strips cover the band left to right, then single
    /// vectors, then scalars. Every element is summed over p in ascending order from zero, then gets the bias, then C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FewRowsInStrips<T, TLanes>(int m, int n, int k, T[] a, T[] b, T[] c, bool accumulate, T[]? bias, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        int w = TLanes.Count, j;
        ref T bs = ref MemoryMarshal.GetArrayDataReference(b);
        for (int i = 0; i < m; i++)
        {
            ref T ai = ref a[i * k];
            ref T ci = ref c[i * n];
            for (j = start; j + 8 * w <= end; j += 8 * w) // strips of eight vectors: 4 cache lines of each row of B per step
            {
                TLanes s0 = TLanes.Zero, s1 = TLanes.Zero, s2 = TLanes.Zero, s3 = TLanes.Zero;
                TLanes s4 = TLanes.Zero, s5 = TLanes.Zero, s6 = TLanes.Zero, s7 = TLanes.Zero;
                ref T bp = ref Unsafe.Add(ref bs, j);
                for (int p = 0; p < k; p++, bp = ref Unsafe.Add(ref bp, n))
                {
                    var x = TLanes.Create(Unsafe.Add(ref ai, p));
                    s0 = TLanes.MultiplyAdd(x, TLanes.Load(ref bp), s0);
                    s1 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, w)), s1);
                    s2 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, 2 * w)), s2);
                    s3 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, 3 * w)), s3);
                    s4 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, 4 * w)), s4);
                    s5 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, 5 * w)), s5);
                    s6 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, 6 * w)), s6);
                    s7 = TLanes.MultiplyAdd(x, TLanes.Load(ref Unsafe.Add(ref bp, 7 * w)), s7);
                }
                FinishFewRows(ref ci, j, s0, accumulate, bias);
                FinishFewRows(ref ci, j + w, s1, accumulate, bias);
                FinishFewRows(ref ci, j + 2 * w, s2, accumulate, bias);
                FinishFewRows(ref ci, j + 3 * w, s3, accumulate, bias);
                FinishFewRows(ref ci, j + 4 * w, s4, accumulate, bias);
                FinishFewRows(ref ci, j + 5 * w, s5, accumulate, bias);
                FinishFewRows(ref ci, j + 6 * w, s6, accumulate, bias);
                FinishFewRows(ref ci, j + 7 * w, s7, accumulate, bias);
            }
            for (; j + w <= end; j += w) // single vectors
            {
                TLanes sum = TLanes.Zero;
                ref T bp = ref Unsafe.Add(ref bs, j);
                for (int p = 0; p < k; p++, bp = ref Unsafe.Add(ref bp, n)) sum = TLanes.MultiplyAdd(TLanes.Create(Unsafe.Add(ref ai, p)), TLanes.Load(ref bp), sum);
                FinishFewRows(ref ci, j, sum, accumulate, bias);
            }
            for (; j < end; j++) // the last columns, fewer than a vector
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++) sum += Unsafe.Add(ref ai, p) * Unsafe.Add(ref bs, p * n + j);
                FinishFewRows(ref ci, j, sum, accumulate, bias);
            }
        }
    }

    /// <summary>
    /// Writes a few-rows sum over k to C: row[column..] = [row[column..] +] (sum + bias[column..]). Both few-rows kernels
    /// write through here, so they give the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishFewRows<T, TLanes>(ref T row, int column, TLanes sum, bool accumulate, T[]? bias)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLanes : struct, ILanes<T, TLanes>
    {
        ref T target = ref Unsafe.Add(ref row, column);
        if (bias is not null) sum += TLanes.Load(ref bias[column]);
        if (accumulate) sum += TLanes.Load(ref target);
        sum.Store(ref target);
    }

    /// <summary>One element of <see cref="FinishFewRows{T, TLanes}"/>: row[column] = [row[column] +] (sum + bias[column]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishFewRows<T>(ref T row, int column, T sum, bool accumulate, T[]? bias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T target = ref Unsafe.Add(ref row, column);
        if (bias is not null) sum += bias[column];
        target = accumulate ? sum + target : sum;
    }

    /// <summary>The bytes of a cache line on the processors .NET runs on (x64 and Arm64 cores alike).</summary>
    private const int CacheLine = 64;

    /// <summary>How many columns of C the few-rows product sums at a time: 8 KB of float sums, which stay in L1.</summary>
    private const int FewRowsChunk = 2048;

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// Each thread's packing buffers, grown to the largest block it has packed and then reused. Each starts on a 64-byte
    /// boundary (a cache line, and a whole vector at every width), so that no vector load of a packed panel straddles
    /// two lines, which costs two cache accesses instead of one; an array's data is only 8- or 16-byte aligned, and where
    /// it fell depended on what the process had allocated before. The arrays live on the pinned-object heap, so the
    /// boundary stays where it was found.
    /// </summary>
    private sealed class PackBuffers<T> where T : unmanaged
    {
        [ThreadStatic] private static PackBuffers<T>? current;

        private T[] a = [], b = [];
        private int aStart, bStart, aLength, bLength;

        internal Span<T> A => a.AsSpan(aStart, aLength);
        internal Span<T> B => b.AsSpan(bStart, bLength);

        internal static PackBuffers<T> ForThisThread(int aLength, int bLength)
        {
            var buffers = current ??= new PackBuffers<T>();
            if (buffers.aLength < aLength) (buffers.a, buffers.aStart, buffers.aLength) = Aligned(aLength);
            if (buffers.bLength < bLength) (buffers.b, buffers.bStart, buffers.bLength) = Aligned(bLength);
            return buffers;
        }

        private static unsafe (T[] Array, int Start, int Length) Aligned(int length)
        {
            var array = GC.AllocateUninitializedArray<T>(length + CacheLine / sizeof(T), pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref array[0]);
            int start = (int)((CacheLine - address % CacheLine) % CacheLine) / sizeof(T);
            return (array, start, length);
        }
    }
}
