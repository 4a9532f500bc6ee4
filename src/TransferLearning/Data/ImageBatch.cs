using static TorchSharp.torch;

namespace TransferLearning.Data;

/// <summary>
/// One batch: images as float32 N×C×H×W with values 0..255, labels as int64 class indices, and the file behind
/// every sample (so predictions map back to files even when shuffled). The receiver owns the batch and disposes it.
/// </summary>
public sealed class ImageBatch : IDisposable
{
    /// <summary>Creates a batch and takes ownership of the tensors.</summary>
    /// <param name="images">Float32 N×C×H×W, values 0..255.</param>
    /// <param name="labels">Int64 vector of N class indices.</param>
    /// <param name="files">The source of every sample, in batch order (a path, or any identifier).</param>
    public ImageBatch(Tensor images, Tensor labels, IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(files);
        if (images.dim() != 4)
            throw new ArgumentException($"images must be N x C x H x W; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must be a vector of {images.shape[0]} class indices; got shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (files.Count != images.shape[0])
            throw new ArgumentException($"files must name {images.shape[0]} samples; got {files.Count}.", nameof(files));
        Images = images;
        Labels = labels;
        Files = files.ToArray();
    }

    /// <summary>Float32 N×C×H×W, values 0..255.</summary>
    public Tensor Images { get; }

    /// <summary>Int64 vector of class indices.</summary>
    public Tensor Labels { get; }

    /// <summary>The source of every sample, in batch order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Number of samples.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>The labels one-hot encoded as float32 N×<paramref name="classCount"/> (Keras' <c>class_mode='categorical'</c>). A new tensor.</summary>
    public Tensor OneHot(int classCount) => nn.functional.one_hot(Labels, classCount).to(ScalarType.Float32);

    /// <summary>Moves the batch to a device; returns a new batch (this one is left as it is and still owned by the caller).</summary>
    public ImageBatch To(Device device) => new(Images.to(device), Labels.to(device), Files);

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
