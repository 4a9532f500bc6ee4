using static TorchSharp.torch;

namespace TransferLearning.Training;

/// <summary>
/// One deterministic view of a batch for <see cref="TestTimeAugmentation"/>: a function from an N×3×H×W image batch
/// (values 0..255, on the model's device) to a batch of the same shape. Built-ins: <see cref="Identity"/>,
/// <see cref="HorizontalFlip"/>, <see cref="VerticalFlip"/>, <see cref="Zoom"/>; any other with the constructor.
/// </summary>
public sealed class TestTimeView
{
    private readonly Func<Tensor, Tensor> _apply;

    /// <summary>A view of your own.</summary>
    /// <param name="name">Shown in logs and summaries, e.g. "rotate90".</param>
    /// <param name="apply">Maps an N×3×H×W batch to a new batch of the same shape (it must not modify its input); runs
    /// without gradients inside a dispose scope.</param>
    public TestTimeView(string name, Func<Tensor, Tensor> apply)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(apply);
        Name = name;
        _apply = apply;
    }

    /// <summary>The view's name.</summary>
    public string Name { get; }

    /// <summary>The images as they are.</summary>
    public static TestTimeView Identity { get; } = new("identity", images => images.alias());

    /// <summary>Mirrored left to right.</summary>
    public static TestTimeView HorizontalFlip { get; } = new("horizontal-flip", images => images.flip(3));

    /// <summary>Mirrored top to bottom (for data without an up, such as fruit from above or micrographs).</summary>
    public static TestTimeView VerticalFlip { get; } = new("vertical-flip", images => images.flip(2));

    /// <summary>
    /// The centre 1/<paramref name="factor"/> of each image (in both directions), resized back to the full size with
    /// bilinear interpolation: a closer look, like the zoom of training augmentation.
    /// </summary>
    /// <param name="factor">Magnification, in (1, 4]; e.g. 1.15.</param>
    public static TestTimeView Zoom(double factor)
    {
        if (!(factor > 1 && factor <= 4)) throw new ArgumentOutOfRangeException(nameof(factor), $"factor must be in (1, 4]; got {factor}.");
        return new TestTimeView($"zoom-{factor.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}", images =>
        {
            long h = images.shape[2], w = images.shape[3];
            long ch = Math.Max(1, (long)Math.Round(h / factor)), cw = Math.Max(1, (long)Math.Round(w / factor));
            var crop = images.narrow(2, (h - ch) / 2, ch).narrow(3, (w - cw) / 2, cw);
            return nn.functional.interpolate(crop, new[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
        });
    }

    /// <summary>Applies the view and checks the result's shape.</summary>
    internal Tensor Apply(Tensor images)
    {
        var result = _apply(images);
        if (result is null || !result.shape.SequenceEqual(images.shape))
            throw new InvalidOperationException($"Test-time view '{Name}' must return a batch of shape [{string.Join(", ", images.shape)}]; got {(result is null ? "null" : $"[{string.Join(", ", result.shape)}]")}.");
        return result;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
