// Quickstart: proves the stack end to end — SkiaSharp decodes an image, TorchSharp builds VGG16 in torchvision's
// layout on the CPU and runs a forward pass. Usage: dotnet run --project samples/Quickstart [-- image.jpg]
using System.Diagnostics;
using SkiaSharp;
using TransferLearning.Backbones;
using TransferLearning.Imaging;
using static TorchSharp.torch;

string? path = args.Length > 0 ? args[0] : null;
using SKBitmap bitmap = path is null ? DrawSampleImage() : SKBitmap.Decode(path)
    ?? throw new InvalidDataException($"'{path}' is not an image SkiaSharp can decode.");
Console.WriteLine(path is null
    ? $"No image given: drew a {bitmap.Width}x{bitmap.Height} sample image."
    : $"Decoded {path}: {bitmap.Width}x{bitmap.Height}.");

using var scope = NewDisposeScope();
var image = ImageTensors.FromBitmap(bitmap);                               // 3 x H x W, 0..255
var input = nn.functional.interpolate(image.unsqueeze(0), new long[] { 224, 224 }, mode: InterpolationMode.Bilinear, align_corners: false);
var normalized = (input / 255 - tensor(new[] { 0.485f, 0.456f, 0.406f }).view(1, 3, 1, 1))
                 / tensor(new[] { 0.229f, 0.224f, 0.225f }).view(1, 3, 1, 1);

using var vgg = new Vgg16Features();
vgg.eval();
long parameters = vgg.parameters().Sum(p => p.numel());
var watch = Stopwatch.StartNew();
using (no_grad())
{
    var features = vgg.forward(normalized);
    watch.Stop();
    Console.WriteLine($"VGG16 features ({parameters:N0} parameters, random weights) on the CPU: " +
                      $"input [{string.Join(", ", normalized.shape)}] -> features [{string.Join(", ", features.shape)}] in {watch.ElapsedMilliseconds} ms.");
}

static SKBitmap DrawSampleImage()
{
    var bitmap = new SKBitmap(256, 256);
    using var canvas = new SKCanvas(bitmap);
    canvas.Clear(new SKColor(235, 240, 250));
    using var paint = new SKPaint { IsAntialias = true, Color = new SKColor(200, 40, 40) };
    canvas.DrawCircle(128, 136, 80, paint);
    paint.Color = new SKColor(60, 140, 50);
    canvas.DrawOval(new SKRect(130, 40, 180, 70), paint);
    return bitmap;
}
