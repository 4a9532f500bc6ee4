using Xunit.Abstractions;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// Disposing a backbone frees its parameters and buffers (TorchSharp 0.107's Module.Dispose does not free a child's
/// tensors): creating and disposing backbones over and over leaves the live-tensor count flat and the resident set bounded.
/// Live tensors are counted on the test thread (<see cref="ResidentMemory.SettledLiveTensorsOnThisThread"/>), which
/// does not count the handle-less husks <c>new Parameter(t)</c> leaves in <c>Tensor.TotalCount</c>.
/// </summary>
[Collection(TensorLifetimeCollection.Name)]
public sealed class BackboneDisposalTests(ITestOutputHelper output)
{
    /// <summary>10, or <c>$TRANSFERLEARNING_DISPOSAL_ROUNDS</c> for a longer measurement (the bound scales with nothing: it must hold for any count).</summary>
    private static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("TRANSFERLEARNING_DISPOSAL_ROUNDS"), out int n) && n > 1 ? n : 10;

    /// <summary>
    /// Bound on resident-set growth over rounds 2..10, as a multiple of one backbone's parameter bytes: a leak of every
    /// round would be 9 backbones (about 500 MB for either); the native allocator and the managed heap keeping the freed
    /// pages of about two models for reuse is allowed.
    /// </summary>
    private const double ResidentGrowthBoundInBackbones = 2.5;

    private void CreateAndDispose(Func<PretrainedBackbone> create, string what)
    {
        long parameterBytes;
        using (var first = create()) // warm-up: lazily created natives, allocator arenas
        {
            parameterBytes = first.parameters().Sum(p => p.numel() * p.element_size());
            using var _ = no_grad();
            using var input = zeros(1, 3, 32, 32);
            using var __ = first.forward(input);
        }
        long tensorsBefore = ResidentMemory.SettledLiveTensorsOnThisThread();
        long rssBefore = ResidentMemory.Bytes();
        for (int i = 1; i < Rounds; i++)
        {
            using var backbone = create();
            using var _ = no_grad();
            using var input = zeros(1, 3, 32, 32);
            using var __ = backbone.forward(input);
        }
        long tensorsAfter = ResidentMemory.SettledLiveTensorsOnThisThread();
        long growth = ResidentMemory.Bytes() - rssBefore;
        long bound = (long)(ResidentGrowthBoundInBackbones * parameterBytes);
        output.WriteLine($"{what}: {Rounds} created and disposed; live tensors {tensorsBefore} -> {tensorsAfter}; " +
                         $"resident set +{ResidentMemory.Mb(growth)} over {Rounds - 1} rounds (bound {ResidentMemory.Mb(bound)} = {ResidentGrowthBoundInBackbones} x {ResidentMemory.Mb(parameterBytes)} of parameters)");
        Assert.Equal(tensorsBefore, tensorsAfter);
        Assert.True(growth < bound, $"{what}: resident set grew by {ResidentMemory.Mb(growth)} over {Rounds - 1} create/dispose rounds; bound {ResidentMemory.Mb(bound)}.");
    }

    [Fact]
    public void Ten_VGG16_backbones_created_and_disposed_leave_no_tensor_and_a_bounded_resident_set() =>
        CreateAndDispose(() => Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.None }), "VGG16 (features)");

    [Fact]
    public void Ten_imported_ResNet18_backbones_created_and_disposed_leave_no_tensor_and_a_bounded_resident_set() =>
        CreateAndDispose(() => OnnxBackbone.ResNet18FromPackage(), "ResNet18 (ONNX import)");

    [Fact]
    public void Ten_native_ResNet18_backbones_created_and_disposed_leave_no_tensor_and_a_bounded_resident_set() =>
        CreateAndDispose(() => ResNet.Create(new ResNetOptions { Variant = ResNetVariant.ResNet18, Weights = TorchVisionWeights.None }), "ResNet-18 (native)");

    [Fact]
    public void Ten_native_ResNet50_backbones_created_and_disposed_leave_no_tensor_and_a_bounded_resident_set() =>
        CreateAndDispose(() => ResNet.Create(new ResNetOptions { Variant = ResNetVariant.ResNet50, Weights = TorchVisionWeights.None }), "ResNet-50 (native)");

    [Fact]
    public void Disposing_a_native_ResNet_disposes_every_parameter_and_buffer_of_its_tree()
    {
        var backbone = ResNetTestModels.Backbone("resnet50_narrow");
        var tensors = backbone.parameters().Cast<Tensor>().Concat(backbone.buffers()).ToList();
        Assert.Equal(320 - 2, backbone.Trunk.state_dict().Count);

        backbone.Dispose();

        Assert.All(tensors, t => Assert.True(t.IsInvalid, "a parameter or buffer is still alive after Dispose"));
    }

    [Fact]
    public void A_ResNet_forward_and_backward_leave_only_their_result_alive()
    {
        using var backbone = ResNetTestModels.Backbone("resnet18_narrow");
        backbone.train();
        using var input = rand(2, 3, 32, 32);
        void Step()
        {
            using var output = backbone.forward(input);
            using var loss = output.sum();
            loss.backward();
        }
        Step(); // warm-up: gradients are allocated once
        long before = ResidentMemory.SettledLiveTensorsOnThisThread();
        Step();
        Step();
        Assert.Equal(before, ResidentMemory.SettledLiveTensorsOnThisThread());
    }

    [Fact]
    public void Disposing_a_backbone_disposes_every_parameter_and_buffer_of_its_tree()
    {
        var backbone = Training.TrainingTestData.TinyBackbone();
        var tensors = backbone.parameters().Cast<Tensor>().Concat(backbone.buffers()).ToList();
        Assert.NotEmpty(tensors);

        backbone.Dispose();

        Assert.All(tensors, t => Assert.True(t.IsInvalid, "a parameter or buffer is still alive after Dispose"));
    }
}
