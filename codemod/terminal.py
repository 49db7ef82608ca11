"""What only a person at a terminal sees: colour in the text report, a progress bar on long runs.

Both come from ``rich`` and both stay out of anything a program reads: colour only when the
stream is a terminal, ``NO_COLOR`` is unset or empty and ``TERM`` is not ``dumb`` (rich's own
detection, which follows https://no-color.org); never in JSON, SARIF, GitHub or diff output.
The progress bar goes to stderr, only when stderr is a terminal, and only once a run has taken
more than :data:`PROGRESS_DELAY` seconds (``$GOFIX_LINKNAME_PROGRESS_DELAY`` sets another
delay: the tests' way to see a bar without a run made slow on purpose); it is erased when the
run ends.
"""
from __future__ import annotations

import os
import re
import time
from typing import TextIO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

PROGRESS_DELAY = 1.0  # seconds before a bar appears: quick runs never flash one


def _progress_delay() -> float:
    try:
        return float(os.environ.get("GOFIX_LINKNAME_PROGRESS_DELAY", PROGRESS_DELAY))
    except ValueError:
        return PROGRESS_DELAY

_FINDING = re.compile(r"^(?P<where>\S.*?:\d+:\d+): (?P<rule>LN\d+) (?P<sev>error|warning|info): (?P<msg>.*)$")
_FIX = re.compile(r"^(?P<indent>\s+)(?P<head>fix \((?:safe|unsafe)\)[^:]*|no fix): (?P<rest>.*)$")
_UNUSED = re.compile(r"^(?P<where>\S.*?:\d+:\d+): (?P<what>unused suppression): (?P<rest>.*)$")
_SEVERITY = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _no_terminal(stream: TextIO) -> bool:
    """Plainly not a terminal, as rich would find too (no environment variable forcing one,
    and the stream says it is no tty), found without importing rich (~40 ms)."""
    if any(v in os.environ for v in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")):
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def console(stream: TextIO) -> Console | None:
    """A rich console for ``stream`` when it should get colour, else None."""
    if _no_terminal(stream):
        return None
    from rich.console import Console

    c = Console(file=stream, soft_wrap=True, highlight=False, emoji=False, markup=False)
    if not c.is_terminal or c.color_system is None or c.no_color or c.is_dumb_terminal:
        return None
    return c


def _styled(line: str):
    from rich.text import Text

    m = _FINDING.match(line)
    if m:
        return Text.assemble((m["where"], "bold"), ": ", (m["rule"], "bold magenta"), " ",
                             (m["sev"], _SEVERITY[m["sev"]]), ": ", m["msg"])
    m = _FIX.match(line)
    if m:
        style = "yellow" if "unsafe" in m["head"] or m["head"] == "no fix" else "green"
        return Text.assemble(m["indent"], (m["head"], style), ": ", (m["rest"], "dim"))
    m = _UNUSED.match(line)
    if m:
        return Text.assemble((m["where"], "bold"), ": ", (m["what"], "yellow"), ": ", m["rest"])
    return Text(line)


def write_report(text: str, stream: TextIO) -> None:
    """The text report (findings and fix lines), coloured when ``stream`` is a colour terminal."""
    c = console(stream)
    if c is None or not text:
        stream.write(text)
        return
    for line in text.splitlines():
        c.print(_styled(line))
    stream.flush()


def write_summary(line: str, stream: TextIO) -> None:
    c = console(stream)
    if c is None:
        print(line, file=stream)
        return
    from rich.text import Text

    style = "bold green" if line.startswith("No linkname hazards") else "bold"
    c.print(Text(line, style=style))


class ProgressBar:
    """A callback ``(done, total)`` for the engine that shows a bar on a terminal's stderr once
    the run has lasted :data:`PROGRESS_DELAY` seconds; a no-op anywhere else."""

    def __init__(self, stream: TextIO, label: str = "Checking Go files", delay: float | None = None):
        self._stream = stream
        self._label = label
        self._delay = _progress_delay() if delay is None else delay
        self._start = time.monotonic()
        self._progress = None
        self._task = None
        if _no_terminal(stream):
            self.enabled = False
        else:
            from rich.console import Console

            c = Console(file=stream)
            self.enabled = c.is_terminal and not c.is_dumb_terminal

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._progress is None:
            if time.monotonic() - self._start < self._delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=Console(file=self._stream),
                                      transient=True)
            self._progress.start()
            self._task = self._progress.add_task(self._label, total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
