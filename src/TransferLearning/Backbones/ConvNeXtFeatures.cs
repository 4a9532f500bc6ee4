using System.Globalization;
using TorchSharp.Modules;
using TransferLearning.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A ConvNeXt trunk in torchvision's exact layout, torchvision's <c>ConvNeXt.features</c>: <c>0</c> the stem (<c>0.0</c> a 4×4
/// stride-4 convolution, <c>0.1</c> a LayerNorm2d with eps 1e-6), then per stage a <c>Sequential</c> of blocks
/// (<c>1.0.layer_scale</c>, <c>1.0.block.0.weight</c> …) followed, when the stage has <see cref="ConvNeXtBlockConfig.OutputChannels"/>,
/// by a downsampling <c>Sequential</c> (<c>2.0</c> a LayerNorm2d, <c>2.1</c> a 2×2 stride-2 convolution). Registered as
/// <c>features</c> in a <see cref="ConvNeXtBackbone"/>, so torchvision's <c>features.*</c> keys load by name. Output:
/// N×<see cref="OutputChannels"/>×H/s×W/s with s = 4 · 2^(number of downsampling layers) (32 for the published sizes).
/// <see cref="ConvNeXt"/> builds a whole backbone.
/// </summary>
public sealed class ConvNeXtFeatures : Module<Tensor, Tensor>
{
    /// <summary>The eps of every LayerNorm2d (torchvision: <c>partial(LayerNorm2d, eps=1e-6)</c>).</summary>
    internal const double NormEps = 1e-6;

    private readonly Module<Tensor, Tensor>[] _children;
    private readonly Sequential[] _stages;
    private readonly Sequential?[] _downsamples;
    private readonly double[] _blockProbabilities;

    /// <summary>
    /// Builds a trunk with torchvision's random initialisation (truncated-normal convolutions and linears with std 0.02 and zero
    /// biases, layer norms at weight 1 and bias 0, every <c>layer_scale</c> at <paramref name="layerScale"/>), on the CPU.
    /// </summary>
    /// <param name="blockConfigs">The stages, from input to output (torchvision's <c>block_setting</c>); <see cref="ConvNeXt.GetBlockConfigs"/> lists the published ones. Copied.</param>
    /// <param name="stochasticDepthProbability">The last block's stochastic-depth probability, 0 … 1; block <c>i</c> of <c>n</c> gets <c>p · i / (n − 1)</c> (0 for a single block). Default 0 (torchvision's <c>ConvNeXt</c> class; its builders use 0.1 for Tiny).</param>
    /// <param name="layerScale">The initial value of every block's <c>layer_scale</c>. Default 1e-6 (torchvision's).</param>
    /// <exception cref="ArgumentException">The stages do not chain (a stage's input channels differ from what the one before hands on), or the list is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The probability is outside 0 … 1 or the layer scale is not finite.</exception>
    public ConvNeXtFeatures(IReadOnlyList<ConvNeXtBlockConfig> blockConfigs, double stochasticDepthProbability = 0.0, double layerScale = 1e-6)
        : base("ConvNeXtFeatures")
    {
        ConvNeXtBlockConfig.ValidateChain(blockConfigs, nameof(blockConfigs));
        if (!(stochasticDepthProbability >= 0 && stochasticDepthProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(stochasticDepthProbability), $"stochasticDepthProbability must be between 0 and 1; got {stochasticDepthProbability}.");
        if (!double.IsFinite(layerScale)) throw new ArgumentOutOfRangeException(nameof(layerScale), $"layerScale must be finite; got {layerScale}.");
        TorchNative.EnsureLoaded();
        BlockConfigs = blockConfigs.ToArray();
        StochasticDepthProbability = stochasticDepthProbability;
        OutputChannels = BlockConfigs[^1].OutputWidth;

        // Each part in a dispose scope that keeps only its own tensors (TorchSharp's initialisers leave others behind).
        int first = BlockConfigs[0].InputChannels;
        // Module fields would be registered by TorchSharp under their own names: the parts live in arrays, registered as "0", "1" ….
        var stem = ModuleTensors.Build(() => Sequential(
            ("0", Conv2d(3, first, kernel_size: 4, stride: 4, padding: 0L, bias: true)),
            ("1", new LayerNorm2d(first, NormEps))));
        var children = new List<Module<Tensor, Tensor>> { stem };
        _stages = new Sequential[BlockConfigs.Count];
        _downsamples = new Sequential?[BlockConfigs.Count];
        int totalBlocks = BlockConfigs.Sum(c => c.Layers), blockId = 0;
        _blockProbabilities = new double[totalBlocks];
        for (int s = 0; s < BlockConfigs.Count; s++)
        {
            var config = BlockConfigs[s];
            var blocks = new List<(string, Module<Tensor, Tensor>)>();
            for (int i = 0; i < config.Layers; i++, blockId++)
            {
                // torchvision: sd_prob = stochastic_depth_prob * stage_block_id / (total_stage_blocks - 1.0) (it divides by zero for one block).
                double p = totalBlocks > 1 ? stochasticDepthProbability * blockId / (totalBlocks - 1.0) : 0.0;
                _blockProbabilities[blockId] = p;
                blocks.Add((i.ToString(CultureInfo.InvariantCulture), ModuleTensors.Build(() => new ConvNeXtBlock(config.InputChannels, layerScale, p))));
            }
            _stages[s] = Sequential(blocks);
            children.Add(_stages[s]);
            if (config.OutputChannels is { } output)
            {
                _downsamples[s] = ModuleTensors.Build(() => Sequential(
                    ("0", new LayerNorm2d(config.InputChannels, NormEps)),
                    ("1", Conv2d(config.InputChannels, output, kernel_size: 2, stride: 2, padding: 0L, bias: true))));
                children.Add(_downsamples[s]!);
            }
        }
        _children = children.ToArray();
        for (int i = 0; i < _children.Length; i++) register_module(i.ToString(CultureInfo.InvariantCulture), _children[i]);

        // torchvision's ConvNeXt.__init__: trunc_normal_(std=0.02) on every Conv2d and Linear weight, zeros on their biases.
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var module in modules())
        {
            var (weight, bias) = module switch
            {
                Conv2d conv => (conv.weight, conv.bias),
                Linear linear => (linear.weight, linear.bias),
                _ => (null, null),
            };
            // Truncated at ±2 (absolute, torchvision's a and b), i.e. at ±100 std: a normal draw clamped there has the same
            // distribution. (TorchSharp 0.107's init.trunc_normal_ with std 0.02 returned values of std ~2e-9.)
            if (weight is not null) init.normal_(weight, 0.0, 0.02).clamp_(-2.0, 2.0);
            if (bias is not null) init.zeros_(bias);
        }
    }

    /// <summary>The stages, from input to output.</summary>
    public IReadOnlyList<ConvNeXtBlockConfig> BlockConfigs { get; }

    /// <summary>The last block's stochastic-depth probability (the others' grow linearly from 0 to it).</summary>
    public double StochasticDepthProbability { get; }

    /// <summary>Each block's stochastic-depth probability, in order (torchvision's linear schedule).</summary>
    public IReadOnlyList<double> BlockStochasticDepthProbabilities => _blockProbabilities;

    /// <summary>Number of channels of the feature map: the last stage's <see cref="ConvNeXtBlockConfig.OutputWidth"/> (768 for Tiny).</summary>
    public int OutputChannels { get; }

    /// <summary><c>features.0</c>, the stem.</summary>
    internal Sequential Stem => (Sequential)_children[0];

    /// <summary>Each stage's blocks (<c>features.1</c>, <c>features.3</c> … for the published sizes).</summary>
    internal IReadOnlyList<Sequential> Stages => _stages;

    /// <summary>The downsampling layer after each stage, or <c>null</c> where the stage has none.</summary>
    internal IReadOnlyList<Sequential?> Downsamples => _downsamples;

    /// <summary>Runs the trunk: preprocessed N×3×H×W → N×<see cref="OutputChannels"/>×h×w. Returns a new tensor.</summary>
    /// <param name="input">The preprocessed batch; not modified.</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var child in _children) x = child.forward(x);
        return x.MoveToOuterDisposeScope();
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
