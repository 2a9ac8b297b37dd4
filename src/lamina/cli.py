"""The ``lamina`` console script.

* ``lamina run PATH [args ...]``: run an unchanged Keras/TensorFlow script or notebook on lamina.
* ``lamina demo [options]``: train and evaluate a classifier on the shipped digits.
* ``lamina --version``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

RUN_USAGE = (
    "lamina run [--out DIR] [--save-notebook OUT.ipynb] [--keep-going] [--output-style STYLE] "
    "PATH [args ...]"
)
RUN_HELP = f"""usage: {RUN_USAGE}

Run a Python script or a Jupyter notebook (.ipynb) unchanged, with `import keras`,
`import tensorflow as tf`, `from tensorflow.keras... import ...` served by lamina.

positional arguments:
  PATH                  the .py script or .ipynb notebook to run
  args                  arguments for the script (its sys.argv[1:]); put them after `--`
                        if they look like the options below

options:
  -h, --help            show this help message and exit
  --out DIR             save figures as PNG files in DIR (notebook cells, a script's
                        plt.show())
  --save-notebook OUT.ipynb
                        write the executed notebook, with its outputs, to OUT.ipynb
  --keep-going          after a cell raises, go on with the next cells (notebooks)
  --output-style STYLE  print training output as tf.keras2 (default), keras2.3, keras2.2 or
                        keras2.0 did (keras2.2: "Train on N samples", samples-based bars,
                        `acc`; keras2.0: the same without per-sample times)

Notebook cells tagged 'raises-exception' may raise without failing the run. `!pip install`
and `%pip` lines are skipped. The exit status is 0 when everything ran, 1 when the code
raised, 2 for bad input.
"""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser (``run`` and ``demo`` parse their own arguments)."""
    from lamina import __version__

    parser = argparse.ArgumentParser(
        prog="lamina",
        description="lamina: Keras-style deep learning on NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"lamina {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{run,demo}")
    sub.add_parser(
        "run", help="run an unchanged Keras/TensorFlow script or notebook on lamina", add_help=False
    )
    sub.add_parser("demo", help="train a digits classifier and report its accuracy", add_help=False)
    return parser


class _UsageError(Exception):
    pass


def parse_run_args(args: Sequence[str]) -> dict:
    """Split ``lamina run`` arguments into lamina's options, the path and the script's argv.

    lamina's options are recognised before and after PATH; everything after ``--`` belongs
    to the script.
    """
    opts: dict = {
        "out": None,
        "save_notebook": None,
        "output_style": None,
        "keep_going": False,
        "help": False,
    }
    path = None
    script_args: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if token == "--":
            rest = list(args[i:])
            if path is None and rest:
                path, rest = rest[0], rest[1:]
            script_args.extend(rest)
            break
        name, eq, value = token.partition("=")
        if name in ("--out", "--save-notebook", "--output-style"):
            if not eq:
                if i >= len(args):
                    raise _UsageError(f"{name}: expected a value")
                value = args[i]
                i += 1
            if not value:
                raise _UsageError(f"{name}: expected a value, received ''")
            opts[name[2:].replace("-", "_")] = value
        elif token == "--keep-going":
            opts["keep_going"] = True
        elif token in ("-h", "--help"):
            opts["help"] = True
        elif path is None:
            if token.startswith("-") and token != "-":
                raise _UsageError(f"unrecognized option {token!r} (script arguments go after PATH)")
            path = token
        else:
            script_args.append(token)
    opts["path"] = path
    opts["argv"] = script_args
    return opts


def _run(args: Sequence[str]) -> int:
    try:
        opts = parse_run_args(args)
    except _UsageError as e:
        sys.stderr.write(f"usage: {RUN_USAGE}\nlamina run: error: {e}\n")
        return 2
    if opts["help"]:
        sys.stdout.write(RUN_HELP)
        return 0
    if opts["path"] is None:
        sys.stderr.write(
            f"usage: {RUN_USAGE}\nlamina run: error: expected PATH, a .py script "
            "or an .ipynb notebook\n"
        )
        return 2
    from lamina.compat.runner import RunError, run_path

    try:
        return run_path(
            opts["path"],
            opts["argv"],
            out=opts["out"],
            save_notebook=opts["save_notebook"],
            keep_going=opts["keep_going"],
            output_style=opts["output_style"],
        )
    except RunError as e:
        sys.stderr.write(f"lamina run: error: {e}\n")
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lamina`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "run":
        return _run(argv[1:])
    if argv and argv[0] == "demo":
        from lamina.demo import main as demo_main

        return demo_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return 0  # pragma: no cover  (run and demo are dispatched above)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
