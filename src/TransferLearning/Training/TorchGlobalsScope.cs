using TorchSharp;
using static TorchSharp.torch;

namespace TransferLearning.Training;

/// <summary>
/// Brackets the trainer's use of libtorch's process-wide settings: saves the global CPU generator's state and the TF32
/// switches when a fit, evaluation or prediction starts and puts them back when it ends, so the trainer's per-epoch
/// reseeding (needed only for randomness inside an unfrozen backbone) and its TF32 choice never leak to the rest of
/// the process. Another thread using torch at the same time still shares them while the trainer runs.
/// </summary>
internal sealed class TorchGlobalsScope : IDisposable
{
    private readonly Tensor? _rngState;
    private readonly (bool Matmul, bool Cudnn)? _tf32;

    public TorchGlobalsScope(Device device, bool? allowTf32, bool saveGenerator)
    {
        if (saveGenerator) _rngState = get_rng_state().DetachFromDisposeScope();
        bool tf32 = allowTf32 ?? device.type == DeviceType.CUDA;
        if (device.type == DeviceType.CUDA || allowTf32 is not null)
        {
            var before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32);
            if (before != (tf32, tf32))
            {
                _tf32 = before;
                torch.backends.cuda.matmul.allow_tf32 = tf32;
                torch.backends.cudnn.allow_tf32 = tf32;
            }
        }
    }

    public void Dispose()
    {
        if (_rngState is not null)
        {
            set_rng_state(_rngState);
            _rngState.Dispose();
        }
        if (_tf32 is { } before)
        {
            torch.backends.cuda.matmul.allow_tf32 = before.Matmul;
            torch.backends.cudnn.allow_tf32 = before.Cudnn;
        }
    }
}
