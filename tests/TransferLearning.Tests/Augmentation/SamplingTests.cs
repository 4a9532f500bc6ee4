using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

/// <summary>The sample step: ranges respected, flips about half the time, images independent, seeds reproducible.</summary>
public sealed class SamplingTests
{
    private const int Draws = 4000;

    [Fact]
    public void Rotation_angles_stay_in_range_and_cover_it()
    {
        var angles = new RandomRotation(30).Sample(new Random(1), Draws, 32, 32);
        Assert.All(angles, a => Assert.InRange(a, -30, 30));
        Assert.True(angles.Min() < -28 && angles.Max() > 28, $"range not covered: [{angles.Min()}, {angles.Max()}]");
        Assert.InRange(angles.Average(), -1.5, 1.5);

        var asymmetric = new RandomRotation(10, 20).Sample(new Random(2), Draws, 32, 32);
        Assert.All(asymmetric, a => Assert.InRange(a, 10, 20));
    }

    [Fact]
    public void Shift_fractions_scale_with_the_image_size_and_pixels_do_not()
    {
        var fraction = new RandomShift(0.1, 0.25).Sample(new Random(3), Draws, 40, 64);
        Assert.All(fraction, s => { Assert.InRange(s.Rows, -4, 4); Assert.InRange(s.Cols, -16, 16); });
        Assert.True(fraction.Max(s => s.Cols) > 15 && fraction.Max(s => s.Rows) > 3.8);

        var pixels = new RandomShift(3, 5, ShiftUnit.Pixels).Sample(new Random(4), Draws, 40, 64);
        Assert.All(pixels, s => { Assert.InRange(s.Rows, -3, 3); Assert.InRange(s.Cols, -5, 5); });
        Assert.True(pixels.Max(s => s.Cols) > 4.8);
    }

    [Fact]
    public void Zoom_draws_each_axis_independently_in_the_keras_interval()
    {
        var factors = new RandomZoom(0.1).Sample(new Random(5), Draws, 32, 32);
        Assert.All(factors, z => { Assert.InRange(z.Rows, 0.9, 1.1); Assert.InRange(z.Cols, 0.9, 1.1); });
        Assert.True(factors.Count(z => z.Rows != z.Cols) > Draws * 0.99, "axes should be drawn independently");
        Assert.True(factors.Min(z => z.Rows) < 0.905 && factors.Max(z => z.Cols) > 1.095);

        var square = new RandomZoom(0.5, 2.0, keepAspectRatio: true).Sample(new Random(6), Draws, 32, 32);
        Assert.All(square, z => { Assert.Equal(z.Rows, z.Cols); Assert.InRange(z.Rows, 0.5, 2.0); });
    }

    [Fact]
    public void Shear_brightness_and_channel_shift_stay_in_range()
    {
        Assert.All(new RandomShear(12).Sample(new Random(7), Draws, 32, 32), s => Assert.InRange(s, -12, 12));
        Assert.All(new RandomBrightness(0.5, 1.5).Sample(new Random(8), Draws), b => Assert.InRange(b, 0.5, 1.5));
        Assert.All(new RandomChannelShift(20).Sample(new Random(9), Draws), c => Assert.InRange(c, -20, 20));
        Assert.All(new RandomContrast(0.8, 1.2).Sample(new Random(10), Draws), c => Assert.InRange(c, 0.8, 1.2));
    }

    [Theory]
    [InlineData(FlipDirection.Horizontal)]
    [InlineData(FlipDirection.Vertical)]
    public void Flips_happen_about_half_the_time(FlipDirection direction)
    {
        var flips = new RandomFlip(direction).Sample(new Random(11), Draws, 32, 32);
        double rate = flips.Count(f => f) / (double)Draws;
        // Binomial(4000, 0.5): standard deviation 0.0079; ±0.03 is almost 4 sigma.
        Assert.InRange(rate, 0.47, 0.53);
    }

    [Fact]
    public void Random_resized_crop_boxes_lie_inside_the_image_with_allowed_area_and_ratio()
    {
        var boxes = new RandomResizedCrop(16, 16, 0.25, 0.75, 0.5, 2.0).Sample(new Random(12), 500, 48, 64);
        Assert.All(boxes, b =>
        {
            Assert.True(b.Top >= 0 && b.Left >= 0 && b.Top + b.Height <= 48 && b.Left + b.Width <= 64, $"box {b} outside 48x64");
            double area = b.Height * b.Width / (48.0 * 64);
            Assert.InRange(area, 0.2, 0.8); // rounding to whole pixels moves the fraction a little
            Assert.InRange(b.Width / b.Height, 0.45, 2.2);
        });
    }

    [Fact]
    public void Each_image_of_a_batch_draws_its_own_parameters()
    {
        using var scope = NewDisposeScope();
        // 8 identical images: any two outputs that differ prove per-image parameters.
        var image = arange(3 * 32 * 32, ScalarType.Float32).remainder(255).reshape(1, 3, 32, 32);
        var batch = image.expand(8, 3, 32, 32).contiguous();
        var pipeline = KerasRecipe();
        var output = pipeline.Apply(batch, new Random(13));
        for (int i = 1; i < 8; i++)
            Assert.True(output[0].sub(output[i]).abs().max().item<float>() > 1, $"image {i} equals image 0");

        var angles = new RandomRotation(180).Sample(new Random(14), 8, 32, 32);
        Assert.Equal(8, angles.Distinct().Count());
    }

    [Fact]
    public void The_same_seed_gives_the_same_batch_and_another_seed_another()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 4, 3, 32, 32 }).mul(255);
        var pipeline = new AugmentationPipeline(KerasRecipe().Steps.Append(new GaussianNoise(3)).Append(new RandomContrast(0.5, 1.5)));
        var a = pipeline.Apply(batch, new Random(99));
        var b = pipeline.Apply(batch, new Random(99));
        var c = pipeline.Apply(batch, new Random(100));
        Assert.True(TensorAssert.Same(a, b), "same seed, different batches");
        Assert.False(TensorAssert.Same(a, c), "different seeds, same batch");
    }

    internal static AugmentationPipeline KerasRecipe() => AugmentationPipeline.FromKeras(new KerasImageDataGenerator
    {
        RotationRange = 180, ZoomRange = 0.1, WidthShiftRange = 0.1, HeightShiftRange = 0.1,
        HorizontalFlip = true, VerticalFlip = true,
    });
}
