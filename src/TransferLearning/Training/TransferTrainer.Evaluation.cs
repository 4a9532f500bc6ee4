using TransferLearning.Data;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>Collects per-sample results of an evaluation: the confusion matrix and the predictions.</summary>
    private sealed class EvaluationSink(int classCount, IReadOnlyList<string> classNames)
    {
        public readonly int[,] Confusion = new int[classCount, classCount];
        public readonly List<Prediction> Predictions = new();
        public readonly List<int> Labels = new();

        public void Add(Tensor logits, Tensor labels, IReadOnlyList<string> files)
        {
            var predictions = ToPredictions(logits, classNames, files);
            var actual = labels.cpu().data<long>().ToArray();
            for (int i = 0; i < predictions.Count; i++)
            {
                Confusion[actual[i], predictions[i].ClassIndex]++;
                Predictions.Add(predictions[i]);
                Labels.Add((int)actual[i]);
            }
        }
    }

    private EpochTotals EvaluateCache(FeatureCache cache, CancellationToken cancellationToken)
    {
        bool headTraining = _head.training;
        _head.eval();
        try
        {
            var totals = new EpochTotals();
            int batchSize = Math.Max(1, _options.PredictionBatchSize);
            for (int start = 0; start < cache.SampleCount; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var indices = Enumerable.Range(start, Math.Min(batchSize, cache.SampleCount - start)).ToArray();
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var (features, labels) = cache.Gather(indices);
                var logits = _head.forward(features);
                totals.Add(BatchStatistics(logits, labels, Loss(logits, labels)), indices.Length);
            }
            return totals;
        }
        finally
        {
            _head.train(headTraining);
        }
    }

    /// <summary>Loss and accuracies of a source in inference mode (the model's modes are put back afterwards).</summary>
    private EpochTotals EvaluateSource(IImageBatchSource source, CancellationToken cancellationToken, EvaluationSink? sink,
        TestTimeAugmentation? testTimeAugmentation = null)
    {
        bool backboneTraining = _backbone.training, headTraining = _head.training;
        _backbone.eval();
        _head.eval();
        try
        {
            var totals = new EpochTotals();
            foreach (var batch in source.ReadEpoch(0, _device, cancellationToken))
            {
                using (batch)
                {
                    using var scope = NewDisposeScope();
                    using var _ = no_grad();
                    var logits = Logits(batch.Images, testTimeAugmentation);
                    totals.Add(BatchStatistics(logits, batch.Labels, Loss(logits, batch.Labels)), batch.Count);
                    sink?.Add(logits, batch.Labels, batch.Files);
                }
            }
            return totals;
        }
        finally
        {
            _backbone.train(backboneTraining);
            ApplyNormalizationMode();
            _head.train(headTraining);
        }
    }

    /// <summary>Predictions (logits and softmax probabilities) of N×classes <paramref name="logits"/>, one per row.</summary>
    private static List<Prediction> ToPredictions(Tensor logits, IReadOnlyList<string> classNames, IReadOnlyList<string>? sources)
    {
        using var scope = NewDisposeScope();
        int classes = classNames.Count;
        var raw = logits.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var probabilities = nn.functional.softmax(logits.detach().to(ScalarType.Float32), 1).cpu().contiguous().data<float>().ToArray();
        var result = new List<Prediction>(raw.Length / classes);
        for (int i = 0; i < raw.Length / classes; i++)
            result.Add(new Prediction(probabilities.AsSpan(i * classes, classes).ToArray(), classNames)
            {
                Logits = raw.AsSpan(i * classes, classes).ToArray(),
                Source = sources?[i],
            });
        return result;
    }
}
