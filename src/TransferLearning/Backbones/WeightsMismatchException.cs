namespace TransferLearning.Backbones;

/// <summary>
/// A weights file does not fit the model: keys are missing or unexpected, or a tensor has another shape. The message names
/// the file, the keys and both shapes; nothing was loaded.
/// </summary>
public sealed class WeightsMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What does not fit.</param>
    /// <param name="key">The first key with a shape mismatch, or <c>null</c>.</param>
    /// <param name="modelShape">Its shape in the model.</param>
    /// <param name="fileShape">Its shape in the file.</param>
    /// <param name="missingKeys">Keys of the model that the file lacks.</param>
    /// <param name="unexpectedKeys">Keys of the file that the model lacks.</param>
    public WeightsMismatchException(string message, string? key = null, IReadOnlyList<long>? modelShape = null, IReadOnlyList<long>? fileShape = null,
        IReadOnlyList<string>? missingKeys = null, IReadOnlyList<string>? unexpectedKeys = null)
        : base(message)
    {
        Key = key;
        ModelShape = modelShape?.ToArray();
        FileShape = fileShape?.ToArray();
        MissingKeys = missingKeys?.ToArray() ?? Array.Empty<string>();
        UnexpectedKeys = unexpectedKeys?.ToArray() ?? Array.Empty<string>();
    }

    /// <summary>The key whose shapes differ, or <c>null</c> when the problem is missing or unexpected keys.</summary>
    public string? Key { get; }

    /// <summary>The shape of <see cref="Key"/> in the model.</summary>
    public IReadOnlyList<long>? ModelShape { get; }

    /// <summary>The shape of <see cref="Key"/> in the file.</summary>
    public IReadOnlyList<long>? FileShape { get; }

    /// <summary>Keys of the model that the file lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Keys of the file that the model does not have (and does not ignore).</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }
}
