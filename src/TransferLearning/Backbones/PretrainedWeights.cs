using System.Text.RegularExpressions;

namespace TransferLearning.Backbones;

/// <summary>
/// A published weights file (torchvision's <c>Weights(url, ...)</c>): the name it is cached under, where it is published,
/// and its SHA-256 — the full 64 hex digits, or a prefix such as the 8 digits torchvision puts in its file names.
/// </summary>
public sealed partial class PretrainedWeights
{
    /// <summary>Describes a published weights file.</summary>
    /// <param name="name">A readable identifier, for example <c>vgg16-imagenet1k-v1</c>.</param>
    /// <param name="fileName">The cache file name, for example <c>vgg16-397923af.pth</c>; letters, digits, <c>.</c>, <c>_</c> and <c>-</c> only.</param>
    /// <param name="uri">The published address. <see cref="WeightsCacheOptions.BaseUri"/> can replace everything up to the file name.</param>
    /// <param name="sha256">The file's SHA-256 as hex: all 64 digits or a prefix of at least 8. <c>null</c>: the hex part after the last <c>-</c> of <paramref name="fileName"/> (torchvision's convention).</param>
    public PretrainedWeights(string name, string fileName, Uri uri, string? sha256 = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(uri);
        if (!SafeFileName().IsMatch(fileName))
            throw new ArgumentException($"fileName must hold only letters, digits, '.', '_' and '-'; got '{fileName}'.", nameof(fileName));
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException($"uri must be an absolute http(s) address; got '{uri}'.", nameof(uri));
        sha256 ??= HashFromFileName(fileName)
            ?? throw new ArgumentException($"No sha256 given and file name '{fileName}' carries no hex hash prefix (name-<hex>.ext).", nameof(sha256));
        if (!HexHash().IsMatch(sha256))
            throw new ArgumentException($"sha256 must be 8 to 64 hex digits; got '{sha256}'.", nameof(sha256));
        Name = name;
        FileName = fileName;
        Uri = uri;
        Sha256 = sha256.ToLowerInvariant();
    }

    /// <summary>A readable identifier.</summary>
    public string Name { get; }

    /// <summary>The file name in the cache (and at the end of <see cref="Uri"/>).</summary>
    public string FileName { get; }

    /// <summary>The published address.</summary>
    public Uri Uri { get; }

    /// <summary>The expected SHA-256 in lower-case hex: 64 digits, or a prefix that the file's hash must start with.</summary>
    public string Sha256 { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({FileName})";

    private static string? HashFromFileName(string fileName)
    {
        var match = NameHash().Match(fileName);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeFileName();

    [GeneratedRegex("^[0-9a-fA-F]{8,64}$")]
    private static partial Regex HexHash();

    [GeneratedRegex(@"-([0-9a-fA-F]{8,64})\.[A-Za-z0-9]+$")]
    private static partial Regex NameHash();
}
