namespace TransferLearning.Training;

/// <summary>
/// Test-time augmentation: each image is predicted in several deterministic <see cref="Views"/> and the softmax
/// probabilities are averaged (fastai's <c>tta</c> averages probabilities the same way). Pass one to
/// <see cref="TransferTrainer.Evaluate(Data.IImageBatchSource, TestTimeAugmentation, CancellationToken)"/> or the
/// <c>Predict</c> overloads that take it. The cost is one forward pass per view.
/// </summary>
/// <remarks>
/// With TTA, <see cref="Prediction.Logits"/> and the evaluation loss are those of the averaged distribution: the logits
/// are the logarithms of the averaged probabilities (their softmax gives the probabilities back).
/// </remarks>
public sealed record TestTimeAugmentation
{
    private readonly IReadOnlyList<TestTimeView> _views = new[] { TestTimeView.Identity, TestTimeView.HorizontalFlip };

    /// <summary>The default views: the image and its mirror image.</summary>
    public TestTimeAugmentation()
    {
    }

    /// <summary>Creates one from views (at least one, no nulls; copied).</summary>
    public TestTimeAugmentation(IEnumerable<TestTimeView> views)
    {
        ArgumentNullException.ThrowIfNull(views);
        Views = views.ToArray();
    }

    /// <summary>
    /// The views averaged, at least one, no nulls; copied. Default (and <see cref="Flips"/>): the image and its mirror
    /// image — right for photos of objects, which look the same mirrored.
    /// </summary>
    public IReadOnlyList<TestTimeView> Views
    {
        get => _views;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Views));
            if (value.Count == 0) throw new ArgumentException("TestTimeAugmentation needs at least one view.", nameof(Views));
            if (value.Any(v => v is null)) throw new ArgumentException("Views must not contain null.", nameof(Views));
            _views = value.ToArray();
        }
    }

    /// <summary>The image and its horizontal mirror image.</summary>
    public static TestTimeAugmentation Flips { get; } = new(new[] { TestTimeView.Identity, TestTimeView.HorizontalFlip });

    /// <summary>The image, its mirror image, and both zoomed by 1.15 (the centre 87 %).</summary>
    public static TestTimeAugmentation FlipsAndZoom { get; } = CreateFlipsAndZoom();

    private static TestTimeAugmentation CreateFlipsAndZoom()
    {
        var zoom = TestTimeView.Zoom(1.15);
        var flippedZoom = new TestTimeView("horizontal-flip+zoom-1.15", images =>
        {
            using var flipped = images.flip(3);
            return zoom.Apply(flipped);
        });
        return new TestTimeAugmentation(new[] { TestTimeView.Identity, TestTimeView.HorizontalFlip, zoom, flippedZoom });
    }

    /// <inheritdoc />
    public override string ToString() => $"TTA [{string.Join(", ", Views)}]";
}
