using System.Numerics;
using System.Numerics.Tensors;

namespace MiniGrad;

/// <summary>
/// The one matrix product behind every MatMul, forward and backward: C (m × n) = op(A) · op(B), or
/// C += op(A) · op(B) when accumulating, where op(X) is X or Xᵀ. All matrices are row-major and contiguous;
/// A is stored m × k (k × m when transposed) and B k × n (n × k when transposed), so no transpose is ever
/// materialised.
/// </summary>
/// <remarks>
/// This version keeps the inner loop on contiguous rows and lets <c>TensorPrimitives</c> vectorise it:
/// row-times-scalar updates (axpy) for A·B and Aᵀ·B, dot products for A·Bᵀ. The summation order is fixed,
/// so results are identical from run to run.
/// </remarks>
internal static class Gemm
{
    internal static void Multiply<T>(
        int m, int n, int k,
        ReadOnlySpan<T> a, bool transposeA,
        ReadOnlySpan<T> b, bool transposeB,
        Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length != m * k || b.Length != k * n || c.Length != m * n)
            throw new ArgumentException($"Gemm: spans of {a.Length}, {b.Length} and {c.Length} elements do not hold {m}x{k}, {k}x{n} and {m}x{n} matrices.");
        if (!accumulate) c.Clear();
        if (k == 0) return;

        switch (transposeA, transposeB)
        {
            case (false, false): // C[i,:] += A[i,p] · B[p,:]
                for (int i = 0; i < m; i++)
                {
                    var row = c.Slice(i * n, n);
                    for (int p = 0; p < k; p++)
                        TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[i * k + p], row, row);
                }
                break;

            case (true, false): // C[i,:] += A[p,i] · B[p,:], A stored k × m
                for (int p = 0; p < k; p++)
                {
                    var bRow = b.Slice(p * n, n);
                    for (int i = 0; i < m; i++)
                    {
                        var row = c.Slice(i * n, n);
                        TensorPrimitives.MultiplyAdd(bRow, a[p * m + i], row, row);
                    }
                }
                break;

            case (false, true): // C[i,j] += A[i,:] · B[j,:], B stored n × k
                for (int i = 0; i < m; i++)
                {
                    var aRow = a.Slice(i * k, k);
                    for (int j = 0; j < n; j++)
                        c[i * n + j] += TensorPrimitives.Dot(aRow, b.Slice(j * k, k));
                }
                break;

            case (true, true): // C[i,j] += Σp A[p,i] · B[j,p]
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        T sum = T.Zero;
                        for (int p = 0; p < k; p++) sum += a[p * m + i] * b[j * k + p];
                        c[i * n + j] += sum;
                    }
                break;
        }
    }
}
