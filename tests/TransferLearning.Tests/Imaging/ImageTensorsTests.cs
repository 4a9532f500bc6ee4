using SkiaSharp;
using TransferLearning.Imaging;

namespace TransferLearning.Tests.Imaging;

public sealed class ImageTensorsTests
{
    [Fact]
    public void A_png_encoded_and_decoded_by_SkiaSharp_becomes_an_RGB_CHW_tensor_in_0_to_255()
    {
        using var source = new SKBitmap(new SKImageInfo(4, 3, SKColorType.Rgba8888, SKAlphaType.Premul));
        source.Erase(new SKColor(10, 20, 30));
        source.SetPixel(1, 2, new SKColor(200, 100, 50));
        using var data = source.Encode(SKEncodedImageFormat.Png, 100);
        using var decoded = SKBitmap.Decode(data);

        using var image = ImageTensors.FromBitmap(decoded);

        Assert.Equal(new long[] { 3, 3, 4 }, image.shape);
        Assert.Equal(10f, image[0, 0, 0].item<float>());
        Assert.Equal(20f, image[1, 0, 0].item<float>());
        Assert.Equal(30f, image[2, 0, 0].item<float>());
        Assert.Equal(200f, image[0, 2, 1].item<float>());
        Assert.Equal(100f, image[1, 2, 1].item<float>());
        Assert.Equal(50f, image[2, 2, 1].item<float>());
    }

    [Fact]
    public void ToBitmap_round_trips_pixels()
    {
        using var source = new SKBitmap(new SKImageInfo(5, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        source.Erase(new SKColor(1, 2, 3));
        source.SetPixel(4, 1, new SKColor(250, 128, 7));
        using var image = ImageTensors.FromBitmap(source);
        using var back = ImageTensors.ToBitmap(image);
        Assert.Equal(new SKColor(1, 2, 3), back.GetPixel(0, 0));
        Assert.Equal(new SKColor(250, 128, 7), back.GetPixel(4, 1));
    }
}
