namespace TransferLearning.Training.Callbacks;

/// <summary>
/// Built-in: applies the phase's <see cref="PhaseOptions.Schedule"/>. Sets every parameter group's rate to its base rate
/// times the schedule's factor at each epoch's start (per-epoch schedules) or before every batch (one-cycle, warm-up
/// cosine, which also cycle momentum); updates reduce-on-plateau after each epoch. A user's callback (later in the
/// order) that sets <see cref="ParameterGroup.LearningRate"/> in <see cref="ITrainingCallback.OnBatchBegin"/> overrides it.
/// </summary>
public sealed class LearningRateScheduler : ITrainingCallback
{
    internal LearningRateScheduler()
    {
    }

    /// <inheritdoc />
    public int Order => CallbackOrder.LearningRateScheduler;

    /// <inheritdoc />
    public void OnEpochBegin(TrainingContext context) => Apply(context);

    /// <inheritdoc />
    public void OnBatchBegin(TrainingContext context)
    {
        if (context.PhaseOptions.Schedule.IsPerStep) Apply(context);
    }

    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context) => context.State.UpdatePlateau(context.PhaseOptions.Schedule, context.EpochMetrics!);

    private static void Apply(TrainingContext context)
    {
        var options = context.PhaseOptions;
        var schedule = options.Schedule;
        double factor = schedule.Multiplier(options.LearningRate, context.Step, context.StepCount, context.Epoch, context.EpochCount, context.State.PlateauMultiplier);
        double? momentum = options.Optimizer == OptimizerKind.RmsProp ? null : schedule.MomentumAt(context.Step, context.StepCount);
        foreach (var group in context.ParameterGroups)
        {
            group.LearningRate = group.BaseLearningRate * factor;
            if (momentum is { } m && group.Momentum is not null) group.Momentum = m;
        }
    }
}
