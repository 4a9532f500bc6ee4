namespace TransferLearning.Training.Callbacks;

/// <summary>
/// Hooks into <see cref="TransferTrainer.Fit(Data.IImageBatchSource, Data.IImageBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/>
/// and <see cref="TransferTrainer.FitPhase"/> (fastai's and Keras' callbacks). Every method has an empty default, so
/// implement only the events you need. Events come in this order:
/// <c>OnFitBegin</c>, then per phase <c>OnPhaseBegin</c>, per epoch <c>OnEpochBegin</c>, per batch <c>OnBatchBegin</c> and
/// <c>OnBatchEnd</c> (after the optimizer step; <see cref="TrainingContext.BatchLoss"/> is set), then <c>OnEpochEnd</c>
/// (after validation; <see cref="TrainingContext.EpochMetrics"/> is set), <c>OnPhaseEnd</c>, and finally <c>OnFitEnd</c>
/// (also after an exception, with <see cref="TrainingContext.Error"/> set).
/// At every event the callbacks run by ascending <see cref="Order"/> (ties keep their list order): the built-ins'
/// orders are in <see cref="CallbackOrder"/>. Stop a phase or the whole fit with <see cref="TrainingContext.StopPhase"/>
/// and <see cref="TrainingContext.StopFit"/>; set learning rates through <see cref="TrainingContext.ParameterGroups"/>.
/// </summary>
/// <remarks>
/// Callbacks run on the training thread, between batches; an exception thrown by one ends the fit (after
/// <c>OnFitEnd</c>). The same instance may serve several fits and trainers, one at a time.
/// </remarks>
public interface ITrainingCallback
{
    /// <summary>Position among the callbacks at every event: lower runs first. Default <see cref="CallbackOrder.User"/> (0).</summary>
    int Order => CallbackOrder.User;

    /// <summary>A fit starts (before the first phase).</summary>
    /// <param name="context">The run.</param>
    void OnFitBegin(TrainingContext context) { }

    /// <summary>A phase starts: the backbone's trainability is set and the optimizer made.</summary>
    /// <param name="context">The run.</param>
    void OnPhaseBegin(TrainingContext context) { }

    /// <summary>An epoch starts (the feature cache, if any, is built).</summary>
    /// <param name="context">The run.</param>
    void OnEpochBegin(TrainingContext context) { }

    /// <summary>A training batch is about to run: the place to set per-step learning rates.</summary>
    /// <param name="context">The run.</param>
    void OnBatchBegin(TrainingContext context) { }

    /// <summary>A training batch ran: <see cref="TrainingContext.BatchLoss"/> is its loss.</summary>
    /// <param name="context">The run.</param>
    void OnBatchEnd(TrainingContext context) { }

    /// <summary>An epoch and its validation ran: <see cref="TrainingContext.EpochMetrics"/> holds the results.</summary>
    /// <param name="context">The run.</param>
    void OnEpochEnd(TrainingContext context) { }

    /// <summary>A phase ended (all epochs ran, or a stop was requested).</summary>
    /// <param name="context">The run.</param>
    void OnPhaseEnd(TrainingContext context) { }

    /// <summary>The fit ended, normally, by a stop, or with an exception (<see cref="TrainingContext.Error"/>).</summary>
    /// <param name="context">The run.</param>
    void OnFitEnd(TrainingContext context) { }
}
