using TransferLearning.Augmentation;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

/// <summary>
/// Regenerates docs/images/augmentation-preview.png (the Keras recipe on a drawn picture) when
/// TRANSFERLEARNING_WRITE_DOCS_IMAGES=1; otherwise renders it in memory to check it still works.
/// </summary>
public sealed class PreviewImageGenerator
{
    [Fact]
    public void Keras_recipe_preview_for_the_docs()
    {
        using var scope = NewDisposeScope();
        var images = new[] { SampleImage.Draw(96, 64), SampleImage.Draw(96, 64).flip(1) };
        var labels = new[] { "drawn picture", "upside down" };
        var recipe = AugmentationPipeline.FromKeras(new KerasImageDataGenerator
        {
            RotationRange = 180, ZoomRange = 0.1, WidthShiftRange = 0.1, HeightShiftRange = 0.1,
            HorizontalFlip = true, VerticalFlip = true,
        });
        if (Environment.GetEnvironmentVariable("TRANSFERLEARNING_WRITE_DOCS_IMAGES") == "1")
        {
            AugmentationPreview.Save(recipe, images, labels, 6, Path.Combine(RepoRoot(), "docs", "images", "augmentation-preview.png"), seed: 2026);
            Assert.True(File.Exists(Path.Combine(RepoRoot(), "docs", "images", "augmentation-preview.png")));
        }
        else
        {
            using var grid = AugmentationPreview.Render(recipe, images, labels, 6, new Random(2026));
            Assert.True(grid.Width > 7 * (96 + 4) + 4); // tiles plus the label column
        }
    }

    private static string RepoRoot() => TransferLearning.Tests.Support.RepositoryPaths.Root;
}
