using SkiaSharp;
using TransferLearning.Imaging;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

/// <summary>A drawn test picture (sky, sun, house, path) whose orientation is obvious at a glance.</summary>
internal static class SampleImage
{
    public static Tensor Draw(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            float w = width, h = height;
            using var paint = new SKPaint { IsAntialias = true };
            paint.Color = new SKColor(135, 190, 235);
            canvas.DrawRect(0, 0, w, h * 0.65f, paint);
            paint.Color = new SKColor(90, 160, 70);
            canvas.DrawRect(0, h * 0.65f, w, h, paint);
            paint.Color = new SKColor(250, 210, 40);
            canvas.DrawCircle(w * 0.82f, h * 0.2f, h * 0.12f, paint);
            paint.Color = new SKColor(190, 60, 50);
            canvas.DrawRect(w * 0.15f, h * 0.4f, w * 0.3f, h * 0.35f, paint);
            paint.Color = new SKColor(110, 40, 30);
            using var roof = new SKPath();
            roof.MoveTo(w * 0.1f, h * 0.42f);
            roof.LineTo(w * 0.3f, h * 0.15f);
            roof.LineTo(w * 0.5f, h * 0.42f);
            roof.Close();
            canvas.DrawPath(roof, paint);
            paint.Color = new SKColor(230, 220, 190);
            canvas.DrawRect(w * 0.55f, h * 0.65f, w * 0.08f, h * 0.35f, paint);
            canvas.Flush();
        }
        return ImageTensors.FromBitmap(bitmap);
    }
}
