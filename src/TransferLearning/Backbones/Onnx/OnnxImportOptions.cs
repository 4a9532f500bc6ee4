namespace TransferLearning.Backbones.Onnx;

/// <summary>How <see cref="OnnxBackbone.Load"/> turns an ONNX file into a <see cref="PretrainedBackbone"/>. Values are copied when loading.</summary>
public sealed class OnnxImportOptions
{
    /// <summary>
    /// The backbone's short name saved with models. Default <c>null</c>: the file name without extension, lower case.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The feature output: a node name or a value (tensor) name of the graph. Default <c>null</c>: the input of the
    /// head's global pooling when the head is a chain from one (GlobalAveragePool, GlobalMaxPool, ReduceMean or
    /// ReduceMax over the spatial axes, or an AveragePool/MaxPool whose declared output is N×C×1×1, followed by
    /// anything but convolutions — torchvision's classifiers); else the last value before the classifier tail —
    /// walking back from the graph output through Gemm, MatMul (+ bias Add), Flatten, Reshape, Squeeze, Softmax,
    /// Dropout, Identity and a final global pooling. The output must be an N×C×h×w map.
    /// </summary>
    public string? OutputName { get; set; }

    /// <summary>
    /// The preprocessing the weights expect, given explicitly. Default <c>null</c>: taken from
    /// <see cref="PreprocessingModelPath"/> when set, else <see cref="ImagePreprocessing.Identity"/> (the graph gets
    /// 0..255 RGB as it is). Set at most one of the two.
    /// </summary>
    public ImagePreprocessing? Preprocessing { get; set; }

    /// <summary>
    /// A second ONNX graph that preprocesses 0..255 RGB images for the model (like ResNetPreprocess.onnx), reduced to
    /// a per-channel <see cref="ImagePreprocessing"/> by <see cref="OnnxPreprocessing.FromOnnx"/>. Default <c>null</c>.
    /// </summary>
    public string? PreprocessingModelPath { get; set; }

    /// <summary>
    /// When <see cref="PreprocessingModelPath"/> subtracts a mean image (an offset that varies over the image): whether
    /// the per-pixel part of it (mean image minus its per-channel means) is added back as the first step of the
    /// features, kept as the buffer <c>features.input_offset</c> and bilinearly resized when the input size differs
    /// from the graph's. Default <c>true</c>: at the graph's size the result equals the preprocessing graph exactly.
    /// <c>false</c>: only the per-channel means of <see cref="PretrainedBackbone.Preprocessing"/> are subtracted.
    /// </summary>
    public bool ExactMeanImage { get; set; } = true;

    /// <summary>How the feature map becomes a vector. Default <see cref="PoolingMode.GlobalAverage"/>.</summary>
    public PoolingMode Pooling { get; set; } = PoolingMode.GlobalAverage;

    /// <summary>
    /// Height and width of the probe image used at load time to check the graph and measure its output channels.
    /// Default <c>null</c>: the graph input's declared size when fixed, else 224.
    /// </summary>
    public int? ProbeSize { get; set; }

    /// <summary>
    /// How the graph is split into <see cref="PretrainedBackbone.LayerGroups"/>. Default <see cref="OnnxLayerGrouping.Auto"/>:
    /// by module (<c>layer1</c> … <c>layer4</c>, <c>features.0</c> … <c>features.8</c>) for graphs from PyTorch's exporter,
    /// by residual block for others (the packaged CNTK ResNet18: its stem and nine blocks).
    /// </summary>
    public OnnxLayerGrouping LayerGrouping { get; set; } = OnnxLayerGrouping.Auto;

    internal OnnxImportOptions Copy() => (OnnxImportOptions)MemberwiseClone();
}
