namespace TransferLearning.Data;

/// <summary>A file left out of a dataset or batch, and why.</summary>
/// <param name="Path">The file's full path.</param>
/// <param name="Reason">Why it was left out.</param>
public sealed record SkippedFile(string Path, string Reason);
