"""``%load_ext lamina``: serve ``keras``/``tensorflow`` imports from lamina in an IPython session."""

from __future__ import annotations

from lamina.compat.hook import install, is_installed, uninstall


def load_ipython_extension(ipython) -> None:
    """Install the import hook for the session (``%unload_ext lamina`` removes it)."""
    if is_installed():
        return
    install()
    print("lamina: `import keras` and `import tensorflow` now use lamina in this session.")


def unload_ipython_extension(ipython) -> None:
    """Remove the import hook; ``keras``/``tensorflow`` imports go back to what is installed."""
    uninstall()
