"""The main job, ``lamina demo``: train, evaluate and save a Keras-style digit classifier.

It uses only the public Keras API (``import lamina as keras``) on the 8x8 handwritten digits
that ship inside the package, so it runs offline in a few seconds and shows what a user sees:
the model summary, the Keras progress output, the test accuracy, a confusion matrix and the
saved ``.keras`` file (reloaded once to check it round-trips).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

import numpy as np

DEFAULT_OUT = "lamina_demo_model.keras"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, received {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number in [0, 1), received {text!r}"
        ) from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), received {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lamina demo",
        description=(
            "Train a Dense classifier on the 8x8 handwritten digits shipped with lamina, "
            "print the test accuracy and a confusion matrix, and save the trained model."
        ),
    )
    parser.add_argument(
        "--epochs", type=_positive_int, default=30, help="training epochs (default 30)"
    )
    parser.add_argument(
        "--batch-size", type=_positive_int, default=32, help="batch size (default 32)"
    )
    parser.add_argument(
        "--validation-split",
        type=_fraction,
        default=0.1,
        help="fraction of the training images held out for validation (default 0.1)",
    )
    parser.add_argument(
        "--out",
        default=DEFAULT_OUT,
        help=f"where to save the trained model (default {DEFAULT_OUT}; .keras, .h5 or .weights.h5)",
    )
    parser.add_argument("--no-save", action="store_true", help="do not save the trained model")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        default=1,
        help="Keras fit verbosity: 1 progress bar, 2 one line per epoch, 0 silent (default 1)",
    )
    return parser


def load_digits_data():
    """The shipped digits as float32 vectors in [0, 1] and integer labels, split train/test."""
    import lamina as keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    scale = float(max(np.max(x_train), np.max(x_test))) or 1.0
    x_train = np.asarray(x_train, dtype="float32").reshape(len(x_train), -1) / scale
    x_test = np.asarray(x_test, dtype="float32").reshape(len(x_test), -1) / scale
    return (x_train, np.asarray(y_train).astype("int64")), (
        x_test,
        np.asarray(y_test).astype("int64"),
    )


def build_model(input_dim: int, num_classes: int):
    """A small Sequential MLP compiled as a Keras tutorial would."""
    import lamina as keras
    from lamina import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            layers.Dense(64, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="digits_classifier",
    )
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Counts: row ``i``, column ``j`` is how many examples of class ``i`` were predicted ``j``."""
    y_true = np.asarray(y_true, dtype=np.int64).ravel()
    y_pred = np.asarray(y_pred, dtype=np.int64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length, received {y_true.shape[0]} and "
            f"{y_pred.shape[0]}"
        )
    counts = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def format_confusion_matrix(matrix: np.ndarray, labels: Sequence | None = None) -> str:
    """The matrix as a plain-text table with the true class down and the prediction across."""
    n = matrix.shape[0]
    labels = [str(label) for label in (labels if labels is not None else range(n))]
    width = max(4, len(str(int(matrix.max()))) + 1, max(len(s) for s in labels) + 1)
    head = "true\\pred".ljust(10) + "".join(s.rjust(width) for s in labels)
    rows = [
        labels[i].rjust(9) + " " + "".join(str(int(v)).rjust(width) for v in matrix[i])
        for i in range(n)
    ]
    return "\n".join([head, *rows])


def _size(path: str) -> str:
    size = os.path.getsize(path)
    return f"{size / 1024:.1f} kB" if size >= 1024 else f"{size} B"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; ``argv`` are the arguments after ``lamina demo``. Returns the exit code."""
    args = build_parser().parse_args(argv)
    start = time.perf_counter()

    import lamina as keras

    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_digits_data()
    num_classes = int(max(y_train.max(), y_test.max())) + 1
    print(
        f"lamina {keras.__version__} demo: a Dense classifier on the shipped 8x8 handwritten digits "
        f"({len(x_train)} training and {len(x_test)} test images, {num_classes} classes)"
    )

    model = build_model(x_train.shape[1], num_classes)
    model.summary()
    model.fit(
        x_train,
        y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_split=args.validation_split,
        verbose=args.verbose,
    )

    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    predicted = np.argmax(model.predict(x_test, verbose=0), axis=-1)
    correct = int(np.sum(predicted == y_test))
    print()
    print(
        f"Test accuracy: {test_accuracy:.4f} ({correct}/{len(y_test)} correct), "
        f"test loss: {test_loss:.4f}"
    )
    print("Confusion matrix (rows: true digit, columns: predicted digit):")
    print(format_confusion_matrix(confusion_matrix(y_test, predicted, num_classes)))

    if not args.no_save:
        out = args.out
        directory = os.path.dirname(os.path.abspath(out))
        os.makedirs(directory, exist_ok=True)
        if out.endswith(".weights.h5"):
            model.save_weights(out)
            print(f"\nSaved the trained weights to {out} ({_size(out)}).")
        else:
            model.save(out)
            reloaded = keras.models.load_model(out)
            same = np.array_equal(
                np.argmax(reloaded.predict(x_test, verbose=0), axis=-1), predicted
            )
            print(
                f"\nSaved the trained model to {out} ({_size(out)}); reloaded it: "
                + ("same predictions." if same else "PREDICTIONS DIFFER.")
            )
            if not same:
                print("error: the reloaded model predicts differently", file=sys.stderr)
                return 1
    print(f"Done in {time.perf_counter() - start:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
