"""Writes the ConvNeXt parity fixture beside this script with torchvision's own ConvNeXt code (torchvision 0.14,
PyTorch 1.13): torchvision.models.convnext.ConvNeXt with the small block setting CNBlockConfig(32, 64, 1),
CNBlockConfig(64, 128, 2), CNBlockConfig(128, None, 1), 10 classes, in eval mode. Unlike the shared fixture
(../shared/fixtures/onnx-torchvision/convnext_tiny_variant.pth, torchvision's initialisation, whose layer scales of 1e-6
make every block nearly the identity), every parameter is randomised: layer scales 0.5..1.5, layer-norm weights 0.5..1.5,
all biases -0.2..0.2, so that a wrong block (GELU, permutes, layer scale, residual) shows in the output.

Run: /usr/bin/python3 make_convnext_fixtures.py   (writes into the folder of this script)
  convnext_small_config.pth           torch.save(model.state_dict())  (torchvision's key names, classifier.* included)
  convnext_small_config.input.npy     2 x 3 x 64 x 64 float32 standard-normal values (as after ImageNet normalisation)
  convnext_small_config.features.npy  2 x 128 float32: features, avgpool, classifier.0 (LayerNorm2d), flatten: the input of classifier.2
  convnext_small_config.logits.npy    2 x 10 float32: model(x)
"""
import os
import numpy as np
import torch
from torchvision.models import convnext

NAME = "convnext_small_config"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    torch.manual_seed(16)
    cfg = [convnext.CNBlockConfig(32, 64, 1), convnext.CNBlockConfig(64, 128, 2), convnext.CNBlockConfig(128, None, 1)]
    model = convnext.ConvNeXt(cfg, stochastic_depth_prob=0.1, num_classes=10)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layer_scale"):
                p.uniform_(0.5, 1.5)
            elif name.endswith("bias"):
                p.uniform_(-0.2, 0.2)
            elif p.dim() == 1:  # layer-norm weights
                p.uniform_(0.5, 1.5)
    model.eval()
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(17))
    with torch.no_grad():
        logits = model(x)
        features = model.classifier[1](model.classifier[0](model.avgpool(model.features(x))))
        assert torch.allclose(model.classifier[2](features), logits, atol=1e-5)
    torch.save(model.state_dict(), os.path.join(here, f"{NAME}.pth"))
    np.save(os.path.join(here, f"{NAME}.input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(here, f"{NAME}.features.npy"), features.numpy().astype(np.float32))
    np.save(os.path.join(here, f"{NAME}.logits.npy"), logits.numpy().astype(np.float32))
    print(NAME, len(model.state_dict()), "keys,", sum(p.numel() for p in model.parameters()), "parameters,",
          "features", tuple(features.shape), "max |feature|", float(features.abs().max()), "max |logit|", float(logits.abs().max()))


if __name__ == "__main__":
    main()
