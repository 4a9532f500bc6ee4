namespace TransferLearning.Backbones;

/// <summary>The input transform a <see cref="Vgg16"/> backbone runs before its first convolution.</summary>
public enum Vgg16Preprocessing
{
    /// <summary>torchvision's ImageNet transform (RGB / 255, mean 0.485 0.456 0.406, std 0.229 0.224 0.225): matches torchvision weights. The default.</summary>
    ImageNet,

    /// <summary>Caffe / Keras <c>preprocess_input</c> (RGB→BGR, subtract 103.939 116.779 123.68): matches Keras' and Caffe's VGG16 weights.</summary>
    Caffe,

    /// <summary>None: the input goes to the first convolution as it is (for input that is already normalised).</summary>
    Identity,
}
