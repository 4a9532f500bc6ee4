using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Imaging;

/// <summary>What the two managed samplers' tests share: the reference (the tensor path's kernel) and the cases.</summary>
public static class SamplerCases
{
    /// <summary>Every fill mode, with output widths of whole blocks of eight and with a scalar tail.</summary>
    public static TheoryData<FillMode, int> FillModesAndWidths()
    {
        var data = new TheoryData<FillMode, int>();
        foreach (var mode in Enum.GetValues<FillMode>())
            foreach (int width in new[] { 24, 29 })
                data.Add(mode, width);
        return data;
    }

    /// <summary>The tensor path's resample (<see cref="ManagedAffineKernel"/>) of one 3 × height × width image.</summary>
    public static float[] TensorPath(float[] planes, int height, int width, AffineMatrix map, Resampling resampling, int outHeight, int outWidth)
    {
        using var scope = NewDisposeScope();
        var batch = tensor(planes, new long[] { 1, 3, height, width });
        return ManagedAffineKernel.Resample(batch, new[] { map }, outHeight, outWidth, resampling).data<float>().ToArray();
    }
}
