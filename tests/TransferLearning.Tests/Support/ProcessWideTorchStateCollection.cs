namespace TransferLearning.Tests.Support;

/// <summary>
/// Tests that read libtorch's process-wide state (the global generator, the TF32 flags) run in this collection, which
/// never runs in parallel with other tests: a fine-tune phase elsewhere reseeds the global generator per epoch and
/// puts it back only when its fit ends, so a draw from it in between would see that fit's numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTorchStateCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Process-wide torch state";
}
