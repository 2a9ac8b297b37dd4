"""The PyTorch peer: the same models trained with an idiomatic PyTorch loop.

Idiomatic means what a PyTorch tutorial writes: ``nn.Sequential``, a ``DataLoader`` over a
``TensorDataset`` with shuffling, ``zero_grad`` / ``backward`` / ``step``, the output activation
folded into the loss (``BCEWithLogitsLoss``, ``CrossEntropyLoss``), running loss and accuracy
per batch like Keras' logs, and a ``no_grad`` validation pass each epoch.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from common import LEARNING_RATES, WORKLOADS, load_data, per_call


def build(workload: str, input_dim: int):
    spec = WORKLOADS[workload]
    modules, width = [], input_dim
    for units, act in spec["layers"]:
        modules.append(nn.Linear(width, units))
        if act == "relu":
            modules.append(nn.ReLU())
        width = units
    model = nn.Sequential(*modules)  # logits out: the sigmoid/softmax lives in the loss
    binary = spec["loss"] == "binary_crossentropy"
    loss_fn = nn.BCEWithLogitsLoss() if binary else nn.CrossEntropyLoss()
    lr = LEARNING_RATES[spec["optimizer"]]
    if spec["optimizer"] == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return model, loss_fn, optimizer, binary


def _correct(logits, target, binary: bool):
    if binary:
        return ((logits > 0) == (target > 0.5)).sum()
    return (logits.argmax(dim=1) == target).sum()


def train(state, x, y, xv, yv, epochs: int, batch_size: int) -> dict:
    """``epochs`` epochs of the usual PyTorch loop; ``state`` is what ``build`` returned."""
    model, loss_fn, optimizer, binary = state
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    loader = DataLoader(TensorDataset(xt, yt), batch_size=batch_size, shuffle=True)
    logs = {}
    for _ in range(epochs):
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        for xb, yb in loader:
            optimizer.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(xb)
            correct += _correct(logits.detach(), yb, binary).item()
            seen += len(xb)
        logs = {"loss": total_loss / seen, "accuracy": correct / seen}
        if xv is not None:
            model.eval()
            with torch.no_grad():
                xvt, yvt = torch.from_numpy(xv), torch.from_numpy(yv)
                logits = model(xvt)
                logs["val_loss"] = loss_fn(logits, yvt).item()
                logs["val_accuracy"] = _correct(logits, yvt, binary).item() / len(xv)
    return logs


def fit_time(workload: str, data_path: str | None, repeats: int, epochs: int | None) -> dict:
    spec = WORKLOADS[workload]
    x, y, xv, yv = load_data(workload, data_path)
    epochs = epochs or spec["epochs"]
    times, logs = [], {}
    for _ in range(repeats):
        torch.manual_seed(0)
        state = build(workload, x.shape[1])
        start = time.perf_counter()
        logs = train(state, x, y, xv, yv, epochs, spec["batch_size"])
        times.append(time.perf_counter() - start)
    return {"seconds": min(times), "all_seconds": times, "epochs": epochs, "final_logs": logs}


def epoch_time(workload: str, epochs: int, rows: int | None) -> dict:
    spec = WORKLOADS[workload]
    x, y, _, _ = load_data(workload, None, rows)
    torch.manual_seed(0)
    state = build(workload, x.shape[1])
    train(state, x[:1280], y[:1280], None, None, 1, spec["batch_size"])  # warm-up
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        logs = train(state, x, y, None, None, 1, spec["batch_size"])
        times.append(time.perf_counter() - start)
    return {"seconds": min(times), "all_seconds": times, "rows": len(x), "final_logs": logs}


def op_overhead(n: int) -> dict:
    x = torch.from_numpy(np.linspace(0.0, 1.0, 100, dtype=np.float32))
    y = torch.from_numpy(np.linspace(1.0, 2.0, 100, dtype=np.float32))
    w = torch.ones(100, requires_grad=True)

    def add():
        return x + y

    def tape_step():
        d = w * x - y
        loss = (d * d).sum()
        (grad,) = torch.autograd.grad(loss, [w])
        with torch.no_grad():
            w.sub_(0.01 * grad)

    return {"add_us": per_call(add, n), "tape_step_us": per_call(tape_step, max(n // 10, 100))}
