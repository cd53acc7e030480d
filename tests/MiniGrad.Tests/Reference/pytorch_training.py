#!/usr/bin/env python3
"""Makes the PyTorch reference for MiniGrad's training pieces (Debian's python3-torch, PyTorch 1.13):

    /usr/bin/python3 tests/MiniGrad.Tests/Reference/pytorch_training.py

It writes, next to itself:
  pytorch-training.json          inputs, values and gradients (float64) of the losses, BatchNorm1d, LayerNorm and
                                 clip_grad_norm_, and the learning rates PyTorch's schedulers give epoch by epoch
  pytorch-batchnorm.safetensors  the state_dict of a PyTorch network with a BatchNorm1d after three training batches
                                 (running statistics and num_batches_tracked = 3, an I64 scalar)
  pytorch-batchnorm.json         an input and the network's output for it in eval mode
"""
import json
import os
import struct

import torch
from torch import nn
from torch.optim import lr_scheduler

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def values(tensor):
    return tensor.detach().reshape(tensor.shape[0] if tensor.dim() > 0 else 1, -1).tolist()


def loss_case(make, inputs, target, kind):
    x = inputs.clone().requires_grad_()
    loss = make()(x, target)
    loss.backward()
    return {"input": values(inputs), "target": target.tolist() if kind == "labels" else values(target),
            "value": loss.item(), "grad": values(x.grad)}


logits = torch.randn(6, 4) * 2
labels = torch.tensor([0, 3, 1, 1, 2, 3])
weights = [0.5, 2.0, 1.0, 0.25]
w = torch.tensor(weights)
prediction = torch.randn(5, 3)
target = prediction + torch.randn(5, 3) * 1.5
target[0, 0] = prediction[0, 0]  # a zero difference: L1's gradient there is sign(0) = 0

losses = {
    "cross_entropy": loss_case(lambda: nn.CrossEntropyLoss(), logits, labels, "labels"),
    "cross_entropy_weights": loss_case(lambda: nn.CrossEntropyLoss(weight=w), logits, labels, "labels"),
    "cross_entropy_smoothing": loss_case(lambda: nn.CrossEntropyLoss(label_smoothing=0.1), logits, labels, "labels"),
    "cross_entropy_weights_smoothing": loss_case(lambda: nn.CrossEntropyLoss(weight=w, label_smoothing=0.2), logits, labels, "labels"),
    "nll": loss_case(lambda: nn.NLLLoss(), torch.log_softmax(logits, 1), labels, "labels"),
    "nll_weights": loss_case(lambda: nn.NLLLoss(weight=w), torch.log_softmax(logits, 1), labels, "labels"),
    "l1": loss_case(lambda: nn.L1Loss(), prediction, target, "targets"),
    "huber": loss_case(lambda: nn.HuberLoss(), prediction, target, "targets"),
    "huber_delta_0.5": loss_case(lambda: nn.HuberLoss(delta=0.5), prediction, target, "targets"),
    "mse": loss_case(lambda: nn.MSELoss(), prediction, target, "targets"),
}

# BatchNorm1d: two training batches (output and gradients of the first), then eval mode.
bn = nn.BatchNorm1d(3)
with torch.no_grad():
    bn.weight.copy_(torch.randn(3))
    bn.bias.copy_(torch.randn(3))
batches = [torch.randn(8, 3) * 2 + 1, torch.randn(5, 3) - 0.5]
upstream = torch.randn(8, 3)
x = batches[0].clone().requires_grad_()
y = bn(x)
y.backward(upstream)
batchnorm = {"weight": values(bn.weight), "bias": values(bn.bias), "x": values(batches[0]), "upstream": values(upstream),
             "y": values(y), "dx": values(x.grad), "dweight": values(bn.weight.grad), "dbias": values(bn.bias.grad),
             "running_mean_1": values(bn.running_mean), "running_var_1": values(bn.running_var)}
bn(batches[1])
bn.eval()
probe = torch.randn(4, 3)
batchnorm.update({"x2": values(batches[1]), "running_mean_2": values(bn.running_mean), "running_var_2": values(bn.running_var),
                  "probe": values(probe), "eval": values(bn(probe))})

ln = nn.LayerNorm(5)
with torch.no_grad():
    ln.weight.copy_(torch.randn(5))
    ln.bias.copy_(torch.randn(5))
x = (torch.randn(4, 5) * 3 + 2).requires_grad_()
upstream = torch.randn(4, 5)
y = ln(x)
y.backward(upstream)
layernorm = {"weight": values(ln.weight), "bias": values(ln.bias), "x": values(x), "upstream": values(upstream),
             "y": values(y), "dx": values(x.grad), "dweight": values(ln.weight.grad), "dbias": values(ln.bias.grad)}


def clip_case(max_norm):
    parameters = [torch.zeros(3, 4, requires_grad=True), torch.zeros(1, 4, requires_grad=True)]
    grads = [torch.randn(3, 4), torch.randn(1, 4) * 3]
    for p, g in zip(parameters, grads):
        p.grad = g.clone()
    norm = nn.utils.clip_grad_norm_(parameters, max_norm)
    return {"max_norm": max_norm, "grads": [values(g) for g in grads], "norm": norm.item(),
            "clipped": [values(p.grad) for p in parameters]}


clipping = [clip_case(1.0), clip_case(100.0)]


def rates(make, epochs=14, base=0.1):
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    scheduler = make(optimizer)
    result = []
    for _ in range(epochs):
        result.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return result


schedules = {
    "StepLR(3, 0.5)": rates(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    "ExponentialLR(0.9)": rates(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9)),
    "CosineAnnealingLR(10, 0.001)": rates(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001), epochs=11),
    "LinearWarmup(4, 0.25)": rates(lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4)),
    "LinearWarmup(4, 0.25).Then(4, CosineAnnealingLR(8))": rates(lambda o: lr_scheduler.SequentialLR(
        o, [lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4), lr_scheduler.CosineAnnealingLR(o, T_max=8)], milestones=[4]), epochs=12),
    "ExponentialLR(0.9).Times(StepLR(3, 0.5))": rates(lambda o: lr_scheduler.ChainedScheduler(
        [lr_scheduler.ExponentialLR(o, gamma=0.9), lr_scheduler.StepLR(o, step_size=3, gamma=0.5)])),
}

with open(os.path.join(HERE, "pytorch-training.json"), "w") as out:
    json.dump({"losses": losses, "batchnorm": batchnorm, "layernorm": layernorm, "clipping": clipping, "schedules": schedules},
              out, indent=1)

# A network with a BatchNorm1d, trained for three batches, saved as safetensors (float32; num_batches_tracked as I64).
torch.set_default_dtype(torch.float32)
net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
for _ in range(3):
    optimizer.zero_grad()
    net(torch.randn(16, 3) * 2).pow(2).mean().backward()
    optimizer.step()
net.eval()
probe = torch.randn(5, 3)
header, offset, chunks = {"__metadata__": {"format": "pt"}}, 0, []
for name, tensor in net.state_dict().items():
    dtype = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}[tensor.dtype]
    data = tensor.contiguous().numpy().astype(dtype[1]).tobytes()
    header[name] = {"dtype": dtype[0], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
    chunks.append(data)
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(os.path.join(HERE, "pytorch-batchnorm.safetensors"), "wb") as out:
    out.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
with torch.no_grad():
    with open(os.path.join(HERE, "pytorch-batchnorm.json"), "w") as out:
        json.dump({"input": probe.tolist(), "output": net(probe).tolist(), "num_batches_tracked": int(net[1].num_batches_tracked)}, out, indent=1)
