namespace LowResGen.Evaluation.Classifiers;

/// <summary>
/// Binary L2-regularised linear SVM trained by dual coordinate descent (Hsieh et al., 2008; LIBLINEAR solvers 1 and 3).
/// The bias is an extra constant feature, regularised like the others, as in LIBLINEAR.
/// </summary>
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

        for (var iteration = 0; iteration < options.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(order);
            double maxGradient = double.NegativeInfinity, minGradient = double.PositiveInfinity;
            foreach (var i in order)
            {
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
                var projected = alpha[i] == 0 ? Math.Min(gradient, 0)
                    : alpha[i] >= upper ? Math.Max(gradient, 0)
                    : gradient;
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
                break;
            }
        }

        return w;
    }
}
