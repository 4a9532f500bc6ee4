using TransferLearning.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Training;

/// <summary>
/// The classifier on top of a backbone's pooled features: optional dropout, then one linear layer emitting logits
/// (no softmax: the loss takes logits; probabilities exist only in <see cref="TransferTrainer.Predict(Tensor)"/>).
/// State-dict keys: <c>linear.weight</c>, <c>linear.bias</c>.
/// </summary>
public sealed class ClassifierHead : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear linear;

    /// <summary>Creates a head with PyTorch's default initialisation (drawn from torch's generator).</summary>
    /// <param name="inputFeatures">Length of the pooled feature vector.</param>
    /// <param name="classCount">Number of classes (≥ 2).</param>
    /// <param name="dropout">Dropout probability in [0, 1); 0 for none.</param>
    public ClassifierHead(int inputFeatures, int classCount, double dropout) : base("ClassifierHead")
    {
        if (inputFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inputFeatures), $"inputFeatures must be >= 1; got {inputFeatures}.");
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), $"A classifier needs at least 2 classes; got {classCount}.");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), $"dropout must be in [0, 1); got {dropout}.");
        TorchNative.EnsureLoaded();
        InputFeatures = inputFeatures;
        ClassCount = classCount;
        DropoutProbability = dropout;
        linear = Linear(inputFeatures, classCount);
        RegisterComponents();
    }

    /// <summary>Length of the feature vector.</summary>
    public int InputFeatures { get; }

    /// <summary>Number of classes (logits per image).</summary>
    public int ClassCount { get; }

    /// <summary>Dropout probability applied in training mode.</summary>
    public double DropoutProbability { get; }

    /// <summary>N×D features → N×classes logits. Returns a new tensor.</summary>
    public override Tensor forward(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = DropoutProbability > 0 ? functional.dropout(features, DropoutProbability, training) : features;
        return linear.forward(x).MoveToOuterDisposeScope();
    }
}
