using SkiaSharp;
using TransferLearning.Backbones;
using TransferLearning.Data;
using TransferLearning.Imaging;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Tests.Training;

/// <summary>A tiny backbone and a drawn three-class image set, small enough for fast CPU tests.</summary>
internal static class TrainingTestData
{
    public static readonly string[] Classes = { "circle", "stripes", "triangle" };

    public const int Size = 48;

    /// <summary>
    /// conv(3→8) + BatchNorm + ReLU + pool | conv(8→16) + ReLU + pool, ImageNet preprocessing, two layer groups,
    /// deterministic from <paramref name="seed"/>.
    /// </summary>
    public static PretrainedBackbone TinyBackbone(int seed = 7)
    {
        var conv1 = Conv2d(3, 8, 3, padding: 1);
        var bn1 = BatchNorm2d(8);
        var conv2 = Conv2d(8, 16, 3, padding: 1);
        var features = Sequential(
            ("0", conv1), ("1", bn1), ("2", ReLU()), ("3", MaxPool2d(2)),
            ("4", conv2), ("5", ReLU()), ("6", MaxPool2d(2)));
        var groups = new[] { new LayerGroup("block1", new Module[] { conv1, bn1 }), new LayerGroup("block2", new Module[] { conv2 }) };
        // Initialised from a private generator: torch's global one is shared with tests running in parallel.
        using var generator = new Generator((ulong)seed, CPU);
        using (no_grad())
        {
            foreach (var conv in new[] { conv1, conv2 })
            {
                double bound = 1 / Math.Sqrt(conv.weight!.numel() / conv.weight.shape[0]);
                foreach (var parameter in new[] { conv.weight, conv.bias! })
                {
                    using var values = rand(parameter.shape, generator: generator);
                    parameter.copy_(values.mul_(2 * bound).sub_(bound));
                }
            }
        }
        return new PretrainedBackbone("tiny", features, ImagePreprocessing.ImageNet(), 16, groups);
    }

    /// <summary>
    /// <paramref name="perClass"/> images per class: a red disc, blue horizontal stripes, a green triangle, at random places
    /// and sizes on a random light background with a little noise. Returns N×3×H×W float 0..255 and labels.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Draw(int perClass, int seed)
    {
        var random = new Random(seed);
        var images = new List<Tensor>();
        var labels = new List<long>();
        for (int i = 0; i < perClass; i++)
        {
            for (int c = 0; c < Classes.Length; c++)
            {
                using var bitmap = DrawOne(c, random);
                images.Add(ImageTensors.FromBitmap(bitmap));
                labels.Add(c);
            }
        }
        var stacked = stack(images);
        foreach (var image in images) image.Dispose();
        return (stacked, tensor(labels.ToArray()));
    }

    public static SKBitmap DrawOne(int cls, Random random)
    {
        var bitmap = new SKBitmap(new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        byte shade = (byte)random.Next(200, 256);
        canvas.Clear(new SKColor(shade, (byte)random.Next(200, 256), (byte)random.Next(200, 256)));
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        float cx = random.Next(14, Size - 14), cy = random.Next(14, Size - 14), r = random.Next(8, 13);
        switch (cls)
        {
            case 0:
                paint.Color = new SKColor((byte)random.Next(180, 256), (byte)random.Next(0, 60), (byte)random.Next(0, 60));
                canvas.DrawCircle(cx, cy, r, paint);
                break;
            case 1:
                paint.Color = new SKColor((byte)random.Next(0, 60), (byte)random.Next(0, 80), (byte)random.Next(160, 256));
                int thickness = random.Next(3, 6), phase = random.Next(0, 6);
                for (int y = phase; y < Size; y += 2 * thickness) canvas.DrawRect(0, y, Size, thickness, paint);
                break;
            default:
                paint.Color = new SKColor((byte)random.Next(0, 60), (byte)random.Next(140, 220), (byte)random.Next(0, 60));
                using (var path = new SKPath())
                {
                    path.MoveTo(cx, cy - r);
                    path.LineTo(cx + r, cy + r);
                    path.LineTo(cx - r, cy + r);
                    path.Close();
                    canvas.DrawPath(path, paint);
                }
                break;
        }
        using var noise = new SKPaint { Color = new SKColor(0, 0, 0, 40) };
        for (int k = 0; k < 30; k++) canvas.DrawPoint(random.Next(Size), random.Next(Size), noise);
        return bitmap;
    }

    /// <summary>Training (shuffled) and validation sources over freshly drawn images.</summary>
    public static (TensorBatchSource Train, TensorBatchSource Valid) Sources(int trainPerClass = 16, int validPerClass = 8, int batchSize = 8, int seed = 1)
    {
        var (trainImages, trainLabels) = Draw(trainPerClass, seed);
        var (validImages, validLabels) = Draw(validPerClass, seed + 1000);
        using (trainImages)
        using (trainLabels)
        using (validImages)
        using (validLabels)
        {
            return (new TensorBatchSource(trainImages, trainLabels, Classes, batchSize, shuffle: true, seed: seed),
                new TensorBatchSource(validImages, validLabels, Classes, batchSize));
        }
    }

    /// <summary>Copies of every parameter and buffer, by name.</summary>
    public static Dictionary<string, float[]> Weights(Module module)
    {
        using var scope = NewDisposeScope();
        return module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray());
    }

    public static double MaxAbsDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max();
}
