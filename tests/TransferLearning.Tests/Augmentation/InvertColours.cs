using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

// docs/augmentation.md shows this class; keep the two identical.
/// <summary>A user's own augmentation: inverts each image with probability 0.5.</summary>
public sealed class InvertColours : IAugmentation
{
    public bool IsRandom => true;

    public Tensor Apply(Tensor batch, Random random)
    {
        using var scope = NewDisposeScope();
        var invert = new float[batch.shape[0]];
        for (int i = 0; i < invert.Length; i++) invert[i] = random.NextDouble() < 0.5 ? 1 : 0;
        var mask = tensor(invert, new long[] { invert.Length, 1, 1, 1 }).to(batch.device);
        return batch.add(mask.mul(batch.neg().add(255).sub(batch))).MoveToOuterDisposeScope();
    }
}
