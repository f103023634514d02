"""Style-transfer-ish image net: reflection padding, InstanceNorm2d, LocalResponseNorm,
ChannelShuffle, bicubic Upsample, Fold/Unfold patches, Softmax2d."""

import torch
import torch.nn as nn

torch.manual_seed(0)
net = nn.Sequential(
    nn.ReflectionPad2d(1),
    nn.Conv2d(3, 8, 3),
    nn.InstanceNorm2d(8, affine=True),
    nn.ReLU(),
    nn.ChannelShuffle(2),
    nn.LocalResponseNorm(3),
    nn.ReplicationPad2d((1, 0, 1, 0)),
    nn.Conv2d(8, 4, 2, stride=2),
    nn.Upsample(scale_factor=2, mode="bicubic", align_corners=False),
    nn.ZeroPad2d(1),
    nn.ConstantPad2d((0, 1, 0, 1), 0.5),
    nn.Conv2d(4, 3, 3),
    nn.Softmax2d(),
)
img = torch.rand(2, 3, 8, 8)
target = torch.rand(2, 3, 8, 8).softmax(1)
opt = torch.optim.Adam(net.parameters(), lr=0.01)
for step in range(10):
    out = net(img)[..., :8, :8]
    loss = nn.functional.kl_div(out.log(), target, reduction="batchmean")
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 3 == 0:
        print(f"step {step} loss {loss.item():.6f}")
patches = nn.Unfold(kernel_size=2, stride=2)(img)
back = nn.Fold(output_size=(8, 8), kernel_size=2, stride=2)(patches)
print("patches", tuple(patches.shape), "roundtrip", torch.allclose(back, img))
print("out", tuple(out.shape), f"{out.sum(1).mean().item():.5f}", f"{out.std().item():.6f}")
