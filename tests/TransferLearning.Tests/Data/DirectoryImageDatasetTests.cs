using Microsoft.Extensions.Logging;
using SkiaSharp;
using TransferLearning.Data;
using TransferLearning.Imaging;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Data;

public sealed class DirectoryImageDatasetTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Png(params string[] parts) => WriteSolidPng(_dir.Combine(parts), 4, SKColors.Gray);

    private string[] Relative(DirectoryImageDataset dataset) =>
        dataset.Samples.Select(s => Path.GetRelativePath(_dir.Path, s.Path).Replace('\\', '/')).ToArray();

    [Fact]
    public void Classes_are_the_sub_folders_in_ordinal_order_and_hidden_folders_are_ignored_and_reported()
    {
        Png("b", "1.png");
        Png("Zebra", "1.png");
        Png("a", "1.png");
        Png("B", "1.png");
        Png(".ipynb_checkpoints", "1.png");

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path);

        Assert.Equal(new[] { "B", "Zebra", "a", "b" }, dataset.ClassNames);
        Assert.Equal(new[] { 0, 1, 2, 3 }, dataset.Samples.Select(s => s.Label));
        var ignored = Assert.Single(dataset.IgnoredEntries);
        Assert.EndsWith(".ipynb_checkpoints", ignored.Path);
        Assert.Contains("hidden", ignored.Reason);
        Assert.Equal("Found 4 images belonging to 4 classes.", dataset.ToString());
    }

    [Fact]
    public void An_explicit_class_list_fixes_the_indices_and_a_missing_folder_is_an_error()
    {
        Png("cat", "1.png");
        Png("dog", "1.png");
        Png("dog", "2.png");

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { ClassNames = new[] { "dog", "cat" } });
        Assert.Equal(new[] { "dog", "cat" }, dataset.ClassNames);
        Assert.Equal(new[] { 2, 1 }, dataset.ClassCounts);
        Assert.Equal(new[] { "dog/1.png", "dog/2.png", "cat/1.png" }, Relative(dataset));

        var e = Assert.Throws<ImageDatasetException>(() => DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { ClassNames = new[] { "dog", "bird" } }));
        Assert.Contains("'bird'", e.Message);
        Assert.Contains(_dir.Path, e.Message);
    }

    [Fact]
    public void Files_are_found_recursively_in_the_order_keras_walks_them()
    {
        Png("c", "sub", "deeper", "a.png");
        Png("c", "sub-2", "b.png");
        Png("c", "sub", "z.png");
        Png("c", "sub", "a.png");
        Png("c", "y.png");
        Png("c", "X.png");

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path);

        // Folders in ordinal order of their path ("c/sub" < "c/sub-2" < "c/sub/deeper"), files sorted within each.
        Assert.Equal(new[] { "c/X.png", "c/y.png", "c/sub/a.png", "c/sub/z.png", "c/sub-2/b.png", "c/sub/deeper/a.png" }, Relative(dataset));
    }

    [Fact]
    public void Extensions_match_case_insensitively_and_other_files_are_ignored()
    {
        Png("c", "a.JPG");
        Png("c", "b.Png");
        Png("c", "c.webp");
        Png("c", "d.GIF");
        Png("c", "e.bmp");
        Png("c", "f.jpeg");
        File.WriteAllText(_dir.Combine("c", "notes.txt"), "hello");
        Png("c", "g.tiff");

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path);
        Assert.Equal(new[] { "c/a.JPG", "c/b.Png", "c/c.webp", "c/d.GIF", "c/e.bmp", "c/f.jpeg" }, Relative(dataset));

        var onlyTiff = DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { Extensions = new[] { "TIFF" } });
        Assert.Equal(new[] { "c/g.tiff" }, Relative(onlyTiff));
    }

    [Fact]
    public void Symbolic_links_are_not_followed_unless_asked()
    {
        Png("real", "1.png");
        Png("outside", "x", "2.png");
        Directory.CreateSymbolicLink(_dir.Combine("linked"), _dir.Combine("outside", "x"));
        File.CreateSymbolicLink(_dir.Combine("real", "3.png"), _dir.Combine("outside", "x", "2.png"));
        Directory.CreateSymbolicLink(_dir.Combine("real", "loop"), _dir.Combine("real"));

        var plain = DirectoryImageDataset.FromDirectory(_dir.Path);
        Assert.Equal(new[] { "outside", "real" }, plain.ClassNames);
        Assert.Equal(new[] { "outside/x/2.png", "real/1.png" }, Relative(plain));
        Assert.Equal(3, plain.IgnoredEntries.Count(i => i.Reason.Contains("symbolic link")));

        var followed = DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { FollowSymbolicLinks = true });
        Assert.Equal(new[] { "linked", "outside", "real" }, followed.ClassNames);
        Assert.Equal(new[] { "linked/2.png", "outside/x/2.png", "real/1.png", "real/3.png" }, Relative(followed));
        Assert.Contains(followed.IgnoredEntries, i => i.Reason.Contains("cycle"));
    }

    [Fact]
    public void Keras_validation_split_takes_the_first_fraction_of_each_class()
    {
        for (int i = 0; i < 10; i++)
            Png("a", $"{i:D2}.png");
        for (int i = 0; i < 4; i++)
            Png("b", $"{i:D2}.png");

        var options = new DirectoryImageDatasetOptions { ValidationSplit = 0.25, Subset = DatasetSubset.Validation };
        var validation = DirectoryImageDataset.FromDirectory(_dir.Path, options);
        options.Subset = DatasetSubset.Training;
        var training = DirectoryImageDataset.FromDirectory(_dir.Path, options);

        // int(0.25 * 10) = 2 and int(0.25 * 4) = 1 files per class go to validation.
        Assert.Equal(new[] { "a/00.png", "a/01.png", "b/00.png" }, Relative(validation));
        Assert.Equal(new[] { 8, 3 }, training.ClassCounts);
        Assert.Equal("a/02.png", Relative(training)[0]);
        Assert.Empty(Relative(training).Intersect(Relative(validation)));
    }

    [Fact]
    public void The_stratified_split_is_seeded_disjoint_complete_and_proportional()
    {
        for (int i = 0; i < 20; i++)
            Png("a", $"{i:D2}.png");
        for (int i = 0; i < 10; i++)
            Png("b", $"{i:D2}.png");
        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path);

        var (training, validation) = dataset.SplitStratified(0.2, seed: 42);
        var (training2, validation2) = dataset.SplitStratified(0.2, seed: 42);
        var (_, validation3) = dataset.SplitStratified(0.2, seed: 43);

        Assert.Equal(new[] { 4, 2 }, validation.ClassCounts);
        Assert.Equal(new[] { 16, 8 }, training.ClassCounts);
        Assert.Equal(Relative(validation), Relative(validation2));
        Assert.Equal(Relative(training), Relative(training2));
        Assert.NotEqual(Relative(validation), Relative(validation3));
        Assert.Empty(Relative(training).Intersect(Relative(validation)));
        Assert.Equal(Relative(dataset).Order(), Relative(training).Concat(Relative(validation)).Order());
        Assert.NotEqual(new[] { "a/00.png", "a/01.png", "a/02.png", "a/03.png" }, Relative(validation).Take(4)); // shuffled, not the first files
        Assert.Equal(Relative(validation).Order(StringComparer.Ordinal), Relative(validation)); // sorted order kept
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.SplitStratified(1.0, 1));
    }

    [Fact]
    public void Class_weights_follow_the_balanced_formula()
    {
        Png("a", "1.png");
        Png("a", "2.png");
        for (int i = 0; i < 6; i++)
            Png("b", $"{i}.png");

        var weights = DirectoryImageDataset.FromDirectory(_dir.Path).ComputeClassWeights();

        Assert.Equal(8.0 / (2 * 2), weights[0], 12);
        Assert.Equal(8.0 / (2 * 6), weights[1], 12);
    }

    [Fact]
    public void A_missing_directory_throws_DirectoryNotFoundException()
    {
        var missing = _dir.Combine("nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => DirectoryImageDataset.FromDirectory(missing));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void No_class_folders_and_no_images_are_errors_naming_the_directory_and_the_extensions()
    {
        Png("loose.png");
        var e1 = Assert.Throws<ImageDatasetException>(() => DirectoryImageDataset.FromDirectory(_dir.Path));
        Assert.Contains(_dir.Path, e1.Message);
        Assert.Contains(".jpg", e1.Message);

        File.WriteAllText(_dir.Combine("a", "x.txt").Also(p => Directory.CreateDirectory(Path.GetDirectoryName(p)!)), "not an image");
        var e2 = Assert.Throws<ImageDatasetException>(() => DirectoryImageDataset.FromDirectory(_dir.Path));
        Assert.Contains("Found 0 images", e2.Message);
        Assert.Contains(_dir.Path, e2.Message);
        Assert.Contains(".png", e2.Message);
        Assert.Contains(".webp", e2.Message);
    }

    [Fact]
    public void An_empty_class_folder_is_an_error_unless_allowed()
    {
        Png("a", "1.png");
        Directory.CreateDirectory(_dir.Combine("empty"));

        var e = Assert.Throws<ImageDatasetException>(() => DirectoryImageDataset.FromDirectory(_dir.Path));
        Assert.Contains("'empty'", e.Message);
        Assert.Contains("AllowEmptyClasses", e.Message);

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { AllowEmptyClasses = true });
        Assert.Equal(new[] { 1, 0 }, dataset.ClassCounts);
        Assert.Throws<InvalidOperationException>(() => dataset.ComputeClassWeights());
    }

    [Fact]
    public void Zero_byte_files_are_skipped_with_a_warning_or_thrown()
    {
        Png("a", "good.png");
        var empty = Write(_dir.Combine("a", "empty.jpg"), Array.Empty<byte>());
        var logger = new ListLogger();

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { Logger = logger });

        Assert.Equal(1, dataset.Count);
        var skipped = Assert.Single(dataset.SkippedFiles);
        Assert.Equal(empty, skipped.Path);
        Assert.Contains("0 bytes", skipped.Reason);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(empty, warning.Message);

        var e = Assert.Throws<ImageDecodeException>(() => DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { BadFiles = BadFilePolicy.Throw }));
        Assert.Equal(empty, e.FilePath);
    }

    [Fact]
    public void Nothing_is_decoded_while_indexing()
    {
        WriteRandomBytes(_dir.Combine("a", "noise.png"));
        WriteTruncatedJpeg(_dir.Combine("a", "cut.jpg"));
        WriteHugePng(_dir.Combine("a", "bomb.png"));

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { BadFiles = BadFilePolicy.Throw });

        Assert.Equal(3, dataset.Count);
        Assert.Empty(dataset.SkippedFiles);
    }

    [Fact]
    public void Names_with_spaces_and_non_ascii_characters_work()
    {
        Png("pommes rôties", "été 2024 🍎.png");
        Png("バナナ", "1.jpg");

        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path);

        Assert.Equal(new[] { "pommes rôties", "バナナ" }, dataset.ClassNames);
        Assert.Equal(new[] { "pommes rôties/été 2024 🍎.png", "バナナ/1.jpg" }, Relative(dataset));
    }

    [Theory]
    [InlineData(1.0, DatasetSubset.Training, "ValidationSplit")]
    [InlineData(-0.1, DatasetSubset.Training, "-0.1")]
    [InlineData(0.0, DatasetSubset.Validation, "Subset Validation")]
    [InlineData(0.2, DatasetSubset.All, "0.2")]
    public void Invalid_split_options_are_refused_quoting_the_value(double split, DatasetSubset subset, string quoted)
    {
        Png("a", "1.png");
        var e = Assert.Throws<ArgumentException>(() => DirectoryImageDataset.FromDirectory(_dir.Path, new DirectoryImageDatasetOptions { ValidationSplit = split, Subset = subset }));
        Assert.Equal("options", e.ParamName);
        Assert.Contains(quoted, e.Message);
    }

    [Fact]
    public void The_options_are_copied()
    {
        Png("a", "1.png");
        Png("b", "1.png");
        var names = new List<string> { "a", "b" };
        var options = new DirectoryImageDatasetOptions { ClassNames = names };
        var dataset = DirectoryImageDataset.FromDirectory(_dir.Path, options);
        names[0] = "changed";
        Assert.Equal(new[] { "a", "b" }, dataset.ClassNames);
    }
}

internal static class TestExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
