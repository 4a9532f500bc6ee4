using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Imaging;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

public sealed class AugmentationPreviewTests
{
    [Fact]
    public void Writes_a_png_grid_with_the_original_and_n_versions_per_image()
    {
        using var scope = NewDisposeScope();
        var images = new[] { SampleImage.Draw(48, 32), SampleImage.Draw(48, 32).flip(2) };
        string path = Path.Combine(Path.GetTempPath(), $"augmentation-preview-{Guid.NewGuid():N}.png");
        try
        {
            AugmentationPreview.Save(SamplingTests.KerasRecipe(), images, 5, path, seed: 1);
            using var png = SKBitmap.Decode(path);
            Assert.Equal(6 * (48 + 4) + 4, png.Width);
            Assert.Equal(2 * (32 + 4) + 4, png.Height);
            // The first tile is the original image, pixel for pixel.
            using var original = ImageTensors.ToBitmap(images[0]);
            Assert.Equal(original.GetPixel(10, 7), png.GetPixel(4 + 10, 4 + 7));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Rejects_bad_arguments_quoting_them()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => AugmentationPreview.Render(new SamplewiseCenter(), new[] { zeros(3, 8, 8) }, 0, new Random(1)));
        Assert.Contains("0", e.Message);
        var rank = Assert.Throws<ArgumentException>(() => AugmentationPreview.Render(new SamplewiseCenter(), new[] { zeros(1, 3, 8, 8) }, 2, new Random(1)));
        Assert.Contains("1, 3, 8, 8", rank.Message);
    }
}
