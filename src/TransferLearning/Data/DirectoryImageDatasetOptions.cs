using Microsoft.Extensions.Logging;
using TransferLearning.Imaging;

namespace TransferLearning.Data;

/// <summary>
/// How <see cref="DirectoryImageDataset.FromDirectory"/> reads a folder tree. Copied when the dataset is created.
/// </summary>
public sealed class DirectoryImageDatasetOptions
{
    /// <summary>
    /// The classes, in index order; each must be a sub-folder. Give the same list to the training and validation
    /// datasets so they share indices. Default: <c>null</c> = every non-hidden sub-folder, sorted ordinally.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>
    /// File extensions to take (with the dot, matched case-insensitively). Default: <c>null</c> =
    /// <see cref="ImageFileTypes.DefaultExtensions"/>.
    /// </summary>
    public IReadOnlyList<string>? Extensions { get; set; }

    /// <summary>
    /// Whether symbolic links (to folders or files) are followed. Default: <c>false</c>: links are left out and listed in
    /// <see cref="DirectoryImageDataset.IgnoredEntries"/>. When true, each real folder is visited once (no cycles).
    /// </summary>
    public bool FollowSymbolicLinks { get; set; }

    /// <summary>Whether a class folder without images is accepted (its count is 0). Default: <c>false</c> (an error).</summary>
    public bool AllowEmptyClasses { get; set; }

    /// <summary>
    /// Fraction (0 &lt; f &lt; 1) of each class's sorted files that forms the validation subset (Keras'
    /// <c>validation_split</c>); 0 for none. Default: 0. Requires <see cref="Subset"/> other than <see cref="DatasetSubset.All"/>.
    /// </summary>
    public double ValidationSplit { get; set; }

    /// <summary>Which part of the validation split to keep. Default: <see cref="DatasetSubset.All"/>.</summary>
    public DatasetSubset Subset { get; set; } = DatasetSubset.All;

    /// <summary>
    /// What to do with files that are plainly unusable while indexing (zero bytes). Corrupt content is only found when
    /// decoding; the loader has its own policy. Default: <see cref="BadFilePolicy.Skip"/>.
    /// </summary>
    public BadFilePolicy BadFiles { get; set; } = BadFilePolicy.Skip;

    /// <summary>Receives one warning per skipped file. Default: <c>null</c> (no logging).</summary>
    public ILogger? Logger { get; set; }

    /// <summary>A copy of these options (the lists are copied too).</summary>
    public DirectoryImageDatasetOptions Clone()
    {
        var copy = (DirectoryImageDatasetOptions)MemberwiseClone();
        copy.ClassNames = ClassNames?.ToArray();
        copy.Extensions = Extensions?.ToArray();
        return copy;
    }
}
