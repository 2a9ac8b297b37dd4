"""Seconds per epoch of a small MNIST-shaped CNN: lamina against tf.keras and Keras 3.

    python benchmarks/bench_cnn.py [--peer-python /work/benchvenv/bin/python] [--epochs 3]

Model: Conv2D(32, 3, relu) - MaxPooling2D - Conv2D(64, 3, relu) - MaxPooling2D - Flatten -
Dense(10, softmax), adam, sparse categorical cross-entropy, batch 128, on 6,000 random
28x28x1 float32 images. Each framework runs in its own subprocess; one warm-up epoch is not
counted and the best epoch is reported (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

WORKER = r"""
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
which, epochs = sys.argv[1], int(sys.argv[2])
if which == "lamina":
    import lamina.keras as keras
elif which == "tf.keras":
    import tf_keras as keras
else:
    import keras
L = keras.layers
model = keras.Sequential([
    keras.Input((28, 28, 1)),
    L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(),
    L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(),
    L.Flatten(), L.Dense(10, activation="softmax"),
])
r = np.random.RandomState(0)
x = r.rand(6000, 28, 28, 1).astype("float32")
y = r.randint(0, 10, 6000)
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, batch_size=128, epochs=1, verbose=0)  # warm-up
times = []
for _ in range(epochs):
    t = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    times.append(time.perf_counter() - t)
print(json.dumps({"times": times}))
"""


def run(python: str, which: str, epochs: int, env: dict) -> list[float] | str:
    out = subprocess.run(
        [python, "-c", WORKER, which, str(epochs)], capture_output=True, text=True, env=env
    )
    if out.returncode != 0:
        return out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"
    return json.loads(out.stdout.strip().splitlines()[-1])["times"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-python", default=None)
    parser.add_argument("--lamina-python", default=sys.executable)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    env = dict(os.environ, PYTHONPATH=src)
    rows = [("lamina", args.lamina_python)]
    if args.peer_python:
        rows += [("tf.keras", args.peer_python), ("keras3", args.peer_python)]
    print(f"load average at start: {os.getloadavg()}")
    print("| framework | best s/epoch | all epochs |\n| --- | --- | --- |")
    for which, python in rows:
        times = run(python, which, args.epochs, env if which == "lamina" else dict(os.environ))
        if isinstance(times, str):
            print(f"| {which} | - | {times} |")
        else:
            print(f"| {which} | {min(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} |")


if __name__ == "__main__":
    main()
