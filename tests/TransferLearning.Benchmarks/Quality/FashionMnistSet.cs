using System.Globalization;
using System.IO.Compression;
using SkiaSharp;

namespace TransferLearning.Benchmarks.Quality;

/// <summary>
/// Builds the quality benchmark's image folders from Debian's <c>dataset-fashion-mnist</c> files, the way users see
/// photos: pixel values inverted (a dark garment on white), upscaled bilinearly from 28×28 to 64×64, saved as RGB PNG,
/// in <c>train/</c> and <c>valid/</c> folders of the ten class names. Only the official training file is read; from
/// image <c>first</c> on (30000 for the benchmark), each class's first <c>trainPerClass</c> images go to <c>train/</c>
/// and its next <c>validPerClass</c> to <c>valid/</c>.
/// dotnet run -c Release --project tests/TransferLearning.Benchmarks -- fashion-mnist OUTPUT [first [train [valid]]]
/// </summary>
public static class FashionMnistSet
{
    /// <summary>Debian's install folder of the data set.</summary>
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    private static readonly string[] ClassNames =
        { "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot" };

    public static void Build(string output, int first = 30000, int trainPerClass = 100, int validPerClass = 50, string source = DebianFolder)
    {
        var images = ReadIdx(Path.Combine(source, "train-images-idx3-ubyte.gz"), 0x803, out var dims);
        var labels = ReadIdx(Path.Combine(source, "train-labels-idx1-ubyte.gz"), 0x801, out _);
        int rows = dims[1], cols = dims[2], count = dims[0];
        if (first < 0 || first >= count) throw new ArgumentOutOfRangeException(nameof(first), $"first must be in [0, {count}); got {first}.");

        var taken = new int[ClassNames.Length];
        int written = 0;
        foreach (var subset in new[] { "train", "valid" })
            foreach (var name in ClassNames)
                Directory.CreateDirectory(Path.Combine(output, subset, name));
        for (int i = first; i < count && taken.Any(t => t < trainPerClass + validPerClass); i++)
        {
            int label = labels[i];
            int k = taken[label]++;
            if (k >= trainPerClass + validPerClass) continue;
            string subset = k < trainPerClass ? "train" : "valid";
            string path = Path.Combine(output, subset, ClassNames[label], $"{i.ToString("D5", CultureInfo.InvariantCulture)}.png");
            WritePng(images.AsSpan(i * rows * cols, rows * cols), cols, rows, path);
            written++;
        }
        if (taken.Any(t => t < trainPerClass + validPerClass))
            throw new InvalidDataException($"The training file has too few images from index {first} on: per class {string.Join(", ", taken)}.");
        Console.WriteLine($"Wrote {written} images ({trainPerClass} train + {validPerClass} valid per class, from index {first}) to {output}");
    }

    private static void WritePng(ReadOnlySpan<byte> pixels, int width, int height, string path)
    {
        using var small = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var span = small.GetPixelSpan();
        for (int p = 0; p < pixels.Length; p++)
        {
            byte v = (byte)(255 - pixels[p]);
            span[4 * p] = v; span[4 * p + 1] = v; span[4 * p + 2] = v; span[4 * p + 3] = 255;
        }
        using var large = new SKBitmap(new SKImageInfo(64, 64, SKColorType.Rgba8888, SKAlphaType.Opaque));
        if (!small.ScalePixels(large, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)))
            throw new InvalidOperationException("Skia could not scale an image.");
        using var image = SKImage.FromBitmap(large);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    /// <summary>Reads a gzipped IDX file (big-endian magic and dimensions, then unsigned bytes).</summary>
    private static byte[] ReadIdx(string path, int magic, out int[] dims)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} not found: install Debian's package dataset-fashion-mnist (apt-get install dataset-fashion-mnist).", path);
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        int BigEndian(int offset) => (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
        if (BigEndian(0) != magic) throw new InvalidDataException($"{path}: magic 0x{BigEndian(0):X} is not 0x{magic:X}.");
        int rank = magic & 0xFF;
        dims = Enumerable.Range(0, rank).Select(d => BigEndian(4 + 4 * d)).ToArray();
        int header = 4 + 4 * rank;
        long size = dims.Aggregate(1L, (a, d) => a * d);
        if (bytes.Length - header != size) throw new InvalidDataException($"{path}: {bytes.Length - header} bytes of data for dimensions {string.Join("x", dims)}.");
        return bytes[header..];
    }
}
