"""Executing a notebook cell by cell in an IPython shell, recording outputs the way Jupyter does.

Imported only by ``lamina run`` on an ``.ipynb`` file (it imports IPython). The shell is a plain
:class:`~IPython.core.interactiveshell.InteractiveShell` whose display hook, display publisher and
traceback printer record nbformat outputs (``stream``, ``execute_result``, ``display_data``,
``error``) into the notebook node while echoing them to the terminal under the cell's number.
"""

from __future__ import annotations

import base64
import os
import sys
import time
from pathlib import Path

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type
from traitlets.config import Config

from lamina.compat.hook import AliasModule, UnsupportedModuleError, missing_name_note
from lamina.compat.runner import EXPECTED_ERROR_TAG, RunError, Tee, format_error, is_install_command

_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
_IMAGE_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}
_PREFIX = "[lamina run]"


class _RecordingDisplayHook(DisplayHook):
    """``Out[n]``: hands the formatted value of a cell's last expression to the runner."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self.shell._lamina_runner.on_result(format_dict, md_dict or {})

    def finish_displayhook(self) -> None:
        sys.stdout.flush()


class _RecordingDisplayPublisher(DisplayPublisher):
    """``display(...)`` and inline figures: hands each display to the runner."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
        self.shell._lamina_runner.on_display(data, metadata or {})

    def clear_output(self, wait=False) -> None:
        self.shell._lamina_runner.on_clear_output()


class RunnerShell(InteractiveShell):
    """An IPython shell that records outputs for the runner and skips package installs."""

    displayhook_class = Type(_RecordingDisplayHook)
    display_pub_class = Type(_RecordingDisplayPublisher)

    def keep_lamina_out_of_autoreload(self, *args) -> None:
        """``%autoreload 2`` reloads the user's modules, never lamina's during a run.

        Reloading a lamina module mid-run makes new classes that old objects (tensors,
        layers) are not instances of; a tutorial's ``%autoreload`` means its own helpers.
        """
        magics = self.magics_manager.registry.get("AutoreloadMagics")
        reloader = getattr(magics, "_reloader", None)
        skip = getattr(reloader, "skip_modules", None)
        if skip is None:
            return
        for name, module in list(sys.modules.items()):
            if name == "lamina" or name.startswith("lamina.") or isinstance(module, AliasModule):
                skip[name] = True

    def enable_gui(self, gui=None) -> None:
        """No GUI event loop here: figures are shown inline (saved with --out)."""

    def enable_matplotlib(self, gui=None):
        """``%matplotlib notebook``/``widget``/``qt`` ... all become ``inline`` here."""
        if gui not in (None, "inline", "auto"):
            print(f"{_PREFIX} `%matplotlib {gui}`: figures are shown inline under lamina run")
        return super().enable_matplotlib("inline")

    def _showtraceback(self, etype, evalue, stb) -> None:
        self._lamina_runner.on_error(etype, evalue, stb)

    def system_piped(self, cmd):
        if is_install_command(cmd):
            print(f"{_PREFIX} skipped `!{cmd.strip()}`: package installs are not run by lamina run")
            return None
        return super().system_piped(cmd)

    system = system_piped

    def getoutput(self, cmd, split=True, depth=0):
        if is_install_command(cmd):
            print(f"{_PREFIX} skipped `!{cmd.strip()}`: package installs are not run by lamina run")
            from IPython.utils.text import SList

            return SList() if split else ""
        return super().getoutput(cmd, split=split, depth=depth)


def _skip_magic(name: str):
    def magic(line: str, cell: str | None = None) -> None:
        print(
            f"{_PREFIX} skipped `%{name} {line.strip()}`: package installs are not run by lamina run"
        )

    return magic


def _tensorflow_version(line: str) -> None:
    """Colab's ``%tensorflow_version 2.x``: nothing to select, lamina serves tensorflow."""
    print(f"{_PREFIX} `%tensorflow_version {line.strip()}`: tensorflow is served by lamina")


class NotebookRunner:
    """Runs the code cells of ``nb`` in order, filling in their outputs and execution counts."""

    def __init__(
        self,
        nb,
        path: Path,
        *,
        out_dir: Path | None = None,
        keep_going: bool = False,
        render_figures: bool = True,
    ):
        self.nb = nb
        self.render_figures = render_figures
        self.path = path
        self.out_dir = out_dir
        self.keep_going = keep_going
        self._cell = None
        self._number = 0
        self._figures = 0
        self._stdout = sys.stdout
        self._stderr = sys.stderr

    # -- shell ---------------------------------------------------------------------------------
    def _make_shell(self) -> RunnerShell:
        if InteractiveShell.initialized() and not isinstance(
            InteractiveShell.instance(), RunnerShell
        ):
            raise RunError(
                "cannot run a notebook inside a running IPython session; run `lamina run` "
                "in a terminal (or `%load_ext lamina` and run the cells here)"
            )
        config = Config()
        config.HistoryManager.enabled = False
        if not self.render_figures:  # nothing will keep the images: skip drawing them
            config.InlineBackend.figure_formats = set()
        shell = RunnerShell.instance(config=config, colors="nocolor")
        shell._lamina_runner = self
        shell.events.register("post_run_cell", shell.keep_lamina_out_of_autoreload)
        for name in ("pip", "conda", "mamba", "micromamba"):
            shell.register_magic_function(_skip_magic(name), "line", name)
        shell.register_magic_function(_tensorflow_version, "line", "tensorflow_version")
        return shell

    # -- run -----------------------------------------------------------------------------------
    def run(self) -> int:
        """Execute every code cell; returns 0, or 1 if a cell raised unexpectedly (130 on ^C)."""
        cells = [c for c in self.nb.cells if c.cell_type == "code"]
        for cell in cells:
            cell.outputs = []
            cell.execution_count = None
        self._started = time.perf_counter()
        saved_backend = os.environ.get("MPLBACKEND")
        failed: list[tuple[int, BaseException]] = []
        expected: list[int] = []
        ran = 0
        status = 0
        try:
            os.environ["MPLBACKEND"] = _INLINE_BACKEND  # as ipykernel: inline figures
            shell = self._make_shell()
            if "matplotlib" in sys.modules:
                shell.enable_matplotlib("inline")
            sys.stdout = Tee(self._stdout, self.on_stream, "stdout")
            sys.stderr = Tee(self._stderr, self.on_stream, "stderr")
            for index, cell in enumerate(cells):
                if not cell.source.strip():
                    continue
                number = shell.execution_count
                self._begin(cell, number)
                result = shell.run_cell(cell.source, store_history=True)
                cell.execution_count = number
                self._cell = None
                ran += 1
                error = result.error_before_exec or result.error_in_exec
                if error is None:
                    continue
                if isinstance(error, KeyboardInterrupt):
                    self._say(f"{_PREFIX} interrupted in cell {number}", err=True)
                    status = 130
                    break
                if EXPECTED_ERROR_TAG in cell.metadata.get("tags", []):
                    expected.append(number)
                    self._say(
                        f"{_PREFIX} cell {number} raised {type(error).__name__}, as expected "
                        f"(tagged {EXPECTED_ERROR_TAG!r})"
                    )
                    continue
                failed.append((number, error))
                if not self.keep_going:
                    left = sum(1 for c in cells[index + 1 :] if c.source.strip())
                    if left:
                        self._say(
                            f"{_PREFIX} stopped after the error in cell {number}; {left} "
                            "later cells not run (--keep-going runs them)",
                            err=True,
                        )
                    break
        finally:
            sys.stdout, sys.stderr = self._stdout, self._stderr
            if saved_backend is None:
                os.environ.pop("MPLBACKEND", None)
            else:
                os.environ["MPLBACKEND"] = saved_backend
            if InteractiveShell.initialized() and isinstance(
                InteractiveShell.instance(), RunnerShell
            ):
                RunnerShell.clear_instance()  # (never a shell that was not ours)
        self._summary(ran, failed, expected)
        if status:
            return status
        return 1 if failed else 0

    def _summary(self, ran, failed, expected) -> None:
        parts = [f"{ran} cell{'s' if ran != 1 else ''} run"]
        if expected:
            parts.append(f"{len(expected)} raised as expected (cells {_numbers(expected)})")
        if failed:
            parts.append(f"{len(failed)} failed (cells {_numbers([n for n, _ in failed])})")
        elapsed = time.perf_counter() - self._started
        self._say(f"{_PREFIX} {self.path.name}: " + ", ".join(parts) + f" ({elapsed:.1f} s)")
        for number, error in failed:
            message = str(error).strip().splitlines()[0] if str(error).strip() else ""
            self._say(
                f"{_PREFIX} error in cell {number}: {type(error).__name__}"
                + (f": {message}" if message else ""),
                err=True,
            )

    # -- recording -------------------------------------------------------------------------------
    def _say(self, text: str, err: bool = False) -> None:
        stream = self._stderr if err else self._stdout
        self._stdout.flush()
        stream.write(text + "\n")
        stream.flush()

    def _begin(self, cell, number: int) -> None:
        self._cell = cell
        self._number = number
        self._figures = 0
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        if len(first) > 72:
            first = first[:69] + "..."
        self._say(f"\nIn [{number}]: {first}")

    def on_stream(self, name: str, text: str) -> None:
        if self._cell is None or not text:
            return
        outputs = self._cell.outputs
        if outputs and outputs[-1].output_type == "stream" and outputs[-1].name == name:
            outputs[-1].text += text
        else:
            outputs.append(nbformat.v4.new_output("stream", name=name, text=text))

    def on_result(self, data: dict, metadata: dict) -> None:
        text = data.get("text/plain", "")
        sep = "\n" if "\n" in text else ""
        self._say(f"Out[{self._number}]: {sep}{text}")
        self._save_images(data)
        if self._cell is not None:
            self._cell.outputs.append(
                nbformat.v4.new_output(
                    "execute_result",
                    data=_jsonable(data),
                    metadata=metadata,
                    execution_count=self._number,
                )
            )

    def on_display(self, data: dict, metadata: dict) -> None:
        saved = self._save_images(data)
        text = data.get("text/plain", "")
        if saved:
            for path in saved:
                self._say(f"{text} -> {path}" if text else f"{_PREFIX} figure saved: {path}")
        elif any(m in data for m in _IMAGE_SUFFIXES) or text.startswith("<Figure size"):
            self._say(f"{text or '<image>'} (not saved: --out DIR saves figures)")
        elif text:
            self._say(text)
        if self._cell is not None:
            self._cell.outputs.append(
                nbformat.v4.new_output("display_data", data=_jsonable(data), metadata=metadata)
            )

    def on_clear_output(self) -> None:
        if self._cell is not None:
            self._cell.outputs = []

    def on_error(self, etype, evalue, stb) -> None:
        if isinstance(evalue, UnsupportedModuleError):
            lines = [format_error(evalue).rstrip("\n")]
        else:
            lines = list(stb)
            note = missing_name_note(evalue)
            if note:
                lines.append(note)
        self._say(f"Error in cell {self._number}:\n" + "\n".join(lines))
        if self._cell is not None:
            self._cell.outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename=etype.__name__ if etype else "Error",
                    evalue=str(evalue),
                    traceback=lines,
                )
            )

    def _save_images(self, data: dict) -> list[Path]:
        if self.out_dir is None:
            return []
        saved = []
        for mime, suffix in _IMAGE_SUFFIXES.items():
            if mime not in data:
                continue
            value = data[mime]
            if mime == "image/svg+xml":
                raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            elif isinstance(value, bytes):
                raw = value
            else:
                raw = base64.b64decode(value)
            self._figures += 1
            target = self.out_dir / f"cell{self._number}_{self._figures}{suffix}"
            target.write_bytes(raw)
            saved.append(target)
            break  # one file per display: the first image form
        return saved


def _jsonable(data: dict) -> dict:
    """Display data as nbformat stores it (binary images base64-encoded)."""
    out = {}
    for mime, value in data.items():
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        out[mime] = value
    return out


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)
