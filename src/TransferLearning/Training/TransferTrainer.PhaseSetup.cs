using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using TransferLearning.Data;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>The k of the top-k accuracy: <see cref="TransferTrainerOptions.TopK"/>, at most the number of classes.</summary>
    private int TopK => Math.Min(_options.TopK, _classNames.Length);

    private void ConfigureTrainability(TrainingPhase phase, PhaseOptions options)
    {
        if (phase == TrainingPhase.Head)
        {
            _backbone.Freeze();
            _backbone.eval();
        }
        else
        {
            int total = _backbone.LayerGroups.Count;
            if (options.UnfreezeLastBlocks is { } last && last > total)
                throw new ArgumentOutOfRangeException(nameof(options), $"FineTunePhase.UnfreezeLastBlocks is {last} but backbone {_backbone.Name} has {total} layer groups.");
            int unfrozen = options.UnfreezeLastBlocks ?? total;
            int training = options.GroupsAboveMinimumRate(unfrozen);
            if (training < unfrozen)
                _logger.LogInformation("Fine-tuning the {Training} deepest of {Total} layer groups: the {Frozen} before them stay frozen, their rates being below {Minimum:G3} of the peak (MinimumLearningRateFactor).",
                    training, total, unfrozen - training, options.MinimumLearningRateFactor);
            _backbone.Unfreeze(training);
            _trainNormalization = options.TrainNormalization;
            _backbone.train();
            ApplyNormalizationMode();
            if (options.TrainNormalization && options.NormalizationMomentum is { } momentum) OverrideNormalizationMomentum(momentum);
        }
        _head.train();
    }

    /// <summary>
    /// Unless the phase trains normalisation layers, puts every normalisation layer of the backbone in inference mode
    /// (the frozen groups' ones are already kept there by <see cref="Backbones.PretrainedBackbone"/>).
    /// </summary>
    private void ApplyNormalizationMode()
    {
        if (_trainNormalization || !_backbone.training) return;
        foreach (var module in _backbone.Features.modules().OfType<NormBase>())
            module.eval();
    }

    private List<(NormBase Layer, double? Momentum)>? _savedMomenta;

    /// <summary>Sets every backbone normalisation layer's running-statistics momentum, remembering the layers' own.</summary>
    private void OverrideNormalizationMomentum(double momentum)
    {
        RestoreNormalizationMomentum(); // a phase that failed before its clean-up left its override behind
        _savedMomenta = new();
        foreach (var layer in _backbone.Features.modules().OfType<NormBase>())
        {
            _savedMomenta.Add((layer, layer.momentum));
            layer.momentum = momentum;
        }
    }

    /// <summary>Puts back the momenta <see cref="OverrideNormalizationMomentum"/> replaced (at the end of the phase).</summary>
    private void RestoreNormalizationMomentum()
    {
        if (_savedMomenta is null) return;
        foreach (var (layer, momentum) in _savedMomenta) layer.momentum = momentum;
        _savedMomenta = null;
    }

    private sealed record GroupSpec(IReadOnlyList<Parameter> Parameters, double LearningRate, string Name);

    /// <summary>Head first, then the backbone's unfrozen layer groups from the deepest, each with its own learning rate.</summary>
    private List<GroupSpec> ParameterGroups(TrainingPhase phase, PhaseOptions options)
    {
        var groups = new List<GroupSpec> { new(_head.parameters().ToArray(), options.LearningRate, "head") };
        if (phase == TrainingPhase.Head) return groups;
        var seen = new HashSet<IntPtr>();
        var layerGroups = _backbone.LayerGroups;
        int depth = 0;
        for (int i = layerGroups.Count - 1; i >= 0; i--)
        {
            if (layerGroups[i].IsFrozen) continue;
            var parameters = layerGroups[i].Parameters().Where(p => p.requires_grad && seen.Add(p.Handle)).ToArray();
            double rate = options.LearningRate * options.RateFactor(depth++);
            if (parameters.Length > 0) groups.Add(new GroupSpec(parameters, rate, layerGroups[i].Name));
        }
        var rest = _backbone.parameters().Where(p => p.requires_grad && seen.Add(p.Handle)).ToArray();
        if (rest.Length > 0) groups.Add(new GroupSpec(rest, options.LearningRate, "other"));
        return groups;
    }

    private static OptimizerHelper CreateOptimizer(PhaseOptions options, List<GroupSpec> groups)
    {
        double wd = options.WeightDecay;
        return options.Optimizer switch
        {
            OptimizerKind.Adam => optim.Adam(groups.Select(g => new Adam.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: wd)), lr: options.LearningRate, weight_decay: wd),
            OptimizerKind.AdamW => optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: wd)), lr: options.LearningRate, weight_decay: wd),
            OptimizerKind.RmsProp => optim.RMSProp(groups.Select(g => new RMSProp.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: wd)), lr: options.LearningRate, weight_decay: wd),
            OptimizerKind.Sgd => optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, lr: g.LearningRate, momentum: 0.9, weight_decay: wd)), learningRate: options.LearningRate, momentum: 0.9, weight_decay: wd),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"Unknown optimizer {options.Optimizer}."),
        };
    }

    private bool UseFeatureCache(IImageBatchSource train, PhaseOptions options) => _options.FeatureCaching switch
    {
        FeatureCaching.Off => false,
        FeatureCaching.On when train.IsAugmented => throw new InvalidOperationException(
            "FeatureCaching is On but the training source is randomly augmented: cached features would freeze one random draw. Use Auto or Off, or remove the augmentation."),
        FeatureCaching.On when options.BatchMix != null => throw new InvalidOperationException(
            $"FeatureCaching is On but the head phase mixes its batches ({options.BatchMix}): mixed images change every epoch. Use Auto or Off, or remove the BatchMix."),
        FeatureCaching.On => true,
        _ => !train.IsAugmented && options.BatchMix == null,
    };
}
