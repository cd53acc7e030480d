using System.Numerics;
using System.Runtime.Intrinsics;
using MathNet.Numerics;
using MiniGrad.Activations;
using MiniGrad.Kernels;

namespace MiniGrad.Tests;

/// <summary>
/// Every vector kernel against its scalar reference, for every length 0..257 (so each vector width and every
/// tail length is reached), in float and double. CI runs these again with AVX-512, AVX2 and all intrinsics off.
/// </summary>
[Trait("Category", "Kernels")]
public class ActivationKernelTests
{
    /// <summary>Inputs over the interesting range, with the kink 0, tiny values of both signs and saturated ones among them.</summary>
    private static T[] Inputs<T>(int length, Random rng) where T : IFloatingPointIeee754<T>
    {
        var x = new T[length];
        for (int i = 0; i < length; i++)
            x[i] = T.CreateTruncating((i % 11) switch
            {
                0 => 0.0,
                1 => 1e-30,
                2 => -1e-30,
                3 => (rng.Next(2) * 2 - 1) * (20 + 80 * rng.NextDouble()),
                _ => rng.NextDouble() * 16 - 8,
            });
        return x;
    }

    private static T[] Uniform<T>(int length, double low, double high, Random rng) where T : IFloatingPointIeee754<T> =>
        Enumerable.Range(0, length).Select(_ => T.CreateTruncating(low + (high - low) * rng.NextDouble())).ToArray();

    [Theory]
    [MemberData(nameof(ActivationCases.ElementwiseNames), MemberType = typeof(ActivationCases))]
    public void Float_kernels_match_the_scalar_reference_for_every_length(string name) => KernelsMatchReference<float>(name, 2e-6);

    [Theory]
    [MemberData(nameof(ActivationCases.ElementwiseNames), MemberType = typeof(ActivationCases))]
    public void Double_kernels_match_the_scalar_reference_for_every_length(string name) => KernelsMatchReference<double>(name, 1e-14);

    private static void KernelsMatchReference<T>(string name, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var activation = ActivationCases.Create<T>(name);
        var rng = new Random(1);
        for (int length = 0; length <= 257; length++)
        {
            var x = Inputs<T>(length, rng);
            var dy = Uniform<T>(length, -1, 1, rng);
            var dxStart = Uniform<T>(length, 0, 1, rng);

            var y = new T[length];
            activation.ForwardKernel(x, y);
            var dx = (T[])dxStart.Clone();
            activation.BackwardKernel(x, y, dy, dx);
            // The form the tape runs on a buffer nothing has written yet writes dy · f'(x) without reading it: NaN there
            // would show through any read.
            var written = Enumerable.Repeat(T.NaN, length).ToArray();
            activation.BackwardKernel(x, y, dy, written, accumulate: false);

            for (int i = 0; i < length; i++)
            {
                Numerics.Close(activation.Apply(x[i]), y[i], tolerance, $"{name} f at length {length}, element {i} (x = {x[i]})");
                // The backward kernel accumulates: dx = previous dx + dy · f'(x).
                Numerics.Close(dxStart[i] + dy[i] * activation.Derivative(x[i]), dx[i], tolerance, $"{name} f' at length {length}, element {i} (x = {x[i]})");
                Numerics.Close(dy[i] * activation.Derivative(x[i]), written[i], tolerance, $"{name} f' written at length {length}, element {i} (x = {x[i]})");
            }
        }
    }

    /// <summary>
    /// The learned and random activations, whose kernels run inside their own recorded step: forward and backward of a
    /// 1 × length row (one slope per feature for PReLU), every length 0..257, against the scalar formulas.
    /// </summary>
    [Fact]
    public void Learned_and_random_activations_match_their_formulas_for_every_length()
    {
        var rng = new Random(3);
        for (int length = 1; length <= 257; length++)
        {
            var x = Tensor<double>.FromArray(1, length, Inputs<double>(length, rng), requiresGrad: true);
            var dy = Tensor<double>.FromArray(1, length, Uniform<double>(length, -1, 1, rng));

            var prelu = new PReLU<double>(numParameters: length);
            for (int c = 0; c < length; c++) prelu.Slope[0, c] = 0.5 - c / 100.0;
            var swish = new Swish<double>(beta: 1.3);
            var rrelu = new RReLU<double>(rng: new Random(length));

            foreach (var module in new Module<double>[] { prelu, swish, rrelu })
            {
                x.ZeroGrad();
                foreach (var parameter in module.Parameters()) parameter.ZeroGrad();
                Tensor<double> y;
                using (var tape = new Tape())
                {
                    y = module.Forward(x);
                    tape.Backward(y, dy);
                    y = y.Detach();
                }
                double parameterGradient = 0;
                for (int i = 0; i < length; i++)
                {
                    double v = x[0, i], g = dy[0, i];
                    (double f, double df, double dp) = module switch
                    {
                        PReLU<double> => (v > 0 ? v : prelu.Slope[0, i] * v, v > 0 ? 1 : prelu.Slope[0, i], v > 0 ? 0 : v),
                        Swish<double> => (v * S(1.3 * v), S(1.3 * v) * (1 + 1.3 * v * (1 - S(1.3 * v))), v * v * S(1.3 * v) * (1 - S(1.3 * v))),
                        _ => (y[0, i], v > 0 ? 1 : y[0, i] / v, 0), // RReLU in training: its own slope r = y/x, in [1/8, 1/3]
                    };
                    string at = $"{module} at length {length}, element {i} (x = {v})";
                    Numerics.Close(f, y[0, i], 1e-14, at);
                    if (v != 0) Numerics.Close(g * df, x.Grad![0, i], 1e-14, at + ": dx");
                    if (module is RReLU<double> && v < 0) Assert.InRange(df, 1.0 / 8, 1.0 / 3);
                    if (module is PReLU<double>) Numerics.Close(g * dp, prelu.Slope.Grad![0, i], 1e-14, at + ": da");
                    parameterGradient += g * dp;
                }
                if (module is Swish<double>) Numerics.Close(parameterGradient, swish.Beta.Grad![0, 0], 1e-12, $"Swish dβ at length {length}");
            }
        }

        static double S(double z) => 1 / (1 + Math.Exp(-z));
    }

    [Fact]
    public void Kernels_reject_spans_of_different_lengths()
    {
        Assert.Throws<ArgumentException>(() => new Identity<double>().ForwardKernel(new double[3], new double[4]));
        Assert.Throws<ArgumentException>(() => new Tanh<double>().BackwardKernel(new double[3], new double[3], new double[2], new double[3]));
        Assert.Throws<ArgumentException>(() => new Softmax<double>().ForwardKernel(new double[3], new double[2]));
        Assert.Throws<ArgumentException>(() => new LogSoftmax<float>().BackwardKernel(new float[3], new float[3], new float[4]));
    }

    // ---- Row-wise: softmax and log-softmax against a plain scalar formula in double -----------------------

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.3)]
    [InlineData(4.0)]
    public void Softmax_row_kernels_match_the_formula_for_every_row_length(double temperature)
    {
        RowKernelsMatch<double>(temperature, 1e-14);
        RowKernelsMatch<float>(temperature, 2e-6);
    }

    private static void RowKernelsMatch<T>(double temperature, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var softmax = new Softmax<T>(temperature);
        var logSoftmax = new LogSoftmax<T>();
        var rng = new Random(2);
        for (int length = 0; length <= 257; length++)
        {
            var x = Uniform<T>(length, -10, 10, rng);
            var dy = Uniform<T>(length, -1, 1, rng);
            var xd = x.Select(double.CreateTruncating).ToArray();
            var dyd = dy.Select(double.CreateTruncating).ToArray();

            // The formulas, written the plain way in double: y = e^((x − max)/τ) / Σ, dx = y(dy − ⟨dy, y⟩)/τ;
            // log-softmax z = x − max − ln Σ e^(x − max), dx = dy − e^z Σ dy.
            double max = length == 0 ? 0 : xd.Max();
            var e = xd.Select(v => Math.Exp((v - max) / temperature)).ToArray();
            var p = e.Select(v => v / e.Sum()).ToArray();
            double dot = p.Zip(dyd, (a, b) => a * b).Sum();
            double lse = Math.Log(xd.Sum(v => Math.Exp(v - max)));
            var z = xd.Select(v => v - max - lse).ToArray();

            var y = new T[length];
            softmax.ForwardKernel(x, y);
            var dx = new T[length];
            softmax.BackwardKernel(y, dy, dx);
            var ly = new T[length];
            logSoftmax.ForwardKernel(x, ly);
            var ldx = new T[length];
            logSoftmax.BackwardKernel(ly, dy, ldx);
            // The forms the tape runs on buffers nothing has written yet: they write, so NaN left there must not show.
            var written = Enumerable.Repeat(T.NaN, length).ToArray();
            softmax.BackwardKernel(y, dy, written, accumulate: false);
            var lwritten = Enumerable.Repeat(T.NaN, length).ToArray();
            logSoftmax.BackwardKernel(ly, dy, lwritten, accumulate: false);

            for (int i = 0; i < length; i++)
            {
                Numerics.Close(T.CreateTruncating(p[i]), y[i], tolerance, $"softmax at length {length}, element {i}");
                Numerics.Close(T.CreateTruncating(p[i] * (dyd[i] - dot) / temperature), dx[i], tolerance, $"softmax' at length {length}, element {i}");
                Numerics.Close(T.CreateTruncating(z[i]), ly[i], tolerance * 4, $"log-softmax at length {length}, element {i}");
                Numerics.Close(T.CreateTruncating(dyd[i] - Math.Exp(z[i]) * dyd.Sum()), ldx[i], tolerance * 4, $"log-softmax' at length {length}, element {i}");
                Assert.Equal(dx[i], written[i]);
                Assert.Equal(ldx[i], lwritten[i]);
            }
        }
    }

    // ---- The special functions under the kernels --------------------------------------------------------

    [Fact]
    public void Erfc_series_matches_MathNet_to_its_stated_accuracy()
    {
        for (double z = 0; z <= 26; z += 0.0037)
        {
            double expected = SpecialFunctions.Erfc(z);
            double erfc = Lane(VectorMath<double>.Erfc(Lanes1<double>.Create(z)));
            Assert.True(Math.Abs(erfc - expected) <= 5e-15 * expected, $"double erfc({z}) = {erfc:R}, MathNet {expected:R}");
            if (z < 9) // beyond, erfc is below float's smallest normal
            {
                float single = Lane(VectorMath<float>.Erfc(Lanes1<float>.Create((float)z)));
                double reference = SpecialFunctions.Erfc((float)z);
                // A few ulps, plus the rounding of z² in float, which e^(−z²) turns into a relative error of z²·2⁻²⁴.
                double allowed = (8 + 2 * z * z) * Math.Pow(2, -24) * reference;
                Assert.True(Math.Abs(single - reference) <= allowed, $"float erfc({z}) = {single:R}, MathNet {reference:R}");
            }
        }
        Assert.Equal(0.0, Lane(VectorMath<double>.Erfc(Lanes1<double>.Create(double.PositiveInfinity))));
        Assert.True(double.IsNaN(Lane(VectorMath<double>.Erfc(Lanes1<double>.Create(double.NaN)))));
        // Every width computes the same series: spot-check the vector forms against the scalar one.
        for (double z = 0; z <= 6; z += 0.37)
        {
            double scalar = Lane(VectorMath<double>.Erfc(Lanes1<double>.Create(z)));
            Assert.Equal(scalar, Lane(VectorMath<double>.Erfc(Lanes128<double>.Create(z))), 1e-15 * scalar);
            Assert.Equal(scalar, Lane(VectorMath<double>.Erfc(Lanes256<double>.Create(z))), 1e-15 * scalar);
            Assert.Equal(scalar, Lane(VectorMath<double>.Erfc(Lanes512<double>.Create(z))), 1e-15 * scalar);
        }
    }

    [Fact]
    public void No_element_wise_operator_reads_a_static_readonly_number()
    {
        // The element-wise loops are compiled at their first call (Lanes.Run): a static readonly number or array read by
        // an operator would not be a constant there, since its class may not have been initialised yet.
        Type[] operatorKinds = [typeof(IUnaryOperator<>), typeof(IBinaryOperator<>), typeof(IGradientOperator<>)];
        var operators = typeof(Tensor<>).Assembly.GetTypes()
            .Where(type => type.IsValueType && type.GetInterfaces().Any(i => i.IsGenericType && operatorKinds.Contains(i.GetGenericTypeDefinition())))
            .ToArray();
        Assert.Contains(typeof(GELU<>).GetNestedType("ErfFunction", System.Reflection.BindingFlags.NonPublic), operators);
        var holders = operators.Concat(operators.Select(type => type.DeclaringType).OfType<Type>()).Append(typeof(VectorMath<>)).Distinct();
        const System.Reflection.BindingFlags statics = System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public
            | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly;
        var numbers = holders.SelectMany(type => type.GetFields(statics))
            .Where(field => field.IsInitOnly && (field.FieldType.IsGenericParameter || field.FieldType.IsPrimitive || field.FieldType.IsArray))
            .Select(field => $"{field.DeclaringType!.Name}.{field.Name}");
        Assert.Empty(numbers);
    }

    [Fact]
    public void Float_erfc_powers_are_the_first_twelve_chebyshev_terms_rewritten_in_double()
    {
        // The kernel carries the rewritten series as literals; redo the rewriting, Tₙ₊₁ = 2s·Tₙ − Tₙ₋₁, term by term in
        // double, and require the same bits.
        ReadOnlySpan<double> chebyshev = VectorMath<float>.ErfcChebyshev[..12];
        var powers = new double[chebyshev.Length];
        double[] previous = new double[chebyshev.Length], current = new double[chebyshev.Length];
        previous[0] = 1; // T₀
        current[1] = 1; // T₁
        for (int j = 0; j < chebyshev.Length; j++)
        {
            var tj = j == 0 ? previous : current;
            for (int k = 0; k < powers.Length; k++) powers[k] += chebyshev[j] * tj[k];
            if (j == 0) continue;
            var next = new double[powers.Length];
            for (int k = 0; k < powers.Length; k++) next[k] = (k > 0 ? 2 * current[k - 1] : 0) - previous[k];
            (previous, current) = (current, next);
        }
        for (int k = 0; k < powers.Length; k++) Assert.Equal(powers[k], VectorMath<double>.ErfcPower(k));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorMath<double>.ErfcPower(12));
        Assert.Equal(24, VectorMath<double>.ErfcChebyshev.Length);
    }

    [Fact]
    public void Expm1_series_coefficients_are_the_reciprocal_factorials()
    {
        double factorial = 1;
        for (int k = 1; k <= VectorMath<double>.ExpM1Coefficients.Length; k++)
        {
            factorial *= k;
            Assert.Equal(1 / factorial, VectorMath<double>.ExpM1Coefficients[k - 1]);
        }
        Assert.Equal(14, VectorMath<double>.ExpM1Coefficients.Length);
    }

    [Fact]
    public void Float_exp_is_within_one_ulp_of_the_rounded_true_value_at_every_width()
    {
        ExpWithinOneUlp<Lanes1<float>>();
        if (Lanes128<float>.IsAccelerated) ExpWithinOneUlp<Lanes128<float>>();
        if (Lanes256<float>.IsAccelerated) ExpWithinOneUlp<Lanes256<float>>();
        if (Lanes512<float>.IsAccelerated) ExpWithinOneUlp<Lanes512<float>>();
    }

    /// <summary>Checks eˣ over [−105, 89] (the normal, subnormal, underflow and overflow ranges) and at ±∞ and NaN.</summary>
    private static void ExpWithinOneUlp<TLanes>() where TLanes : struct, ILanes<float, TLanes>
    {
        const double from = -105, to = 89, step = 0.000731;
        var grid = Enumerable.Range(0, (int)((to - from) / step) + 1).Select(k => from + k * step);
        AssertWithinUlps<TLanes>(TLanes.Exp, Math.Exp, grid, 1, "e^");
        Assert.Equal(float.PositiveInfinity, Lane<float, TLanes>(TLanes.Exp(TLanes.Create(float.PositiveInfinity))));
        Assert.Equal(0f, Lane<float, TLanes>(TLanes.Exp(TLanes.Create(float.NegativeInfinity))));
        Assert.Equal(1f, Lane<float, TLanes>(TLanes.Exp(TLanes.Create(0f))));
        Assert.True(float.IsNaN(Lane<float, TLanes>(TLanes.Exp(TLanes.Create(float.NaN)))));
    }

    [Fact]
    public void ELU_and_SELU_give_minus_zero_for_minus_zero_as_PyTorch_does()
    {
        // 67 lanes: whole vectors at every width, then the scalar tail, so every path the kernel takes sees −0.
        var input = Enumerable.Repeat(-0f, 67).ToArray();
        var output = new float[input.Length];
        foreach (var activation in new ElementwiseActivation<float>[] { new ELU<float>(), new ELU<float>(0.5), new SELU<float>() })
        {
            activation.ForwardKernel(input, output);
            for (int i = 0; i < output.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(output[i]) == BitConverter.SingleToInt32Bits(-0f), $"{activation}: f(−0)[{i}] = {output[i]:R}");
        }
    }

    [Fact]
    public void Float_expm1_is_within_two_ulps_of_the_rounded_true_value_at_every_width()
    {
        ExpM1WithinTwoUlps<Lanes1<float>>();
        if (Lanes128<float>.IsAccelerated) ExpM1WithinTwoUlps<Lanes128<float>>();
        if (Lanes256<float>.IsAccelerated) ExpM1WithinTwoUlps<Lanes256<float>>();
        if (Lanes512<float>.IsAccelerated) ExpM1WithinTwoUlps<Lanes512<float>>();
    }

    /// <summary>
    /// Checks eˣ − 1 over [−100, 89] (where 2ⁿ·(eʳ − 1) and 2ⁿ − 1 cancel most at n = ±1, and the far lanes beyond ±87)
    /// and at tiny arguments of both signs down to the subnormals, where the result must keep x's digits; then ±0, ±∞ and
    /// NaN. The true value is double's expm1 (Kahan's, good to about 1e−16) rounded to float.
    /// </summary>
    private static void ExpM1WithinTwoUlps<TLanes>() where TLanes : struct, ILanes<float, TLanes>
    {
        var tiny = Enumerable.Range(0, 400).Select(k => Math.Pow(10, -44 + k * 43.0 / 400)).SelectMany(v => new[] { v, -v });
        var grid = Enumerable.Range(0, 260_000).Select(k => -100 + k * 0.000731);
        AssertWithinUlps<TLanes>(TLanes.ExpM1, ScalarMath.ExpM1, tiny.Concat(grid), 2, "expm1 ");
        Assert.Equal(float.PositiveInfinity, Lane<float, TLanes>(TLanes.ExpM1(TLanes.Create(float.PositiveInfinity))));
        Assert.Equal(float.PositiveInfinity, Lane<float, TLanes>(TLanes.ExpM1(TLanes.Create(88.8f))));
        Assert.Equal(-1f, Lane<float, TLanes>(TLanes.ExpM1(TLanes.Create(float.NegativeInfinity))));
        Assert.Equal(-1f, Lane<float, TLanes>(TLanes.ExpM1(TLanes.Create(-88f))));
        Assert.True(float.IsNaN(Lane<float, TLanes>(TLanes.ExpM1(TLanes.Create(float.NaN)))));
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(Lane<float, TLanes>(TLanes.ExpM1(TLanes.Create(0f)))));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(Lane<float, TLanes>(TLanes.ExpM1(TLanes.Create(-0f)))));
    }

    /// <summary>
    /// Each point, rounded to float, through <paramref name="function"/> on a broadcast vector, against the double
    /// <paramref name="truth"/> rounded to float: at most <paramref name="maxUlps"/> apart. Both results must have the
    /// same sign (eˣ ≥ 0; eˣ − 1 has the sign of x), so the distance between their bit patterns is the distance in ulps,
    /// subnormals included, and a wrong sign is billions of ulps.
    /// </summary>
    private static void AssertWithinUlps<TLanes>(Func<TLanes, TLanes> function, Func<double, double> truth, IEnumerable<double> points, int maxUlps, string name)
        where TLanes : struct, ILanes<float, TLanes>
    {
        foreach (double x0 in points)
        {
            float x = (float)x0;
            float expected = (float)truth(x), actual = Lane<float, TLanes>(function(TLanes.Create(x)));
            long ulps = Math.Abs((long)BitConverter.SingleToInt32Bits(expected) - BitConverter.SingleToInt32Bits(actual));
            Assert.True(ulps <= maxUlps, $"{typeof(TLanes).Name}: {name}{x:R} = {actual:R}, rounded true value {expected:R} ({ulps} ulps apart)");
        }
    }

    /// <summary>
    /// AVX-512's VSCALEFPS, which the exp uses for 2ⁿ·p, must round p·2ⁿ once, as the exp's two exact factors do: over
    /// every n from the underflow to the overflow and 4,000 values of p in [1/2, 2), each result equals p·2ⁿ computed in
    /// double (exact there) and rounded to float. Without AVX-512 the exp never calls it, and then it must say so.
    /// </summary>
    [Fact]
    public void Scalef_rounds_p_times_two_to_the_n_once_where_the_hardware_has_it()
    {
        if (!Scalef.IsSupported(Vector512<float>.Zero))
        {
            Assert.False(Scalef.IsSupported(Vector256<float>.Zero));
            Assert.False(Scalef.IsSupported(Vector128<float>.Zero));
            return;
        }
        for (int n = -160; n <= 130; n++)
            for (int i = 0; i < 4000; i++)
            {
                float p = 0.5f + 1.5f * i / 4000 + 1e-7f * (i % 7);
                float expected = (float)(p * Math.Pow(2, n));
                float actual = Scalef.Scale(Vector512.Create(p), Vector512.Create((float)n)).ToScalar();
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{p:R}·2^{n} = {actual:R}, rounded once {expected:R}");
            }
    }

    /// <summary>
    /// The lanes' sigmoid takes a shorter way (2⁻ⁿ / (2⁻ⁿ + p) instead of 1 / (1 + 2ⁿ·p)) when every lane has |x| &lt; 87
    /// and the path has no AVX-512, meant to give what 1 / (1 + e^(−x)) gives with the lanes' own exp, to the bit: over
    /// [−110, 110] (every n, the edges at ±87, underflow of e^(−x) and its overflow to ∞), at ±0, ±∞ and NaN, and with
    /// one lane far out beside lanes in range.
    /// </summary>
    [Fact]
    public void Float_sigmoid_is_one_over_one_plus_the_lanes_exp_to_the_bit_at_every_width()
    {
        SigmoidAsFormula<Lanes1<float>>();
        if (Lanes128<float>.IsAccelerated) { SigmoidAsFormula<Lanes128<float>>(); LaneByLane<Lanes128<float>>(x => Lanes128<float>.Sigmoid(x), "σ "); }
        if (Lanes256<float>.IsAccelerated) { SigmoidAsFormula<Lanes256<float>>(); LaneByLane<Lanes256<float>>(x => Lanes256<float>.Sigmoid(x), "σ "); }
        if (Lanes512<float>.IsAccelerated) { SigmoidAsFormula<Lanes512<float>>(); LaneByLane<Lanes512<float>>(x => Lanes512<float>.Sigmoid(x), "σ "); }
    }

    private static void SigmoidAsFormula<TLanes>() where TLanes : struct, ILanes<float, TLanes>
    {
        var grid = Enumerable.Range(0, 300_001).Select(k => (float)(-110 + k * (220.0 / 300_000)))
            .Concat([-87.00001f, -87f, -86.99999f, 86.99999f, 87f, 87.00001f, 0f, -0f, float.Epsilon, float.PositiveInfinity, float.NegativeInfinity, float.NaN]);
        foreach (float x in grid)
        {
            var lanes = TLanes.Create(x);
            AssertSameBits(Lane<float, TLanes>(TLanes.One / (TLanes.One + TLanes.Exp(-lanes))), Lane<float, TLanes>(TLanes.Sigmoid(lanes)),
                $"{typeof(TLanes).Name}: σ({x:R})");
        }
    }

    [Fact]
    public void Float_exp_gives_each_lane_the_bits_it_gets_alone_at_every_width()
    {
        if (Lanes128<float>.IsAccelerated) LaneByLane<Lanes128<float>>(x => Lanes128<float>.Exp(x), "e^");
        if (Lanes256<float>.IsAccelerated) LaneByLane<Lanes256<float>>(x => Lanes256<float>.Exp(x), "e^");
        if (Lanes512<float>.IsAccelerated) LaneByLane<Lanes512<float>>(x => Lanes512<float>.Exp(x), "e^");
    }

    [Fact]
    public void Float_expm1_gives_each_lane_the_bits_it_gets_alone_at_every_width()
    {
        if (Lanes128<float>.IsAccelerated) LaneByLane<Lanes128<float>>(x => Lanes128<float>.ExpM1(x), "expm1 ");
        if (Lanes256<float>.IsAccelerated) LaneByLane<Lanes256<float>>(x => Lanes256<float>.ExpM1(x), "expm1 ");
        if (Lanes512<float>.IsAccelerated) LaneByLane<Lanes512<float>>(x => Lanes512<float>.ExpM1(x), "expm1 ");
    }

    /// <summary>
    /// The vector exp scales by 2ⁿ in one of three ways (one VSCALEFPS with AVX-512; one factor when every lane has
    /// |x| &lt; 87; two factors otherwise), and expm1 takes a shorter way when every lane has |x| &lt; 87, all meant to give
    /// the same bits. Vectors of lanes in the normal range, some with one lane far out (underflow, subnormal results,
    /// overflow, ±∞, NaN) and some without, must give every lane the bits that lane gets alone, broadcast to a whole vector.
    /// </summary>
    private static void LaneByLane<TLanes>(Func<TLanes, TLanes> function, string name) where TLanes : struct, ILanes<float, TLanes>
    {
        float[] outliers = [-200f, -104f, -100f, -95.5f, -87.5f, 87f, 88.5f, 89f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        var rng = new Random(7);
        var lanes = new float[TLanes.Count];
        var results = new float[TLanes.Count];
        for (int trial = 0; trial < 4000; trial++)
        {
            for (int i = 0; i < lanes.Length; i++) lanes[i] = (float)(rng.NextDouble() * 173.8 - 86.9);
            if (trial % 3 != 0) lanes[trial % lanes.Length] = outliers[trial % outliers.Length];
            function(TLanes.Load(ref lanes[0])).Store(ref results[0]);
            for (int i = 0; i < lanes.Length; i++)
            {
                float alone = Lane<float, TLanes>(function(TLanes.Create(lanes[i])));
                Assert.True(BitConverter.SingleToInt32Bits(alone) == BitConverter.SingleToInt32Bits(results[i]),
                    $"{typeof(TLanes).Name}: {name}{lanes[i]:R} = {results[i]:R} beside [{string.Join(", ", lanes)}], {alone:R} alone");
            }
        }
    }

    /// <summary>
    /// Min against a number and CopySign, which tanh and ELU use, must keep T.Min's and T.CopySign's answers for NaN and
    /// the zeros on every path, whether the limit is a constant the JIT folds (1, 0) or a value it cannot see; and tanh
    /// must then give −0 for −0, as PyTorch does.
    /// </summary>
    [Fact]
    public void Min_against_a_number_and_CopySign_keep_NaN_and_signed_zeros_at_every_width()
    {
        MinAndCopySign<Lanes1<float>>(2.5f);
        if (Lanes128<float>.IsAccelerated) MinAndCopySign<Lanes128<float>>(2.5f);
        if (Lanes256<float>.IsAccelerated) MinAndCopySign<Lanes256<float>>(2.5f);
        if (Lanes512<float>.IsAccelerated) MinAndCopySign<Lanes512<float>>(2.5f);
    }

    private static void MinAndCopySign<TLanes>(float unseen) where TLanes : struct, ILanes<float, TLanes>
    {
        float[] values = [float.NaN, -0f, 0f, -1f, 0.5f, 2f, 9f, 10f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon];
        foreach (float x in values)
        {
            var lanes = TLanes.Create(x);
            AssertSameBits(float.Min(x, 1f), Lane<float, TLanes>(TLanes.Min(lanes, 1f)), $"{typeof(TLanes).Name}: min({x:R}, 1)");
            AssertSameBits(float.Min(x, 0f), Lane<float, TLanes>(TLanes.Min(lanes, 0f)), $"{typeof(TLanes).Name}: min({x:R}, 0)");
            AssertSameBits(float.Min(x, unseen), Lane<float, TLanes>(TLanes.Min(lanes, unseen)), $"{typeof(TLanes).Name}: min({x:R}, {unseen:R})");
            AssertSameBits(float.CopySign(2f, x), Lane<float, TLanes>(TLanes.CopySign(TLanes.Create(2f), lanes)), $"{typeof(TLanes).Name}: copysign(2, {x:R})");
            AssertSameBits(float.CopySign(x, -1f), Lane<float, TLanes>(TLanes.CopySign(lanes, TLanes.Create(-1f))), $"{typeof(TLanes).Name}: copysign({x:R}, −1)");
        }
        AssertSameBits(-0f, Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(-0f))), $"{typeof(TLanes).Name}: tanh(−0)");
        AssertSameBits(0f, Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(0f))), $"{typeof(TLanes).Name}: tanh(+0)");
        Assert.True(float.IsNaN(Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(float.NaN)))), $"{typeof(TLanes).Name}: tanh(NaN)");
    }

    private static void AssertSameBits(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual) || (float.IsNaN(expected) && float.IsNaN(actual)),
            $"{what} = {actual:R}, expected {expected:R}");

    [Fact]
    public void Float_log_is_within_two_ulps_of_the_rounded_true_value_at_every_width()
    {
        LogWithinTwoUlps<Lanes1<float>>();
        if (Lanes128<float>.IsAccelerated) LogWithinTwoUlps<Lanes128<float>>();
        if (Lanes256<float>.IsAccelerated) LogWithinTwoUlps<Lanes256<float>>();
        if (Lanes512<float>.IsAccelerated) LogWithinTwoUlps<Lanes512<float>>();
    }

    /// <summary>Checks ln x from the smallest subnormal to float.MaxValue (log-spaced, and densely around 1) and at 0, −1, ∞ and NaN.</summary>
    private static void LogWithinTwoUlps<TLanes>() where TLanes : struct, ILanes<float, TLanes>
    {
        var points = new List<float>();
        for (double e = -149; e <= 128; e += 0.0137) points.Add((float)Math.Pow(2, e));
        for (double x = 0.5; x <= 2; x += 0.00037) points.Add((float)x);
        points.Add(float.Epsilon);
        points.Add(float.MaxValue);
        foreach (float x in points.Where(float.IsFinite))
        {
            float expected = (float)Math.Log(x), actual = Lane<float, TLanes>(TLanes.Log(TLanes.Create(x)));
            // Near x = 1 the result is tiny: compare in ulps of the result, as the bits of two same-sign floats do.
            long ulps = Math.Abs((long)BitConverter.SingleToInt32Bits(expected) - BitConverter.SingleToInt32Bits(actual));
            Assert.True(ulps <= 2 || (expected == 0 && Math.Abs(actual) < 1e-7), $"{typeof(TLanes).Name}: ln {x:R} = {actual:R}, rounded true value {expected:R} ({ulps} ulps apart)");
        }
        Assert.Equal(float.NegativeInfinity, Lane<float, TLanes>(TLanes.Log(TLanes.Create(0f))));
        Assert.Equal(float.PositiveInfinity, Lane<float, TLanes>(TLanes.Log(TLanes.Create(float.PositiveInfinity))));
        Assert.True(float.IsNaN(Lane<float, TLanes>(TLanes.Log(TLanes.Create(-1f)))));
        Assert.True(float.IsNaN(Lane<float, TLanes>(TLanes.Log(TLanes.Create(float.NaN)))));
    }

    [Fact]
    public void Float_log1p_on_the_unit_interval_is_within_two_ulps_of_the_rounded_true_value_at_every_width()
    {
        Log1PUnitWithinTwoUlps<Lanes1<float>>();
        if (Lanes128<float>.IsAccelerated) Log1PUnitWithinTwoUlps<Lanes128<float>>();
        if (Lanes256<float>.IsAccelerated) Log1PUnitWithinTwoUlps<Lanes256<float>>();
        if (Lanes512<float>.IsAccelerated) Log1PUnitWithinTwoUlps<Lanes512<float>>();
    }

    /// <summary>Checks ln(1 + t) (softplus's series) on [0, 1]: evenly spaced, and log-spaced down to the smallest subnormal.</summary>
    private static void Log1PUnitWithinTwoUlps<TLanes>() where TLanes : struct, ILanes<float, TLanes>
    {
        var points = new List<float> { 0f, 1f, float.Epsilon };
        for (double t = 0; t <= 1; t += 0.00013) points.Add((float)t);
        for (double e = -149; e < 0; e += 0.0113) points.Add((float)Math.Pow(2, e));
        foreach (float t in points)
        {
            double d = t; // below 1e-4 the series to t³ is exact in double, where 1 + t would round t away
            float expected = (float)(d < 1e-4 ? d - d * d / 2 + d * d * d / 3 : Math.Log(1 + d)), actual = Lane<float, TLanes>(VectorMath<float>.Log1PUnit(TLanes.Create(t)));
            long ulps = Math.Abs((long)BitConverter.SingleToInt32Bits(expected) - BitConverter.SingleToInt32Bits(actual));
            Assert.True(ulps <= 2, $"{typeof(TLanes).Name}: ln(1 + {t:R}) = {actual:R}, rounded true value {expected:R} ({ulps} ulps apart)");
        }
    }

    /// <summary>The first lane of <paramref name="lanes"/>.</summary>
    private static T Lane<T, TLanes>(TLanes lanes) where T : unmanaged, IFloatingPointIeee754<T> where TLanes : struct, ILanes<T, TLanes>
    {
        Span<T> stored = stackalloc T[TLanes.Count];
        lanes.Store(ref stored[0]);
        return stored[0];
    }

    private static double Lane<TLanes>(TLanes lanes) where TLanes : struct, ILanes<double, TLanes> => Lane<double, TLanes>(lanes);

    private static float Lane(Lanes1<float> lanes) => Lane<float, Lanes1<float>>(lanes);

    private static float Lane(Lanes256<float> lanes) => Lane<float, Lanes256<float>>(lanes);

    [Fact]
    public void Float_tanh_is_within_four_tenths_of_a_millionth_of_the_true_value_at_every_width()
    {
        FloatTanhWithinBound<Lanes1<float>>();
        if (Lanes128<float>.IsAccelerated) FloatTanhWithinBound<Lanes128<float>>();
        if (Lanes256<float>.IsAccelerated) FloatTanhWithinBound<Lanes256<float>>();
        if (Lanes512<float>.IsAccelerated) FloatTanhWithinBound<Lanes512<float>>();
    }

    /// <summary>
    /// The rational tanh over [10⁻⁶, 12] of both signs (a step of 2·10⁻⁵ relative: 1.4 million floats, which pass from the
    /// fit's range to the clamp at 9), against tanh in double; then its edges: tiny values, signed zero, ±∞ and NaN.
    /// </summary>
    private static void FloatTanhWithinBound<TLanes>() where TLanes : struct, ILanes<float, TLanes>
    {
        for (float x = 1e-6f; x <= 12; x += x * 2e-5f)
            foreach (float v in (ReadOnlySpan<float>)[x, -x])
            {
                double expected = Math.Tanh(v), actual = Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(v)));
                Assert.True(Math.Abs(actual - expected) <= 4e-7 * Math.Abs(expected), $"{typeof(TLanes).Name}: tanh({v:R}) = {actual:R}, true {expected:R}");
            }
        Assert.Equal(1e-30f, Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(1e-30f))));
        Assert.Equal(-1e-30f, Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(-1e-30f))));
        Assert.Equal(0f, Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(0f))));
        Assert.Equal(1f, Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(9.5f))));
        Assert.Equal(1f, Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(float.PositiveInfinity))));
        Assert.Equal(-1f, Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(float.NegativeInfinity))));
        Assert.True(float.IsNaN(Lane<float, TLanes>(VectorMath<float>.Tanh(TLanes.Create(float.NaN)))));
    }

    [Fact]
    public void Double_expm1_keeps_relative_precision_at_every_width()
    {
        // Both signs, from 1e−300 to 700 on a log scale: the series near 0, eˣ − 1 beyond, and the switch at 1/2.
        var points = Enumerable.Range(0, 2001).Select(k => Math.Pow(10, -300 + k * 303.0 / 2000))
            .Concat([0.4999999, 0.5, 0.5000001]).SelectMany(v => new[] { v, -v }).Append(0.0);
        foreach (double x in points)
        {
            double expected = ScalarMath.ExpM1(x);
            AssertRelative(expected, Lane(Lanes1<double>.ExpM1(Lanes1<double>.Create(x))), 1e-15, x);
            AssertRelative(expected, Lane(Lanes128<double>.ExpM1(Lanes128<double>.Create(x))), 1e-15, x);
            AssertRelative(expected, Lane(Lanes256<double>.ExpM1(Lanes256<double>.Create(x))), 1e-15, x);
            AssertRelative(expected, Lane(Lanes512<double>.ExpM1(Lanes512<double>.Create(x))), 1e-15, x);
        }
        Assert.Equal(-1.0, Lane(Lanes128<double>.ExpM1(Lanes128<double>.Create(double.NegativeInfinity))));
        Assert.True(double.IsPositiveInfinity(Lane(Lanes128<double>.ExpM1(Lanes128<double>.Create(1000.0)))));
        Assert.True(double.IsNaN(Lane(Lanes128<double>.ExpM1(Lanes128<double>.Create(double.NaN)))));

        static void AssertRelative<T>(T expected, T actual, double tolerance, double x) where T : IFloatingPointIeee754<T>
        {
            double e = double.CreateTruncating(expected), a = double.CreateTruncating(actual);
            Assert.True(e == a || Math.Abs(a - e) <= tolerance * Math.Abs(e), $"expm1({x:R}): expected {e:R}, got {a:R}");
        }
    }

    [Fact]
    public void ExpM1_and_Log1P_keep_the_digits_of_tiny_arguments()
    {
        Assert.Equal(1.00000000005e-10, ScalarMath.ExpM1(1e-10), 1e-25);
        Assert.Equal(-9.9999999995e-11, ScalarMath.ExpM1(-1e-10), 1e-25);
        Assert.Equal(Math.E - 1, ScalarMath.ExpM1(1.0), 1e-15);
        Assert.Equal(-1.0, ScalarMath.ExpM1(-800.0));
        Assert.Equal(double.PositiveInfinity, ScalarMath.ExpM1(800.0));
        Assert.Equal(9.9999999995e-11, ScalarMath.Log1P(1e-10), 1e-25);
        Assert.Equal(1e-7f, ScalarMath.ExpM1(1e-7f), 1e-13f);
    }
}
