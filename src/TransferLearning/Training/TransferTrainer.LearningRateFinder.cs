using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using TransferLearning.Data;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>
    /// The learning-rate range test (fastai's <c>lr_find</c>): trains with the phase's setup (the layers it trains, its
    /// optimizer, its discriminative rates) for up to <see cref="LearningRateFinderOptions.MaxBatches"/> batches while the
    /// rate grows exponentially from <see cref="LearningRateFinderOptions.StartLearningRate"/> to
    /// <see cref="LearningRateFinderOptions.EndLearningRate"/>, stops when the loss diverges, and returns the loss curve
    /// with suggested rates. Everything is put back afterwards: the weights (head, and the backbone for the fine-tune
    /// phase), which layers are frozen, the modes, torch's generator; the optimizer is a throw-away one. Not recorded in
    /// <see cref="History"/>; no callbacks run.
    /// </summary>
    /// <param name="train">Training batches (its epochs repeat when it has fewer batches); its classes must equal <see cref="ClassNames"/>.</param>
    /// <param name="options">Settings; <c>null</c> for the defaults (head phase, 1e-7 to 10 over 100 batches).</param>
    /// <param name="cancellationToken">Checked between batches; the model is restored when it fires.</param>
    public LearningRateFinderResult FindLearningRate(IImageBatchSource train, LearningRateFinderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckClasses(train, nameof(train));
        options ??= new LearningRateFinderOptions();
        options.Validate();
        var phase = options.Phase;
        var phaseOptions = options.PhaseOptions ?? (phase == TrainingPhase.Head ? _options.HeadPhase : _options.FineTunePhase);
        if (train.BatchesPerEpoch == 0) throw new ArgumentException("The training source has no batches.", nameof(train));

        var saved = SaveModelState(includeBackbone: phase == TrainingPhase.FineTune);
        var rates = new List<double>();
        var losses = new List<double>();
        var smoothed = new List<double>();
        bool diverged = false;
        using (new TorchGlobalsScope(_device, _options.AllowTf32, saveGenerator: true))
        {
            try
            {
                ConfigureTrainability(phase, phaseOptions);
                var groups = ParameterGroups(phase, phaseOptions);
                using var optimizer = CreateOptimizer(phaseOptions, groups);
                var paramGroups = optimizer.ParamGroups.ToArray();
                var ratios = groups.Select(g => g.LearningRate / phaseOptions.LearningRate).ToArray();
                double growth = Math.Log(options.EndLearningRate / options.StartLearningRate) / (options.MaxBatches - 1);
                double average = 0, best = double.PositiveInfinity;
                bool frozen = phase == TrainingPhase.Head;
                for (int epoch = 0; rates.Count < options.MaxBatches && !diverged; epoch++)
                {
                    foreach (var batch in train.ReadEpoch(epoch, _device, cancellationToken))
                    {
                        using (batch)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            double rate = options.StartLearningRate * Math.Exp(growth * rates.Count);
                            for (int g = 0; g < paramGroups.Length; g++) paramGroups[g].LearningRate = rate * ratios[g];
                            double loss = FinderStep(optimizer, batch, frozen);
                            rates.Add(rate);
                            losses.Add(loss);
                            if (!double.IsFinite(loss))
                            {
                                smoothed.Add(double.NaN);
                                diverged = true;
                                break;
                            }
                            average = options.Smoothing * average + (1 - options.Smoothing) * loss;
                            double value = average / (1 - Math.Pow(options.Smoothing, rates.Count));
                            smoothed.Add(value);
                            best = Math.Min(best, value);
                            if (rates.Count > 1 && value > options.DivergenceFactor * best) diverged = true;
                            if (diverged || rates.Count >= options.MaxBatches) break;
                        }
                    }
                }
            }
            finally
            {
                RestoreModelState(saved);
            }
        }

        var result = Suggest(rates, losses, smoothed, diverged, phase);
        _logger.LogInformation("{Result}", result);
        return result;
    }

    private double FinderStep(OptimizerHelper optimizer, ImageBatch batch, bool frozen)
    {
        using var scope = NewDisposeScope();
        var loss = Loss(_head.forward(BackboneFeatures(batch.Images, frozen)), batch.Labels);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) return value;
        optimizer.zero_grad();
        loss.backward();
        if (_options.GradientClipNorm is { } clip) nn.utils.clip_grad_norm_(optimizer.parameters(), clip);
        optimizer.step();
        return value;
    }

    private static LearningRateFinderResult Suggest(List<double> rates, List<double> losses, List<double> smoothed, bool diverged, TrainingPhase phase)
    {
        // fastai reads its suggestions from the curve without its first tenth and its last five points.
        int finite = smoothed.FindIndex(v => !double.IsFinite(v));
        int count = finite < 0 ? smoothed.Count : finite;
        int start = count / 10, end = Math.Max(start + 2, count - 5);
        if (end > count) (start, end) = (0, count);
        if (count < 2) throw new InvalidOperationException($"The learning-rate range test ran {count} usable batch(es); it needs at least 2 (lower StartLearningRate or check the data).");
        var windowRates = rates.GetRange(start, end - start);
        var windowLosses = smoothed.GetRange(start, end - start);
        return new LearningRateFinderResult
        {
            LearningRates = rates,
            Losses = losses,
            SmoothedLosses = smoothed,
            Valley = windowRates[LearningRateSuggestions.Valley(windowLosses)],
            Steepest = windowRates[LearningRateSuggestions.Steepest(windowRates, windowLosses)],
            Minimum = windowRates[LearningRateSuggestions.Minimum(windowLosses)] / 10,
            Diverged = diverged,
            Phase = phase,
            SuggestionStart = start,
            SuggestionEnd = end,
        };
    }

    /// <summary>A copy of the weights and buffers (head; backbone when asked), of which backbone groups train, and of the modes.</summary>
    private sealed record ModelState(List<(Tensor Target, Tensor Copy)> Tensors, int TrainableGroups, bool BackboneTraining, bool HeadTraining, bool TrainNormalization);

    private ModelState SaveModelState(bool includeBackbone)
    {
        var tensors = new List<(Tensor, Tensor)>();
        using (no_grad())
        {
            IEnumerable<Tensor> owned = _head.parameters().Cast<Tensor>().Concat(_head.buffers());
            if (includeBackbone) owned = owned.Concat(_backbone.parameters()).Concat(_backbone.buffers());
            foreach (var t in owned) tensors.Add((t, t.detach().clone().DetachFromDisposeScope()));
        }
        return new ModelState(tensors, _backbone.LayerGroups.Count(g => !g.IsFrozen), _backbone.training, _head.training, _trainNormalization);
    }

    private void RestoreModelState(ModelState state)
    {
        RestoreNormalizationMomentum();
        using (no_grad())
        {
            foreach (var (target, copy) in state.Tensors)
            {
                target.copy_(copy);
                copy.Dispose();
            }
        }
        _head.zero_grad();
        _backbone.zero_grad();
        _backbone.Unfreeze(state.TrainableGroups);
        _trainNormalization = state.TrainNormalization;
        _backbone.train(state.BackboneTraining);
        ApplyNormalizationMode();
        _head.train(state.HeadTraining);
    }
}
