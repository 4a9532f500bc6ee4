using Microsoft.Extensions.Logging;
using TransferLearning.Imaging;

namespace TransferLearning.Data;

/// <summary>
/// The index of a folder of class sub-folders (Keras' <c>flow_from_directory</c>, torchvision's <c>ImageFolder</c>):
/// class names and indices, the files of every class in a stable sorted order, per-class counts, splits and class
/// weights. Nothing is decoded here; <see cref="ImageBatchLoader"/> decodes. Immutable.
/// </summary>
/// <remarks>
/// Rules: classes are the sub-folders sorted ordinally (or <see cref="DirectoryImageDatasetOptions.ClassNames"/>);
/// folders and files whose names start with '.' are ignored and listed in <see cref="IgnoredEntries"/>; inside a class
/// folder files are found recursively, folders visited in ordinal order of their relative path and files in ordinal
/// order of their names within each folder (the order Keras gets from sorted <c>os.walk</c>); extensions match
/// case-insensitively; symbolic links are not followed unless asked.
/// </remarks>
public sealed class DirectoryImageDataset
{
    private readonly int[] _classCounts;

    private DirectoryImageDataset(string root, IReadOnlyList<string> classNames, IReadOnlyList<ImageSample> samples,
        IReadOnlyList<SkippedFile> ignored, IReadOnlyList<SkippedFile> skipped, IReadOnlyList<SkippedFile> nonImage)
    {
        Root = root;
        NonImageFiles = nonImage;
        ClassNames = classNames;
        Samples = samples;
        IgnoredEntries = ignored;
        SkippedFiles = skipped;
        _classCounts = new int[classNames.Count];
        foreach (var s in samples)
            _classCounts[s.Label]++;
    }

    /// <summary>The folder the dataset was read from (full path).</summary>
    public string Root { get; }

    /// <summary>Class names in index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Every sample (file and class index), classes in index order, files sorted within each class.</summary>
    public IReadOnlyList<ImageSample> Samples { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Samples.Count;

    /// <summary>Number of samples of each class, in class index order.</summary>
    public IReadOnlyList<int> ClassCounts => _classCounts;

    /// <summary>Hidden folders and files ('.' names) and symbolic links that were not followed, with the reason.</summary>
    public IReadOnlyList<SkippedFile> IgnoredEntries { get; }

    /// <summary>Image files left out as unusable while indexing (for example zero-byte files), with the reason.</summary>
    public IReadOnlyList<SkippedFile> SkippedFiles { get; }

    /// <summary>
    /// Files in class folders that were not taken because their extension is not one of the image extensions looked for
    /// (for example <c>notes.txt</c>, <c>Thumbs.db</c>), with the reason; <see cref="DirectoryImageDatasetOptions.Logger"/>
    /// receives one line listing them.
    /// </summary>
    public IReadOnlyList<SkippedFile> NonImageFiles { get; }

    /// <summary>Keras' summary line, e.g. "Found 1000 images belonging to 4 classes."</summary>
    public override string ToString() => $"Found {Count} images belonging to {ClassNames.Count} classes.";

    /// <summary>Indexes the folder tree at <paramref name="path"/>.</summary>
    /// <param name="path">A folder with one sub-folder per class.</param>
    /// <param name="options">How to read it; copied. Default: <c>new DirectoryImageDatasetOptions()</c>.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="ImageDatasetException">No class folders, a listed class without a folder, no images, or an empty class (unless allowed).</exception>
    /// <exception cref="ImageDecodeException">An unusable file under <see cref="BadFilePolicy.Throw"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message quotes it.</exception>
    public static DirectoryImageDataset FromDirectory(string path, DirectoryImageDatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var o = (options ?? new DirectoryImageDatasetOptions()).Clone();
        Validate(o, nameof(options));
        var root = Path.GetFullPath(path);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The dataset folder '{root}' does not exist.");
        var extensions = new HashSet<string>((o.Extensions ?? ImageFileTypes.DefaultExtensions).Select(NormaliseExtension), StringComparer.OrdinalIgnoreCase);
        var ignored = new List<SkippedFile>();
        var skipped = new List<SkippedFile>();
        var nonImage = new List<SkippedFile>();
        string lookedFor = string.Join(" ", extensions.Order(StringComparer.Ordinal));

        var rootInfo = new DirectoryInfo(root);
        string[] classNames;
        if (o.ClassNames is { } listed)
        {
            classNames = listed.ToArray();
            var missing = classNames.Where(c => !Directory.Exists(Path.Combine(root, c))).ToArray();
            if (missing.Length > 0)
                throw new ImageDatasetException(root, $"The class folder(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} listed in ClassNames do not exist in '{root}'.");
        }
        else
        {
            var names = new List<string>();
            foreach (var dir in rootInfo.EnumerateDirectories())
            {
                if (dir.Name.StartsWith('.'))
                    ignored.Add(new SkippedFile(dir.FullName, "hidden folder (name starts with '.'): not a class"));
                else if (dir.LinkTarget is not null && !o.FollowSymbolicLinks)
                    ignored.Add(new SkippedFile(dir.FullName, "symbolic link not followed (FollowSymbolicLinks is false): not a class"));
                else
                    names.Add(dir.Name);
            }
            names.Sort(StringComparer.Ordinal);
            classNames = names.ToArray();
            if (classNames.Length == 0)
                throw new ImageDatasetException(root, $"No class folders found in '{root}': expected one sub-folder per class, each holding images ({string.Join(" ", extensions.Order(StringComparer.Ordinal))}).");
        }

        var samples = new List<ImageSample>();
        var counts = new int[classNames.Length];
        var splitEmptied = new List<string>();
        for (int label = 0; label < classNames.Length; label++)
        {
            var classFiles = new List<string>();
            foreach (var file in EnumerateClassFiles(new DirectoryInfo(Path.Combine(root, classNames[label])), o.FollowSymbolicLinks, ignored))
            {
                if (!extensions.Contains(file.Extension))
                {
                    nonImage.Add(new SkippedFile(file.FullName, $"not an image file name (looked for {lookedFor})"));
                    continue;
                }
                if (file.Name.StartsWith('.'))
                {
                    ignored.Add(new SkippedFile(file.FullName, "hidden file (name starts with '.')"));
                    continue;
                }
                if (file.LinkTarget is not null && !o.FollowSymbolicLinks)
                {
                    ignored.Add(new SkippedFile(file.FullName, "symbolic link not followed (FollowSymbolicLinks is false)"));
                    continue;
                }
                if (file.Length == 0)
                {
                    const string reason = "the file is empty (0 bytes).";
                    if (o.BadFiles == BadFilePolicy.Throw)
                        throw new ImageDecodeException(file.FullName, reason);
                    skipped.Add(new SkippedFile(file.FullName, reason));
                    o.Logger?.LogWarning("Skipping image file {File}: {Reason}", file.FullName, reason);
                    continue;
                }
                classFiles.Add(file.FullName);
            }
            if (o.ValidationSplit > 0)
            {
                int cut = (int)(o.ValidationSplit * classFiles.Count); // Keras: int(split * num_files)
                int kept = o.Subset == DatasetSubset.Validation ? cut : classFiles.Count - cut;
                if (classFiles.Count > 0 && kept == 0)
                    splitEmptied.Add($"'{classNames[label]}' has {classFiles.Count} image(s): {cut} for validation (int({o.ValidationSplit} x {classFiles.Count})) and {classFiles.Count - cut} for training");
                classFiles = o.Subset == DatasetSubset.Validation ? classFiles.GetRange(0, cut) : classFiles.GetRange(cut, classFiles.Count - cut);
            }
            counts[label] = classFiles.Count;
            samples.AddRange(classFiles.Select(f => new ImageSample(f, label)));
        }

        if (nonImage.Count > 0)
            o.Logger?.LogInformation("Ignored {Count} non-image file(s) in '{Root}' (not {Extensions}): {Files}", nonImage.Count, root, lookedFor,
                string.Join(", ", nonImage.Take(10).Select(f => Path.GetRelativePath(root, f.Path))) + (nonImage.Count > 10 ? $", ... ({nonImage.Count - 10} more; see NonImageFiles)" : ""));
        if (splitEmptied.Count > 0 && !o.AllowEmptyClasses)
        {
            int needed = (int)Math.Ceiling(1 / o.ValidationSplit - 1e-9);
            if (o.Subset == DatasetSubset.Training) needed = 2; // training is empty only when every image goes to validation
            throw new ImageDatasetException(root,
                $"The {o.Subset.ToString().ToLowerInvariant()} subset of '{root}' (ValidationSplit {o.ValidationSplit}) has no images of some classes: " +
                string.Join("; ", splitEmptied) + $". The split rounds down per class, so each class needs at least {needed} images for one {o.Subset.ToString().ToLowerInvariant()} image; " +
                "add images, raise ValidationSplit, use a separate validation folder, or split with SplitStratified (which rounds to nearest).");
        }
        if (samples.Count == 0)
            throw new ImageDatasetException(root, $"Found 0 images in '{root}' ({classNames.Length} class folder(s): {string.Join(", ", classNames)}); looked for files ending in {string.Join(" ", extensions.Order(StringComparer.Ordinal))} (case-insensitive).");
        if (!o.AllowEmptyClasses)
        {
            var empty = Enumerable.Range(0, classNames.Length).Where(i => counts[i] == 0).Select(i => classNames[i]).ToArray();
            if (empty.Length > 0)
                throw new ImageDatasetException(root, $"The class folder(s) {string.Join(", ", empty.Select(e => $"'{e}'"))} in '{root}' hold no images{(o.Subset != DatasetSubset.All ? $" in the {o.Subset} subset" : "")} (looked for {string.Join(" ", extensions.Order(StringComparer.Ordinal))}); set AllowEmptyClasses to accept that.");
        }
        return new DirectoryImageDataset(root, Array.AsReadOnly(classNames), samples.AsReadOnly(), ignored.AsReadOnly(), skipped.AsReadOnly(), nonImage.AsReadOnly());
    }

    /// <summary>
    /// Splits every class at random into a training and a validation part (stratified): each class keeps
    /// round(<paramref name="validationFraction"/> × its count) files, chosen by a shuffle seeded with
    /// <paramref name="seed"/>, for validation. Both parts keep this dataset's class names and sorted file order.
    /// </summary>
    /// <param name="validationFraction">Between 0 and 1, exclusive.</param>
    /// <param name="seed">The same seed gives the same split.</param>
    public (DirectoryImageDataset Training, DirectoryImageDataset Validation) SplitStratified(double validationFraction, int seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, $"validationFraction must be between 0 and 1 (exclusive); got {validationFraction}.");
        var inValidation = new bool[Samples.Count];
        for (int label = 0; label < ClassNames.Count; label++)
        {
            var indices = Enumerable.Range(0, Samples.Count).Where(i => Samples[i].Label == label).ToArray();
            var random = new Random(Seeds.Mix(seed, label));
            random.Shuffle(indices);
            int take = (int)Math.Round(validationFraction * indices.Length, MidpointRounding.AwayFromZero);
            for (int k = 0; k < take; k++)
                inValidation[indices[k]] = true;
        }
        var training = Samples.Where((_, i) => !inValidation[i]).ToArray();
        var validation = Samples.Where((_, i) => inValidation[i]).ToArray();
        return (new DirectoryImageDataset(Root, ClassNames, training, IgnoredEntries, SkippedFiles, NonImageFiles),
                new DirectoryImageDataset(Root, ClassNames, validation, IgnoredEntries, SkippedFiles, NonImageFiles));
    }

    /// <summary>
    /// Class weights for imbalanced data, scikit-learn's and Keras' "balanced" rule:
    /// weight[c] = samples / (classes × count[c]); 1 for every class when balanced.
    /// </summary>
    /// <exception cref="InvalidOperationException">A class has no samples (its weight would be infinite).</exception>
    public IReadOnlyList<double> ComputeClassWeights()
    {
        var empty = Enumerable.Range(0, ClassNames.Count).Where(i => _classCounts[i] == 0).ToArray();
        if (empty.Length > 0)
            throw new InvalidOperationException($"Class weights are undefined: class(es) {string.Join(", ", empty.Select(i => $"'{ClassNames[i]}'"))} have no samples.");
        return _classCounts.Select(c => (double)Count / (ClassNames.Count * c)).ToArray();
    }

    private static void Validate(DirectoryImageDatasetOptions o, string parameterName)
    {
        if (!(o.ValidationSplit >= 0 && o.ValidationSplit < 1))
            throw new ArgumentException($"ValidationSplit must be in [0, 1); got {o.ValidationSplit}.", parameterName);
        if (!Enum.IsDefined(o.Subset) || !Enum.IsDefined(o.BadFiles))
            throw new ArgumentException($"Subset ({(int)o.Subset}) or BadFiles ({(int)o.BadFiles}) is not a defined value.", parameterName);
        if (o.Subset != DatasetSubset.All && o.ValidationSplit == 0)
            throw new ArgumentException($"Subset {o.Subset} needs a ValidationSplit between 0 and 1; got {o.ValidationSplit}.", parameterName);
        if (o.Subset == DatasetSubset.All && o.ValidationSplit > 0)
            throw new ArgumentException($"ValidationSplit {o.ValidationSplit} needs Subset Training or Validation.", parameterName);
        if (o.ClassNames is { } names)
        {
            if (names.Count == 0)
                throw new ArgumentException("ClassNames is empty; pass null to use the sub-folders.", parameterName);
            var bad = names.FirstOrDefault(n => string.IsNullOrWhiteSpace(n) || n.IndexOfAny(new[] { '/', '\\' }) >= 0 || n is "." or "..");
            if (bad is not null || names.Any(n => n is null))
                throw new ArgumentException($"ClassNames holds '{bad}', which is not a folder name.", parameterName);
            var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new ArgumentException($"ClassNames lists '{duplicate.Key}' twice.", parameterName);
        }
        if (o.Extensions is { Count: 0 })
            throw new ArgumentException("Extensions is empty; pass null for the defaults.", parameterName);
    }

    private static string NormaliseExtension(string extension)
    {
        if (string.IsNullOrWhiteSpace(extension))
            throw new ArgumentException($"An extension is blank: '{extension}'.", "options");
        return extension.StartsWith('.') ? extension : "." + extension;
    }

    /// <summary>Files under a class folder: folders in ordinal order of relative path, files sorted within each.</summary>
    private static IEnumerable<FileInfo> EnumerateClassFiles(DirectoryInfo classDir, bool followLinks, List<SkippedFile> ignored)
    {
        var folders = new List<(string Relative, DirectoryInfo Dir)> { ("", classDir) };
        var visited = new HashSet<string>(StringComparer.Ordinal) { RealPath(classDir) };
        var pending = new Stack<(string, DirectoryInfo)>();
        pending.Push(("", classDir));
        while (pending.Count > 0)
        {
            var (relative, dir) = pending.Pop();
            foreach (var sub in dir.EnumerateDirectories())
            {
                if (sub.Name.StartsWith('.'))
                {
                    ignored.Add(new SkippedFile(sub.FullName, "hidden folder (name starts with '.')"));
                    continue;
                }
                if (sub.LinkTarget is not null && !followLinks)
                {
                    ignored.Add(new SkippedFile(sub.FullName, "symbolic link not followed (FollowSymbolicLinks is false)"));
                    continue;
                }
                if (!visited.Add(RealPath(sub)))
                {
                    ignored.Add(new SkippedFile(sub.FullName, "folder already visited through another link (cycle)"));
                    continue;
                }
                var rel = relative.Length == 0 ? sub.Name : relative + "/" + sub.Name;
                folders.Add((rel, sub));
                pending.Push((rel, sub));
            }
        }
        folders.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        foreach (var (_, dir) in folders)
        {
            var files = dir.GetFiles();
            Array.Sort(files, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var f in files)
                yield return f;
        }
    }

    private static string RealPath(DirectoryInfo dir)
    {
        var target = dir.LinkTarget is not null ? dir.ResolveLinkTarget(returnFinalTarget: true) : null;
        return Path.GetFullPath(target?.FullName ?? dir.FullName);
    }
}
