namespace TransferLearning.Training;

/// <summary>Whether the head phase trains on backbone features computed once instead of running the frozen backbone every epoch.</summary>
public enum FeatureCaching
{
    /// <summary>
    /// Cache when it is exact: the backbone is frozen in the head phase (always) and the training source is not randomly
    /// augmented (<see cref="Data.IImageBatchSource.IsAugmented"/> is false), and the phase runs more than one epoch. The default.
    /// </summary>
    Auto,

    /// <summary>Always cache; throws when the training source is augmented (cached features would freeze one random draw).</summary>
    On,

    /// <summary>Never cache: run the frozen backbone on every batch of every epoch.</summary>
    Off,
}
