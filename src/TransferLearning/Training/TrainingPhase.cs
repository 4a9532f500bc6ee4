namespace TransferLearning.Training;

/// <summary>The two phases of the transfer-learning recipe.</summary>
public enum TrainingPhase
{
    /// <summary>Phase 1: the backbone is frozen and only the classifier head is trained.</summary>
    Head = 1,

    /// <summary>Phase 2: all or the last blocks of the backbone are unfrozen and fine-tuned with the head at a low learning rate.</summary>
    FineTune = 2,
}
