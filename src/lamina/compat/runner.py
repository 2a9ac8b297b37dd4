"""``lamina run``: a Python script or a Jupyter notebook run unchanged, with keras/tensorflow on lamina.

Scripts run as ``python script.py args...`` would (``__name__ == "__main__"``, ``sys.argv``,
the script's folder first on ``sys.path``). Notebooks run cell by cell in an IPython shell, so
the magics tutorials use work (``%%time``, ``%matplotlib inline``, ``%load_ext autoreload``);
``!pip install ...`` and ``%pip`` are skipped with a note. Each cell's output is printed under
its number (``In [3]``, the execution count a fresh "Run all" gives), figures are saved as PNG
files to ``out`` and the executed notebook can be written with its outputs.

IPython, nbformat and matplotlib are imported only when a notebook runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import runpy
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path

from lamina.compat.hook import UnsupportedModuleError, enabled, missing_name_note

_CELL_FILENAME = re.compile(r"<ipython-input-(\d+)-[0-9a-f]+>")
_COMPAT_DIR = os.path.dirname(os.path.abspath(__file__))
_HIDDEN_FILES = {os.path.abspath(runpy.__file__)}

#: Notebook cells with this tag are expected to raise (Jupyter/nbval convention).
EXPECTED_ERROR_TAG = "raises-exception"

#: Shell commands and magics a notebook may use to install packages; skipped with a note.
_INSTALLERS = ("pip", "pip3", "conda", "mamba", "micromamba", "apt", "apt-get", "uv")


class RunError(Exception):
    """Bad input to ``lamina run`` (missing file, not a notebook ...): reported without traceback."""


def run_path(
    path: str | os.PathLike,
    argv: Sequence[str] = (),
    *,
    out: str | os.PathLike | None = None,
    save_notebook: str | os.PathLike | None = None,
    keep_going: bool = False,
    output_style: str | None = None,
) -> int:
    """Run a ``.py`` script or an ``.ipynb`` notebook with the lamina import hook installed.

    ``output_style`` (``"keras2.2"``, ``"keras2.3"``, ``"tf.keras2"``) picks which Keras
    generation's training output is printed (see :mod:`lamina.utils.output_style`).
    Returns the exit status (0 when everything ran; 1 when the code raised). Raises
    :class:`RunError` for input that cannot be run at all.
    """
    if output_style is not None:
        from lamina.utils.output_style import set_output_style

        try:
            previous = set_output_style(output_style)
        except (TypeError, ValueError) as e:
            raise RunError(f"--output-style: {e}") from None
        try:
            return run_path(path, argv, out=out, save_notebook=save_notebook, keep_going=keep_going)
        finally:
            set_output_style(previous)
    path = Path(path)
    if not path.exists():
        raise RunError(f"no such file: {str(path)!r}")
    if path.is_dir():
        raise RunError(f"{str(path)!r} is a directory; expected a .py script or an .ipynb notebook")
    out_dir = Path(out).resolve() if out is not None else None
    if path.suffix.lower() == ".ipynb":
        save = Path(save_notebook).resolve() if save_notebook is not None else None
        return _run_notebook(path, list(argv), out_dir, save, keep_going)
    if save_notebook is not None:
        raise RunError(f"--save-notebook needs an .ipynb notebook; {str(path)!r} is a script")
    return _run_script(path, list(argv), out_dir)


# --- error display ----------------------------------------------------------------------------
def _internal_frame(filename: str) -> bool:
    filename = os.path.abspath(filename) if not filename.startswith("<") else filename
    return (
        filename.startswith(_COMPAT_DIR + os.sep)
        or filename in _HIDDEN_FILES
        or filename.startswith(("<frozen importlib", "<frozen runpy"))
    )


def _filter(te: traceback.TracebackException, seen: set[int] | None = None) -> None:
    """Drop the runner's frames from ``te`` and the exceptions chained to it."""
    seen = set() if seen is None else seen
    if te is None or id(te) in seen:
        return
    seen.add(id(te))
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack if not _internal_frame(f.filename)]
    )
    _filter(te.__cause__, seen)
    _filter(te.__context__, seen)


def format_error(exc: BaseException) -> str:
    """The traceback of ``exc`` without the runner's and the import hook's own frames.

    A :class:`UnsupportedModuleError` becomes a two-line message: what is missing and the line
    of the user's code that asked for it.
    """
    if isinstance(exc, UnsupportedModuleError):
        where = ""
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if not _internal_frame(f.filename)
        ]
        if frames:
            f = frames[-1]
            cell = _CELL_FILENAME.match(f.filename)
            place = f"cell {cell[1]}" if cell else f.filename
            where = f"\n  at {place}, line {f.lineno}: {(f.line or '').strip()}"
        return f"error: {exc}{where}\n"
    te = traceback.TracebackException.from_exception(exc)
    _filter(te)
    text = "".join(te.format())
    note = missing_name_note(exc)
    return text + note + "\n" if note else text


# --- scripts ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _script_context(path: Path, argv: list[str]) -> Iterator[None]:
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [str(path), *argv]
    sys.path.insert(0, str(path.resolve().parent))
    try:
        yield
    finally:
        sys.argv[:] = saved_argv
        sys.path[:] = saved_path


def _run_script(path: Path, argv: list[str], out_dir: Path | None) -> int:
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        from lamina.compat import figures

        figures.activate(out_dir)
    status = 0
    with _script_context(path, argv), enabled(), _fast():
        try:
            runpy.run_path(str(path), run_name="__main__")
        except SystemExit as e:
            status = _exit_status(e)
        except KeyboardInterrupt:
            sys.stderr.write("\nlamina run: interrupted\n")
            status = 130
        except BaseException as e:  # noqa: BLE001  (the user's code raised: report it)
            sys.stdout.flush()
            sys.stderr.write(format_error(e))
            status = 1
        finally:
            if out_dir is not None:
                from lamina.compat import figures

                for saved in figures.save_open_figures():
                    print(f"[lamina run] figure saved: {saved}")
    return status


def _exit_status(e: SystemExit) -> int:
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


# --- notebooks --------------------------------------------------------------------------------
def _need_notebook_packages() -> None:
    missing = []
    for name in ("nbformat", "IPython"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise RunError(
            f"running notebooks needs {' and '.join(missing)}, "
            f"which {'is' if len(missing) == 1 else 'are'} not installed: "
            "pip install 'lamina[notebook]' (scripts run without them)"
        )


def read_notebook(path: Path):
    """The notebook at ``path`` as an nbformat v4 node; :class:`RunError` if it is not one."""
    import json

    _need_notebook_packages()
    import nbformat

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise RunError(f"{str(path)!r} is not a notebook: not UTF-8 text ({e.reason})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise RunError(
            f"{str(path)!r} is not a valid notebook: not JSON (line {e.lineno}, "
            f"column {e.colno}: {e.msg})"
        ) from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        got = type(raw).__name__ if not isinstance(raw, dict) else f"keys {sorted(raw)[:5]}"
        raise RunError(
            f"{str(path)!r} is not a valid notebook: expected a JSON object with 'cells', "
            f"received {got}"
        )
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as e:  # noqa: BLE001  (nbformat raises several kinds)
        message = getattr(e, "message", None) or str(e)
        first = message.strip().splitlines()[0] if message.strip() else type(e).__name__
        raise RunError(f"{str(path)!r} is not a valid notebook (nbformat): {first}") from None
    language = (nb.metadata.get("kernelspec") or {}).get("language") or (
        nb.metadata.get("language_info") or {}
    ).get("name")
    if language and str(language).lower() not in ("python", "python3", "ipython"):
        raise RunError(
            f"{str(path)!r} is a notebook in {language}; lamina run runs Python notebooks"
        )
    return nb


def _run_notebook(
    path: Path, argv: list[str], out_dir: Path | None, save: Path | None, keep_going: bool
) -> int:
    nb = read_notebook(path)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    from lamina.compat.notebook import NotebookRunner

    runner = NotebookRunner(
        nb,
        path,
        out_dir=out_dir,
        keep_going=keep_going,
        render_figures=out_dir is not None or save is not None,
    )
    with _script_context(path, argv), enabled(), _fast(), _chdir(path.resolve().parent):
        status = runner.run()
    if save is not None:
        import nbformat

        save.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(save))
        print(f"[lamina run] executed notebook written to {save}")
    return status


@contextlib.contextmanager
def _fast() -> Iterator[None]:
    from lamina.compat.fast import ENV, fast_samples

    try:
        limit = fast_samples()
    except ValueError as e:
        raise RunError(str(e)) from None
    if limit is None:
        yield
        return
    from lamina.compat.fast import fast_fit

    print(f"[lamina run] {ENV}: fit() trains on the first {limit} samples of its data")
    with fast_fit():
        yield


@contextlib.contextmanager
def _chdir(directory: Path) -> Iterator[None]:
    saved = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(saved)


class Tee(io.TextIOBase):
    """A text stream that writes through to ``stream`` and hands every write to ``record``."""

    def __init__(self, stream, record, name: str) -> None:
        self._stream = stream
        self._record = record
        self.name = name

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self._stream.write(s)
        self._record(self.name, s)
        return len(s)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:  # notebook-style output: no terminal control characters
        return False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self):  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")

    def __getattr__(self, name: str):
        # ``buffer``, ``errors`` ... of the real stream (bytes written there are not recorded)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._stream, name)


def is_install_command(cmd: str) -> bool:
    """Whether a ``!cmd`` shell line installs packages (``pip install x``, ``python -m pip``)."""
    words = cmd.strip().split()
    while words and ("=" in words[0] or words[0] in ("sudo", "env")):
        words = words[1:]
    if not words:
        return False
    first = os.path.basename(words[0])
    if first in _INSTALLERS:
        return True
    return (
        first.startswith("python")
        and len(words) > 2
        and words[1] == "-m"
        and (words[2] in _INSTALLERS)
    )
