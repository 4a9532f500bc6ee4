using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// A transform of a float32 N×C×H×W image batch with values 0..255, on whatever device the batch lives.
/// Random transforms draw their parameters per image from the <see cref="Random"/> the caller passes, so one seed
/// reproduces a batch; built-in transforms also expose their sample and apply steps separately, so fixed
/// parameters can be applied (tests, or two inputs transformed identically).
/// </summary>
/// <remarks>
/// Contract: <see cref="Apply"/> returns a new tensor that the caller owns and never modifies or disposes its input.
/// A user's own augmentation implements this interface and composes with the built-ins in an augmentation pipeline.
/// </remarks>
public interface IAugmentation
{
    /// <summary>Whether the output depends on the random source (false for deterministic steps such as rescaling).</summary>
    bool IsRandom { get; }

    /// <summary>Samples parameters for every image of <paramref name="batch"/> from <paramref name="random"/> and applies them.</summary>
    /// <param name="batch">Float32 N×C×H×W, values 0..255; not modified.</param>
    /// <param name="random">The random source; each image draws its own parameters from it.</param>
    /// <returns>A new tensor of the same shape, dtype and device, owned by the caller.</returns>
    Tensor Apply(Tensor batch, Random random);
}
