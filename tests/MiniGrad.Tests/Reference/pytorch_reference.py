#!/usr/bin/env python3
"""Writes pytorch-activations.json: PyTorch's values and gradients for every activation MiniGrad has, at fixed
points, in float32 and float64. PyTorchReferenceTests compares MiniGrad against it.

Run with a Python that has torch (on Debian: apt-get install python3-torch, then /usr/bin/python3):
    /usr/bin/python3 tests/MiniGrad.Tests/Reference/pytorch_reference.py
"""
import json
import os

import torch
import torch.nn.functional as F

POINTS = [-1000, -88.8, -50, -20, -5, -2.5, -1.2785, -1, -0.7518, -0.5, -1e-3, -1e-10, 0, 1e-10, 1e-3,
          0.5, 1, 2.5, 4.97, 5, 19.9, 20.1, 50, 88.8, 1000]

# Each case: the name MiniGrad's tests build it from, and the PyTorch function of x (element-wise cases) or of a
# batch of rows (row-wise cases). Learned parameters are inputs too, so their gradients come out.
ELEMENTWISE = {
    "Sigmoid": lambda x: torch.sigmoid(x),
    "Tanh": lambda x: torch.tanh(x),
    "ReLU": lambda x: F.relu(x),
    "Identity": lambda x: x,
    "LeakyReLU": lambda x: F.leaky_relu(x),
    "LeakyReLU(0.2)": lambda x: F.leaky_relu(x, 0.2),
    "RReLU": lambda x: F.rrelu(x, training=False),
    "ELU": lambda x: F.elu(x),
    "ELU(0.5)": lambda x: F.elu(x, alpha=0.5),
    "SELU": lambda x: F.selu(x),
    "GELU": lambda x: F.gelu(x),
    "GELU(tanh)": lambda x: F.gelu(x, approximate="tanh"),
    "SiLU": lambda x: F.silu(x),
    "Softplus": lambda x: F.softplus(x),
    "Softplus(2, 5)": lambda x: F.softplus(x, beta=2, threshold=5),
    "Mish": lambda x: F.mish(x),
}

ROWS = [[1.0, 2.0, 3.0, -1.0], [500.0, 0.0, 1.0, -2.0], [-1000.0, 1000.0, 0.0, 3.0], [0.25, 0.25, 0.25, 0.25]]
WEIGHTS = [[1.0, -2.0, 3.0, -4.0], [4.0, 3.0, 2.0, 1.0], [-1.0, 2.0, -3.0, 4.0], [0.5, 0.0, -0.5, 1.0]]
ROWWISE = {
    "Softmax": lambda x: F.softmax(x, dim=1),
    "Softmax(0.5)": lambda x: F.softmax(x / 0.5, dim=1),
    "LogSoftmax": lambda x: F.log_softmax(x, dim=1),
}


def run(function, values, weights, dtype, parameter=None):
    x = torch.tensor(values, dtype=dtype, requires_grad=True)
    inputs = [x]
    if parameter is not None:
        p = torch.tensor(parameter, dtype=dtype, requires_grad=True)
        inputs.append(p)
        y = function(x, p)
    else:
        y = function(x)
    (y * torch.tensor(weights, dtype=dtype)).sum().backward()
    result = {"y": y.detach().tolist(), "dx": x.grad.tolist()}
    if parameter is not None:
        result["dparameter"] = inputs[1].grad.tolist()
    return result


cases = []
for dtype, type_name in [(torch.float32, "float"), (torch.float64, "double")]:
    ones = [[1.0] * len(POINTS)]
    for name, function in ELEMENTWISE.items():
        cases.append({"name": name, "type": type_name, "x": [POINTS], "weights": ones, **run(function, [POINTS], ones, dtype)})
    # PReLU's shared slope and Swish's learned beta, with their gradients.
    cases.append({"name": "PReLU", "type": type_name, "x": [POINTS], "weights": ones, "parameter": [0.25],
                  **run(lambda x, a: F.prelu(x, a), [POINTS], ones, dtype, [0.25])})
    cases.append({"name": "Swish", "type": type_name, "x": [POINTS], "weights": ones, "parameter": [0.8],
                  **run(lambda x, b: x * torch.sigmoid(b * x), [POINTS], ones, dtype, [0.8])})
    for name, function in ROWWISE.items():
        cases.append({"name": name, "type": type_name, "x": ROWS, "weights": WEIGHTS, **run(function, ROWS, WEIGHTS, dtype)})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-activations.json")
with open(path, "w") as out:  # one case per line
    out.write('{"torch": %s, "cases": [\n' % json.dumps(torch.__version__))
    out.write(",\n".join(json.dumps(case) for case in cases))
    out.write("\n]}\n")
print(f"wrote {len(cases)} cases from torch {torch.__version__} to {path}")
