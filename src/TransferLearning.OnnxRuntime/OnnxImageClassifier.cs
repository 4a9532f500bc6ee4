using System.Runtime.ExceptionServices;
using Microsoft.ML.OnnxRuntime;
using TransferLearning.Imaging;

namespace TransferLearning.OnnxRuntime;

/// <summary>
/// Classifies image files with a model written by <c>TransferTrainer.ExportOnnx</c>, on ONNX Runtime, without
/// TorchSharp: reads the class names and the decode contract from the file's metadata, decodes with
/// <see cref="ImagePixelDecoder"/> (the training loader's own decode code, so the pixels — and the predictions — equal
/// <c>TransferTrainer.Predict</c>'s), runs batches and returns one <see cref="Prediction"/> per image.
/// </summary>
/// <remarks>
/// Thread-safe: any number of threads may call <see cref="Predict(IEnumerable{string})"/> at once (ONNX Runtime sessions
/// allow concurrent runs; the classifier holds no other mutable state). Dispose it once no call is running.
/// </remarks>
public sealed class OnnxImageClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ImagePixelDecoder _decoder;
    private readonly OnnxClassifierOptions _options;
    private readonly string[] _outputs;
    private readonly string _path;
    private volatile bool _disposed;

    /// <summary>Loads an exported model.</summary>
    /// <param name="modelPath">The .onnx file written by <c>TransferTrainer.ExportOnnx</c>.</param>
    /// <param name="options">Batch size, decode parallelism, session options; <c>null</c> for the defaults. Copied.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime can load, or lacks the <see cref="ExportedModelMetadata.Key"/> metadata, or its graph does not match it; the message names the file.</exception>
    public OnnxImageClassifier(string modelPath, OnnxClassifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        _options = (options ?? new OnnxClassifierOptions()).Validated();
        _path = modelPath;
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"ONNX model '{modelPath}' does not exist.", modelPath);
        try
        {
            _session = _options.SessionOptions is { } sessionOptions ? new InferenceSession(modelPath, sessionOptions) : new InferenceSession(modelPath);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"'{modelPath}' is not an ONNX model ONNX Runtime can load: {e.Message.Split('\n')[0]}", e);
        }
        try
        {
            string source = $"ONNX model '{modelPath}'";
            if (!_session.ModelMetadata.CustomMetadataMap.TryGetValue(ExportedModelMetadata.Key, out var json))
                throw new InvalidDataException($"{source} has no '{ExportedModelMetadata.Key}' metadata; it was not written by TransferTrainer.ExportOnnx, so its classes and decoding are unknown.");
            Metadata = ExportedModelMetadata.Parse(json, source);
            CheckGraph(source);
            _decoder = new ImagePixelDecoder(Metadata.DecodeOptions);
            if (_decoder.Channels != 3)
                throw new InvalidDataException($"{source} decodes {Metadata.DecodeOptions.ColorMode} ({_decoder.Channels} channels); the graph takes 3 (RGB).");
            _outputs = Metadata.ProbabilitiesOutput is { } p ? new[] { Metadata.LogitsOutput, p } : new[] { Metadata.LogitsOutput };
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The file's metadata: classes, input size, decode settings.</summary>
    public ExportedModelMetadata Metadata { get; }

    /// <summary>The class names in logit order.</summary>
    public IReadOnlyList<string> ClassNames => Metadata.ClassNames;

    /// <summary>The decoder files go through (the model's decode contract).</summary>
    public ImagePixelDecoder Decoder => _decoder;

    private void CheckGraph(string source)
    {
        if (!_session.InputMetadata.TryGetValue(Metadata.InputName, out var input))
            throw new InvalidDataException($"{source}: the metadata names input '{Metadata.InputName}' but the graph's inputs are [{string.Join(", ", _session.InputMetadata.Keys)}].");
        var dims = input.Dimensions;
        if (dims.Length != 4 || dims[1] != 3 || dims[2] != Metadata.Height || dims[3] != Metadata.Width)
            throw new InvalidDataException($"{source}: input '{Metadata.InputName}' has shape [{string.Join(", ", dims)}]; the metadata says N x 3 x {Metadata.Height} x {Metadata.Width}.");
        foreach (var output in new[] { Metadata.LogitsOutput, Metadata.ProbabilitiesOutput })
            if (output is not null && !_session.OutputMetadata.ContainsKey(output))
                throw new InvalidDataException($"{source}: the metadata names output '{output}' but the graph's outputs are [{string.Join(", ", _session.OutputMetadata.Keys)}].");
    }

    /// <summary>Decodes and classifies one image file.</summary>
    /// <param name="path">The image.</param>
    /// <exception cref="ImageDecodeException">The file is missing, empty, corrupt or not an image; the message names it.</exception>
    public Prediction Predict(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Predict(new[] { path })[0];
    }

    /// <summary>
    /// Decodes image files (in parallel, under the model's decode contract) and classifies them in batches of
    /// <see cref="OnnxClassifierOptions.BatchSize"/>, in order; <see cref="Prediction.Source"/> names each file.
    /// </summary>
    /// <param name="paths">The images.</param>
    /// <exception cref="ImageDecodeException">A file is missing, empty, corrupt or not an image; the message names it.</exception>
    public IReadOnlyList<Prediction> Predict(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var results = new List<Prediction>();
        int perImage = _decoder.ValuesPerImage;
        foreach (var chunk in paths.Chunk(_options.BatchSize))
        {
            var pixels = new float[chunk.Length * perImage];
            Decode(chunk, pixels, perImage);
            results.AddRange(Run(pixels, chunk.Length, chunk));
        }
        return results;
    }

    /// <summary>
    /// Classifies images already decoded: <paramref name="count"/> float32 3×H×W images (RGB, 0..255) back to back, as
    /// <see cref="ImagePixelDecoder.DecodeInto(string, Span{float})"/> writes them.
    /// </summary>
    /// <param name="pixels">count × 3 × <see cref="ExportedModelMetadata.Height"/> × <see cref="ExportedModelMetadata.Width"/> values.</param>
    /// <param name="count">Number of images.</param>
    /// <exception cref="ArgumentException">The length does not match <paramref name="count"/> images of the model's size.</exception>
    public IReadOnlyList<Prediction> Predict(float[] pixels, int count)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int perImage = _decoder.ValuesPerImage;
        if (count < 1 || pixels.Length != (long)count * perImage)
            throw new ArgumentException($"Expected {count} images of 3 x {Metadata.Height} x {Metadata.Width} = {(long)count * perImage} values; got {pixels.Length}.", nameof(pixels));
        var results = new List<Prediction>(count);
        for (int start = 0; start < count; start += _options.BatchSize)
        {
            int n = Math.Min(_options.BatchSize, count - start);
            results.AddRange(Run(pixels.AsSpan(start * perImage, n * perImage).ToArray(), n, null));
        }
        return results;
    }

    private void Decode(string[] chunk, float[] pixels, int perImage)
    {
        if (chunk.Length == 1 || _options.DecodeParallelism == 1)
        {
            for (int i = 0; i < chunk.Length; i++) _decoder.DecodeInto(chunk[i], pixels.AsSpan(i * perImage, perImage));
            return;
        }
        try
        {
            Parallel.For(0, chunk.Length, new ParallelOptions { MaxDegreeOfParallelism = _options.DecodeParallelism },
                i => _decoder.DecodeInto(chunk[i], pixels.AsSpan(i * perImage, perImage)));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // The first failing file, as a sequential decode would report it.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private List<Prediction> Run(float[] pixels, int count, IReadOnlyList<string>? sources)
    {
        int classes = Metadata.ClassNames.Count;
        var shape = new long[] { count, 3, Metadata.Height, Metadata.Width };
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, new[] { Metadata.InputName }, new[] { input }, _outputs);
        var logits = outputs[0].GetTensorDataAsSpan<float>();
        var probabilities = outputs.Count > 1 ? outputs[1].GetTensorDataAsSpan<float>() : ReadOnlySpan<float>.Empty;
        if (logits.Length != count * classes)
            throw new InvalidDataException($"ONNX model '{_path}': output '{Metadata.LogitsOutput}' has {logits.Length} values for {count} images; expected {count * classes} ({classes} classes).");
        var predictions = new List<Prediction>(count);
        for (int i = 0; i < count; i++)
        {
            float[] l = logits.Slice(i * classes, classes).ToArray();
            float[] p = probabilities.IsEmpty ? Softmax(l) : probabilities.Slice(i * classes, classes).ToArray();
            predictions.Add(new Prediction(p, Metadata.ClassNames) { Logits = l, Source = sources?[i] });
        }
        return predictions;
    }

    private static float[] Softmax(float[] logits)
    {
        float max = logits.Max();
        var e = logits.Select(v => MathF.Exp(v - max)).ToArray();
        float sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _session.Dispose();
    }
}
