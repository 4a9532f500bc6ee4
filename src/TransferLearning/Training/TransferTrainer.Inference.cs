using SkiaSharp;
using TransferLearning.Data;
using TransferLearning.Imaging;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>Evaluates the model on a source (never augmented by the trainer, inference mode): loss, accuracy, top-k, per-class precision and recall, confusion matrix.</summary>
    /// <param name="source">The samples; its classes must equal <see cref="ClassNames"/>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public EvaluationResult Evaluate(IImageBatchSource source, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckClasses(source, nameof(source));
        var confusion = new int[_classNames.Length, _classNames.Length];
        var totals = EvaluateSource(source, cancellationToken, confusion);
        return new EvaluationResult
        {
            ClassNames = _classNames.ToArray(),
            SampleCount = (int)totals.Samples,
            Loss = totals.MeanLoss,
            Accuracy = totals.Accuracy,
            TopKAccuracy = totals.TopKAccuracy,
            TopK = TopK,
            ConfusionMatrix = Enumerable.Range(0, _classNames.Length)
                .Select(a => (IReadOnlyList<int>)Enumerable.Range(0, _classNames.Length).Select(p => confusion[a, p]).ToArray()).ToArray(),
        };
    }

    /// <summary>Class probabilities (softmax of the logits) for a float32 N×3×H×W batch with values 0..255, on any device.</summary>
    /// <param name="images">The images; not modified.</param>
    public IReadOnlyList<Prediction> Predict(Tensor images)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"images must be N x 3 x H x W with values 0..255; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        _backbone.eval();
        _head.eval();
        var predictions = new List<Prediction>((int)images.shape[0]);
        int batchSize = _options.PredictionBatchSize;
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var chunk = images.narrow(0, start, Math.Min(batchSize, images.shape[0] - start)).to(ScalarType.Float32).to(_device);
            var probabilities = nn.functional.softmax(Logits(chunk), 1).cpu().contiguous().data<float>().ToArray();
            for (int i = 0; i < probabilities.Length / _classNames.Length; i++)
                predictions.Add(new Prediction(probabilities.AsSpan(i * _classNames.Length, _classNames.Length).ToArray(), _classNames));
        }
        return predictions;
    }

    /// <summary>
    /// Decodes image files with the library's <see cref="ImageDecoder"/> (as the training loader does: EXIF orientation
    /// applied, pixel limit checked, RGB), resizes them bilinearly to <see cref="InputSize"/> and predicts.
    /// </summary>
    /// <param name="paths">The files.</param>
    /// <exception cref="InvalidOperationException">The input size is unknown (not set, never trained, not in the loaded file).</exception>
    /// <exception cref="ImageDecodeException">A file is missing, empty, corrupt or not an image; the message names it.</exception>
    public IReadOnlyList<Prediction> Predict(IEnumerable<string> paths)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(paths);
        var (height, width) = RequireInputSize();
        var decoder = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(width, height), Interpolation = Interpolation.Bilinear });
        var results = new List<Prediction>();
        foreach (var chunk in paths.Chunk(_options.PredictionBatchSize))
        {
            using var scope = NewDisposeScope();
            results.AddRange(Predict(stack(chunk.Select(decoder.Decode).ToArray())));
        }
        return results;
    }

    /// <summary>Resizes a bitmap to <see cref="InputSize"/> and predicts.</summary>
    /// <param name="bitmap">The image; not modified.</param>
    public Prediction Predict(SKBitmap bitmap)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(bitmap);
        using var scope = NewDisposeScope();
        return Predict(ResizedTensor(bitmap).unsqueeze(0))[0];
    }

    private Tensor ResizedTensor(SKBitmap bitmap)
    {
        var (height, width) = RequireInputSize();
        if (bitmap.Width == width && bitmap.Height == height) return ImageTensors.FromBitmap(bitmap);
        using var resized = bitmap.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None))
            ?? throw new InvalidDataException($"Cannot resize a {bitmap.Width}x{bitmap.Height} {bitmap.ColorType} bitmap.");
        return ImageTensors.FromBitmap(resized);
    }

    private (int Height, int Width) RequireInputSize() => _inputSize ?? throw new InvalidOperationException(
        "The model's input size is unknown: set TransferTrainerOptions.InputSize, train first, or load a saved model.");
}
