using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Training;

/// <summary>A random augmentation for tests: flips each image horizontally with probability ½.</summary>
internal sealed class HorizontalFlipForTests : IAugmentation
{
    public bool IsRandom => true;

    public Tensor Apply(Tensor batch, Random random)
    {
        using var scope = NewDisposeScope();
        var flips = Enumerable.Range(0, (int)batch.shape[0]).Select(_ => random.Next(2) == 1).ToArray();
        var images = Enumerable.Range(0, flips.Length).Select(i => flips[i] ? batch[i].flip(2) : batch[i].clone()).ToArray();
        return stack(images).MoveToOuterDisposeScope();
    }
}
