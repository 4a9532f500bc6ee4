using TransferLearning.Training;

namespace TransferLearning.Tests.Training;

public sealed class RecipePresetTests
{
    [Fact]
    public void The_keras_preset_is_the_seed_recipe_exactly()
    {
        var keras = TransferTrainerOptions.Keras;
        Assert.Equal((10, OptimizerKind.Adam, 1e-3), (keras.HeadPhase.Epochs, keras.HeadPhase.Optimizer, keras.HeadPhase.LearningRate));
        Assert.Equal((10, OptimizerKind.RmsProp, 1e-5), (keras.FineTunePhase.Epochs, keras.FineTunePhase.Optimizer, keras.FineTunePhase.LearningRate));
        Assert.Null(keras.FineTunePhase.UnfreezeLastBlocks); // the whole backbone
        Assert.False(keras.FineTunePhase.TrainNormalization);
        Assert.Equal(1.0, keras.FineTunePhase.EarlierBlocksLearningRateFactor);
        Assert.Equal(0, keras.FineTunePhase.MinimumLearningRateFactor);
        Assert.Equal(LearningRateSchedule.Constant, keras.FineTunePhase.Schedule);
        Assert.Equal(0, keras.LabelSmoothing);
        Assert.Equal(0, keras.FineTunePhase.WeightDecay);
    }

    [Fact]
    public void The_default_preset_is_what_new_options_give_and_is_the_one_cycle_recipe()
    {
        var fresh = new TransferTrainerOptions();
        Assert.Equal(TransferTrainerOptions.Default.HeadPhase, fresh.HeadPhase);
        Assert.Equal(TransferTrainerOptions.Default.FineTunePhase, fresh.FineTunePhase);
        Assert.Equal(TransferTrainerOptions.Default.LabelSmoothing, fresh.LabelSmoothing);
        var fine = fresh.FineTunePhase;
        Assert.Equal(LearningRateScheduleKind.OneCycle, fine.Schedule.Kind);
        Assert.Equal(OptimizerKind.AdamW, fine.Optimizer);
        Assert.False(fine.TrainNormalization);
        Assert.InRange(fine.EarlierBlocksLearningRateFactor, 0.01, 0.99);
        Assert.Null(fine.UnfreezeLastBlocks);
        Assert.InRange(fine.MinimumLearningRateFactor, 1e-4, 0.05);
        Assert.InRange(fresh.LabelSmoothing, 0.01, 0.3);
    }
}
