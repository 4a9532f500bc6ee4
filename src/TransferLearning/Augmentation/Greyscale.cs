using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>ITU-R 601 luma as torchvision's <c>rgb_to_grayscale</c> (0.2989 R + 0.587 G + 0.114 B); N×1×H×W.</summary>
internal static class Greyscale
{
    public static Tensor Of(Tensor batch)
    {
        if (batch.shape[1] == 1) return batch.alias();
        var r = batch.narrow(1, 0, 1);
        var g = batch.narrow(1, 1, 1);
        var b = batch.narrow(1, 2, 1);
        return r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114));
    }
}
