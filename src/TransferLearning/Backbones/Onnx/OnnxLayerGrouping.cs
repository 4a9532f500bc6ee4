namespace TransferLearning.Backbones.Onnx;

/// <summary>How <see cref="OnnxBackbone.Load"/> splits an imported graph into <see cref="LayerGroup"/>s for partial unfreezing.</summary>
public enum OnnxLayerGrouping
{
    /// <summary>
    /// <see cref="ModuleScope"/> when every weighted node carries the module-scoped name PyTorch's exporter writes
    /// (<c>/layer1/layer1.0/conv1/Conv</c>) and that gives at least two groups; otherwise <see cref="ResidualBlock"/>.
    /// </summary>
    Auto,

    /// <summary>
    /// One group per module of the exported network: its top-level children (<c>conv1</c>, <c>layer1</c> …
    /// <c>layer4</c> of a ResNet), descending into a child that holds more than half of its parent's weighted nodes
    /// (<c>features</c> of EfficientNet, MobileNet and ConvNeXt becomes <c>features.0</c> … <c>features.8</c>). A module
    /// with no convolution or matrix product of its own (a lone normalisation) joins the group before it.
    /// </summary>
    ModuleScope,

    /// <summary>
    /// In graph order, a group ends where exactly one value is live (every earlier path has merged, as at the end of a
    /// residual block) and the next node is a weighted Conv, Gemm or MatMul. Works on any graph, whatever its node names.
    /// </summary>
    ResidualBlock,
}
