"""A custom nn.Module with ParameterList, ModuleDict, ParameterDict, buffers and printing."""

import torch
from torch import nn


class MyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.params = nn.ParameterList([nn.Parameter(torch.randn(2, 2)) for _ in range(3)])
        self.choices = nn.ModuleDict({"conv": nn.Conv2d(1, 2, 3), "pool": nn.MaxPool2d(2)})
        self.activations = nn.ModuleDict([["lrelu", nn.LeakyReLU()], ["prelu", nn.PReLU()]])
        self.pdict = nn.ParameterDict(
            {"left": nn.Parameter(torch.ones(2)), "scale": nn.Parameter(torch.tensor(0.5))}
        )
        self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)

    def forward(self, x, choice="conv", act="prelu"):
        for i, p in enumerate(self.params):
            x = x @ p + self.layers[i // 2](x)
        self.steps += 1
        return self.activations[act](x * self.pdict["scale"] + self.pdict["left"])


torch.manual_seed(0)
model = MyModel()
print(model)
for name, param in model.named_parameters():
    print(name, param.shape, param.requires_grad)
print([name for name, _ in model.named_buffers()], list(model.state_dict().keys()))
print([name for name, _ in model.named_modules()], len(list(model.children())))
out = model(torch.randn(3, 2))
print(out, model.steps)
out.sum().backward()
print(model.params[1].grad, model.pdict["scale"].grad, model.activations.prelu.weight.grad)
print(
    sum(p.numel() for p in model.parameters()),
    sum(p.numel() for p in model.parameters() if p.requires_grad),
)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.1)
        m.bias.data.fill_(0.01)
        print("init", m)


model.apply(init_weights)
print(model.layers[0].weight, model.layers[1].bias)
model.params.append(nn.Parameter(torch.zeros(1)))
model.choices.update({"flat": nn.Flatten()})
print(len(model.params), list(model.choices.keys()), model.choices["conv"])
model.requires_grad_(False)
print(any(p.requires_grad for p in model.parameters()), model.pdict)
print(model.get_submodule("layers.1"), model.get_parameter("pdict.left"))
model.zero_grad()
print(model.params[1].grad, model.layers[0].extra_repr())
half = MyModel().double()
print(half.params[0].dtype, half.steps.dtype, half.training, half.eval().training)
del model.layers[1]
print(model.layers, model.activations["lrelu"](torch.tensor([-2.0, 3.0])))
