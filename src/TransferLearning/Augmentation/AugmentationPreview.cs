using SkiaSharp;
using TransferLearning.Imaging;
using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Draws what an augmentation does before training: one row per image, the original in the first column and
/// <c>versions</c> augmented copies beside it. With labels (for example one image per class and its class name), each
/// row is named on the left and the columns are headed "original" and "augmented". Tiles whose values leave 0..255
/// (after samplewise centring, say) are stretched from their own minimum to maximum so they stay visible.
/// </summary>
public static class AugmentationPreview
{
    /// <summary>Renders the grid into a new bitmap that the caller owns.</summary>
    /// <param name="augmentation">The augmentation to show (a pipeline or a single transform).</param>
    /// <param name="images">Images as float32 C×H×W tensors (1 or 3 channels, values 0..255); not modified.</param>
    /// <param name="versions">Augmented copies per image, ≥ 1.</param>
    /// <param name="random">The random source the augmentation draws from.</param>
    /// <param name="spacing">Pixels between tiles; 4 by default.</param>
    public static SKBitmap Render(IAugmentation augmentation, IReadOnlyList<Tensor> images, int versions, Random random, int spacing = 4) =>
        Render(augmentation, images, null, versions, random, spacing);

    /// <summary>Renders the grid with a name per row (a class name, say) into a new bitmap that the caller owns.</summary>
    /// <param name="augmentation">The augmentation to show (a pipeline or a single transform).</param>
    /// <param name="images">Images as float32 C×H×W tensors (1 or 3 channels, values 0..255); not modified.</param>
    /// <param name="labels">One name per image, drawn left of its row; <c>null</c> for an unlabelled grid.</param>
    /// <param name="versions">Augmented copies per image, ≥ 1.</param>
    /// <param name="random">The random source the augmentation draws from.</param>
    /// <param name="spacing">Pixels between tiles; 4 by default.</param>
    public static SKBitmap Render(IAugmentation augmentation, IReadOnlyList<Tensor> images, IReadOnlyList<string>? labels, int versions, Random random, int spacing = 4)
    {
        if (labels is not null && images is not null && labels.Count != images.Count)
            throw new ArgumentException($"Expected one label per image ({images.Count}); got {labels.Count}.", nameof(labels));
        ArgumentNullException.ThrowIfNull(augmentation);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(random);
        if (images.Count == 0) throw new ArgumentException("Expected at least one image; got none.", nameof(images));
        if (versions < 1) throw new ArgumentOutOfRangeException(nameof(versions), versions, $"versions must be >= 1; got {versions}.");
        if (spacing < 0) throw new ArgumentOutOfRangeException(nameof(spacing), spacing, $"spacing must be >= 0; got {spacing}.");
        TorchNative.EnsureLoaded();

        var rows = new List<SKBitmap[]>();
        try
        {
            for (int i = 0; i < images.Count; i++)
            {
                var image = images[i] ?? throw new ArgumentException($"Image {i} is null.", nameof(images));
                if (image.dim() != 3)
                    throw new ArgumentException($"Image {i}: expected a C×H×W tensor; got shape [{string.Join(", ", image.shape)}].", nameof(images));
                using var scope = NewDisposeScope();
                var copies = image.unsqueeze(0).expand(versions, -1, -1, -1).contiguous();
                var augmented = augmentation.Apply(copies, random);
                var row = new SKBitmap[versions + 1];
                rows.Add(row);
                row[0] = ImageTensors.ToBitmap(image.cpu());
                for (int v = 0; v < versions; v++) row[v + 1] = ImageTensors.ToBitmap(Displayable(augmented[v]));
            }

            int cellWidth = rows.SelectMany(r => r).Max(b => b.Width), cellHeight = rows.SelectMany(r => r).Max(b => b.Height);
            using var font = new SKFont(SKTypeface.Default, LabelFontSize);
            using var text = new SKPaint { Color = new SKColor(0x30, 0x30, 0x30), IsAntialias = true };
            // Labelled: a column of row names on the left and a header line over the tiles.
            int labelWidth = labels is null ? 0 : (int)Math.Ceiling(labels.Max(l => font.MeasureText(l ?? ""))) + 2 * LabelPadding;
            int headerHeight = labels is null ? 0 : (int)Math.Ceiling(LabelFontSize * 1.6f);
            var grid = new SKBitmap(new SKImageInfo(
                labelWidth + (versions + 1) * (cellWidth + spacing) + spacing, headerHeight + rows.Count * (cellHeight + spacing) + spacing,
                SKColorType.Rgba8888, SKAlphaType.Premul));
            using var canvas = new SKCanvas(grid);
            canvas.Clear(SKColors.White);
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < rows[r].Length; c++)
                    canvas.DrawBitmap(rows[r][c], labelWidth + spacing + c * (cellWidth + spacing), headerHeight + spacing + r * (cellHeight + spacing));
            if (labels is not null)
            {
                float baseline = headerHeight - LabelFontSize * 0.45f;
                canvas.DrawText("original", labelWidth + spacing + cellWidth / 2f, baseline, SKTextAlign.Center, font, text);
                canvas.DrawText($"augmented ({versions} draws)", labelWidth + spacing + (cellWidth + spacing) + (versions * (cellWidth + spacing) - spacing) / 2f,
                    baseline, SKTextAlign.Center, font, text);
                for (int r = 0; r < rows.Count; r++)
                    canvas.DrawText(labels[r] ?? "", labelWidth - LabelPadding, headerHeight + spacing + r * (cellHeight + spacing) + cellHeight / 2f + LabelFontSize / 3f,
                        SKTextAlign.Right, font, text);
            }
            canvas.Flush();
            return grid;
        }
        finally
        {
            foreach (var bitmap in rows.SelectMany(r => r)) bitmap?.Dispose();
        }
    }

    /// <summary>Renders the grid and writes it as a PNG file (folders are created).</summary>
    /// <param name="augmentation">The augmentation to show.</param>
    /// <param name="images">Images as float32 C×H×W tensors (values 0..255); not modified.</param>
    /// <param name="versions">Augmented copies per image, ≥ 1.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="seed">Seed of the random source; 0 by default.</param>
    public static void Save(IAugmentation augmentation, IReadOnlyList<Tensor> images, int versions, string path, int seed = 0) =>
        Save(augmentation, images, null, versions, path, seed);

    /// <summary>Renders the grid with a name per row and writes it as a PNG file (folders are created).</summary>
    /// <param name="augmentation">The augmentation to show.</param>
    /// <param name="images">Images as float32 C×H×W tensors (values 0..255); not modified.</param>
    /// <param name="labels">One name per image (a class name, say), drawn left of its row; <c>null</c> for none.</param>
    /// <param name="versions">Augmented copies per image, ≥ 1.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="seed">Seed of the random source; 0 by default.</param>
    public static void Save(IAugmentation augmentation, IReadOnlyList<Tensor> images, IReadOnlyList<string>? labels, int versions, string path, int seed = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var grid = Render(augmentation, images, labels, versions, new Random(seed));
        using var data = grid.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode the preview as PNG for {path}.");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private const float LabelFontSize = 14;

    private const int LabelPadding = 8;

    private static Tensor Displayable(Tensor image)
    {
        float min = image.min().item<float>(), max = image.max().item<float>();
        if (min >= 0 && max <= 255) return image;
        return max > min ? image.sub(min).mul(255.0 / (max - min)) : zeros_like(image);
    }
}
