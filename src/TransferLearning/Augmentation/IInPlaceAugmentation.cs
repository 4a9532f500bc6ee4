using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// A deterministic step that can overwrite a batch the pipeline owns (an intermediate result), saving one
/// full-size allocation and copy per step.
/// </summary>
internal interface IInPlaceAugmentation : IAugmentation
{
    /// <summary>Transforms <paramref name="batch"/> in place; only called on tensors nobody else sees.</summary>
    void ApplyInPlace(Tensor batch);
}
