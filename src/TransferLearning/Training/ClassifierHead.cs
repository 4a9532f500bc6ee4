using TransferLearning.Backbones;
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
    private readonly Generator? _generator;

    /// <summary>
    /// Creates a head with PyTorch's default <c>Linear</c> initialisation (weights and bias uniform in ±1/√inputFeatures),
    /// drawn from <paramref name="generator"/>, which also draws the dropout masks.
    /// </summary>
    /// <param name="inputFeatures">Length of the pooled feature vector.</param>
    /// <param name="classCount">Number of classes (≥ 2).</param>
    /// <param name="dropout">Dropout probability in [0, 1); 0 for none.</param>
    /// <param name="generator">
    /// The random source of initialisation and dropout, on the device the head will run on; <c>null</c> for torch's global
    /// generator (which other threads share, so results may then not be reproducible). The caller keeps ownership.
    /// </param>
    public ClassifierHead(int inputFeatures, int classCount, double dropout, Generator? generator = null) : base("ClassifierHead")
    {
        if (inputFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inputFeatures), $"inputFeatures must be >= 1; got {inputFeatures}.");
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), $"A classifier needs at least 2 classes; got {classCount}.");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), $"dropout must be in [0, 1); got {dropout}.");
        TorchNative.EnsureLoaded();
        InputFeatures = inputFeatures;
        ClassCount = classCount;
        DropoutProbability = dropout;
        _generator = generator;
        linear = ModuleTensors.Build(() => Linear(inputFeatures, classCount, device: generator?.device));
        double bound = 1 / Math.Sqrt(inputFeatures);
        using (no_grad())
        {
            // Drawn with rand: TorchSharp 0.107's init.uniform_ ignores its generator argument.
            foreach (var parameter in new[] { linear.weight!, linear.bias! })
            {
                using var values = rand(parameter.shape, device: parameter.device, generator: generator);
                parameter.copy_(values.mul_(2 * bound).sub_(bound));
            }
        }
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
        var x = features;
        if (training && DropoutProbability > 0)
        {
            // Inverted dropout with the head's own generator (functional.dropout only draws from the global one).
            var keep = rand(features.shape, dtype: features.dtype, device: features.device, generator: _generator).ge_(DropoutProbability);
            x = features * keep / (1 - DropoutProbability);
        }
        return linear.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Frees every parameter and buffer of this module and its children, then the modules (TorchSharp 0.107's
    /// <c>Module.Dispose</c> leaves children's tensors alive).
    /// </summary>
    /// <param name="disposing"><c>true</c> from <c>Dispose()</c>; <c>false</c> from the finalizer, which frees nothing managed.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing) ModuleTensors.DisposeTree(this);
        base.Dispose(disposing);
    }
}
