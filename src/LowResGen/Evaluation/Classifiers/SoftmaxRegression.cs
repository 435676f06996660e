namespace LowResGen.Evaluation.Classifiers;

/// <summary>
/// Multinomial logistic regression on dense features, L2-regularised, minimised by L-BFGS with a backtracking (Armijo)
/// line search from zero weights. The objective is strictly convex, so the result does not depend on any seed and is
/// deterministic: sums run in a fixed order on one thread.
/// Objective (scikit-learn's, which MTEB's classification probes use): C · Σᵢ −log pᵢ(yᵢ) + ½‖W‖², the bias unpenalised.
/// </summary>
internal static class SoftmaxRegression
{
    /// <summary>Returns weights laid out class-major: row c holds the d feature weights of class c, then its bias.</summary>
    public static double[] Fit(float[][] x, int[] y, int classes, double c, int maxIterations, double tolerance,
        CancellationToken cancellationToken)
    {
        var d = x.Length == 0 ? 0 : x[0].Length;
        var size = classes * (d + 1);
        var w = new double[size];
        var g = new double[size];
        var f = Evaluate(x, y, classes, c, w, g);
        const int memory = 10;
        var s = new List<double[]>(memory);
        var t = new List<double[]>(memory);
        var rho = new List<double>(memory);
        var direction = new double[size];
        var next = new double[size];
        var nextGradient = new double[size];
        var alpha = new double[memory];
        var gradientTolerance = tolerance * Math.Max(1, MaxAbs(g));
        for (var iteration = 0; iteration < maxIterations && MaxAbs(g) > gradientTolerance; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Two-loop recursion: direction = −H·g.
            for (var i = 0; i < size; i++)
            {
                direction[i] = -g[i];
            }

            for (var k = s.Count - 1; k >= 0; k--)
            {
                alpha[k] = rho[k] * Dot(s[k], direction);
                Axpy(-alpha[k], t[k], direction);
            }

            if (s.Count > 0)
            {
                var last = s.Count - 1;
                Scale(direction, Dot(s[last], t[last]) / Dot(t[last], t[last]));
            }
            else
            {
                Scale(direction, 1 / Math.Max(1, Math.Sqrt(Dot(g, g))));
            }

            for (var k = 0; k < s.Count; k++)
            {
                var beta = rho[k] * Dot(t[k], direction);
                Axpy(alpha[k] - beta, s[k], direction);
            }

            var slope = Dot(g, direction);
            if (slope >= 0)
            {
                // Not a descent direction (curvature lost to rounding): restart from steepest descent.
                s.Clear();
                t.Clear();
                rho.Clear();
                for (var i = 0; i < size; i++)
                {
                    direction[i] = -g[i];
                }

                slope = Dot(g, direction);
            }

            var step = 1.0;
            double nextF;
            while (true)
            {
                for (var i = 0; i < size; i++)
                {
                    next[i] = w[i] + step * direction[i];
                }

                nextF = Evaluate(x, y, classes, c, next, nextGradient);
                if (nextF <= f + 1e-4 * step * slope || step < 1e-12)
                {
                    break;
                }

                step *= 0.5;
            }

            var sk = new double[size];
            var tk = new double[size];
            for (var i = 0; i < size; i++)
            {
                sk[i] = next[i] - w[i];
                tk[i] = nextGradient[i] - g[i];
            }

            var curvature = Dot(sk, tk);
            if (curvature > 1e-12)
            {
                if (s.Count == memory)
                {
                    s.RemoveAt(0);
                    t.RemoveAt(0);
                    rho.RemoveAt(0);
                }

                s.Add(sk);
                t.Add(tk);
                rho.Add(1 / curvature);
            }

            var decrease = f - nextF;
            (w, next) = (next, w);
            (g, nextGradient) = (nextGradient, g);
            f = nextF;
            if (decrease <= 1e-10 * Math.Max(1, Math.Abs(f)))
            {
                break;
            }
        }

        return w;
    }

    /// <summary>The objective at <paramref name="w"/>; writes its gradient into <paramref name="gradient"/>.</summary>
    private static double Evaluate(float[][] x, int[] y, int classes, double c, double[] w, double[] gradient)
    {
        var d = gradient.Length / classes - 1;
        Array.Clear(gradient);
        var loss = 0.0;
        var z = new double[classes];
        for (var n = 0; n < x.Length; n++)
        {
            var row = x[n];
            var (max, total) = ShiftedExponents(w, classes, row, z);
            loss += Math.Log(total) + max - (Math.Log(z[y[n]]) + max);
            for (var k = 0; k < classes; k++)
            {
                var residual = c * (z[k] / total - (k == y[n] ? 1 : 0));
                var offset = k * (d + 1);
                for (var j = 0; j < d; j++)
                {
                    gradient[offset + j] += residual * row[j];
                }

                gradient[offset + d] += residual;
            }
        }

        var penalty = 0.0;
        for (var k = 0; k < classes; k++)
        {
            var offset = k * (d + 1);
            for (var j = 0; j < d; j++)
            {
                penalty += w[offset + j] * w[offset + j];
                gradient[offset + j] += w[offset + j];
            }
        }

        return c * loss + 0.5 * penalty;
    }

    /// <summary>Class probabilities of one feature vector under weights from <see cref="Fit"/>.</summary>
    public static double[] Probabilities(double[] w, int classes, ReadOnlySpan<float> features)
    {
        var z = new double[classes];
        var (_, total) = ShiftedExponents(w, classes, features, z);
        for (var k = 0; k < classes; k++)
        {
            z[k] /= total;
        }

        return z;
    }

    /// <summary>Fills <paramref name="z"/> with exp(score - max score) per class (the overflow-safe softmax numerators) and
    /// returns the max score and the numerators' sum.</summary>
    private static (double Max, double Total) ShiftedExponents(double[] w, int classes, ReadOnlySpan<float> row, double[] z)
    {
        var d = row.Length;
        var max = double.NegativeInfinity;
        for (var k = 0; k < classes; k++)
        {
            var offset = k * (d + 1);
            var sum = w[offset + d];
            for (var j = 0; j < d; j++)
            {
                sum += w[offset + j] * row[j];
            }

            z[k] = sum;
            max = Math.Max(max, sum);
        }

        var total = 0.0;
        for (var k = 0; k < classes; k++)
        {
            z[k] = Math.Exp(z[k] - max);
            total += z[k];
        }

        return (max, total);
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static void Scale(double[] x, double a)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }

    private static double MaxAbs(double[] x)
    {
        var max = 0.0;
        foreach (var v in x)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }
}
