using System.Numerics.Tensors;
using MiniGrad.Kernels;
using System.Runtime.CompilerServices;

namespace MiniGrad;

// The differentiable ops. Each one checks shapes, computes its result, then records its backward step right
// below: the step reads dL/dy (y.GradSpan) and adds each input's share into that input's GradAccumulator().
public sealed partial class Tensor<T>
{
    // ---- Matrix product -----------------------------------------------------------------------------------

    /// <summary>Matrix product y = A·B: an m × k tensor times a k × n tensor gives m × n.</summary>
    /// <remarks>dA += dy·Bᵀ, dB += Aᵀ·dy (computed without materialising a transpose).</remarks>
    /// <exception cref="ArgumentException">The inner dimensions differ.</exception>
    public Tensor<T> MatMul(Tensor<T> other)
    {
        CheckOperand(other);
        if (Cols != other.Rows)
            throw new ArgumentException(
                $"MatMul: shapes {Shape} and {other.Shape} cannot be multiplied ({Cols} columns on the left, {other.Rows} rows on the right).",
                nameof(other));

        ReadOnlySpan<Tensor<T>> inputs = [this, other];
        var y = Result(Rows, other.Cols, inputs);
        Gemm.Multiply(Rows, other.Cols, Cols, values, false, other.values, false, y.values, accumulate: false);
        return Record("MatMul", y, inputs, static (y, inputs) => MatMulBackward(y, inputs[0], inputs[1]));
    }

    /// <summary>
    /// The affine map of a dense layer, y = x·W + b, as one op: an m × k input times a k × n weight plus a
    /// 1 × n bias row, broadcast over the m rows. The bias is added as the product is written out.
    /// </summary>
    /// <remarks>dx += dy·Wᵀ, dW += xᵀ·dy, db += Σ_rows dy.</remarks>
    /// <exception cref="ArgumentException">The inner dimensions differ, or the bias is not 1 × n.</exception>
    public Tensor<T> Linear(Tensor<T> weight, Tensor<T> bias)
    {
        CheckOperand(weight);
        CheckOperand(bias);
        if (Cols != weight.Rows)
            throw new ArgumentException(
                $"Linear: input {Shape} and weight {weight.Shape} cannot be multiplied ({Cols} columns on the left, {weight.Rows} rows on the right).",
                nameof(weight));
        if (bias.Rows != 1 || bias.Cols != weight.Cols)
            throw new ArgumentException($"Linear: the bias is {bias.Shape} but must be 1x{weight.Cols} for weight {weight.Shape}.", nameof(bias));

        ReadOnlySpan<Tensor<T>> inputs = [this, weight, bias];
        var y = Result(Rows, weight.Cols, inputs);
        Gemm.Multiply(Rows, weight.Cols, Cols, values, false, weight.values, false, y.values, accumulate: false, bias.values);
        return Record("Linear", y, inputs, static (y, inputs) =>
        {
            MatMulBackward(y, inputs[0], inputs[1]);
            if (inputs[2].requiresGrad) AccumulateReduced(inputs[2], y.GradSpan, y.Rows, y.Cols);
        });
    }

    private static void MatMulBackward(Tensor<T> y, Tensor<T> a, Tensor<T> b)
    {
        if (a.requiresGrad && b.requiresGrad) // Gemm.MultiplyBoth runs the two side by side on the threads when that pays
        {
            var da = a.GradTarget(out bool accumulateA);
            var db = b.GradTarget(out bool accumulateB);
            Gemm.MultiplyBoth(
                new Gemm.Product<T>(a.Rows, a.Cols, y.Cols, y.GradArray, false, b.values, true, da, accumulateA),
                new Gemm.Product<T>(b.Rows, b.Cols, y.Rows, a.values, true, y.GradArray, false, db, accumulateB));
            return;
        }
        if (a.requiresGrad)
        {
            var da = a.GradTarget(out bool accumulate);
            Gemm.Multiply(a.Rows, a.Cols, y.Cols, y.GradArray, false, b.values, true, da, accumulate);
        }
        if (b.requiresGrad)
        {
            var db = b.GradTarget(out bool accumulate);
            Gemm.Multiply(b.Rows, b.Cols, y.Rows, a.values, true, y.GradArray, false, db, accumulate);
        }
    }

    /// <summary>The transpose: an m × n tensor becomes n × m.</summary>
    /// <remarks>dA += dyᵀ.</remarks>
    public Tensor<T> Transpose()
    {
        Check(this);
        var y = Result(Cols, Rows, this);
        Transpose(Span, Rows, Cols, y.Span, accumulate: false);
        return Record("Transpose", y, [this], static (y, inputs) => Transpose(y.GradSpan, y.Rows, y.Cols, inputs[0].GradAccumulator(), accumulate: true));
    }

    private static void Transpose(ReadOnlySpan<T> source, int rows, int cols, Span<T> destination, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                if (accumulate) destination[c * rows + r] += source[r * cols + c];
                else destination[c * rows + r] = source[r * cols + c];
            }
    }

    // ---- Element-wise binary ops, with broadcasting ---------------------------------------------------------
    // Shapes broadcast as in PyTorch: each dimension must match or be 1 on one side, so a 1 × n bias row
    // spreads over the batch, an m × 1 column over the features, and a 1 × 1 over everything. In backward,
    // an input's share is summed over the dimensions along which it was spread.

    /// <summary>Element-wise sum y = a + b, with broadcasting.</summary>
    /// <remarks>da += dy, db += dy (each summed over its broadcast dimensions).</remarks>
    public static Tensor<T> operator +(Tensor<T> a, Tensor<T> b)
    {
        var y = Binary<Broadcast<T>.Add>("Add", a, b);
        return Record("Add", y, [a, b], static (y, inputs) =>
        {
            if (inputs[0].requiresGrad) AccumulateReduced(inputs[0], y.GradSpan, y.Rows, y.Cols);
            if (inputs[1].requiresGrad) AccumulateReduced(inputs[1], y.GradSpan, y.Rows, y.Cols);
        });
    }

    /// <summary>Element-wise difference y = a − b, with broadcasting.</summary>
    /// <remarks>da += dy, db −= dy (each summed over its broadcast dimensions).</remarks>
    public static Tensor<T> operator -(Tensor<T> a, Tensor<T> b)
    {
        var y = Binary<Broadcast<T>.Subtract>("Subtract", a, b);
        return Record("Subtract", y, [a, b], static (y, inputs) =>
        {
            if (inputs[0].requiresGrad) AccumulateReduced(inputs[0], y.GradSpan, y.Rows, y.Cols);
            if (inputs[1].requiresGrad) AccumulateReduced(inputs[1], y.GradSpan, y.Rows, y.Cols, negate: true);
        });
    }

    /// <summary>Element-wise (Hadamard) product y = a ⊙ b, with broadcasting.</summary>
    /// <remarks>da += dy ⊙ b, db += dy ⊙ a (each summed over its broadcast dimensions).</remarks>
    public static Tensor<T> operator *(Tensor<T> a, Tensor<T> b)
    {
        var y = Binary<Broadcast<T>.Multiply>("Multiply", a, b);
        return Record("Multiply", y, [a, b], static (y, inputs) =>
        {
            var (a, b) = (inputs[0], inputs[1]);
            if (a.requiresGrad) AccumulateProduct(a, y, b);
            if (b.requiresGrad) AccumulateProduct(b, y, a);
        });
    }

    /// <summary>Element-wise quotient y = a / b, with broadcasting.</summary>
    /// <remarks>da += dy / b, db −= dy ⊙ y / b (= dy ⊙ a / b²), each summed over its broadcast dimensions.</remarks>
    public static Tensor<T> operator /(Tensor<T> a, Tensor<T> b)
    {
        var y = Binary<Broadcast<T>.Divide>("Divide", a, b);
        return Record("Divide", y, [a, b], static (y, inputs) =>
        {
            var (dividend, divisor) = (inputs[0], inputs[1]);
            var share = Rent(y.Rows, y.Cols);
            if (dividend.requiresGrad)
            {
                Broadcast<T>.Run<Broadcast<T>.Divide>(y.GradSpan, y.Rows, y.Cols, divisor.Span, divisor.Rows, divisor.Cols, share.Span, y.Cols);
                AccumulateReduced(dividend, share.Span, y.Rows, y.Cols);
            }
            if (divisor.requiresGrad)
            {
                TensorPrimitives.Multiply(y.GradSpan, y.Span, share.Span);
                Broadcast<T>.Run<Broadcast<T>.Divide>(share.Span, y.Rows, y.Cols, divisor.Span, divisor.Rows, divisor.Cols, share.Span, y.Cols);
                AccumulateReduced(divisor, share.Span, y.Rows, y.Cols, negate: true);
            }
            share.Return();
        });
    }

    /// <summary>Element-wise sum with broadcasting; the same as <c>this + other</c>.</summary>
    public Tensor<T> Add(Tensor<T> other) => this + other;

    /// <summary>Element-wise difference with broadcasting; the same as <c>this - other</c>.</summary>
    public Tensor<T> Subtract(Tensor<T> other) => this - other;

    /// <summary>Element-wise product with broadcasting; the same as <c>this * other</c>.</summary>
    public Tensor<T> Multiply(Tensor<T> other) => this * other;

    /// <summary>Element-wise quotient with broadcasting; the same as <c>this / other</c>.</summary>
    public Tensor<T> Divide(Tensor<T> other) => this / other;

    private static Tensor<T> Binary<TKernel>(string op, Tensor<T> a, Tensor<T> b) where TKernel : Broadcast<T>.IKernel
    {
        ArgumentNullException.ThrowIfNull(a);
        a.CheckOperand(b);
        int rows = BroadcastDimension(a.Rows, b.Rows), cols = BroadcastDimension(a.Cols, b.Cols);
        if (rows < 0 || cols < 0)
            throw new ArgumentException($"{op}: shapes {a.Shape} and {b.Shape} do not broadcast; each dimension must match or be 1 on one side.");

        var y = Result(rows, cols, a, b);
        Broadcast<T>.Run<TKernel>(a.Span, a.Rows, a.Cols, b.Span, b.Rows, b.Cols, y.Span, cols);
        return y;
    }

    private static int BroadcastDimension(int a, int b) => a == b ? a : a == 1 ? b : b == 1 ? a : -1;

    /// <summary>
    /// parent.grad ±= share, where share has the result's shape (rows × cols): summed over the rows when the
    /// parent is one row, over the columns when it is one column, over everything when it is 1 × 1.
    /// </summary>
    private static void AccumulateReduced(Tensor<T> parent, ReadOnlySpan<T> share, int rows, int cols, bool negate = false)
    {
        var gradient = parent.GradAccumulator();
        if (parent.Rows == rows && parent.Cols == cols)
        {
            if (negate) TensorPrimitives.Subtract(gradient, share, gradient);
            else TensorPrimitives.Add(gradient, share, gradient);
        }
        else if (parent.Cols == cols) // one row, spread over the batch
            Broadcast<T>.AddColumnSums(share, rows, cols, gradient, negate);
        else if (parent.Rows == rows) // one column, spread over the features
        {
            for (int r = 0; r < rows; r++)
            {
                T sum = TensorPrimitives.Sum(share.Slice(r * cols, cols));
                gradient[r] += negate ? -sum : sum;
            }
        }
        else // 1 × 1, spread over everything
        {
            T sum = TensorPrimitives.Sum(share);
            gradient[0] += negate ? -sum : sum;
        }
    }

    /// <summary>parent.grad += dy ⊙ other, summed over parent's broadcast dimensions (the product rule's share).</summary>
    private static void AccumulateProduct(Tensor<T> parent, Tensor<T> y, Tensor<T> other)
    {
        if (parent.Length == y.Length && other.Length == y.Length)
        {
            var gradient = parent.GradAccumulator();
            TensorPrimitives.MultiplyAdd(y.GradSpan, other.Span, gradient, gradient);
            return;
        }
        var share = Rent(y.Rows, y.Cols);
        Broadcast<T>.Run<Broadcast<T>.Multiply>(y.GradSpan, y.Rows, y.Cols, other.Span, other.Rows, other.Cols, share.Span, y.Cols);
        AccumulateReduced(parent, share.Span, y.Rows, y.Cols);
        share.Return();
    }

    // ---- Ops with a scalar ------------------------------------------------------------------------------

    /// <summary>y = a + s.</summary>
    /// <remarks>da += dy.</remarks>
    public static Tensor<T> operator +(Tensor<T> a, T s) => a.AddScalar(s);

    /// <summary>y = s + a.</summary>
    /// <remarks>da += dy.</remarks>
    public static Tensor<T> operator +(T s, Tensor<T> a) => a.AddScalar(s);

    /// <summary>y = a − s.</summary>
    /// <remarks>da += dy.</remarks>
    public static Tensor<T> operator -(Tensor<T> a, T s) => a.AddScalar(-s);

    /// <summary>y = s − a.</summary>
    /// <remarks>da −= dy.</remarks>
    public static Tensor<T> operator -(T s, Tensor<T> a)
    {
        Check(a);
        var y = Result(a.Rows, a.Cols, a);
        TensorPrimitives.Subtract(s, a.Span, y.Span);
        return Record("ScalarSubtract", y, [a], static (y, inputs) => SubtractFrom(inputs[0].GradAccumulator(), y.GradSpan));
    }

    /// <summary>y = a · s.</summary>
    /// <remarks>da += dy · s.</remarks>
    public static Tensor<T> operator *(Tensor<T> a, T s) => a.MultiplyScalar(s);

    /// <summary>y = s · a.</summary>
    /// <remarks>da += dy · s.</remarks>
    public static Tensor<T> operator *(T s, Tensor<T> a) => a.MultiplyScalar(s);

    /// <summary>y = a / s.</summary>
    /// <remarks>da += dy / s.</remarks>
    public static Tensor<T> operator /(Tensor<T> a, T s)
    {
        Check(a);
        var y = Result(a.Rows, a.Cols, a);
        TensorPrimitives.Divide(a.Span, s, y.Span);
        return Record("DivideByScalar", y, [a], s, static (y, inputs, s) => MultiplyAddInto(inputs[0].GradAccumulator(), y.GradSpan, T.One / s));
    }

    /// <summary>y = s / a.</summary>
    /// <remarks>da += −dy · s / a² = −dy · y / a.</remarks>
    public static Tensor<T> operator /(T s, Tensor<T> a)
    {
        Check(a);
        var y = Result(a.Rows, a.Cols, a);
        TensorPrimitives.Divide(s, a.Span, y.Span);
        return Record("ScalarDivide", y, [a], static (y, inputs) =>
            Elementwise.AccumulateGradient<T, ReciprocalGradient>(inputs[0].Span, y.Span, y.GradSpan, inputs[0].GradAccumulator()));
    }

    private Tensor<T> AddScalar(T s)
    {
        Check(this);
        var y = Result(Rows, Cols, this);
        TensorPrimitives.Add(Span, s, y.Span);
        return Record("AddScalar", y, [this], static (y, inputs) => AddInto(inputs[0].GradAccumulator(), y.GradSpan));
    }

    private Tensor<T> MultiplyScalar(T s)
    {
        Check(this);
        var y = Result(Rows, Cols, this);
        TensorPrimitives.Multiply(Span, s, y.Span);
        return Record("MultiplyByScalar", y, [this], s, static (y, inputs, s) => MultiplyAddInto(inputs[0].GradAccumulator(), y.GradSpan, s));
    }

    /// <summary>d/da (s / a) = −s / a² = −y / a.</summary>
    private readonly struct ReciprocalGradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> => -dy * y / x;
    }

    // ---- Element-wise unary ops ---------------------------------------------------------------------------

    /// <summary>y = −a.</summary>
    /// <remarks>da −= dy.</remarks>
    public static Tensor<T> operator -(Tensor<T> a)
    {
        Check(a);
        var y = Result(a.Rows, a.Cols, a);
        TensorPrimitives.Negate(a.Span, y.Span);
        return Record("Negate", y, [a], static (y, inputs) => SubtractFrom(inputs[0].GradAccumulator(), y.GradSpan));
    }

    /// <summary>y = −a; the same as unary <c>-a</c>.</summary>
    public Tensor<T> Negate() => -this;

    /// <summary>y = eˣ.</summary>
    /// <remarks>dx += dy · eˣ = dy · y, reusing the saved output.</remarks>
    public Tensor<T> Exp()
    {
        Check(this);
        var y = Result(Rows, Cols, this);
        TensorPrimitives.Exp(Span, y.Span);
        return Record("Exp", y, [this], static (y, inputs) =>
        {
            var dx = inputs[0].GradAccumulator();
            TensorPrimitives.MultiplyAdd(y.GradSpan, y.Span, dx, dx);
        });
    }

    /// <summary>y = ln x (NaN for x &lt; 0, −∞ at 0, as in PyTorch).</summary>
    /// <remarks>dx += dy / x.</remarks>
    public Tensor<T> Log()
    {
        Check(this);
        var y = Result(Rows, Cols, this);
        TensorPrimitives.Log(Span, y.Span);
        return Record("Log", y, [this], static (y, inputs) =>
            Elementwise.AccumulateGradient<T, LogGradient>(inputs[0].Span, y.Span, y.GradSpan, inputs[0].GradAccumulator()));
    }

    /// <summary>y = x².</summary>
    /// <remarks>dx += 2x · dy.</remarks>
    public Tensor<T> Square()
    {
        Check(this);
        var y = Result(Rows, Cols, this);
        TensorPrimitives.Multiply(Span, Span, y.Span);
        return Record("Square", y, [this], static (y, inputs) =>
            Elementwise.AccumulateGradient<T, SquareGradient>(inputs[0].Span, y.Span, y.GradSpan, inputs[0].GradAccumulator()));
    }

    /// <summary>dy / x.</summary>
    private readonly struct LogGradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> => dy / x;
    }

    /// <summary>2x · dy.</summary>
    private readonly struct SquareGradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> => (x + x) * dy;
    }

    // ---- Element-wise maximum (Maxout) ----------------------------------------------------------------------

    /// <summary>y = max(a, b) element by element, for tensors of one shape; ties go to a (this tensor).</summary>
    /// <remarks>
    /// da += dy where a ≥ b, db += dy where a &lt; b: the gradient flows to the larger input only. Ties go to the
    /// first operand, so a chain max(max(z₀, z₁), z₂) routes each element's gradient to the first piece that
    /// attains the maximum, as an argmax over pieces would.
    /// </remarks>
    internal Tensor<T> Maximum(Tensor<T> other)
    {
        CheckOperand(other);
        if (Rows != other.Rows || Cols != other.Cols)
            throw new ArgumentException($"Maximum: shapes {Shape} and {other.Shape} must be equal.", nameof(other));
        ReadOnlySpan<Tensor<T>> inputs = [this, other];
        var y = Result(Rows, Cols, inputs);
        Elementwise.Map(Span, other.Span, y.Span, new Larger());
        return Record("Maximum", y, inputs, static (y, inputs) =>
        {
            var (a, b) = (inputs[0], inputs[1]);
            if (a.requiresGrad) Elementwise.AccumulateGradient(a.Span, b.Span, y.GradSpan, a.GradAccumulator(), new WhereLarger(orEqual: true));
            if (b.requiresGrad) Elementwise.AccumulateGradient(b.Span, a.Span, y.GradSpan, b.GradAccumulator(), new WhereLarger(orEqual: false));
        });
    }

    /// <summary>max(a, b): b where a &lt; b or b is NaN, else a; so ties go to a and a NaN in either propagates.</summary>
    private readonly struct Larger : IBinaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes a, TLanes b) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.Equal(b, b), TLanes.ConditionalSelect(TLanes.LessThan(a, b), b, a), b);
    }

    /// <summary>dy where this operand won: where it is larger than the other (or equal, for the first operand).</summary>
    private readonly struct WhereLarger(bool orEqual) : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes other, TLanes dy) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(orEqual ? TLanes.GreaterThanOrEqual(x, other) : TLanes.GreaterThan(x, other), dy, TLanes.Zero);
    }

    // ---- Reductions ---------------------------------------------------------------------------------------

    /// <summary>The sum of all elements, as a 1 × 1 tensor.</summary>
    /// <remarks>dx += dy (the one upstream value, spread over every element).</remarks>
    public Tensor<T> Sum()
    {
        Check(this);
        var y = Result(1, 1, this);
        y.Span[0] = TensorPrimitives.Sum<T>(Span);
        return Record("Sum", y, [this], static (y, inputs) => AddInto(inputs[0].GradAccumulator(), y.GradSpan[0]));
    }

    /// <summary>The mean of all elements, as a 1 × 1 tensor (NaN for an empty tensor, as in PyTorch).</summary>
    /// <remarks>dx += dy / N.</remarks>
    public Tensor<T> Mean()
    {
        Check(this);
        var y = Result(1, 1, this);
        y.Span[0] = TensorPrimitives.Sum<T>(Span) / T.CreateTruncating(Length);
        return Record("Mean", y, [this], static (y, inputs) => AddInto(inputs[0].GradAccumulator(), y.GradSpan[0] / T.CreateTruncating(inputs[0].Length)));
    }

    // ---- Small helpers shared by the steps ----------------------------------------------------------------

    private static void AddInto(Span<T> gradient, ReadOnlySpan<T> share) => TensorPrimitives.Add(gradient, share, gradient);

    private static void AddInto(Span<T> gradient, T share) => TensorPrimitives.Add(gradient, share, gradient);

    private static void SubtractFrom(Span<T> gradient, ReadOnlySpan<T> share) => TensorPrimitives.Subtract(gradient, share, gradient);

    private static void MultiplyAddInto(Span<T> gradient, ReadOnlySpan<T> share, T scale) =>
        TensorPrimitives.MultiplyAdd(share, scale, gradient, gradient);

    private static void Check(Tensor<T> a)
    {
        ArgumentNullException.ThrowIfNull(a);
        a.ThrowIfReleased();
    }

    private void CheckOperand(Tensor<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ThrowIfReleased();
        other.ThrowIfReleased();
    }
}
