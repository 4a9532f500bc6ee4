"""Counts of torchvision 0.14's EfficientNet-B0..B3 and MobileNetV3 state dicts without the classifier, which
EfficientNetTests and MobileNetV3Tests assert. Usage (Debian: apt-get install python3-torchvision):
    /usr/bin/python3 torchvision_counts.py"""
import torchvision

for name in ["efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "mobilenet_v3_small", "mobilenet_v3_large"]:
    m = getattr(torchvision.models, name)()
    sd = {k: v for k, v in m.state_dict().items() if not k.startswith("classifier.")}
    params = sum(p.numel() for k, p in m.named_parameters() if not k.startswith("classifier."))
    tensors = sum(1 for k, p in m.named_parameters() if not k.startswith("classifier."))
    blocks = [len(s) if hasattr(s, "__len__") else 1 for s in m.features]
    print(f"{name}: keys {len(sd)}, parameter tensors {tensors}, parameters {params}, "
          f"features {len(m.features)}, last channels {m.features[-1].out_channels}, stage lengths {blocks}")
