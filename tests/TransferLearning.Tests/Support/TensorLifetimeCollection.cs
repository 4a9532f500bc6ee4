namespace TransferLearning.Tests.Support;

/// <summary>
/// Tests that count live tensors (<c>Tensor.TotalCount</c> is process-wide) run in this collection, which never runs
/// in parallel with other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TensorLifetimeCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Tensor lifetime";
}
