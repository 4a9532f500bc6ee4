using TorchSharp.Modules;
using TransferLearning.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A pretrained feature extractor together with the preprocessing its weights expect and the metadata the trainer
/// needs (output channels, layer groups for partial unfreezing). Input: float N×3×H×W RGB batches with values
/// 0..255 on the module's device; preprocessing runs inside the model. <see cref="forward"/> returns one pooled
/// feature vector per image.
/// </summary>
/// <remarks>
/// Frozen layers do not require gradients, and their normalisation layers (batch and instance norm) stay in
/// inference mode even when the model is put in training mode — the Keras fine-tuning guide's advice, so that
/// fine-tuning the rest does not wreck their statistics. Set <see cref="TrainFrozenNormalization"/> to change that.
/// The backbone owns its feature extractor and preprocessing: <c>Dispose</c> frees every parameter and buffer of the
/// whole module tree (which TorchSharp 0.107's own <c>Module.Dispose</c> does not), so do not use them afterwards.
/// </remarks>
public class PretrainedBackbone : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _features;
    private readonly ImagePreprocessing _preprocessing;
    private readonly LayerGroup[] _groups;

    /// <summary>Wraps a feature extractor as a backbone.</summary>
    /// <param name="name">A short name saved with models, for example <c>vgg16</c>.</param>
    /// <param name="features">The feature extractor: preprocessed N×3×H×W → N×C×h×w. Registered under <paramref name="featuresModuleName"/>.</param>
    /// <param name="preprocessing">The preprocessing the weights expect. Registered as <c>preprocessing</c> (no persistent state).</param>
    /// <param name="outputChannels">C, the number of channels of the feature map.</param>
    /// <param name="layerGroups">Blocks of <paramref name="features"/> from input to output, for partial unfreezing. At least one.</param>
    /// <param name="pooling">How the feature map becomes a vector. Default: <see cref="PoolingMode.GlobalAverage"/>.</param>
    /// <param name="featuresModuleName">Name of the extractor in the state dict. Default <c>features</c> (torchvision's key prefix).</param>
    public PretrainedBackbone(string name, Module<Tensor, Tensor> features, ImagePreprocessing preprocessing, int outputChannels,
        IReadOnlyList<LayerGroup> layerGroups, PoolingMode pooling = PoolingMode.GlobalAverage, string featuresModuleName = "features")
        : base(name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(layerGroups);
        if (outputChannels <= 0) throw new ArgumentOutOfRangeException(nameof(outputChannels), $"outputChannels must be > 0; got {outputChannels}.");
        if (layerGroups.Count == 0) throw new ArgumentException("A backbone needs at least one layer group.", nameof(layerGroups));
        if (!Enum.IsDefined(pooling)) throw new ArgumentOutOfRangeException(nameof(pooling), $"Unknown pooling mode {pooling}.");
        TorchNative.EnsureLoaded();
        Name = name;
        OutputChannels = outputChannels;
        Pooling = pooling;
        _features = features;
        _preprocessing = preprocessing;
        _groups = layerGroups.ToArray();
        register_module(featuresModuleName, features);
        register_module("preprocessing", preprocessing);
    }

    /// <summary>
    /// Imports an ONNX CNN as a trainable backbone (the same as <see cref="Onnx.OnnxBackbone.Load"/>): Conv, BatchNormalization,
    /// pooling, element-wise and shape ops become TorchSharp modules whose weights can be fine-tuned.
    /// </summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">Output, preprocessing, pooling and name; <c>null</c> for the defaults. Copied.</param>
    public static PretrainedBackbone FromOnnx(string path, Onnx.OnnxImportOptions? options = null) => Onnx.OnnxBackbone.Load(path, options);

    /// <summary>A short name saved with models, for example <c>vgg16</c>.</summary>
    public string Name { get; }

    /// <summary>Number of channels of the feature map.</summary>
    public int OutputChannels { get; }

    /// <summary>How <see cref="forward"/> turns the feature map into a vector.</summary>
    public PoolingMode Pooling { get; }

    /// <summary>The preprocessing the weights expect, applied inside <see cref="forward"/> and <see cref="ExtractFeatureMap"/>.</summary>
    public ImagePreprocessing Preprocessing => _preprocessing;

    /// <summary>The feature extractor (after preprocessing).</summary>
    public Module<Tensor, Tensor> Features => _features;

    /// <summary>Blocks of layers from input to output, frozen and unfrozen together.</summary>
    public IReadOnlyList<LayerGroup> LayerGroups => _groups;

    /// <summary>
    /// Whether the normalisation layers of frozen groups follow <see cref="train"/> like the rest.
    /// Default <c>false</c>: they stay in inference mode (Keras' advice for fine-tuning).
    /// </summary>
    public bool TrainFrozenNormalization
    {
        get => _trainFrozenNormalization;
        set
        {
            _trainFrozenNormalization = value;
            ApplyFrozenNormalizationMode();
        }
    }

    private bool _trainFrozenNormalization;

    /// <summary>Whether every layer group is frozen.</summary>
    public bool IsFrozen => _groups.All(g => g.IsFrozen);

    /// <summary>Number of parameter values that currently require gradients.</summary>
    public long TrainableParameterCount => parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>Number of parameter values in total.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Freezes every layer group (Keras: <c>base_model.trainable = False</c>).</summary>
    public void Freeze() => SetTrainableGroups(0);

    /// <summary>Unfreezes every layer group (Keras: <c>base_model.trainable = True</c>).</summary>
    public void Unfreeze() => SetTrainableGroups(_groups.Length);

    /// <summary>Unfreezes the last <paramref name="lastBlocks"/> layer groups (the deepest) and freezes the others.</summary>
    /// <param name="lastBlocks">0 … <see cref="LayerGroups"/>.Count.</param>
    public void Unfreeze(int lastBlocks)
    {
        if (lastBlocks < 0 || lastBlocks > _groups.Length)
            throw new ArgumentOutOfRangeException(nameof(lastBlocks), $"lastBlocks must be between 0 and {_groups.Length} (the number of layer groups of {Name}); got {lastBlocks}.");
        SetTrainableGroups(lastBlocks);
    }

    private void SetTrainableGroups(int lastBlocks)
    {
        int firstTrainable = _groups.Length - lastBlocks;
        for (int i = 0; i < _groups.Length; i++)
        {
            bool frozen = i < firstTrainable;
            _groups[i].IsFrozen = frozen;
            foreach (var p in _groups[i].Parameters()) p.requires_grad = !frozen;
        }
        ApplyFrozenNormalizationMode();
    }

    /// <inheritdoc />
    public override void train(bool on = true)
    {
        base.train(on);
        ApplyFrozenNormalizationMode();
    }

    private void ApplyFrozenNormalizationMode()
    {
        // In inference mode everything is in inference mode already. In training mode, frozen groups' norm layers are put in
        // inference mode and the others follow the backbone (so Unfreeze while training turns them back on).
        if (!training) return;
        foreach (var group in _groups)
        {
            bool inference = group.IsFrozen && !TrainFrozenNormalization;
            // TorchSharp's modules() lists descendants only, not the module itself: a group of leaf layers needs both.
            foreach (var module in group.Modules.SelectMany(m => m.modules().Prepend(m)).OfType<NormBase>().Distinct())
                module.train(!inference);
        }
    }

    /// <summary>
    /// A factory's last step: loads <paramref name="weightsPath"/> (when not null) into the freshly built
    /// <paramref name="backbone"/> and returns it, or disposes it and rethrows when the file does not load.
    /// </summary>
    internal static T WithWeights<T>(T backbone, string? weightsPath, WeightsFormat format) where T : PretrainedBackbone
    {
        try
        {
            if (weightsPath is not null) backbone.LoadWeights(weightsPath, format);
            return backbone;
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads weights from a file into this backbone with strict checks: every parameter and persistent buffer of the model
    /// must be in the file with the same shape, and the file may hold no other key (except keys the backbone ignores, such
    /// as VGG16's <c>classifier.*</c> without the top). Nothing is changed when a check fails.
    /// </summary>
    /// <param name="path">A torchvision <c>.pth</c> (PyTorch zip or legacy format), <c>.safetensors</c> or TorchSharp (<c>module.save</c>) file.</param>
    /// <param name="format">The file's format. Default <see cref="WeightsFormat.Auto"/> (recognised from its first bytes).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, of an unsupported kind, or (for <c>.pth</c>) holds anything but tensors.</exception>
    /// <exception cref="WeightsMismatchException">A key is missing, unexpected, or has another shape; the message names the key and both shapes.</exception>
    public void LoadWeights(string path, WeightsFormat format = WeightsFormat.Auto)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stateDict = WeightsFile.Read(path, format);
        LoadWeights(stateDict, Path.GetFileName(path));
    }

    /// <summary>
    /// Copies a state dict (name → tensor, torchvision's key names) into this backbone with the strict checks of
    /// <see cref="LoadWeights(string, WeightsFormat)"/>. The tensors are copied; the caller keeps ownership of <paramref name="stateDict"/>.
    /// </summary>
    /// <param name="stateDict">The weights by key.</param>
    /// <param name="sourceName">Names the source in error messages, for example a file name.</param>
    /// <exception cref="WeightsMismatchException">A key is missing, unexpected, or has another shape.</exception>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> stateDict, string sourceName = "state dict")
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        StateDictLoader.Apply(WeightsModule, stateDict, sourceName, IsIgnoredWeightKey, IgnoredWeightKeysDescription, Name);
    }

    /// <summary>
    /// The module whose state-dict keys a weights file names. Default: the backbone itself (VGG16's files name
    /// <c>features.0.weight</c> …, its extractor's keys under the <c>features</c> prefix). torchvision's ResNet files name the
    /// trunk's keys with no prefix (<c>conv1.weight</c>), so <see cref="ResNetBackbone"/> returns its trunk.
    /// </summary>
    protected virtual Module WeightsModule => this;

    /// <summary>Whether a key of a weights file that the model lacks is skipped instead of refused. Default: none is.</summary>
    /// <param name="key">A state-dict key of the file.</param>
    protected virtual bool IsIgnoredWeightKey(string key) => false;

    /// <summary>Explains <see cref="IsIgnoredWeightKey"/> in error messages; empty when nothing is ignored.</summary>
    protected virtual string IgnoredWeightKeysDescription => "";

    /// <summary>
    /// A module that <see cref="Pool"/> applies to the pooled map before flattening it: to N×C×1×1 after global pooling, to the
    /// whole N×C×h×w map with <see cref="PoolingMode.Flatten"/> (so it must work per position). Default <c>null</c>: none.
    /// <see cref="ConvNeXtBackbone"/> returns torchvision's <c>classifier.0</c> (a LayerNorm2d over the channels), which is part of
    /// the feature vector torchvision's final linear layer sees. A subclass registers the module as its child (so it is saved,
    /// moved and freed with the backbone) and puts it in a layer group.
    /// </summary>
    protected internal virtual Module<Tensor, Tensor>? PooledNormalization => null;

    /// <summary>Preprocesses a 0..255 RGB batch and runs the feature extractor: N×3×H×W → N×C×h×w. Returns a new tensor.</summary>
    public Tensor ExtractFeatureMap(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"{Name} expects an N x 3 x H x W batch; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (images.dtype != ScalarType.Float32 && images.dtype != ScalarType.Float16 && images.dtype != ScalarType.BFloat16)
            throw new ArgumentException($"{Name} expects floating-point images with values 0..255; got dtype {images.dtype}.", nameof(images));
        using var scope = NewDisposeScope();
        var map = _features.forward(_preprocessing.forward(images));
        return map.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pools a feature map N×C×h×w into N×C (or N×(C·h·w) for <see cref="PoolingMode.Flatten"/>), through
    /// <see cref="PooledNormalization"/> when the backbone has one. Returns a new tensor.
    /// </summary>
    public Tensor Pool(Tensor featureMap)
    {
        ArgumentNullException.ThrowIfNull(featureMap);
        if (PooledNormalization is { } normalization)
        {
            using var scope = NewDisposeScope();
            var pooled = Pooling switch
            {
                PoolingMode.GlobalAverage => featureMap.mean(new long[] { 2, 3 }, keepdim: true),
                PoolingMode.GlobalMax => featureMap.amax(new long[] { 2, 3 }, keepdim: true),
                _ => featureMap,
            };
            return normalization.forward(pooled).flatten(1).MoveToOuterDisposeScope();
        }
        return Pooling switch
        {
            PoolingMode.GlobalAverage => featureMap.mean(new long[] { 2, 3 }),
            PoolingMode.GlobalMax => featureMap.amax(new long[] { 2, 3 }),
            _ => featureMap.flatten(1),
        };
    }

    /// <summary>Preprocesses, extracts and pools: N×3×H×W (0..255 RGB) → N×D. Returns a new tensor.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return Pool(ExtractFeatureMap(images)).MoveToOuterDisposeScope();
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
