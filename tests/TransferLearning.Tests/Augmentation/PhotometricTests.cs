using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

/// <summary>Fixed parameters give the documented pixel values.</summary>
public sealed class PhotometricTests
{
    [Fact]
    public void Brightness_multiplies_and_clips()
    {
        using var scope = NewDisposeScope();
        var batch = tensor(new float[] { 10, 100, 200, 50 }, new long[] { 1, 1, 2, 2 });
        var output = new RandomBrightness(0.5, 2).Apply(batch, new[] { 1.5 });
        Assert.Equal(new float[] { 15, 150, 255, 75 }, output.data<float>().ToArray());
    }

    [Fact]
    public void Contrast_blends_with_the_grey_mean_and_saturation_with_grey()
    {
        using var scope = NewDisposeScope();
        var batch = tensor(new float[] { 100, 200, 100, 200, 100, 200 }, new long[] { 1, 3, 1, 2 });
        // grey per pixel: 100 and 200 (R=G=B), mean 150.
        var contrast = new RandomContrast(0, 2).Apply(batch, new[] { 0.5 });
        Assert.All(contrast.data<float>().ToArray().Chunk(2), p => { Assert.Equal(125, p[0], 1); Assert.Equal(175, p[1], 1); });
        var colour = tensor(new float[] { 255, 0, 0 }, new long[] { 1, 3, 1, 1 });
        var grey = new RandomSaturation(0, 1).Apply(colour, new[] { 0.0 });
        Assert.All(grey.data<float>().ToArray(), v => Assert.Equal(0.2989f * 255, v, 2));
    }

    [Fact]
    public void Channel_shift_clips_to_the_images_own_range()
    {
        using var scope = NewDisposeScope();
        var batch = tensor(new float[] { 10, 20, 30, 40 }, new long[] { 1, 1, 2, 2 });
        var output = new RandomChannelShift(50).Apply(batch, new[] { 15.0 });
        Assert.Equal(new float[] { 25, 35, 40, 40 }, output.data<float>().ToArray());
    }

    [Fact]
    public void Gaussian_noise_is_reproducible_from_its_seed_and_has_its_std()
    {
        using var scope = NewDisposeScope();
        var batch = zeros(2, 3, 32, 32);
        var noise = new GaussianNoise(4);
        var a = noise.Apply(batch, new long[] { 1, 2 });
        var b = noise.Apply(batch, new long[] { 1, 3 });
        Assert.True(TensorAssert.Same(a[0], b[0]));
        Assert.False(TensorAssert.Same(a[1], b[1]));
        Assert.InRange(a.pow(2).mean().sqrt().item<float>(), 3.8f, 4.2f);
    }

    [Fact]
    public void Samplewise_center_and_normalisation_use_one_scalar_per_image()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 3, 3, 8, 8 }).mul(255);
        var centred = new SamplewiseCenter().Apply(batch);
        var normalised = new SamplewiseStdNormalization().Apply(centred);
        Assert.True(centred.mean(new long[] { 1, 2, 3 }).abs().max().item<float>() < 1e-3);
        var std = normalised.std(new long[] { 1, 2, 3 }, unbiased: false);
        Assert.True(std.sub(1).abs().max().item<float>() < 1e-4);
        Assert.True(new Rescale(1 / 255.0).Apply(batch).max().item<float>() <= 1.0001f);
    }
}
