namespace TransferLearning.Data;

/// <summary>One sample of a dataset: an image file and its class index.</summary>
/// <param name="Path">The file's full path.</param>
/// <param name="Label">Index into the dataset's class names.</param>
public sealed record ImageSample(string Path, int Label);
