"""Small parity fixtures for EfficientNetMobileNetV3NarrowParityTests, from torchvision 0.14's own code (Debian:
apt-get install python3-torchvision; run with /usr/bin/python3 make_narrow_fixtures.py in this folder):
  efficientnet_b1_narrow  torchvision's B1 depth (depth_mult 1.1) at width_mult 0.125;
  mobilenet_v3_large_narrow  torchvision's mobilenet_v3_large at width_mult 0.25.
Random weights, batch-norm statistics drawn at random, and the squeeze-excitation fc1 biases raised by 4..8 so that some
of its pre-activations exceed 6 (a ReLU6 there, as in the TorchVision NuGet package, then computes something else).
Saved: NAME.pth (the features' state dict, no classifier), input.npy (2x3x64x64, standard normal), NAME.features.npy
(the globally average-pooled features, eval mode)."""
import numpy as np, torch, torchvision
from torchvision.models.efficientnet import EfficientNet, _efficientnet_conf
from torchvision.models.mobilenetv3 import MobileNetV3, _mobilenet_v3_conf
from torchvision.ops import SqueezeExcitation

def b1_narrow():
    setting, last = _efficientnet_conf("efficientnet_b1", width_mult=0.125, depth_mult=1.1)
    return EfficientNet(setting, 0.2, last_channel=last, num_classes=10)

def large_narrow():
    setting, last = _mobilenet_v3_conf("mobilenet_v3_large", width_mult=0.25)
    return MobileNetV3(setting, last, num_classes=10)

x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(2))
np.save("input.npy", x.numpy().astype(np.float32))
for name, make in [("efficientnet_b1_narrow", b1_narrow), ("mobilenet_v3_large_narrow", large_narrow)]:
    torch.manual_seed(3)
    m = make().eval()
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.2, 0.2); mod.running_var.uniform_(0.5, 1.5)
                mod.weight.uniform_(0.5, 1.5); mod.bias.uniform_(-0.2, 0.2)
            if isinstance(mod, SqueezeExcitation):
                mod.fc1.bias.add_(torch.empty_like(mod.fc1.bias).uniform_(4, 8))
        features = torch.flatten(m.avgpool(m.features(x)), 1)
    sd = {k: v for k, v in m.state_dict().items() if not k.startswith("classifier.")}
    torch.save(sd, f"{name}.pth")
    np.save(f"{name}.features.npy", features.numpy().astype(np.float32))
    print(name, sum(v.numel() for k, v in sd.items()), "values", list(features.shape), float(features.abs().max()))
