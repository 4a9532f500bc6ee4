using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

public sealed class RandomErasingTests
{
    [Fact]
    public void A_fixed_box_fills_exactly_its_pixels_with_the_colour_and_leaves_the_input_alone()
    {
        using var scope = NewDisposeScope();
        var batch = arange(2 * 3 * 4 * 5, ScalarType.Float32).view(2, 3, 4, 5);
        var original = batch.clone();
        var erasing = new RandomErasing(fill: new float[] { 1, 2, 3 });

        // Image 0: rows 1-2, columns 2-4 (top 0.25·4, left 0.4·5, 0.5·4 rows, 0.6·5 columns); image 1: no box.
        var output = erasing.Apply(batch, new ErasedBox?[] { new ErasedBox(0.25, 0.4, 0.5, 0.6), null });

        Assert.True(TensorAssert.Same(original, batch));
        Assert.True(TensorAssert.Same(batch[1], output[1]));
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 5; x++)
                {
                    bool inside = y is >= 1 and <= 2 && x is >= 2 and <= 4;
                    float expected = inside ? c + 1 : batch[0, c, y, x].item<float>();
                    Assert.Equal(expected, output[0, c, y, x].item<float>());
                }
    }

    [Fact]
    public void Boxes_keep_to_the_area_and_ratio_ranges_inside_the_image_and_appear_with_the_probability()
    {
        var erasing = new RandomErasing(probability: 0.5, minimumArea: 0.1, maximumArea: 0.2, minimumAspectRatio: 0.5, maximumAspectRatio: 2);
        var boxes = erasing.Sample(new Random(11), 4000);

        var drawn = boxes.Where(b => b.HasValue).Select(b => b!.Value).ToArray();
        Assert.InRange(drawn.Length / 4000.0, 0.47, 0.53);
        Assert.All(drawn, b =>
        {
            Assert.InRange(b.Height * b.Width, 0.1 - 1e-12, 0.2 + 1e-12);
            Assert.InRange(b.Height / b.Width, 0.5 - 1e-12, 2 + 1e-12);
            Assert.True(b.Top >= 0 && b.Top + b.Height <= 1 && b.Left >= 0 && b.Left + b.Width <= 1, $"box {b} leaves the image");
        });
    }

    [Fact]
    public void A_box_in_pixels_is_at_least_one_pixel_and_inside_the_image()
    {
        Assert.Equal((0L, 0L, 1L, 1L), new ErasedBox(0, 0, 0.001, 0.001).ToPixels(10, 10));
        Assert.Equal((7L, 0L, 3L, 10L), new ErasedBox(0.99, 0, 0.3, 1).ToPixels(10, 10));
    }

    [Fact]
    public void Probability_zero_returns_the_images_unchanged_and_one_fills_one_box_in_every_image()
    {
        using var scope = NewDisposeScope();
        var batch = full(new long[] { 8, 1, 32, 32 }, 200f);

        Assert.True(TensorAssert.Same(batch, new RandomErasing(probability: 0).Apply(batch, new Random(1))));
        var erased = new RandomErasing(probability: 1, fill: new float[] { 0 }).Apply(batch, new Random(1));
        var share = erased.eq(0).to(ScalarType.Float32).mean(new long[] { 1, 2, 3 }).data<float>().ToArray();
        Assert.All(share, s => Assert.InRange(s, 0.015, 0.35)); // 0.02-0.33 of the area, give or take rounding to pixels
    }

    [Fact]
    public void A_colour_fill_on_a_greyscale_batch_is_refused_naming_both_and_the_default_fill_turns_grey()
    {
        using var scope = NewDisposeScope();
        var box = new ErasedBox?[] { new ErasedBox(0, 0, 0.5, 0.5) };
        var error = Assert.Throws<ArgumentException>(() => new RandomErasing(fill: new float[] { 1, 2, 3 }).Apply(zeros(1, 1, 8, 8), box));
        Assert.Contains("3-channel fill", error.Message);
        Assert.Contains("1 channel", error.Message);
        Assert.Equal(117f, new RandomErasing().Apply(zeros(1, 1, 8, 8), box)[0, 0, 0, 0].item<float>()); // the default's grey
    }
}
