namespace TransferLearning.Training;

/// <summary>How the learning rate changes within a phase: per epoch (the first four) or per training step (the last two).</summary>
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

    /// <summary>
    /// Per step, fastai's <c>fit_one_cycle</c>: cosine warm-up from <c>rate / DivFactor</c> to the rate over the first
    /// <see cref="LearningRateSchedule.PercentStart"/> of the phase's steps, then cosine annealing to <c>rate / FinalDivFactor</c>;
    /// the momentum (Adam's β₁, SGD's momentum) cycles the other way between <see cref="LearningRateSchedule.MaxMomentum"/>
    /// and <see cref="LearningRateSchedule.MinMomentum"/>.
    /// </summary>
    OneCycle,

    /// <summary>
    /// Per step: linear warm-up over the first <see cref="LearningRateSchedule.WarmupFraction"/> of the phase's steps (step s
    /// of W at <c>rate × (s + 1) / W</c>), then cosine annealing to <see cref="LearningRateSchedule.MinimumLearningRate"/>.
    /// </summary>
    WarmupCosine,
}
