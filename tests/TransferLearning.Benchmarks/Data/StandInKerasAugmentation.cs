using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// A stand-in for the Keras recipe (rotation 180, zoom 0.1, shifts 0.1, both flips, samplewise centre) written here
/// because the built-in augmentations live on another branch: one affine_grid + grid_sample for the whole batch, then
/// per-image mean subtraction. It costs what the built-in pipeline's single resample costs.
/// </summary>
internal sealed class StandInKerasAugmentation : IAugmentation
{
    public bool IsRandom => true;

    public Tensor Apply(Tensor batch, Random random)
    {
        using var scope = NewDisposeScope();
        int n = (int)batch.shape[0];
        var theta = new float[n * 6];
        for (int i = 0; i < n; i++)
        {
            double angle = (random.NextDouble() * 2 - 1) * Math.PI; // +-180 degrees
            double zx = 0.9 + 0.2 * random.NextDouble(), zy = 0.9 + 0.2 * random.NextDouble();
            double tx = (random.NextDouble() * 2 - 1) * 0.1 * 2, ty = (random.NextDouble() * 2 - 1) * 0.1 * 2; // normalised [-1, 1] units
            double fx = random.NextDouble() < 0.5 ? -1 : 1, fy = random.NextDouble() < 0.5 ? -1 : 1;
            double c = Math.Cos(angle), s = Math.Sin(angle);
            theta[6 * i + 0] = (float)(c * zx * fx); theta[6 * i + 1] = (float)(-s * zy * fy); theta[6 * i + 2] = (float)tx;
            theta[6 * i + 3] = (float)(s * zx * fx); theta[6 * i + 4] = (float)(c * zy * fy); theta[6 * i + 5] = (float)ty;
        }
        var matrices = tensor(theta, new long[] { n, 2, 3 }).to(batch.device);
        var grid = nn.functional.affine_grid(matrices, batch.shape, align_corners: false);
        var warped = nn.functional.grid_sample(batch, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
        var centred = warped - warped.mean(new long[] { 1, 2, 3 }, keepdim: true);
        return centred.MoveToOuterDisposeScope();
    }
}
