using TransferLearning.Backbones.Onnx.Proto;
using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx;

/// <summary>
/// Imports an ONNX CNN as a trainable <see cref="PretrainedBackbone"/>: initializers become parameters (weights) and
/// buffers (normalisation statistics, constants), the batch dimension is dynamic, and layer groups for partial
/// unfreezing follow the exported modules or, for other graphs, the residual blocks (<see cref="OnnxImportOptions.LayerGrouping"/>). <see cref="LoadGraph"/> imports a whole graph (a classifier with its logits) as a
/// trainable module instead. Supported ops (ai.onnx opsets 7–22): Conv, BatchNormalization, LayerNormalization, Relu,
/// LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Erf, Sqrt, Clip, MaxPool, AveragePool, GlobalAveragePool, ReduceMean,
/// ReduceSum, ReduceMax, ReduceMin, Add, Sub, Mul, Div, Pow, Equal, Where, Concat, Split, Slice, Gather, Flatten,
/// Reshape, Unsqueeze, Squeeze, Transpose, Expand, Shape, ConstantOfShape, Cast, Gemm, MatMul, Softmax, LogSoftmax, Pad,
/// Dropout, Identity, Constant. Nodes whose inputs are all constants are folded at import; shape arithmetic on run-time
/// values (Shape, Gather, Concat, Reshape of a computed target) runs with the graph, so the batch stays dynamic.
/// Anything else is an <see cref="OnnxImportException"/>, never a silently different graph.
/// </summary>
public static class OnnxBackbone
{
    /// <summary>The NuGet package that ships the pretrained ResNet18 used by <see cref="ResNet18FromPackage"/>.</summary>
    public const string ResNet18PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The version of <see cref="ResNet18PackageId"/> the importer was verified with.</summary>
    public const string ResNet18PackageVersion = "0.23.1";

    /// <summary>Where the package's props file copies the model, relative to the app's folder.</summary>
    public static readonly string ResNet18RelativePath = Path.Combine("DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>Where the package's props file copies the preprocessing graph, relative to the app's folder.</summary>
    public static readonly string ResNet18PreprocessRelativePath = Path.Combine("DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>Imports the ONNX model at <paramref name="path"/> as a backbone.</summary>
    /// <param name="path">The .onnx file (weights inside it; external data files are refused).</param>
    /// <param name="options">Output, preprocessing, pooling and name. Default: <see cref="OnnxImportOptions"/>' defaults. Copied.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxImportException">The graph uses an unsupported op, opset, attribute value or data layout.</exception>
    public static PretrainedBackbone Load(string path, OnnxImportOptions? options = null)
    {
        var o = (options ?? new OnnxImportOptions()).Copy();
        if (o.Preprocessing is not null && o.PreprocessingModelPath is not null)
            throw new ArgumentException("Set either Preprocessing or PreprocessingModelPath, not both.", nameof(options));
        if (!Enum.IsDefined(o.Pooling)) throw new ArgumentOutOfRangeException(nameof(options), $"Unknown pooling mode {o.Pooling}.");
        if (!Enum.IsDefined(o.LayerGrouping)) throw new ArgumentOutOfRangeException(nameof(options), $"Unknown OnnxLayerGrouping value {(int)o.LayerGrouping}.");
        if (o.ProbeSize is <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"ProbeSize must be > 0; got {o.ProbeSize}.");
        var model = OnnxModelFile.Read(path, nameof(path));
        TorchNative.EnsureLoaded();
        // In a dispose scope that keeps only the backbone's own tensors: the import's temporaries are freed here.
        return ModuleTensors.Build(() => Import(model, path, o));
    }

    /// <summary>
    /// Imports the ONNX model at <paramref name="path"/> whole, as a trainable module from the image batch to the
    /// graph's own output (logits of any rank; see <see cref="OnnxGraphImportOptions.OutputName"/>): weights become
    /// parameters (an initializer read by several nodes through Identity becomes one parameter per reader, as in the
    /// model the file was exported from), the batch dimension is dynamic. The module starts in training mode, like any
    /// new module: call <c>eval()</c> for inference. Disposing it frees its tensors.
    /// </summary>
    /// <param name="path">The .onnx file (weights inside it; external data files are refused).</param>
    /// <param name="options">Output and name. Default: <see cref="OnnxGraphImportOptions"/>' defaults. Copied.</param>
    /// <returns>The imported graph; its input is the graph's single non-initializer input.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxImportException">The graph uses an unsupported op, opset, attribute value or data layout.</exception>
    public static TorchSharp.torch.nn.Module<Tensor, Tensor> LoadGraph(string path, OnnxGraphImportOptions? options = null)
    {
        var o = (options ?? new OnnxGraphImportOptions()).Copy();
        var model = OnnxModelFile.Read(path, nameof(path));
        TorchNative.EnsureLoaded();
        string name = string.IsNullOrWhiteSpace(o.Name) ? Path.GetFileNameWithoutExtension(path).ToLowerInvariant() : o.Name!;
        return ModuleTensors.Build(() => OnnxGraphImporter.Import(model, $"ONNX model '{path}'", o.OutputName, name, wholeGraph: true));
    }

    private static PretrainedBackbone Import(ModelProto model, string path, OnnxImportOptions o)
    {
        string name = string.IsNullOrWhiteSpace(o.Name) ? Path.GetFileNameWithoutExtension(path).ToLowerInvariant() : o.Name!;
        string source = $"ONNX model '{path}'";
        var features = OnnxGraphImporter.Import(model, source, o.OutputName, "features");
        try
        {
            var input = model.Graph.Input.First(i => i.Name == features.InputName);
            var dims = input.Type?.TensorType?.Shape?.Dim;
            if (dims is { Count: > 0 } && (dims.Count != 4 || (dims[1].DimValue is not (0 or 3))))
                throw new OnnxImportException($"{source}: graph input '{input.Name}' must be N x 3 x H x W; declared [{string.Join(", ", dims.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString()))}].");
            var (height, width) = OnnxPreprocessing.DeclaredSize(input, 224);
            if (o.ProbeSize is int probe) (height, width) = (probe, probe);
            long channels;
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                features.eval();
                var map = features.forward(zeros(1, 3, height, width));
                if (map.dim() != 4)
                    throw new OnnxImportException($"{source}: the feature output '{features.OutputName}' has shape [{string.Join(", ", map.shape)}], not N x C x h x w; choose a convolutional output with OnnxImportOptions.OutputName.");
                channels = map.shape[1];
                features.train();
            }
            Tensor? residual = null;
            var preprocessing = o.Preprocessing
                ?? (o.PreprocessingModelPath is not null ? OnnxPreprocessing.Read(o.PreprocessingModelPath, "onnx", out residual) : ImagePreprocessing.Identity());
            if (residual is not null)
            {
                if (o.ExactMeanImage) features.SetInputOffset(residual);
                residual.Dispose();
            }
            var layerGroups = OnnxLayerGroups.Split(features.Nodes, features.InputName, features.OutputName, o.LayerGrouping).Select(g => new LayerGroup(g.Name, g.Nodes)).ToArray();
            return new PretrainedBackbone(name, features, preprocessing, (int)channels, layerGroups, o.Pooling);
        }
        catch
        {
            features.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The ImageNet-pretrained ResNet18 of the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (0.23.1),
    /// read from the folder the package's build props copy it to: <c>DnnImageModels/</c> next to the app
    /// (<see cref="AppContext.BaseDirectory"/>). Works offline. Features: the 512-channel map before the final
    /// 7×7 average pooling (7×7 at 224×224 input; the spatial size is dynamic, down to 32×32), pooled by the backbone; preprocessing:
    /// the package's BGR mean-image subtraction: per-channel means in <see cref="PretrainedBackbone.Preprocessing"/>,
    /// the per-pixel rest inside the features (see <see cref="OnnxImportOptions.ExactMeanImage"/>).
    /// Ten layer groups: the stem and the nine residual blocks of this CNTK export.
    /// </summary>
    /// <param name="options">Overrides (name defaults to <c>resnet18</c>; preprocessing to the package's graph). Copied.</param>
    /// <param name="directory">Folder holding <c>DnnImageModels/</c>. Default <c>null</c>: <see cref="AppContext.BaseDirectory"/>.</param>
    /// <exception cref="FileNotFoundException">The files are not there: the app does not reference the package.</exception>
    public static PretrainedBackbone ResNet18FromPackage(OnnxImportOptions? options = null, string? directory = null)
    {
        string root = directory ?? AppContext.BaseDirectory;
        string model = Path.Combine(root, ResNet18RelativePath);
        string prep = Path.Combine(root, ResNet18PreprocessRelativePath);
        foreach (var file in new[] { model, prep })
            if (!File.Exists(file))
                throw new FileNotFoundException(
                    $"'{file}' was not found. Reference the NuGet package {ResNet18PackageId} {ResNet18PackageVersion} from the app's project " +
                    $"(<PackageReference Include=\"{ResNet18PackageId}\" Version=\"{ResNet18PackageVersion}\" />); its build props copy DnnImageModels/ into the output folder.",
                    file);
        var o = (options ?? new OnnxImportOptions()).Copy();
        o.Name ??= "resnet18";
        if (o.Preprocessing is null) o.PreprocessingModelPath ??= prep;
        return Load(model, o);
    }
}
