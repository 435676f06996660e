namespace LowResGen.Evaluation.Classifiers;

/// <summary>
/// The weights of one-vs-rest linear models: (dimension + 1) feature rows (the last one is the bias) × classes, feature-major
/// so that predicting reads memory in order. Dense when most weights are non-zero (a few classes); sparse rows (only the
/// non-zero weights of each feature) when that is smaller, as with thousands of labels, whose small one-vs-rest models
/// touch few features: 5,000 labels over 300,000 n-grams would be 6 GB dense. Both layouts give bit-identical decisions:
/// every class sums the same products in the same order, the missing ones being zeros.
/// </summary>
internal sealed class WeightMatrix
{
    private readonly int _dimension;
    private readonly float[]? _dense;
    private readonly int[]? _rowStart;
    private readonly int[]? _classOf;
    private readonly float[]? _values;

    private WeightMatrix(int dimension, int classes, float[]? dense, int[]? rowStart, int[]? classOf, float[]? values)
    {
        _dimension = dimension;
        Classes = classes;
        _dense = dense;
        _rowStart = rowStart;
        _classOf = classOf;
        _values = values;
    }

    public int Classes { get; }

    public bool IsSparse => _dense is null;

    /// <summary>Weights held (non-zero ones when sparse).</summary>
    public long StoredWeights => _dense?.LongLength ?? _values!.LongLength;

    /// <summary>Builds the matrix from each class's weights as (feature, weight) pairs, features ascending, zeros left out.</summary>
    /// <param name="sparse">The layout; null: the smaller one.</param>
    public static WeightMatrix FromClasses(int dimension, IReadOnlyList<(int[] Features, float[] Weights)> classes, bool? sparse = null)
    {
        var rows = dimension + 1;
        var nonZero = classes.Sum(c => (long)c.Features.Length);
        // A sparse entry costs a class index and a weight (8 bytes) against 4 bytes for every dense cell.
        if (!(sparse ?? nonZero * 2 < (long)rows * classes.Count))
        {
            var dense = new float[(long)rows * classes.Count];
            for (var c = 0; c < classes.Count; c++)
            {
                var (features, weights) = classes[c];
                for (var k = 0; k < features.Length; k++)
                {
                    dense[((long)features[k] * classes.Count) + c] = weights[k];
                }
            }

            return new WeightMatrix(dimension, classes.Count, dense, null, null, null);
        }

        var rowStart = new int[rows + 1];
        foreach (var (features, _) in classes)
        {
            foreach (var f in features)
            {
                rowStart[f + 1]++;
            }
        }

        for (var f = 0; f < rows; f++)
        {
            rowStart[f + 1] += rowStart[f];
        }

        var next = (int[])rowStart.Clone();
        var classOf = new int[nonZero];
        var values = new float[nonZero];
        for (var c = 0; c < classes.Count; c++) // classes in order, so each row lists its classes ascending
        {
            var (features, weights) = classes[c];
            for (var k = 0; k < features.Length; k++)
            {
                var at = next[features[k]]++;
                classOf[at] = c;
                values[at] = weights[k];
            }
        }

        return new WeightMatrix(dimension, classes.Count, null, rowStart, classOf, values);
    }

    /// <summary>The same weights in the other layout (tests compare the two).</summary>
    public WeightMatrix WithOtherLayout()
    {
        var perClass = new (List<int> Features, List<float> Weights)[Classes];
        for (var c = 0; c < Classes; c++)
        {
            perClass[c] = ([], []);
        }

        for (var f = 0; f <= _dimension; f++)
        {
            for (var c = 0; c < Classes; c++)
            {
                var weight = Weight(f, c);
                if (weight != 0)
                {
                    perClass[c].Features.Add(f);
                    perClass[c].Weights.Add(weight);
                }
            }
        }

        return FromClasses(_dimension, [.. perClass.Select(p => (p.Features.ToArray(), p.Weights.ToArray()))], sparse: !IsSparse);
    }

    private float Weight(int feature, int c)
    {
        if (_dense is not null)
        {
            return _dense[((long)feature * Classes) + c];
        }

        for (var at = _rowStart![feature]; at < _rowStart[feature + 1]; at++)
        {
            if (_classOf![at] == c)
            {
                return _values![at];
            }
        }

        return 0;
    }

    /// <summary>The non-zero weights of a class's weight vector (the last entry is the bias weight).</summary>
    public static (int[] Features, float[] Weights) NonZero(double[] w)
    {
        var count = 0;
        foreach (var value in w)
        {
            if ((float)value != 0)
            {
                count++;
            }
        }

        var features = new int[count];
        var weights = new float[count];
        for (int f = 0, k = 0; f < w.Length; f++)
        {
            if ((float)w[f] != 0)
            {
                features[k] = f;
                weights[k++] = (float)w[f];
            }
        }

        return (features, weights);
    }

    /// <summary>The decision value of every class for a vector: bias weight × bias plus the weighted features.</summary>
    public double[] Decide(double bias, SparseVector vector)
    {
        var classes = Classes;
        var decisions = new double[classes];
        if (classes == 1)
        {
            return decisions;
        }

        if (_dense is { } weights)
        {
            var biasRow = _dimension * classes;
            for (var c = 0; c < classes; c++)
            {
                decisions[c] = weights[biasRow + c] * bias;
            }

            for (var k = 0; k < vector.Indices.Length; k++)
            {
                var row = vector.Indices[k] * classes;
                var value = vector.Values[k];
                for (var c = 0; c < classes; c++)
                {
                    decisions[c] += weights[row + c] * value;
                }
            }

            return decisions;
        }

        var rowStart = _rowStart!;
        var classOf = _classOf!;
        var values = _values!;
        for (var at = rowStart[_dimension]; at < rowStart[_dimension + 1]; at++)
        {
            decisions[classOf[at]] = values[at] * bias;
        }

        for (var k = 0; k < vector.Indices.Length; k++)
        {
            var f = vector.Indices[k];
            var value = vector.Values[k];
            for (var at = rowStart[f]; at < rowStart[f + 1]; at++)
            {
                decisions[classOf[at]] += values[at] * value;
            }
        }

        return decisions;
    }
}
