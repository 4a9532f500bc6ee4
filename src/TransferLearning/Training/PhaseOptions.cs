namespace TransferLearning.Training;

/// <summary>
/// The settings of one training phase. Use <see cref="HeadDefaults"/> and <see cref="FineTuneDefaults"/> (the default
/// recipe) or <see cref="KerasHead"/> and <see cref="KerasFineTune"/> (the seed Keras recipe) as starting points
/// (<c>PhaseOptions.FineTuneDefaults with { Epochs = 8 }</c>); a plain <c>new PhaseOptions()</c> has the head defaults.
/// </summary>
public sealed record PhaseOptions
{
    /// <summary>Number of epochs; 0 skips the phase. Default 10 (<see cref="HeadDefaults"/>; 5 in <see cref="FineTuneDefaults"/>).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>The optimizer. Default <see cref="OptimizerKind.Adam"/> (head) / <see cref="OptimizerKind.AdamW"/> in <see cref="FineTuneDefaults"/>.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>
    /// The learning rate of the head and of the deepest unfrozen block (a schedule's peak). Default 1e-3 (head and
    /// <see cref="FineTuneDefaults"/>).
    /// </summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Weight decay (L2 penalty; decoupled for AdamW). Default 0 (0.01 in <see cref="FineTuneDefaults"/>).</summary>
    public double WeightDecay { get; init; }

    /// <summary>The learning-rate schedule. Default <see cref="LearningRateSchedule.Constant"/> (one-cycle in <see cref="FineTuneDefaults"/>).</summary>
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
    /// their statistics from each batch, as fastai and torchvision's reference scripts do. Default <c>false</c> for a plain
    /// <c>new PhaseOptions()</c>, <see cref="KerasFineTune"/> (the Keras fine-tuning guide's
    /// <c>base_model(x, training=False)</c>: with small batches batch statistics are noisy) and in
    /// <see cref="FineTuneDefaults"/>. Frozen groups' layers stay in inference mode either way (see
    /// <see cref="Backbones.PretrainedBackbone.TrainFrozenNormalization"/>).
    /// </summary>
    public bool TrainNormalization { get; init; }

    /// <summary>
    /// Fine-tune phase with <see cref="TrainNormalization"/> only: the momentum of the running statistics of the backbone's
    /// normalisation layers while the phase runs (PyTorch's convention: running = (1 − m)·running + m·batch), or
    /// <c>null</c> for each layer's own. The layers' own value comes back when the phase ends. Useful for imported
    /// graphs whose layers carry a very slow momentum (the packaged ResNet18's CNTK layers: 0.012), with which the
    /// running statistics trail the changing weights — though on the Fashion-MNIST benchmark training batch norm at 0.1
    /// still scored below inference mode (docs/performance.md). In (0, 1]. Default <c>null</c>.
    /// </summary>
    public double? NormalizationMomentum { get; init; }

    /// <summary>
    /// Fine-tune phase only: discriminative learning rates. The deepest unfrozen block trains at <see cref="LearningRate"/>,
    /// the one before at <c>LearningRate × factor</c>, the one before that at <c>× factor²</c>, and so on; the head at
    /// <see cref="LearningRate"/>. In (0, 1]. Default 1 (one rate for all).
    /// </summary>
    public double EarlierBlocksLearningRateFactor { get; init; } = 1.0;

    /// <summary>
    /// Fine-tune phase only: a layer group whose discriminative rate (<see cref="LearningRate"/> ×
    /// <see cref="EarlierBlocksLearningRateFactor"/><sup>depth</sup>) would fall below <c>LearningRate × this</c> stays
    /// frozen, in inference mode. Its updates would be negligible, and backpropagation stops above it, which saves the
    /// earliest (highest-resolution) layers' backward pass. With the defaults' factor 0.3 and 0.005 the five deepest
    /// groups train (0.3⁴ = 0.0081 ≥ 0.005 &gt; 0.3⁵): on the Fashion-MNIST benchmark freezing the packaged ResNet18's
    /// other five (rates 5e-6 and below) moved accuracy by less than the spread between seeds and, with the schedule of
    /// <see cref="FineTuneDefaults"/>, took 532 instead of 672 CPU-seconds for the same training (docs/performance.md). Applies within <see cref="UnfreezeLastBlocks"/>. In [0, 1); 0 trains every unfrozen group.
    /// Default 0 (0.005 in <see cref="FineTuneDefaults"/>).
    /// </summary>
    public double MinimumLearningRateFactor { get; init; }

    /// <summary>
    /// A batch augmentation that mixes images and labels (<see cref="Mixup"/>, <see cref="CutMix"/>), or <c>null</c> for
    /// none. A phase with one does not use the feature cache. Default <c>null</c>.
    /// </summary>
    public BatchMix? BatchMix { get; init; }

    /// <summary>
    /// The default head phase: 10 epochs of Adam at 1e-3 (on cached features an epoch costs almost nothing; measured,
    /// validation accuracy levels off after 5–10). <c>new PhaseOptions()</c> has the same values.
    /// </summary>
    public static PhaseOptions HeadDefaults { get; } = new();

    /// <summary>
    /// The default fine-tune phase, after fastai's <c>fine_tune</c>: 5 epochs of AdamW (weight decay 0.01) with
    /// fastai's <c>fine_tune</c> one-cycle schedule (30 % warm-up from a fifth of the peak: <c>pct_start=0.3, div=5</c>)
    /// peaking at 2e-3 for the head and the deepest block, each earlier block at 0.3× the next (discriminative rates),
    /// groups below 0.005× the peak left frozen (<see cref="MinimumLearningRateFactor"/>), normalisation layers in
    /// inference mode (fastai trains them; measured here that cost 6 points, see the docs). Chosen by measurement:
    /// docs/training.md, "The default recipe".
    /// </summary>
    public static PhaseOptions FineTuneDefaults { get; } = new()
    {
        Epochs = 5,
        Optimizer = OptimizerKind.AdamW,
        LearningRate = 2e-3,
        WeightDecay = 0.01,
        Schedule = LearningRateSchedule.OneCycle(percentStart: 0.3, divFactor: 5),
        EarlierBlocksLearningRateFactor = 0.3,
        MinimumLearningRateFactor = 0.005,
    };

    /// <summary>The seed Keras recipe's head phase: 10 epochs of Adam at 1e-3.</summary>
    public static PhaseOptions KerasHead { get; } = new() { Epochs = 10, LearningRate = 1e-3 };

    /// <summary>
    /// The seed Keras recipe's fine-tune phase: 10 epochs of RMSprop at 1e-5, constant, the whole backbone unfrozen,
    /// normalisation layers in inference mode (the Keras guide's <c>training=False</c>).
    /// </summary>
    public static PhaseOptions KerasFineTune { get; } = new() { Epochs = 10, Optimizer = OptimizerKind.RmsProp, LearningRate = 1e-5 };

    /// <summary>
    /// How many of the deepest <paramref name="groups"/> unfrozen layer groups train: those whose rate factor
    /// (<see cref="EarlierBlocksLearningRateFactor"/><sup>depth</sup>) is at least <see cref="MinimumLearningRateFactor"/>.
    /// </summary>
    internal int GroupsAboveMinimumRate(int groups)
    {
        if (MinimumLearningRateFactor <= 0 || EarlierBlocksLearningRateFactor >= 1) return groups;
        int count = 0;
        while (count < groups && RateFactor(count) >= MinimumLearningRateFactor * (1 - 1e-12)) count++;
        return count;
    }

    /// <summary>
    /// The learning-rate factor of the unfrozen layer group <paramref name="depth"/> places before the deepest
    /// (<see cref="EarlierBlocksLearningRateFactor"/><sup>depth</sup>; 1 for the deepest).
    /// </summary>
    internal double RateFactor(int depth) => Math.Pow(EarlierBlocksLearningRateFactor, depth);

    internal void Validate(string name)
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(name, $"{name}.Epochs must be >= 0; got {Epochs}.");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(name, $"{name}.Optimizer: unknown optimizer {Optimizer}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(name, $"{name}.LearningRate must be a finite value > 0; got {LearningRate}.");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentOutOfRangeException(name, $"{name}.WeightDecay must be a finite value >= 0; got {WeightDecay}.");
        if (UnfreezeLastBlocks is < 0) throw new ArgumentOutOfRangeException(name, $"{name}.UnfreezeLastBlocks must be >= 0; got {UnfreezeLastBlocks}.");
        if (!(EarlierBlocksLearningRateFactor > 0 && EarlierBlocksLearningRateFactor <= 1)) throw new ArgumentOutOfRangeException(name, $"{name}.EarlierBlocksLearningRateFactor must be in (0, 1]; got {EarlierBlocksLearningRateFactor}.");
        if (!(MinimumLearningRateFactor >= 0 && MinimumLearningRateFactor < 1)) throw new ArgumentOutOfRangeException(name, $"{name}.MinimumLearningRateFactor must be in [0, 1); got {MinimumLearningRateFactor}.");
        if (NormalizationMomentum is { } m && !(m > 0 && m <= 1)) throw new ArgumentOutOfRangeException(name, $"{name}.NormalizationMomentum must be in (0, 1]; got {m}.");
        ArgumentNullException.ThrowIfNull(Schedule, $"{name}.Schedule");
        Schedule.Validate($"{name}.Schedule");
        EarlyStopping?.Validate($"{name}.EarlyStopping");
    }
}
