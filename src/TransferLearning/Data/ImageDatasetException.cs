namespace TransferLearning.Data;

/// <summary>A folder cannot be turned into a dataset: no class folders, no images, an empty class, or a bad file under <see cref="BadFilePolicy.Throw"/>.</summary>
public sealed class ImageDatasetException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="directory">The folder concerned.</param>
    /// <param name="message">What is wrong, naming the folder and what was looked for.</param>
    public ImageDatasetException(string directory, string message)
        : base(message)
    {
        Directory = directory;
    }

    /// <summary>The folder concerned.</summary>
    public string Directory { get; }
}
