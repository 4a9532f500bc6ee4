using static TorchSharp.torch.optim;

namespace TransferLearning.Training.Callbacks;

/// <summary>
/// One parameter group of the running phase's optimizer (the head, then the backbone's unfrozen layer groups from the
/// deepest), with its learning rate and momentum, which callbacks may change between batches.
/// </summary>
public sealed class ParameterGroup
{
    private readonly ILearningRateController _group;

    internal ParameterGroup(string name, double baseLearningRate, ILearningRateController group)
    {
        Name = name;
        BaseLearningRate = baseLearningRate;
        _group = group;
        BaseMomentum = Momentum;
    }

    /// <summary><c>head</c>, a layer group's name (<see cref="Backbones.LayerGroup.Name"/>), or <c>other</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The rate the phase configures for this group before any schedule: <see cref="PhaseOptions.LearningRate"/>, times
    /// <see cref="PhaseOptions.EarlierBlocksLearningRateFactor"/> per block before the deepest unfrozen one.
    /// </summary>
    public double BaseLearningRate { get; }

    /// <summary>The learning rate the next optimizer step uses. Must be finite and ≥ 0.</summary>
    public double LearningRate
    {
        get => _group.LearningRate;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), $"The learning rate of parameter group '{Name}' must be a finite value >= 0; got {value}.");
            _group.LearningRate = value;
        }
    }

    /// <summary>The momentum as the optimizer was made (see <see cref="Momentum"/>); <c>null</c> when it has none.</summary>
    public double? BaseMomentum { get; }

    /// <summary>
    /// The momentum of the next step: Adam's and AdamW's β₁, SGD's and RMSprop's momentum; <c>null</c> for an optimizer
    /// without one. Setting it on such an optimizer is ignored. Must be in [0, 1).
    /// </summary>
    public double? Momentum
    {
        get => _group switch
        {
            IBetas betas => betas.Betas.Item1,
            IMomentum momentum => momentum.Momentum,
            _ => null,
        };
        set
        {
            if (value is not { } m) return;
            if (!(m >= 0 && m < 1)) throw new ArgumentOutOfRangeException(nameof(value), $"The momentum of parameter group '{Name}' must be in [0, 1); got {m}.");
            switch (_group)
            {
                case IBetas betas:
                    betas.Betas = (m, betas.Betas.Item2);
                    break;
                case IMomentum momentum:
                    momentum.Momentum = m;
                    break;
            }
        }
    }
}
