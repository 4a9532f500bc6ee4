namespace TransferLearning.Training;

/// <summary>fastai's suggestion rules over a smoothed loss curve (pure functions, tested on their own).</summary>
internal static class LearningRateSuggestions
{
    /// <summary>
    /// The longest run of points each lower than an earlier one (a longest decreasing subsequence, ending at the point
    /// where it ends) and the rate halfway into its middle third — fastai's <c>valley</c>.
    /// </summary>
    public static int Valley(IReadOnlyList<double> losses)
    {
        int n = losses.Count;
        if (n == 0) throw new ArgumentException("No losses.", nameof(losses));
        var length = new int[n];
        int bestEnd = 0, bestStart = 0;
        for (int i = 0; i < n; i++)
        {
            length[i] = 1;
            for (int j = 0; j < i; j++)
                if (losses[i] < losses[j] && length[j] + 1 > length[i]) length[i] = length[j] + 1;
            if (length[i] > length[bestEnd])
            {
                bestEnd = i;
                bestStart = bestEnd - length[bestEnd] + 1;
            }
        }
        double sections = (bestEnd - bestStart) / 3.0;
        return Math.Clamp(bestStart + (int)sections + (int)(sections / 2), 0, n - 1);
    }

    /// <summary>
    /// The index of the most negative slope of loss against log(rate) — fastai's <c>steep</c>, but measured across a
    /// window of ±n/20 points rather than between neighbours, so that a wiggle of the smoothed curve early on (where the
    /// loss has not started to move) does not win.
    /// </summary>
    public static int Steepest(IReadOnlyList<double> rates, IReadOnlyList<double> losses)
    {
        int n = losses.Count;
        if (n < 2) return 0;
        int w = Math.Max(1, n / 20);
        if (2 * w >= n) w = Math.Max(1, (n - 1) / 2);
        int best = 0;
        double bestSlope = double.PositiveInfinity;
        for (int i = 0; i < n; i++)
        {
            int lo = Math.Max(0, i - w), hi = Math.Min(n - 1, i + w);
            if (hi == lo) continue;
            double slope = (losses[hi] - losses[lo]) / (Math.Log(rates[hi]) - Math.Log(rates[lo]));
            if (slope < bestSlope)
            {
                bestSlope = slope;
                best = i;
            }
        }
        return best;
    }

    /// <summary>The index of the lowest loss.</summary>
    public static int Minimum(IReadOnlyList<double> losses)
    {
        int best = 0;
        for (int i = 1; i < losses.Count; i++) if (losses[i] < losses[best]) best = i;
        return best;
    }
}
