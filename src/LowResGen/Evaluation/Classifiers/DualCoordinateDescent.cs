namespace LowResGen.Evaluation.Classifiers;

/// <summary>
/// Binary L2-regularised linear SVM trained by dual coordinate descent with shrinking (Hsieh et al., 2008; LIBLINEAR
/// solvers 1 and 3). The bias is an extra constant feature, regularised like the others, as in LIBLINEAR.
/// </summary>
/// <remarks>
/// Shrinking matters for one-vs-rest with many labels: a class of 4 examples among 20,000 leaves almost every other
/// example at α = 0 with a large margin after the first pass, and passing over them again costs the whole training set
/// per class and pass. Examples whose projected gradient shows they will stay at their bound are set aside; when the
/// remaining ones have converged, every example is checked once more, so the stopping rule is the unshrunk one.
/// </remarks>
internal static class DualCoordinateDescent
{
    /// <summary>Returns the weights; the last entry is the bias weight (multiply by the bias feature value).</summary>
    public static double[] Train(
        SparseVector[] x, double[] squaredNorms, bool[] positive, int dimension, LinearTextClassifierOptions options,
        Random random, CancellationToken cancellationToken)
    {
        var n = x.Length;
        var bias = options.Bias;
        var w = new double[dimension + 1];
        var alpha = new double[n];
        // Squared hinge: no upper bound, a diagonal term 1/(2C). Hinge: upper bound C, no diagonal.
        var (upper, diagonal) = options.Loss == LinearLoss.SquaredHinge
            ? (double.PositiveInfinity, 0.5 / options.C)
            : (options.C, 0.0);
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var active = n;
        double oldMaxGradient = double.PositiveInfinity, oldMinGradient = double.NegativeInfinity;
        for (var iteration = 0; iteration < options.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(order.AsSpan(0, active));
            double maxGradient = double.NegativeInfinity, minGradient = double.PositiveInfinity;
            for (var s = 0; s < active; s++)
            {
                var i = order[s];
                var y = positive[i] ? 1.0 : -1.0;
                var vector = x[i];
                var dot = w[dimension] * bias;
                var indices = vector.Indices;
                var values = vector.Values;
                for (var k = 0; k < indices.Length; k++)
                {
                    dot += w[indices[k]] * values[k];
                }

                var gradient = y * dot - 1 + diagonal * alpha[i];
                double projected;
                if (alpha[i] == 0)
                {
                    if (gradient > oldMaxGradient)
                    {
                        SetAside(order, ref s, ref active);
                        continue;
                    }

                    projected = Math.Min(gradient, 0);
                }
                else if (alpha[i] >= upper)
                {
                    if (gradient < oldMinGradient)
                    {
                        SetAside(order, ref s, ref active);
                        continue;
                    }

                    projected = Math.Max(gradient, 0);
                }
                else
                {
                    projected = gradient;
                }

                maxGradient = Math.Max(maxGradient, projected);
                minGradient = Math.Min(minGradient, projected);
                if (Math.Abs(projected) < 1e-12)
                {
                    continue;
                }

                var old = alpha[i];
                alpha[i] = Math.Min(Math.Max(old - gradient / (squaredNorms[i] + bias * bias + diagonal), 0), upper);
                var step = (alpha[i] - old) * y;
                for (var k = 0; k < indices.Length; k++)
                {
                    w[indices[k]] += step * values[k];
                }

                w[dimension] += step * bias;
            }

            if (maxGradient - minGradient <= options.Tolerance)
            {
                if (active == n)
                {
                    break;
                }

                // Converged on the active examples: check all of them again before stopping.
                active = n;
                oldMaxGradient = double.PositiveInfinity;
                oldMinGradient = double.NegativeInfinity;
                continue;
            }

            oldMaxGradient = maxGradient <= 0 ? double.PositiveInfinity : maxGradient;
            oldMinGradient = minGradient >= 0 ? double.NegativeInfinity : minGradient;
        }

        return w;
    }

    private static void SetAside(int[] order, ref int s, ref int active)
    {
        active--;
        (order[s], order[active]) = (order[active], order[s]);
        s--;
    }
}
