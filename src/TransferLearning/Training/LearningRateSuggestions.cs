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

    /// <summary>The index of the most negative slope of loss against log(rate) — fastai's <c>steep</c>.</summary>
    public static int Steepest(IReadOnlyList<double> rates, IReadOnlyList<double> losses)
    {
        int best = 0;
        double bestSlope = double.PositiveInfinity;
        for (int i = 0; i + 1 < losses.Count; i++)
        {
            double slope = (losses[i + 1] - losses[i]) / (Math.Log(rates[i + 1]) - Math.Log(rates[i]));
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
