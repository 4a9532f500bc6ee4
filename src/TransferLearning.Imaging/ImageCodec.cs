using SkiaSharp;

namespace TransferLearning.Imaging;

/// <summary>Codec I/O: reads a file into a SkiaSharp codec, its header, and turns codec failures into errors naming the file.</summary>
internal static class ImageCodec
{
    /// <summary>Opens <paramref name="path"/> as a codec over the file's bytes (read whole: one read call, no open handle kept).</summary>
    /// <exception cref="ImageDecodeException">The file is unreadable, empty or not an image SkiaSharp recognises.</exception>
    public static SKCodec Open(string path) => Open(path, out _);

    /// <summary>Opens <paramref name="path"/> as a codec; <paramref name="bytes"/> is the file's content the codec reads.</summary>
    /// <exception cref="ImageDecodeException">The file is unreadable, empty or not an image SkiaSharp recognises.</exception>
    public static SKCodec Open(string path, out byte[] bytes)
    {
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, $"the file could not be read ({e.Message}).", e);
        }
        if (bytes.Length == 0)
            throw new ImageDecodeException(path, "the file is empty (0 bytes).");
        var stream = new SKMemoryStream(bytes);
        var codec = SKCodec.Create(stream, out var result); // takes ownership of the stream
        if (codec is null)
        {
            stream.Dispose();
            throw new ImageDecodeException(path, $"SkiaSharp does not recognise it as an image ({result}); it may be corrupt or of another type despite its extension.");
        }
        return codec;
    }

    /// <summary>The stored size, EXIF origin and format of an open codec.</summary>
    public static ImageHeader HeaderOf(SKCodec codec) => new(codec.Info.Width, codec.Info.Height, codec.EncodedOrigin, codec.EncodedFormat);

    /// <summary>Throws an <see cref="ImageDecodeException"/> naming <paramref name="path"/> unless the codec succeeded.</summary>
    public static void ThrowIfFailed(string path, SKCodecResult result)
    {
        if (result != SKCodecResult.Success)
            throw new ImageDecodeException(path, result switch
            {
                SKCodecResult.IncompleteInput => "the file is truncated (the codec ran out of data before the last row: IncompleteInput).",
                SKCodecResult.ErrorInInput => "the data is corrupt (the codec reported ErrorInInput).",
                _ => $"SkiaSharp's codec failed ({result}).",
            });
    }
}
