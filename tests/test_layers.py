"""The floors of tongwei_cli/ are checked, not hoped for: import-linter's contracts in
pyproject.toml pass, and they do fail on an import that climbs a floor."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([str(exe), "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_floors_and_the_strands_keep_their_contracts() -> None:
    result = lint_imports(ROOT, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_that_climbs_a_floor_is_caught(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tongwei_cli", tmp_path / "tongwei_cli",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    clock = tmp_path / "tongwei_cli" / "core" / "clock.py"
    clock.write_text(clock.read_text("utf-8") + "\nfrom tongwei_cli.storage import db  # noqa\n",
                     "utf-8")
    result = lint_imports(tmp_path, tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "tongwei_cli.core.clock -> tongwei_cli.storage.db" in result.stdout
