using TorchSharp;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Resamples a float32 N×C×H×W batch once through one affine map per image, following scipy's boundary rules
/// (see <see cref="FillMode"/>). Two engines give the same result: a managed kernel for CPU tensors and a grid
/// built from the matrices plus one libtorch <c>grid_sample</c> for any device.
/// </summary>
internal static class AffineResampler
{
    /// <summary>Returns a new tensor of shape N×C×<paramref name="outHeight"/>×<paramref name="outWidth"/>.</summary>
    public static Tensor Resample(Tensor batch, IReadOnlyList<AffineMatrix> matrices, int outHeight, int outWidth,
        Resampling resampling, ResamplerEngine engine = ResamplerEngine.Auto)
    {
        if (matrices.Count != batch.shape[0])
            throw new ArgumentException($"Expected one matrix per image ({batch.shape[0]}); got {matrices.Count}.", nameof(matrices));
        if (engine == ResamplerEngine.Auto)
            engine = batch.device_type == DeviceType.CPU ? ResamplerEngine.Managed : ResamplerEngine.GridSample;
        if (engine == ResamplerEngine.Managed && batch.device_type != DeviceType.CPU)
            throw new ArgumentException($"The managed resampler needs a CPU tensor; the batch is on {batch.device}.", nameof(batch));
        return engine == ResamplerEngine.Managed
            ? ManagedAffineKernel.Resample(batch, matrices, outHeight, outWidth, resampling)
            : WithGridSample(batch, matrices, outHeight, outWidth, resampling);
    }

    private static Tensor WithGridSample(Tensor batch, IReadOnlyList<AffineMatrix> matrices, int outHeight, int outWidth, Resampling resampling)
    {
        using var scope = NewDisposeScope();
        int n = (int)batch.shape[0], height = (int)batch.shape[2], width = (int)batch.shape[3];
        var device = batch.device;

        // theta: N×3×2 so that [row, col, 1] · theta = [inRow, inCol]; coordinates in float64 so that boundary
        // tests (constant, wrap) see the same values as scipy, then float32 for grid_sample.
        var theta = new double[n * 6];
        for (int i = 0; i < n; i++)
        {
            var m = matrices[i];
            theta[6 * i + 0] = m.M00; theta[6 * i + 1] = m.M10;
            theta[6 * i + 2] = m.M01; theta[6 * i + 3] = m.M11;
            theta[6 * i + 4] = m.M02; theta[6 * i + 5] = m.M12;
        }
        var thetaT = tensor(theta, new long[] { n, 3, 2 }, ScalarType.Float64, device);
        var rows = arange(outHeight, ScalarType.Float64, device);
        var cols = arange(outWidth, ScalarType.Float64, device);
        var grid = meshgrid(new[] { rows, cols }, indexing: "ij");
        var basis = stack(new[] { grid[0], grid[1], ones_like(grid[0]) }, dim: -1).reshape(1, (long)outHeight * outWidth, 3);
        var source = matmul(basis, thetaT); // N×P×2 (row, col)
        var inRow = source.select(-1, 0);
        var inCol = source.select(-1, 1);

        Tensor? outside = null;
        switch (resampling.FillMode)
        {
            case FillMode.Constant:
                outside = inRow.lt(0).logical_or(inRow.gt(height - 1)).logical_or(inCol.lt(0)).logical_or(inCol.gt(width - 1));
                break;
            case FillMode.Reflect:
                inRow = Reflect(inRow, height);
                inCol = Reflect(inCol, width);
                break;
            case FillMode.Wrap:
                inRow = Wrap(inRow, height);
                inCol = Wrap(inCol, width);
                break;
        }
        if (resampling.Interpolation == AffineInterpolation.Nearest)
        {
            // scipy rounds half up; grid_sample rounds half to even. Round here, then the kernel sees integers.
            inRow = inRow.add(0.5).floor_();
            inCol = inCol.add(0.5).floor_();
        }

        var gx = Normalise(inCol, width);
        var gy = Normalise(inRow, height);
        var sampleGrid = stack(new[] { gx, gy }, dim: -1).reshape(n, outHeight, outWidth, 2).to(ScalarType.Float32);
        var mode = resampling.Interpolation == AffineInterpolation.Nearest ? GridSampleMode.Nearest : GridSampleMode.Bilinear;
        var sampled = nn.functional.grid_sample(batch, sampleGrid, mode, GridSamplePaddingMode.Border, align_corners: true);
        if (outside is not null)
        {
            var mask = outside.reshape(n, 1, outHeight, outWidth);
            sampled = sampled.masked_fill(mask, resampling.FillValue);
        }
        return sampled.MoveToOuterDisposeScope();
    }

    /// <summary>align_corners=True: −1 is pixel 0, +1 is pixel n−1 (a one-pixel axis maps to 0).</summary>
    private static Tensor Normalise(Tensor coordinate, int length) =>
        length <= 1 ? zeros_like(coordinate) : coordinate.mul(2.0 / (length - 1)).sub(1.0);

    /// <summary>scipy's reflect: half-sample symmetric, period 2n.</summary>
    private static Tensor Reflect(Tensor x, int length)
    {
        if (length <= 1) return zeros_like(x);
        double period = 2.0 * length;
        var t = x.add(0.5).remainder(period); // [0, 2n)
        return where(t.lt(length), t.sub(0.5), t.neg().add(period - 0.5));
    }

    /// <summary>scipy's wrap: period n−1 outside [0, n−1]; points inside stay.</summary>
    private static Tensor Wrap(Tensor x, int length)
    {
        if (length <= 1) return zeros_like(x);
        double sz = length - 1;
        var below = x.add(x.neg().div(sz).floor().add(1).mul(sz));
        var above = x.sub(x.div(sz).floor().mul(sz));
        return where(x.lt(0), below, where(x.gt(sz), above, x));
    }
}
