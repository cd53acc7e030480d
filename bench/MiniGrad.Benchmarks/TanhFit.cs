using MathNet.Numerics.LinearAlgebra;

namespace MiniGrad.Benchmarks;

/// <summary>
/// How the float tanh's rational function in src/Kernels/VectorMath.cs was fitted (<c>fit-tanh</c>), kept so that it
/// can be refitted: tanh x ≈ x·P(s)/Q(s) with s = x²/c², Q(0) = 1, on [0, c], P of degree 6 and Q of degree 3 by default.
/// </summary>
/// <remarks>
/// Each round solves a linear least-squares problem, P(s)·x − tanh(x)·Q(s) ≈ 0, at 6,000 Chebyshev points, each row
/// divided by tanh(x)·Q(s) of the round before (so the residual approximates the relative error; Sanathanan and Koerner's
/// linearisation). After five rounds each point's weight is multiplied by its error (Lawson's iteration), which moves the
/// fit towards the one with the smallest largest relative error. The coefficients printed are those of u = x², with
/// c²ᵏ divided out, and the last line gives the error of the float evaluation the kernel does.
/// </remarks>
public static class TanhFit
{
    public static void Run(int numeratorTerms = 7, int denominatorDegree = 3, double clamp = 9)
    {
        const int Points = 6000, Rounds = 60;
        var xs = Enumerable.Range(0, Points).Select(i => clamp * 0.5 * (1 - Math.Cos(Math.PI * (i + 0.5) / Points))).ToArray();
        var weights = Enumerable.Repeat(1.0, Points).ToArray();
        var previousQ = Enumerable.Repeat(1.0, Points).ToArray();
        double best = double.PositiveInfinity;
        double[] bestP = [], bestQ = [];
        for (int round = 0; round < Rounds; round++)
        {
            var matrix = Matrix<double>.Build.Dense(Points, numeratorTerms + denominatorDegree);
            var rhs = Vector<double>.Build.Dense(Points);
            for (int i = 0; i < Points; i++)
            {
                double x = xs[i], f = Math.Tanh(x), s = x * x / (clamp * clamp), scale = Math.Sqrt(weights[i]) / (f * previousQ[i]);
                for (int k = 0; k < numeratorTerms; k++) matrix[i, k] = x * Math.Pow(s, k) * scale;
                for (int k = 1; k <= denominatorDegree; k++) matrix[i, numeratorTerms + k - 1] = -f * Math.Pow(s, k) * scale;
                rhs[i] = f * scale;
            }
            var solution = matrix.QR().Solve(rhs);
            double[] p = solution.Take(numeratorTerms).ToArray(), q = [1, .. solution.Skip(numeratorTerms)];
            var errors = new double[Points];
            for (int i = 0; i < Points; i++)
            {
                double x = xs[i], s = x * x / (clamp * clamp);
                previousQ[i] = Horner(q, s);
                errors[i] = Math.Abs(x * Horner(p, s) / previousQ[i] / Math.Tanh(x) - 1);
            }
            if (errors.Max() < best) (best, bestP, bestQ) = (errors.Max(), p, q);
            if (round < 5) continue;
            for (int i = 0; i < Points; i++) weights[i] *= errors[i];
            double total = weights.Sum();
            for (int i = 0; i < Points; i++) weights[i] *= Points / total;
        }

        double[] numerator = bestP.Select((v, k) => v / Math.Pow(clamp * clamp, k)).ToArray();
        double[] denominator = bestQ.Select((v, k) => v / Math.Pow(clamp * clamp, k)).ToArray();
        Console.WriteLine($"largest relative error in exact arithmetic: {best:E2}");
        Console.WriteLine("P (u⁰ …): " + string.Join(", ", numerator.Select(v => v.ToString("R"))));
        Console.WriteLine("Q (u⁰ …): " + string.Join(", ", denominator.Select(v => v.ToString("R"))));

        // The kernel's float evaluation, over every 3-millionth step of [1e-6, 12].
        float[] pf = numerator.Select(v => (float)v).ToArray(), qf = denominator.Select(v => (float)v).ToArray();
        double worst = 0;
        for (float x = 1e-6f; x <= 12; x = MathF.BitIncrement(x) + x * 3e-6f)
        {
            float a = MathF.Min(x, (float)clamp), u = a * a;
            float r = MathF.Min(a * HornerFloat(pf, u) / HornerFloat(qf, u), 1);
            worst = Math.Max(worst, Math.Abs(r / Math.Tanh(x) - 1));
        }
        Console.WriteLine($"largest relative error evaluated in float: {worst:E2}");
    }

    private static double Horner(double[] c, double x)
    {
        double sum = 0;
        for (int k = c.Length - 1; k >= 0; k--) sum = sum * x + c[k];
        return sum;
    }

    private static float HornerFloat(float[] c, float x)
    {
        float sum = c[^1];
        for (int k = c.Length - 2; k >= 0; k--) sum = MathF.FusedMultiplyAdd(sum, x, c[k]);
        return sum;
    }
}
