"""Writes the ResNet parity fixtures beside this script with torchvision's own ResNet code (torchvision 0.14,
PyTorch 1.13): its BasicBlock, Bottleneck, _make_layer and forward, at an eighth of the published widths (stem 8,
layers 8/16/32/64 planes instead of 64/128/256/512) so that the files stay small; the depths and the state-dict key
layout are torchvision's resnet18 ([2,2,2,2] basic blocks) and resnet50 ([3,4,6,3] bottlenecks), 10 classes.
Seeded random weights, eval mode; batch-norm affine parameters and running statistics are randomised so that a wrong
import shows.

Run: /usr/bin/python3 make_resnet_fixtures.py   (writes into the folder of this script)
Per NAME in resnet18_narrow, resnet50_narrow:
  NAME.pth           torch.save(model.state_dict())  (torchvision's key names, fc included)
  NAME.features.npy  2 x C float32: avgpool + flatten, the input of fc (C = 64 basic, 256 bottleneck)
  NAME.logits.npy    2 x 10 float32: model(x)
and input.npy: 2 x 3 x 64 x 64 float32 standard-normal values (as after ImageNet normalisation; fed straight in).
"""
import os
import numpy as np
import torch
from torchvision.models.resnet import ResNet, BasicBlock, Bottleneck

WIDTH = 8  # planes of layer1; torchvision: 64


class NarrowResNet(ResNet):
    """torchvision's ResNet with every width divided by 64 / WIDTH (same modules, names and forward)."""

    def __init__(self, block, layers, num_classes=10):
        torch.nn.Module.__init__(self)
        self._norm_layer = torch.nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = WIDTH, 1, 1, 64
        self.conv1 = torch.nn.Conv2d(3, WIDTH, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(WIDTH)
        self.relu = torch.nn.ReLU(inplace=True)
        self.maxpool = torch.nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, WIDTH, layers[0])
        self.layer2 = self._make_layer(block, WIDTH * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, WIDTH * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, WIDTH * 8, layers[3], stride=2)
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(WIDTH * 8 * block.expansion, num_classes)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(7))
    np.save(os.path.join(here, "input.npy"), x.numpy().astype(np.float32))
    for name, block, layers, seed in (("resnet18_narrow", BasicBlock, [2, 2, 2, 2], 18),
                                      ("resnet50_narrow", Bottleneck, [3, 4, 6, 3], 50)):
        torch.manual_seed(seed)
        model = NarrowResNet(block, layers)
        with torch.no_grad():
            for mod in model.modules():
                if isinstance(mod, torch.nn.BatchNorm2d):
                    mod.weight.uniform_(0.5, 1.5)
                    mod.bias.uniform_(-0.2, 0.2)
                    mod.running_mean.uniform_(-0.2, 0.2)
                    mod.running_var.uniform_(0.5, 1.5)
                    mod.num_batches_tracked.fill_(100)
        model.eval()
        with torch.no_grad():
            logits = model(x)
            f = model.maxpool(model.relu(model.bn1(model.conv1(x))))
            f = model.layer4(model.layer3(model.layer2(model.layer1(f))))
            features = torch.flatten(model.avgpool(f), 1)
            assert torch.allclose(model.fc(features), logits, atol=1e-5)
        torch.save(model.state_dict(), os.path.join(here, f"{name}.pth"))
        np.save(os.path.join(here, f"{name}.features.npy"), features.numpy().astype(np.float32))
        np.save(os.path.join(here, f"{name}.logits.npy"), logits.numpy().astype(np.float32))
        print(name, len(model.state_dict()), "keys,", sum(p.numel() for p in model.parameters()), "parameters,",
              "features", tuple(features.shape), "max |logit|", float(logits.abs().max()))


if __name__ == "__main__":
    main()
