"""A matplotlib backend for scripts run by ``lamina run --out DIR``: ``plt.show()`` saves PNGs.

Selected through ``MPLBACKEND=module://lamina.compat.mpl_backend`` (see
:func:`lamina.compat.figures.activate`), so matplotlib is imported only if the script imports
it. ``show()`` writes every open figure to ``figure-<n>.png`` in the output folder and closes
it, as closing a window would.
"""

from __future__ import annotations

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

from lamina.compat.figures import save_open_figures

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def show(*args, **kwargs) -> None:
    """Save and close every open figure (what a script's ``plt.show()`` does under lamina run)."""
    for path in save_open_figures():
        print(f"[lamina run] figure saved: {path}")
