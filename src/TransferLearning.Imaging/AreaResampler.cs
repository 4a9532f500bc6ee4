using SkiaSharp;

namespace TransferLearning.Imaging;

/// <summary>Area averaging (Pillow's BOX filter, OpenCV's INTER_AREA) for <see cref="Interpolation.Area"/> decodes.</summary>
internal static class AreaResampler
{
    /// <summary>Box filter from an RGBA bitmap to width × height; each output pixel averages the source area it covers.</summary>
    public static SKBitmap Resample(SKBitmap source, int width, int height)
    {
        int sw = source.Width, sh = source.Height;
        bool premul = source.AlphaType == SKAlphaType.Premul;
        var src = source.GetPixelSpan();
        var (xIndex, xWeight, xCount) = Weights(sw, width);
        var (yIndex, yWeight, yCount) = Weights(sh, height);
        // Horizontal pass into floats (sh × width × 4), then vertical pass.
        var horizontal = new float[sh * width * 4];
        for (int y = 0; y < sh; y++)
        {
            int row = y * source.RowBytes;
            for (int x = 0; x < width; x++)
            {
                float r = 0, g = 0, b = 0, a = 0;
                int start = x * xCount;
                for (int k = 0; k < xCount; k++)
                {
                    float wgt = xWeight[start + k];
                    if (wgt == 0) continue;
                    int p = row + 4 * xIndex[start + k];
                    r += wgt * src[p]; g += wgt * src[p + 1]; b += wgt * src[p + 2]; a += wgt * src[p + 3];
                }
                int o = 4 * (y * width + x);
                horizontal[o] = r; horizontal[o + 1] = g; horizontal[o + 2] = b; horizontal[o + 3] = a;
            }
        }
        var output = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, premul ? SKAlphaType.Premul : SKAlphaType.Opaque));
        var dst = output.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            int start = y * yCount;
            for (int x = 0; x < width; x++)
            {
                float r = 0, g = 0, b = 0, a = 0;
                for (int k = 0; k < yCount; k++)
                {
                    float wgt = yWeight[start + k];
                    if (wgt == 0) continue;
                    int p = 4 * (yIndex[start + k] * width + x);
                    r += wgt * horizontal[p]; g += wgt * horizontal[p + 1]; b += wgt * horizontal[p + 2]; a += wgt * horizontal[p + 3];
                }
                int o = y * output.RowBytes + 4 * x;
                dst[o] = ToByte(r); dst[o + 1] = ToByte(g); dst[o + 2] = ToByte(b); dst[o + 3] = premul ? ToByte(a) : (byte)255;
            }
        }
        return output;
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);

    /// <summary>For each output index, the source indices and weights (summing to 1) of the area it covers.</summary>
    public static (int[] Index, float[] Weight, int Count) Weights(int sourceSize, int outputSize)
    {
        double scale = (double)sourceSize / outputSize;
        if (scale < 1)
        {
            // Enlarging along this axis: linear interpolation between the two nearest samples (pixel centres aligned).
            var idx = new int[outputSize * 2];
            var wts = new float[outputSize * 2];
            for (int i = 0; i < outputSize; i++)
            {
                double c = Math.Clamp((i + 0.5) * scale - 0.5, 0, sourceSize - 1);
                int i0 = (int)Math.Floor(c);
                int i1 = Math.Min(i0 + 1, sourceSize - 1);
                double f = c - i0;
                idx[2 * i] = i0; wts[2 * i] = (float)(1 - f);
                idx[2 * i + 1] = i1; wts[2 * i + 1] = (float)f;
            }
            return (idx, wts, 2);
        }
        int count = (int)Math.Ceiling(scale) + 1;
        var index = new int[outputSize * count];
        var weight = new float[outputSize * count];
        for (int i = 0; i < outputSize; i++)
        {
            double lo = i * scale, hi = (i + 1) * scale;
            int first = (int)Math.Floor(lo);
            for (int k = 0; k < count; k++)
            {
                int s = first + k;
                double overlap = s < sourceSize ? Math.Max(0, Math.Min(hi, s + 1) - Math.Max(lo, s)) : 0;
                index[i * count + k] = Math.Min(s, sourceSize - 1);
                weight[i * count + k] = (float)(overlap / scale);
            }
        }
        return (index, weight, count);
    }
}
