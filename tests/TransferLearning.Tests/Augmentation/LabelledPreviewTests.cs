using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Imaging;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

/// <summary>A preview with one named row per class: every row is drawn and named, the columns are headed.</summary>
public sealed class LabelledPreviewTests
{
    private static bool HasDarkText(SKBitmap bitmap, SKRectI area)
    {
        for (int y = area.Top; y < area.Bottom; y++)
            for (int x = area.Left; x < area.Right; x++)
                if (bitmap.GetPixel(x, y).Red < 0x90) return true;
        return false;
    }

    [Fact]
    public void Every_class_gets_a_named_row_beside_its_tiles()
    {
        using var scope = NewDisposeScope();
        string[] classes = { "freshapples", "freshbanana", "freshoranges", "rottenapples", "rottenbanana", "rottenoranges" };
        var images = classes.Select((_, i) => SampleImage.Draw(48, 32).roll(i * 5, 2)).ToArray();

        using var grid = AugmentationPreview.Render(SamplingTests.KerasRecipe(), images, classes, 3, new Random(1));
        using var unlabelled = AugmentationPreview.Render(SamplingTests.KerasRecipe(), images, 3, new Random(1));

        // Six rows (not four), a label column on the left and a header line on top.
        int labelWidth = grid.Width - unlabelled.Width, headerHeight = grid.Height - unlabelled.Height;
        Assert.Equal(6 * (32 + 4) + 4, unlabelled.Height);
        Assert.True(labelWidth > 60, $"label column {labelWidth} px");
        Assert.True(headerHeight >= 14, $"header {headerHeight} px");
        // Each row has its name in the label column, vertically within the row.
        for (int r = 0; r < classes.Length; r++)
        {
            int top = headerHeight + 4 + r * (32 + 4);
            Assert.True(HasDarkText(grid, new SKRectI(0, top, labelWidth, top + 32)), $"row {r} ({classes[r]}) has no label");
        }
        // The header is above the first tile and the first tile is the original, pixel for pixel.
        Assert.True(HasDarkText(grid, new SKRectI(labelWidth, 0, grid.Width, headerHeight)), "no column header");
        using var original = ImageTensors.ToBitmap(images[0]);
        Assert.Equal(original.GetPixel(10, 7), grid.GetPixel(labelWidth + 4 + 10, headerHeight + 4 + 7));
    }

    [Fact]
    public void A_label_count_that_differs_from_the_image_count_is_refused()
    {
        using var scope = NewDisposeScope();
        var images = new[] { SampleImage.Draw(16, 16), SampleImage.Draw(16, 16) };
        var e = Assert.Throws<ArgumentException>(() => AugmentationPreview.Render(SamplingTests.KerasRecipe(), images, new[] { "only one" }, 2, new Random(1)));
        Assert.Contains("one label per image (2); got 1", e.Message);
    }
}
