namespace TransferLearning.Training;

/// <summary>
/// The settings of one training phase. Use <see cref="HeadDefaults"/> and <see cref="FineTuneDefaults"/> as starting
/// points (<c>PhaseOptions.HeadDefaults with { Epochs = 5 }</c>); a plain <c>new PhaseOptions()</c> has the head defaults.
/// </summary>
public sealed record PhaseOptions
{
    /// <summary>Number of epochs; 0 skips the phase. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>The optimizer. Default <see cref="OptimizerKind.Adam"/> (head) / <see cref="OptimizerKind.RmsProp"/> in <see cref="FineTuneDefaults"/>.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>The learning rate of the head and of the deepest unfrozen block. Default 1e-3 (head) / 1e-5 in <see cref="FineTuneDefaults"/>.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Weight decay (L2 penalty; decoupled for AdamW). Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>The learning-rate schedule. Default <see cref="LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Early stopping, or <c>null</c> to always run every epoch. Default <c>null</c>.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>
    /// Fine-tune phase only: how many of the backbone's layer groups (the deepest) to unfreeze; <c>null</c> unfreezes all.
    /// Default <c>null</c>.
    /// </summary>
    public int? UnfreezeLastBlocks { get; init; }

    /// <summary>
    /// Fine-tune phase only: whether the normalisation layers (batch norm) of unfrozen groups run in training mode, updating
    /// their statistics from each batch. Default <c>false</c>: every normalisation layer of the backbone stays in inference
    /// mode, as the Keras fine-tuning guide advises (<c>base_model(x, training=False)</c>) — with small batches, switching
    /// to batch statistics changes the features the head was trained on and sets fine-tuning back. Frozen groups' layers
    /// stay in inference mode either way (see <see cref="Backbones.PretrainedBackbone.TrainFrozenNormalization"/>).
    /// </summary>
    public bool TrainNormalization { get; init; }

    /// <summary>
    /// Fine-tune phase only: discriminative learning rates. The deepest unfrozen block trains at <see cref="LearningRate"/>,
    /// the one before at <c>LearningRate × factor</c>, the one before that at <c>× factor²</c>, and so on; the head at
    /// <see cref="LearningRate"/>. In (0, 1]. Default 1 (one rate for all).
    /// </summary>
    public double EarlierBlocksLearningRateFactor { get; init; } = 1.0;

    /// <summary>
    /// A batch augmentation that mixes images and labels (<see cref="Mixup"/>, <see cref="CutMix"/>), or <c>null</c> for
    /// none. A phase with one does not use the feature cache. Default <c>null</c>.
    /// </summary>
    public BatchMix? BatchMix { get; init; }

    /// <summary>Phase 1 defaults: 10 epochs of Adam at 1e-3.</summary>
    public static PhaseOptions HeadDefaults { get; } = new();

    /// <summary>Phase 2 defaults: 10 epochs of RMSprop at 1e-5 with the whole backbone unfrozen (the Keras recipe).</summary>
    public static PhaseOptions FineTuneDefaults { get; } = new() { Optimizer = OptimizerKind.RmsProp, LearningRate = 1e-5 };

    internal void Validate(string name)
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(name, $"{name}.Epochs must be >= 0; got {Epochs}.");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(name, $"{name}.Optimizer: unknown optimizer {Optimizer}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(name, $"{name}.LearningRate must be a finite value > 0; got {LearningRate}.");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentOutOfRangeException(name, $"{name}.WeightDecay must be a finite value >= 0; got {WeightDecay}.");
        if (UnfreezeLastBlocks is < 0) throw new ArgumentOutOfRangeException(name, $"{name}.UnfreezeLastBlocks must be >= 0; got {UnfreezeLastBlocks}.");
        if (!(EarlierBlocksLearningRateFactor > 0 && EarlierBlocksLearningRateFactor <= 1)) throw new ArgumentOutOfRangeException(name, $"{name}.EarlierBlocksLearningRateFactor must be in (0, 1]; got {EarlierBlocksLearningRateFactor}.");
        ArgumentNullException.ThrowIfNull(Schedule, $"{name}.Schedule");
        Schedule.Validate($"{name}.Schedule");
        EarlyStopping?.Validate($"{name}.EarlyStopping");
    }
}
