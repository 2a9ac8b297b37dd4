"""The README stays true: its example runs, and CI runs the README's test command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_quick_start_is_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [
        line.split("#", 1)[0].strip() for line in _blocks("sh")[0].splitlines() if line.strip()
    ]
    assert commands == ["sh scripts/demo.sh", "sh scripts/test.sh"]
    assert "```sh\n" + _blocks("sh")[0] in quick
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^sh scripts/test\.sh$", ci, flags=re.M), ci
    for script in ("demo.sh", "test.sh"):
        assert (ROOT / "scripts" / script).is_file()


def test_readme_example_runs_and_learns(tmp_path):
    (example,) = _blocks("python")
    proc = subprocess.run(
        [sys.executable, "-c", example],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Epoch 20/20" in proc.stdout
    accuracy = float(re.search(r"test accuracy (\d\.\d+)", proc.stdout)[1])
    assert accuracy > 0.85
    assert (tmp_path / "digits.keras").is_file()


def test_readme_names_only_files_that_exist():
    for path in re.findall(r"(?:examples|benchmarks|docs|scripts)/[\w./-]+\.\w+", README):
        assert (ROOT / path).exists(), path
