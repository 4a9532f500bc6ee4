using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace TransferLearning.Tests.Imaging;

/// <summary>Writes the small image files (good and bad) that the imaging and data tests read.</summary>
internal static class TestImageFiles
{
    /// <summary>A solid-colour bitmap.</summary>
    public static SKBitmap Solid(int width, int height, SKColor color)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(color);
        return bitmap;
    }

    /// <summary>A bitmap in four quadrants: top-left red, top-right green, bottom-left blue, bottom-right white.</summary>
    public static SKBitmap Quadrants(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, (x < width / 2, y < height / 2) switch
                {
                    (true, true) => SKColors.Red,
                    (false, true) => SKColors.Lime,
                    (true, false) => SKColors.Blue,
                    _ => SKColors.White,
                });
        return bitmap;
    }

    /// <summary>A smooth, photo-like pattern (gradients and soft shapes) that JPEG compresses realistically.</summary>
    public static SKBitmap PhotoLike(int width, int height, int seed)
    {
        var random = new Random(seed);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
            new[] { RandomColor(random), RandomColor(random), RandomColor(random) }, SKShaderTileMode.Clamp);
        using (var paint = new SKPaint { Shader = shader })
            canvas.DrawRect(0, 0, width, height, paint);
        for (int i = 0; i < 12; i++)
        {
            using var paint = new SKPaint { Color = RandomColor(random).WithAlpha((byte)random.Next(80, 220)), IsAntialias = true };
            using var blur = SKImageFilter.CreateBlur(3, 3);
            paint.ImageFilter = blur;
            canvas.DrawCircle(random.Next(width), random.Next(height), random.Next(10, Math.Max(11, width / 4)), paint);
        }
        for (int i = 0; i < 200; i++)
        {
            using var paint = new SKPaint { Color = RandomColor(random).WithAlpha(60) };
            canvas.DrawRect(random.Next(width), random.Next(height), 3, 3, paint);
        }
        return bitmap;
    }

    private static SKColor RandomColor(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 95)
    {
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    public static string WritePng(string path, SKBitmap bitmap) => Write(path, Encode(bitmap, SKEncodedImageFormat.Png));

    public static string WriteJpeg(string path, SKBitmap bitmap, int quality = 95) => Write(path, Encode(bitmap, SKEncodedImageFormat.Jpeg, quality));

    /// <summary>A JPEG (quality 100), black left of <paramref name="whiteFromColumn"/> and white from it: an edge at a known place.</summary>
    public static string WriteEdgeJpeg(string path, int width, int height, int whiteFromColumn)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Black);
            using var white = new SKPaint { Color = SKColors.White };
            canvas.DrawRect(new SKRect(whiteFromColumn, 0, width, height), white);
        }
        return WriteJpeg(path, bitmap, quality: 100);
    }

    public static string WriteSolidPng(string path, int size, SKColor color)
    {
        using var bitmap = Solid(size, size, color);
        return WritePng(path, bitmap);
    }

    public static string Write(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A JPEG cut to <paramref name="fraction"/> of its bytes (the header survives, the scan does not).</summary>
    public static string WriteTruncatedJpeg(string path, int size = 64, double fraction = 0.6)
    {
        using var bitmap = PhotoLike(size, size, 7);
        var bytes = Encode(bitmap, SKEncodedImageFormat.Jpeg);
        return Write(path, bytes.AsSpan(0, (int)(bytes.Length * fraction)).ToArray());
    }

    /// <summary>Random bytes (not an image) under whatever name is given.</summary>
    public static string WriteRandomBytes(string path, int length = 500, int seed = 3)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return Write(path, bytes);
    }

    /// <summary>
    /// A well-formed PNG whose IHDR claims <paramref name="width"/> × <paramref name="height"/> RGB pixels, followed by a
    /// tiny IDAT and IEND (every chunk with a correct CRC), written by hand: decoding it would need gigabytes.
    /// </summary>
    public static string WriteHugePng(string path, int width = 100_000, int height = 100_000)
    {
        using var stream = new MemoryStream();
        stream.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type RGB
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IDAT", new byte[] { 0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 }); // zlib of nothing
        WriteChunk(stream, "IEND", Array.Empty<byte>());
        return Write(path, stream.ToArray());
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        stream.Write(four);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32(typeAndData));
        stream.Write(four);
    }

    /// <summary>CRC-32 (ISO-HDLC, the PNG chunk CRC).</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>
    /// SkiaSharp's JPEG of <paramref name="bitmap"/> with an APP1 Exif segment holding one IFD0 entry, Orientation
    /// (tag 0x0112, SHORT) = <paramref name="orientation"/>, inserted right after the SOI marker.
    /// </summary>
    public static string WriteJpegWithExifOrientation(string path, SKBitmap bitmap, int orientation)
    {
        var jpeg = Encode(bitmap, SKEncodedImageFormat.Jpeg, 100);
        if (jpeg[0] != 0xFF || jpeg[1] != 0xD8)
            throw new InvalidOperationException("Not a JPEG.");
        var tiff = new byte[]
        {
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF header, IFD0 at offset 8
            0x00, 0x01,                                              // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,          // Orientation, SHORT, count 1
            0x00, (byte)orientation, 0x00, 0x00,                     // value (left-justified)
            0x00, 0x00, 0x00, 0x00,                                  // no next IFD
        };
        var payload = Encoding.ASCII.GetBytes("Exif\0\0").Concat(tiff).ToArray();
        int length = payload.Length + 2;
        var app1 = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return Write(path, jpeg.Take(2).Concat(app1).Concat(jpeg.Skip(2)).ToArray());
    }

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tl-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
