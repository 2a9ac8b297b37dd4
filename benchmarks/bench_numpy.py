"""Plain NumPy references: a hand-written MLP training loop, and the matrix-product floor.

The loop is what a careful person writes by hand in an afternoon: float32 throughout, a
shuffled mini-batch per step, forward, loss and accuracy for the logs, backward, an Adam or SGD
update, a validation pass each epoch. No framework, no preallocated buffers, no tricks.
"""

from __future__ import annotations

import math
import time

import numpy as np

from common import LEARNING_RATES, WORKLOADS, load_data, mlp_shapes, per_call


class HandMLP:
    def __init__(self, workload: str, input_dim: int, seed: int = 0):
        spec = WORKLOADS[workload]
        rng = np.random.default_rng(seed)
        self.weights, self.biases = [], []
        for fan_in, fan_out in mlp_shapes(workload, input_dim):
            limit = np.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform, as Keras
            self.weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
            self.biases.append(np.zeros(fan_out, dtype=np.float32))
        self.params = [p for pair in zip(self.weights, self.biases) for p in pair]
        self.binary = spec["loss"] == "binary_crossentropy"
        self.optimizer = spec["optimizer"]
        self.lr = LEARNING_RATES[self.optimizer]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def forward(self, x):
        acts = [x]
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = acts[-1] @ w + b
            if i < len(self.weights) - 1:
                z = np.maximum(z, 0.0)
            acts.append(z)
        logits = acts[-1]
        if self.binary:
            probs = 1.0 / (1.0 + np.exp(-logits))
        else:
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs = e / e.sum(axis=1, keepdims=True)
        return acts, probs

    def loss_and_correct(self, probs, y):
        eps = 1e-7
        p = np.clip(probs, eps, 1 - eps)
        if self.binary:
            loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
            correct = np.sum((probs > 0.5) == (y > 0.5))
        else:
            loss = -np.mean(np.log(p[np.arange(len(y)), y]))
            correct = np.sum(probs.argmax(axis=1) == y)
        return float(loss), int(correct)

    def step(self, x, y):
        acts, probs = self.forward(x)
        loss, correct = self.loss_and_correct(probs, y)
        # d(mean loss)/d(logits) for sigmoid + BCE and softmax + sparse CE
        dz = probs.copy()
        if self.binary:
            dz -= y
        else:
            dz[np.arange(len(y)), y] -= 1.0
        dz /= len(x)
        grads = []
        for i in range(len(self.weights) - 1, -1, -1):
            grads.append(dz.sum(axis=0))
            grads.append(acts[i].T @ dz)
            if i > 0:
                dz = (dz @ self.weights[i].T) * (acts[i] > 0)
        grads.reverse()  # [gW0, gb0, gW1, gb1, ...]
        self.update(grads)
        return loss, correct

    def update(self, grads):
        if self.optimizer == "sgd":
            for p, g in zip(self.params, grads):
                p -= self.lr * g
            return
        self.t += 1
        b1, b2, eps = 0.9, 0.999, 1e-7
        # a Python float, so the float32 arrays stay float32
        lr_t = self.lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m += (1 - b1) * (g - m)
            v += (1 - b2) * (g * g - v)
            p -= lr_t * m / (np.sqrt(v) + eps)

    def fit(self, x, y, xv, yv, epochs: int, batch_size: int, seed: int = 0) -> dict:
        rng = np.random.default_rng(seed)
        logs = {}
        for _ in range(epochs):
            order = rng.permutation(len(x))
            total_loss, correct = 0.0, 0
            for start in range(0, len(x), batch_size):
                rows = order[start : start + batch_size]
                loss, right = self.step(x[rows], y[rows])
                total_loss += loss * len(rows)
                correct += right
            logs = {"loss": total_loss / len(x), "accuracy": correct / len(x)}
            if xv is not None:
                _, probs = self.forward(xv)
                val_loss, val_correct = self.loss_and_correct(probs, yv)
                logs.update(val_loss=val_loss, val_accuracy=val_correct / len(xv))
        return logs


def fit_time(workload: str, data_path: str | None, repeats: int, epochs: int | None) -> dict:
    spec = WORKLOADS[workload]
    x, y, xv, yv = load_data(workload, data_path)
    epochs = epochs or spec["epochs"]
    times, logs = [], {}
    for _ in range(repeats):
        model = HandMLP(workload, x.shape[1])
        start = time.perf_counter()
        logs = model.fit(x, y, xv, yv, epochs, spec["batch_size"])
        times.append(time.perf_counter() - start)
    return {"seconds": min(times), "all_seconds": times, "epochs": epochs, "final_logs": logs}


def epoch_time(workload: str, epochs: int, rows: int | None) -> dict:
    spec = WORKLOADS[workload]
    x, y, _, _ = load_data(workload, None, rows)
    model = HandMLP(workload, x.shape[1])
    model.fit(x[:1280], y[:1280], None, None, 1, spec["batch_size"])
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        logs = model.fit(x, y, None, None, 1, spec["batch_size"])
        times.append(time.perf_counter() - start)
    return {"seconds": min(times), "all_seconds": times, "rows": len(x), "final_logs": logs}


def gemm_throughput(size: int = 2048, repeats: int = 5) -> float:
    """Best float32 GEMM rate (FLOP/s) of this NumPy's BLAS on square ``size`` matrices."""
    rng = np.random.default_rng(0)
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)
    out = np.empty((size, size), dtype=np.float32)
    np.matmul(a, b, out=out)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2.0 * size**3 / best


def epoch_matmuls_time(workload: str, rows: int, input_dim: int, repeats: int = 3) -> float:
    """Seconds for exactly the matrix products of one epoch (forward, weight and input grads)."""
    batch = WORKLOADS[workload]["batch_size"]
    shapes = mlp_shapes(workload, input_dim)
    rng = np.random.default_rng(0)
    sizes = [batch] * (rows // batch) + ([rows % batch] if rows % batch else [])
    ws = [rng.random(s, dtype=np.float32) for s in shapes]
    best = float("inf")
    for _ in range(repeats):
        acts_full = [rng.random((batch, k), dtype=np.float32) for k, _ in shapes]
        dz_full = [rng.random((batch, n), dtype=np.float32) for _, n in shapes]
        start = time.perf_counter()
        for m in sizes:
            for i, w in enumerate(ws):
                a, dz = acts_full[i][:m], dz_full[i][:m]
                a @ w  # forward
                a.T @ dz  # weight gradient
                if i > 0:
                    dz @ w.T  # input gradient
        best = min(best, time.perf_counter() - start)
    return best


def op_overhead(n: int) -> dict:
    x = np.linspace(0.0, 1.0, 100, dtype=np.float32)
    y = np.linspace(1.0, 2.0, 100, dtype=np.float32)
    w = np.ones(100, dtype=np.float32)

    def add():
        return x + y

    def step():  # the tape step's arithmetic, gradient written by hand
        d = w * x - y
        np.sum(d * d)
        grad = 2.0 * d * x
        w[...] -= 0.01 * grad

    return {"add_us": per_call(add, n), "tape_step_us": per_call(step, max(n // 10, 100))}
