namespace TransferLearning.Training;

/// <summary>Sums over an epoch or an evaluation: loss × samples, correct, top-k correct, samples, seconds.</summary>
internal sealed class EpochTotals
{
    public double LossSum;
    public long Correct;
    public long TopKCorrect;
    public long Samples;
    public double Seconds;

    public double MeanLoss => Samples == 0 ? double.NaN : LossSum / Samples;
    public double Accuracy => Samples == 0 ? 0 : (double)Correct / Samples;
    public double TopKAccuracy => Samples == 0 ? 0 : (double)TopKCorrect / Samples;

    /// <summary>Adds one batch of <paramref name="samples"/> samples with its [loss, correct, top-k correct].</summary>
    public void Add(double[] statistics, int samples)
    {
        LossSum += statistics[0] * samples;
        Correct += (long)statistics[1];
        TopKCorrect += (long)statistics[2];
        Samples += samples;
    }
}
