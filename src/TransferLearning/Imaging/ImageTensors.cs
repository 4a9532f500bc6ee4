using SkiaSharp;
using TorchSharp;
using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Imaging;

/// <summary>Converts between SkiaSharp bitmaps and float32 CHW tensors with values 0..255 (the library's image convention).</summary>
public static class ImageTensors
{
    /// <summary>
    /// Copies an image into a new float32 tensor of shape 3×H×W (RGB, values 0..255, alpha dropped;
    /// premultiplied pixels are un-premultiplied first).
    /// </summary>
    /// <param name="bitmap">The image; any colour type SkiaSharp can convert to RGBA8888.</param>
    /// <returns>A new tensor on the CPU that the caller owns.</returns>
    public static Tensor FromBitmap(SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        TorchNative.EnsureLoaded();
        int width = bitmap.Width, height = bitmap.Height;
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        unsafe
        {
            fixed (byte* p = rgba)
            {
                using var pixmap = bitmap.PeekPixels();
                if (pixmap == null || !pixmap.ReadPixels(info, (IntPtr)p, info.RowBytes, 0, 0))
                    throw new ArgumentException($"The bitmap's pixels ({bitmap.ColorType}, {width}x{height}) could not be read as RGBA.", nameof(bitmap));
            }
        }
        var planes = new float[3 * width * height];
        int plane = width * height;
        for (int i = 0; i < plane; i++)
        {
            planes[i] = rgba[4 * i];
            planes[plane + i] = rgba[4 * i + 1];
            planes[2 * plane + i] = rgba[4 * i + 2];
        }
        return tensor(planes, new long[] { 3, height, width }, ScalarType.Float32);
    }

    /// <summary>Copies a 3×H×W (or 1×H×W) tensor with values 0..255 into a new opaque RGBA bitmap; values are rounded and clamped.</summary>
    /// <param name="image">The image tensor; it is not modified.</param>
    /// <returns>A new bitmap that the caller owns.</returns>
    public static SKBitmap ToBitmap(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 3 || (image.shape[0] != 3 && image.shape[0] != 1))
            throw new ArgumentException($"Expected a 3xHxW or 1xHxW image tensor; got shape [{string.Join(", ", image.shape)}].", nameof(image));
        using var scope = NewDisposeScope();
        int channels = (int)image.shape[0], height = (int)image.shape[1], width = (int)image.shape[2];
        var bytes = image.detach().cpu().to(ScalarType.Float32).round().clamp(0, 255).to(ScalarType.Byte).contiguous().data<byte>().ToArray();
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var rgba = new byte[width * height * 4];
        int plane = width * height;
        for (int i = 0; i < plane; i++)
        {
            rgba[4 * i] = bytes[i];
            rgba[4 * i + 1] = bytes[(channels == 3 ? plane : 0) + i];
            rgba[4 * i + 2] = bytes[(channels == 3 ? 2 * plane : 0) + i];
            rgba[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }
}
