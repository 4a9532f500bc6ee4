using Microsoft.Extensions.Logging;
using SkiaSharp;
using TransferLearning.Data;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Data;

/// <summary>What a small or untidy folder reports: split rounding, non-image files.</summary>
public sealed class DirectoryImageDatasetReportingTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private void Images(string className, int count)
    {
        for (int i = 0; i < count; i++) WriteSolidPng(_dir.Combine(className, $"{i}.png"), 4, SKColors.Gray);
    }

    private static DirectoryImageDatasetOptions Split(DatasetSubset subset, double split = 0.2) =>
        new() { ValidationSplit = split, Subset = subset };

    [Fact]
    public void A_validation_split_that_rounds_a_class_to_zero_names_the_class_and_the_counts()
    {
        Images("apple", 4);
        Images("banana", 4);

        var e = Assert.Throws<ImageDatasetException>(() => DirectoryImageDataset.FromDirectory(_dir.Path, Split(DatasetSubset.Validation)));

        Assert.DoesNotContain("Found 0 images", e.Message);
        Assert.Contains("'apple' has 4 image(s): 0 for validation (int(0.2 x 4)) and 4 for training", e.Message);
        Assert.Contains("'banana' has 4 image(s)", e.Message);
        Assert.Contains("at least 5 images", e.Message);
        Assert.Contains("SplitStratified", e.Message);
        // The training subset of the same folder is complete: every image is a training image.
        Assert.Equal(new[] { 4, 4 }, DirectoryImageDataset.FromDirectory(_dir.Path, Split(DatasetSubset.Training)).ClassCounts);
    }

    [Fact]
    public void Only_the_class_that_rounds_to_zero_is_named()
    {
        Images("apple", 10);
        Images("banana", 3);

        var e = Assert.Throws<ImageDatasetException>(() => DirectoryImageDataset.FromDirectory(_dir.Path, Split(DatasetSubset.Validation)));

        Assert.Contains("'banana' has 3 image(s): 0 for validation", e.Message);
        Assert.DoesNotContain("'apple'", e.Message);
    }

    [Fact]
    public void With_enough_images_per_class_the_split_works_and_AllowEmptyClasses_accepts_a_rounded_out_class()
    {
        Images("apple", 5);
        Images("banana", 4);

        Assert.Throws<ImageDatasetException>(() => DirectoryImageDataset.FromDirectory(_dir.Path, Split(DatasetSubset.Validation)));
        var allowed = Split(DatasetSubset.Validation);
        allowed.AllowEmptyClasses = true;
        Assert.Equal(new[] { 1, 0 }, DirectoryImageDataset.FromDirectory(_dir.Path, allowed).ClassCounts);
    }

    [Fact]
    public void Non_image_files_are_listed_and_logged_once()
    {
        Images("apple", 2);
        Images("banana", 2);
        File.WriteAllText(_dir.Combine("apple", "notes.txt"), "picked on Monday");
        File.WriteAllText(_dir.Combine("banana", "Thumbs.db"), "x");
        var logger = new ListLogger();

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { Logger = logger });

        Assert.Equal(4, dataset.Count);
        Assert.Equal(new[] { "notes.txt", "Thumbs.db" }, dataset.NonImageFiles.Select(f => Path.GetFileName(f.Path)));
        Assert.All(dataset.NonImageFiles, f => Assert.Contains(".png", f.Reason));
        var line = Assert.Single(logger.Entries, e => e.Message.Contains("non-image"));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains(Path.Combine("apple", "notes.txt"), line.Message);
        Assert.Contains(Path.Combine("banana", "Thumbs.db"), line.Message);
    }

    [Fact]
    public void A_tidy_folder_has_no_non_image_files_and_logs_nothing_about_them()
    {
        Images("apple", 1);
        Images("banana", 1);
        var logger = new ListLogger();

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { Logger = logger });

        Assert.Empty(dataset.NonImageFiles);
        Assert.Empty(logger.Entries);
    }
}
