"""A stand-in for the one seaborn call the classroom notebook makes: ``sns.lineplot(x, y, ...)``.

seaborn is not among lamina's dependencies, and seaborn 0.12+ no longer accepts ``x`` and ``y``
as positional arguments the way this 2019 notebook passes them, so the notebook imports this
module as ``sns`` instead. It draws the same line with matplotlib.
"""

from __future__ import annotations

import matplotlib.pyplot as plt


def lineplot(x=None, y=None, *, ax=None, label=None, c=None, color=None, **kwargs):
    """Plot ``y`` against ``x`` on ``ax`` (the current axes by default) and show the legend."""
    ax = ax if ax is not None else plt.gca()
    ax.plot(x, y, label=label, color=color if color is not None else c, **kwargs)
    if label is not None:
        ax.legend()
    return ax
