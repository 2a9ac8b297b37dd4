"""Where the figures of a script run by ``lamina run --out DIR`` go (no matplotlib import here)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ENV = "LAMINA_RUN_OUT"
BACKEND = "module://lamina.compat.mpl_backend"
_count = 0


def activate(out_dir: Path) -> None:
    """Send the figures of this process to ``out_dir`` (matplotlib need not be imported yet)."""
    os.environ[_ENV] = str(out_dir)
    os.environ["MPLBACKEND"] = BACKEND
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].switch_backend(BACKEND)


def save_open_figures() -> list[Path]:
    """Save every open pyplot figure to the output folder and close them; the paths written."""
    global _count
    pyplot = sys.modules.get("matplotlib.pyplot")
    out = os.environ.get(_ENV)
    if pyplot is None or not out:
        return []
    saved = []
    for num in pyplot.get_fignums():
        fig = pyplot.figure(num)
        _count += 1
        path = Path(out) / f"figure-{_count}.png"
        fig.savefig(path)
        saved.append(path)
    pyplot.close("all")
    return saved
