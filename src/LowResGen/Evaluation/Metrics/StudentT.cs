namespace LowResGen.Evaluation.Metrics;

/// <summary>
/// The Student t distribution, exact to about 1e-12 through the regularized incomplete beta function
/// (continued fraction, modified Lentz) and a Lanczos log-gamma. Written here rather than taken from a statistics
/// package because this is the only distribution the evaluation needs.
/// </summary>
public static class StudentT
{
    /// <summary>P(|T| ≥ |t|) for T with the given degrees of freedom.</summary>
    public static double TwoSidedPValue(double t, double degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(degreesOfFreedom);
        if (double.IsNaN(t))
        {
            return double.NaN;
        }

        if (double.IsInfinity(t))
        {
            return 0;
        }

        return RegularizedIncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
    }

    /// <summary>The t value below which a fraction p of the distribution lies (bisection on the CDF).</summary>
    public static double InverseCdf(double p, double degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1);
        double low = -1e6, high = 1e6;
        for (var i = 0; i < 200 && high - low > 1e-12; i++)
        {
            var mid = (low + high) / 2;
            if (Cdf(mid, degreesOfFreedom) < p)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return (low + high) / 2;
    }

    public static double Cdf(double t, double degreesOfFreedom)
    {
        var tail = TwoSidedPValue(t, degreesOfFreedom) / 2;
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>I_x(a, b), the regularized incomplete beta function.</summary>
    public static double RegularizedIncompleteBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        // The continued fraction converges fast only on this side of the mean; use the symmetry I_x(a,b) = 1 - I_{1-x}(b,a).
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(x, a, b) / a
            : 1 - front * BetaContinuedFraction(1 - x, b, a) / b;
    }

    private static double BetaContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        const double epsilon = 1e-15;
        var c = 1.0;
        var d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        var h = d;
        for (var m = 1; m <= 1000; m++)
        {
            var m2 = 2 * m;
            var even = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
            d = 1 + even * d;
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + even / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            h *= d * c;
            var odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
            d = 1 + odd * d;
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + odd / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            var step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < epsilon)
            {
                break;
            }
        }

        return h;
    }

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos approximation, g = 7).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection keeps the approximation in its accurate range.
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            sum += Lanczos[i] / (x + i);
        }

        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
