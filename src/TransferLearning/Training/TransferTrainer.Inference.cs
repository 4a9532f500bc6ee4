using SkiaSharp;
using TransferLearning.Data;
using TransferLearning.Imaging;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>
    /// Evaluates the model on a source (never augmented by the trainer, inference mode): loss, accuracy, top-k, per-class
    /// precision and recall, confusion matrix, and every sample's prediction.
    /// </summary>
    /// <param name="source">The samples; its classes must equal <see cref="ClassNames"/>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public EvaluationResult Evaluate(IImageBatchSource source, CancellationToken cancellationToken = default) =>
        EvaluateCore(source, null, cancellationToken);

    /// <summary>
    /// <see cref="Evaluate(IImageBatchSource, CancellationToken)"/> with test-time augmentation: every sample's
    /// probabilities are the average over the views; loss, accuracies and predictions are those of the average.
    /// </summary>
    /// <param name="source">The samples; its classes must equal <see cref="ClassNames"/>.</param>
    /// <param name="testTimeAugmentation">The views, e.g. <see cref="TestTimeAugmentation.Flips"/>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public EvaluationResult Evaluate(IImageBatchSource source, TestTimeAugmentation testTimeAugmentation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(testTimeAugmentation);
        return EvaluateCore(source, testTimeAugmentation, cancellationToken);
    }

    private EvaluationResult EvaluateCore(IImageBatchSource source, TestTimeAugmentation? testTimeAugmentation, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        CheckClasses(source, nameof(source));
        var sink = new EvaluationSink(_classNames.Length, _classNames);
        EpochTotals totals;
        using (new TorchGlobalsScope(_device, _options.AllowTf32, saveGenerator: false))
            totals = EvaluateSource(source, cancellationToken, sink, testTimeAugmentation);
        return new EvaluationResult
        {
            ClassNames = _classNames.ToArray(),
            SampleCount = (int)totals.Samples,
            Loss = totals.MeanLoss,
            Accuracy = totals.Accuracy,
            TopKAccuracy = totals.TopKAccuracy,
            TopK = TopK,
            ConfusionMatrix = Enumerable.Range(0, _classNames.Length)
                .Select(a => (IReadOnlyList<int>)Enumerable.Range(0, _classNames.Length).Select(p => sink.Confusion[a, p]).ToArray()).ToArray(),
            Predictions = sink.Predictions,
            Labels = sink.Labels,
        };
    }

    /// <summary>Class probabilities (softmax of the logits) for a float32 N×3×H×W batch with values 0..255, on any device.</summary>
    /// <param name="images">The images; not modified.</param>
    public IReadOnlyList<Prediction> Predict(Tensor images) => PredictTensor(images, null);

    /// <summary><see cref="Predict(Tensor)"/> with the probabilities averaged over test-time views.</summary>
    /// <param name="images">The images; not modified.</param>
    /// <param name="testTimeAugmentation">The views, e.g. <see cref="TestTimeAugmentation.Flips"/>.</param>
    public IReadOnlyList<Prediction> Predict(Tensor images, TestTimeAugmentation testTimeAugmentation)
    {
        ArgumentNullException.ThrowIfNull(testTimeAugmentation);
        return PredictTensor(images, testTimeAugmentation);
    }

    private IReadOnlyList<Prediction> PredictTensor(Tensor images, TestTimeAugmentation? testTimeAugmentation)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"images must be N x 3 x H x W with values 0..255; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        return PredictChunks(images, sources: null, testTimeAugmentation);
    }

    /// <summary>
    /// Predicts every batch of a source (its labels are ignored), in its order; <see cref="Prediction.Source"/> names each
    /// sample's file.
    /// </summary>
    /// <param name="source">The samples, for example <c>ImageBatchLoader.ForEvaluation(...)</c>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public IReadOnlyList<Prediction> Predict(IImageBatchSource source, CancellationToken cancellationToken = default) =>
        PredictSource(source, null, cancellationToken);

    /// <summary><see cref="Predict(IImageBatchSource, CancellationToken)"/> with the probabilities averaged over test-time views.</summary>
    /// <param name="source">The samples.</param>
    /// <param name="testTimeAugmentation">The views, e.g. <see cref="TestTimeAugmentation.Flips"/>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public IReadOnlyList<Prediction> Predict(IImageBatchSource source, TestTimeAugmentation testTimeAugmentation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(testTimeAugmentation);
        return PredictSource(source, testTimeAugmentation, cancellationToken);
    }

    private List<Prediction> PredictSource(IImageBatchSource source, TestTimeAugmentation? testTimeAugmentation, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(source);
        var results = new List<Prediction>(source.SampleCount);
        foreach (var batch in source.ReadEpoch(0, CPU, cancellationToken))
            using (batch)
                results.AddRange(PredictChunks(batch.Images, batch.Files, testTimeAugmentation));
        return results;
    }

    /// <summary>
    /// Predicts every sample of a dataset, decoded with the model's <see cref="InputContract"/> (as the training loader
    /// decoded them), in the dataset's order. The dataset's class folders are not used.
    /// </summary>
    /// <param name="dataset">The files, for example <c>DirectoryImageDataset.FromDirectory(...)</c>.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public IReadOnlyList<Prediction> Predict(DirectoryImageDataset dataset, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(dataset);
        using var loader = ImageBatchLoader.ForEvaluation(dataset, new EvaluationLoaderOptions
        {
            Decode = RequireInputContract().ToDecodeOptions(),
            BatchSize = _options.PredictionBatchSize,
            BadFiles = BadFilePolicy.Throw,
        });
        return Predict(loader, cancellationToken);
    }

    /// <summary>
    /// Predicts every image file in a folder (the <see cref="ImageFileTypes.DefaultExtensions"/>, sorted by path), decoded
    /// with the model's <see cref="InputContract"/>; <see cref="Prediction.Source"/> names each file.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="recursive">Whether sub-folders are included. Default <c>false</c>.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public IReadOnlyList<Prediction> PredictFolder(string directory, bool recursive = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"The folder '{directory}' does not exist.");
        var files = Directory.EnumerateFiles(directory, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => ImageFileTypes.DefaultExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToArray();
        return Predict(files);
    }

    /// <summary>
    /// Decodes image files with the library's <see cref="ImageDecoder"/> under the model's <see cref="InputContract"/> —
    /// the size, interpolation, crop and colour mode the training loader used, so the logits equal those of an evaluation
    /// loader over the same files — and predicts. <see cref="Prediction.Source"/> names each file.
    /// </summary>
    /// <param name="paths">The files.</param>
    /// <exception cref="InvalidOperationException">The input size is unknown (not set, never trained, not in the loaded file).</exception>
    /// <exception cref="ImageDecodeException">A file is missing, empty, corrupt or not an image; the message names it.</exception>
    public IReadOnlyList<Prediction> Predict(IEnumerable<string> paths) => PredictFiles(paths, null);

    /// <summary><see cref="Predict(IEnumerable{string})"/> with the probabilities averaged over test-time views.</summary>
    /// <param name="paths">The files.</param>
    /// <param name="testTimeAugmentation">The views, e.g. <see cref="TestTimeAugmentation.Flips"/>.</param>
    public IReadOnlyList<Prediction> Predict(IEnumerable<string> paths, TestTimeAugmentation testTimeAugmentation)
    {
        ArgumentNullException.ThrowIfNull(testTimeAugmentation);
        return PredictFiles(paths, testTimeAugmentation);
    }

    private List<Prediction> PredictFiles(IEnumerable<string> paths, TestTimeAugmentation? testTimeAugmentation)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(paths);
        var decoder = new ImageDecoder(RequireInputContract().ToDecodeOptions());
        var results = new List<Prediction>();
        foreach (var chunk in paths.Chunk(_options.PredictionBatchSize))
        {
            using var scope = NewDisposeScope();
            results.AddRange(PredictChunks(stack(chunk.Select(decoder.Decode).ToArray()), chunk, testTimeAugmentation));
        }
        return results;
    }

    /// <summary>
    /// Crops (when the model's <see cref="InputContract.KeepAspectRatio"/> says so) and resizes a bitmap to the input size with
    /// the contract's interpolation through SkiaSharp, and predicts. Files give the training loader's exact pixels; a
    /// bitmap has no EXIF orientation or JPEG scaled decoding, so it can differ from its file by resampling rounding.
    /// </summary>
    /// <param name="bitmap">The image; not modified.</param>
    public Prediction Predict(SKBitmap bitmap)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(bitmap);
        using var scope = NewDisposeScope();
        return Predict(ResizedTensor(bitmap, RequireInputContract()).unsqueeze(0))[0];
    }

    private List<Prediction> PredictChunks(Tensor images, IReadOnlyList<string>? sources, TestTimeAugmentation? testTimeAugmentation = null)
    {
        _backbone.eval();
        _head.eval();
        using var globals = new TorchGlobalsScope(_device, _options.AllowTf32, saveGenerator: false);
        var predictions = new List<Prediction>((int)images.shape[0]);
        int batchSize = _options.PredictionBatchSize;
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            long count = Math.Min(batchSize, images.shape[0] - start);
            var chunk = images.narrow(0, start, count).to(ScalarType.Float32).to(_device);
            predictions.AddRange(ToPredictions(Logits(chunk, testTimeAugmentation), _classNames, sources?.Skip((int)start).Take((int)count).ToArray()));
        }
        return predictions;
    }

    private static Tensor ResizedTensor(SKBitmap bitmap, InputContract contract)
    {
        int width = contract.Width, height = contract.Height;
        var source = new SKRectI(0, 0, bitmap.Width, bitmap.Height);
        if (contract.KeepAspectRatio)
        {
            int cropH = Math.Min(bitmap.Height, (int)((long)bitmap.Width * height / width));
            int cropW = Math.Min(bitmap.Width, (int)((long)bitmap.Height * width / height));
            int x = (bitmap.Width - cropW) / 2, y = (bitmap.Height - cropH) / 2;
            source = new SKRectI(x, y, x + cropW, y + cropH);
        }
        if (source.Width == width && source.Height == height && source.Left == 0 && source.Top == 0) return ImageTensors.FromBitmap(bitmap);
        using var image = SKImage.FromBitmap(bitmap);
        using var resized = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(resized))
        {
            canvas.Clear(SKColors.Black);
            canvas.DrawImage(image, source, new SKRect(0, 0, width, height), Sampling(contract.Interpolation));
        }
        return ImageTensors.FromBitmap(resized);
    }

    private static SKSamplingOptions Sampling(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Nearest => new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None),
        Interpolation.Bicubic => new SKSamplingOptions(SKCubicResampler.CatmullRom),
        Interpolation.Area => new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear),
        _ => new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None),
    };

    private InputContract RequireInputContract() => InputContract ?? throw new InvalidOperationException(
        "The model's input size is unknown: set TransferTrainerOptions.InputSize or Decode, train first, or load a saved model.");
}
