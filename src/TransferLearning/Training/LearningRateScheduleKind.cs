namespace TransferLearning.Training;

/// <summary>How the learning rate changes from epoch to epoch within a phase.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>The phase's learning rate throughout. The default.</summary>
    Constant,

    /// <summary>Cosine annealing from the learning rate to <see cref="LearningRateSchedule.MinimumLearningRate"/> over the phase's epochs.</summary>
    Cosine,

    /// <summary>Multiply by <see cref="LearningRateSchedule.Factor"/> every <see cref="LearningRateSchedule.StepEpochs"/> epochs.</summary>
    Step,

    /// <summary>Multiply by <see cref="LearningRateSchedule.Factor"/> when the monitored metric has not improved for <see cref="LearningRateSchedule.Patience"/> epochs.</summary>
    ReduceOnPlateau,
}
