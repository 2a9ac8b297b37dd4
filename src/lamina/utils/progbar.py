"""``Progbar``: the Keras text progress bar.

On a terminal it redraws one line in place (backspaces and a carriage return, as Keras);
in a notebook, a pipe or a captured stream it prints only each finished bar as a plain
line, so logs and notebooks read like the tutorials:

    32/32 [==============================] - 0s 2ms/step - loss: 0.6931 - accuracy: 0.5000

In the ``"keras2.0"`` output style it prints as Keras 2.0.0-2.0.8 did: no per-unit time
(``534/534 [======] - 0s - loss: 21.5538``), ETAs in whole seconds, the bar redrawn at most
every ``interval`` seconds and padded with blanks to the previous width; off a terminal each
redraw starts a new line (where Keras 2.0 wrote ``\r``), which is how its output reads in
captured logs and the course notes of that era.
"""

from __future__ import annotations

import math
import numbers
import sys
import time
from collections.abc import Iterable, Mapping

import numpy as np

from lamina.utils import output_style as _style
from lamina.utils.console import is_interactive_logging_enabled, print_msg


def _is_dynamic() -> bool:
    """In-place redraw only on a real terminal (not notebooks, pipes or captured output)."""
    if "ipykernel" in sys.modules or not is_interactive_logging_enabled():
        return False
    stream = sys.stdout
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _to_number(value):
    """A float (or an array of floats) from a log value; other objects are shown as text."""
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biuf":
        return float(value) if value.size == 1 else value.astype(np.float64)
    return value


def _format_time(seconds: float, unit: str, keras22: bool = False) -> str:
    if seconds >= 1 or (seconds == 0 and not keras22):
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


def _format_eta(eta: float) -> str:
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


class Progbar:
    """Displays a progress bar (``keras.utils.Progbar``).

    Args:
        target: total number of steps expected, or None if unknown.
        width: width of the bar in characters.
        verbose: 0 silent, 1 a bar, 2 one line when the bar finishes.
        interval: minimum time in seconds between two redraws.
        stateful_metrics: names whose values are shown as given; others are averaged
            over the steps seen so far.
        unit_name: the unit in the per-unit time (``step`` or ``sample``).
    """

    def __init__(
        self,
        target: int | None,
        width: int = 30,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
    ) -> None:
        if target is not None:
            if isinstance(target, bool) or not isinstance(target, (numbers.Integral, float)):
                raise TypeError(f"`target` must be an int or None, received {target!r}")
            if target < 0 or (isinstance(target, float) and not target.is_integer()):
                raise ValueError(f"`target` must be a non-negative integer, received {target!r}")
            target = int(target)
        if isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 1:
            raise ValueError(f"`width` must be a positive integer, received {width!r}")
        if isinstance(verbose, bool):
            verbose = int(verbose)
        if not isinstance(verbose, numbers.Integral) or verbose < 0:
            raise ValueError(f"`verbose` must be 0, 1 or 2, received {verbose!r}")
        if not isinstance(interval, numbers.Real) or interval < 0:
            raise ValueError(f"`interval` must be a non-negative number, received {interval!r}")
        self.target = target
        self.width = int(width)
        self.verbose = int(verbose)
        self.interval = float(interval)
        self.unit_name = str(unit_name)
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self._keras22 = _style.is_keras22()
        self._keras20 = _style.is_keras20()
        self._dynamic_display = _is_dynamic()
        self._total_width = 0
        self._seen_so_far = 0
        self._values: dict = {}
        self._values_order: list = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_at_epoch_start = self._start
        self._time_at_epoch_end: float | None = None
        self._time_after_first_step: float | None = None

    def _update_stateful_metrics(self, stateful_metrics: Iterable[str]) -> None:
        self.stateful_metrics = self.stateful_metrics.union(stateful_metrics)

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Move the bar to step ``current``.

        Args:
            current: index of the current step (the bar is full at ``target``).
            values: ``(name, value)`` pairs (or a dict) to show after the bar.
            finalize: whether this is the last update; by default ``current >= target``.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if values:
            items = values.items() if isinstance(values, Mapping) else values
            base = max(current - self._seen_so_far, 1)
            for k, v in items:
                if k not in self._values:
                    self._values_order.append(k)
                v = _to_number(v)
                if k in self.stateful_metrics or not isinstance(v, (float, np.ndarray)):
                    self._values[k] = [v, 1]
                elif k in self._values:
                    entry = self._values[k]
                    entry[0] = entry[0] + v * base
                    entry[1] += base
                else:
                    self._values[k] = [v * base, base]
        self._seen_so_far = current

        now = time.time()
        if current == self.target:
            self._time_at_epoch_end = now
        if self.verbose == 1:
            if self._draw(current, now, finalize):
                self._last_update = now  # the interval counts from the last redraw
        elif self.verbose == 2 and finalize:
            self._line_v2(current, now)
            self._last_update = now

    def add(self, n: int, values=None) -> None:
        """Advance the bar by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    # -- drawing ---------------------------------------------------------------------------
    def _avg(self, k):
        total, count = self._values[k]
        if isinstance(total, (float, np.ndarray)):
            return float(np.mean(total / max(1, count)))
        return total

    def _metrics(self, positive_only: bool) -> str:
        out = []
        for k in self._values_order:
            avg = self._avg(k)
            if isinstance(avg, float):
                big = avg > 1e-3 if positive_only else abs(avg) > 1e-3
                out.append(f" - {k}: {avg:.4f}" if big else f" - {k}: {avg:.4e}")
            else:
                out.append(f" - {k}: {avg}")
        return "".join(out)

    def _bar(self, current: int) -> str:
        if self.target is None:
            return f"{current:7d}/Unknown"
        target = self.target
        digits = int(math.log10(target)) + 1 if target > 0 else 1
        bar = f"{current:{digits}d}/{target} ["
        prog = float(current) / target if target > 0 else 1.0
        prog_width = int(self.width * prog)
        if prog_width > 0:
            bar += "=" * (prog_width - 1)
            bar += ">" if current < target else "="
        bar += "." * (self.width - prog_width)
        return bar + "]"

    def _time_per_unit(self, current: int, now: float) -> float:
        if not current:
            return 0.0
        if self._keras22:
            return (now - self._start) / current
        if self._time_after_first_step is not None and current > 1:
            per = (now - self._time_after_first_step) / (current - 1)
        else:
            per = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per

    def _draw(self, current: int, now: float, finalize: bool) -> bool:
        """Print the bar at ``current`` unless it is not due yet; True when printed."""
        if not finalize:
            # Off a terminal only finished bars are printed (Keras 2.0 printed every
            # redraw); with no known end (target None) there is no finished bar, so
            # progress lines are printed per interval.
            if not self._dynamic_display and self.target is not None and not self._keras20:
                return False
            if now - self._last_update < self.interval:
                return False
        if self._keras20:
            self._draw_keras20(current, now, finalize)
            return True
        bar = self._bar(current)
        per_unit = self._time_per_unit(current, now)
        if self.target is None or finalize:
            info = f" - {now - self._start:.0f}s" + _format_time(
                per_unit, self.unit_name, self._keras22
            )
        else:
            info = " - ETA: " + _format_eta(per_unit * (self.target - current))
        info += self._metrics(positive_only=False)
        if self._dynamic_display:
            prev = self._total_width
            self._total_width = len(bar) + len(info)
            if prev > self._total_width:
                info += " " * (prev - self._total_width)
            message = "\b" * prev + "\r" + bar + info
        else:
            message = bar + info
        if finalize or not self._dynamic_display:
            message += "\n"
        print_msg(message, line_break=False)
        return True

    def _draw_keras20(self, current: int, now: float, finalize: bool) -> None:
        """Keras 2.0's redraw: whole seconds, no per-unit time, blanks over a longer line."""
        bar = self._bar(current)
        elapsed = now - self._start
        if self.target is not None and not finalize:
            eta = elapsed / current * (self.target - current) if current else 0.0
            info = f" - ETA: {int(eta)}s"
        else:
            info = f" - {int(elapsed)}s"
        info += self._metrics(positive_only=False)
        prev = self._total_width
        self._total_width = len(bar) + len(info)
        if prev > self._total_width:
            info += " " * (prev - self._total_width)
        # Keras 2.0 went back over the previous bar with backspaces and a carriage return;
        # a captured stream shows each redraw as a line, so off a terminal write a newline.
        start = "\b" * prev + "\r" if self._dynamic_display else "\n"
        print_msg(start + bar + info + ("\n" if finalize else ""), line_break=False)

    def _line_v2(self, current: int, now: float) -> None:
        if self._keras20:  # Keras 2.0: "0s - loss: 0.6931", no leading dash
            line = f"{int(now - self._start)}s" + self._metrics(positive_only=True) + "\n"
            print_msg(line, line_break=False)
            return
        elapsed = f" - {now - self._start:.0f}s"
        if self._keras22:
            line = elapsed + self._metrics(positive_only=True) + "\n"
        else:
            target = self.target if self.target is not None else current
            digits = int(math.log10(target)) + 1 if target > 0 else 1
            line = f"{current:{digits}d}/{target}" + elapsed + self._metrics(positive_only=True)
            end = self._time_at_epoch_end if self._time_at_epoch_end is not None else now
            per_epoch = end - self._time_at_epoch_start
            line += " -" + _format_time(per_epoch, "epoch")
            line += " -" + _format_time(per_epoch / max(target, 1), self.unit_name)
            line += "\n"
            self._time_at_epoch_start = now
            self._time_at_epoch_end = None
        print_msg(line, line_break=False)


__all__ = ["Progbar"]
