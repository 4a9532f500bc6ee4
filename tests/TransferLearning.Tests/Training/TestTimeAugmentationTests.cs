using TransferLearning.Backbones;
using TransferLearning.Data;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

public sealed class TestTimeAugmentationTests
{
    private static TransferTrainer TrainedTrainer(PretrainedBackbone backbone, TensorBatchSource train)
    {
        var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 2, fineTuneEpochs: 0));
        trainer.Fit(train);
        return trainer;
    }

    [Fact]
    public void An_identity_view_predicts_exactly_what_plain_prediction_does()
    {
        var (train, valid) = Sources(trainPerClass: 6, validPerClass: 3, batchSize: 6);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        using var trainer = TrainedTrainer(backbone, train);
        var identity = new TestTimeAugmentation(new[] { TestTimeView.Identity });

        var plain = trainer.Evaluate(valid);
        var tta = trainer.Evaluate(valid, identity);

        Assert.Equal(plain.Accuracy, tta.Accuracy);
        Assert.Equal(plain.Loss, tta.Loss, 5);
        for (int i = 0; i < plain.Predictions.Count; i++)
        {
            Assert.Equal(plain.Predictions[i].ClassIndex, tta.Predictions[i].ClassIndex);
            for (int c = 0; c < Classes.Length; c++)
                Assert.Equal(plain.Predictions[i].Probabilities[c], tta.Predictions[i].Probabilities[c], 5);
        }
    }

    [Fact]
    public void Flips_average_the_probabilities_of_the_image_and_its_mirror_image()
    {
        var (train, _) = Sources(trainPerClass: 6, validPerClass: 1, batchSize: 6);
        using var _t = train;
        using var backbone = TinyBackbone();
        using var trainer = TrainedTrainer(backbone, train);
        var (images, _) = Draw(2, seed: 99);
        using var _i = images;
        using var mirrored = images.flip(3);

        var plain = trainer.Predict(images);
        var mirror = trainer.Predict(mirrored);
        var averaged = trainer.Predict(images, TestTimeAugmentation.Flips);

        for (int i = 0; i < plain.Count; i++)
        {
            for (int c = 0; c < Classes.Length; c++)
                Assert.Equal((plain[i].Probabilities[c] + mirror[i].Probabilities[c]) / 2, averaged[i].Probabilities[c], 5);
            Assert.Equal(1.0, averaged[i].Probabilities.Sum(p => (double)p), 5);
            // The logits are the log of the averaged probabilities.
            Assert.Equal(Math.Log(averaged[i].Probabilities[0]), averaged[i].Logits[0], 4);
        }
    }

    [Fact]
    public void Zoom_magnifies_the_centre_and_keeps_the_shape()
    {
        using var image = arange(16, dtype: ScalarType.Float32).reshape(1, 1, 4, 4).expand(1, 3, 4, 4).contiguous();
        var view = TestTimeView.Zoom(2);
        using var scope = NewDisposeScope();
        var zoomed = view.Apply(image);

        Assert.Equal(image.shape, zoomed.shape);
        // The centre 2x2 block (5, 6, 9, 10) resized to 4x4: the corners are the block's corners.
        Assert.Equal(5f, zoomed[0, 0, 0, 0].item<float>(), 4);
        Assert.Equal(10f, zoomed[0, 0, 3, 3].item<float>(), 4);
        Assert.Equal("zoom-2", view.Name);
        Assert.Throws<ArgumentOutOfRangeException>(() => TestTimeView.Zoom(1));
    }

    [Fact]
    public void Bad_views_are_refused_with_the_views_name()
    {
        Assert.Throws<ArgumentException>(() => new TestTimeAugmentation(Array.Empty<TestTimeView>()));
        Assert.Throws<ArgumentException>(() => new TestTimeAugmentation(new TestTimeView[] { null! }));
        var (train, _) = Sources(trainPerClass: 2, validPerClass: 1, batchSize: 6);
        using var _t = train;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(0, 0));
        var cropping = new TestTimeAugmentation(new[] { new TestTimeView("bad-crop", images => images.narrow(2, 0, 8)) });
        using var images = zeros(2, 3, TrainingTestData.Size, TrainingTestData.Size);

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Predict(images, cropping));
        Assert.Contains("bad-crop", error.Message);
    }
}
