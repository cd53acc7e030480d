using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace MiniGrad.Tests;

/// <summary>The matrix product against a naive triple loop and against MathNet, for every transposition.</summary>
[Trait("Category", "Kernels")]
public class GemmTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int size in new[] { 1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 33, 64, 67 })
            data.Add(size, size, size);
        data.Add(1, 67, 5);
        data.Add(67, 1, 9);
        data.Add(4, 9, 1);
        data.Add(127, 33, 65);
        data.Add(0, 3, 4);
        data.Add(3, 4, 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Double_matches_the_naive_product(int m, int n, int k) => MatchesNaive<double>(m, n, k, 1e-12);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float_matches_the_naive_product(int m, int n, int k) => MatchesNaive<float>(m, n, k, 1e-4);

    private static void MatchesNaive<T>(int m, int n, int k, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(m * 10007 + n * 101 + k);
        foreach (bool transposeA in new[] { false, true })
            foreach (bool transposeB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                {
                    var a = Tensor<T>.RandomUniform(transposeA ? k : m, transposeA ? m : k, -1, 1, rng);
                    var b = Tensor<T>.RandomUniform(transposeB ? n : k, transposeB ? k : n, -1, 1, rng);
                    var c = Tensor<T>.RandomUniform(m, n, -1, 1, rng);
                    var expected = new double[m, n];
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            double sum = accumulate ? double.CreateTruncating(c[i, j]) : 0;
                            for (int p = 0; p < k; p++)
                                sum += double.CreateTruncating(transposeA ? a[p, i] : a[i, p]) * double.CreateTruncating(transposeB ? b[j, p] : b[p, j]);
                            expected[i, j] = sum;
                        }

                    Gemm.Multiply(m, n, k, a.AsSpan(), transposeA, b.AsSpan(), transposeB, c.AsSpan(), accumulate);

                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                            Numerics.Close(expected[i, j], double.CreateTruncating(c[i, j]), tolerance * Math.Max(1, k),
                                $"{m}x{n}x{k} transposeA={transposeA} transposeB={transposeB} accumulate={accumulate} at [{i}, {j}]");
                }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(17, 31, 5)]
    [InlineData(129, 64, 127)]
    public void MatMul_matches_MathNet(int m, int k, int n)
    {
        var rng = new Random(5);
        var a = Tensor<double>.RandomUniform(m, k, -1, 1, rng);
        var b = Tensor<double>.RandomUniform(k, n, -1, 1, rng);
        var expected = Tensor<double>.FromMatrix(a.ToMatrix() * b.ToMatrix());
        Numerics.Close(expected, a.MatMul(b), 1e-12);
    }
}
