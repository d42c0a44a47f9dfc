"""The evaluation's Python environment: a virtual environment in .cache/python (repository root,
gitignored) with the reference stack pip-installed into it on first use."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".cache" / "python"
# Pip name -> import name of everything any reference script needs; installed together, once.
PACKAGES = {"prophet": "prophet", "pandas": "pandas", "scikit-learn": "sklearn"}


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment(script: str) -> None:
    """Re-run `script` inside .cache/python, creating it and installing the packages when missing."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = venv_python()
    if not python.exists():
        print(f"{Path(script).name}: creating {VENV}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    imports = ", ".join(PACKAGES.values())
    probe = subprocess.run([str(python), "-c", f"import {imports}"], capture_output=True)
    if probe.returncode != 0:
        print(f"{Path(script).name}: pip install {' '.join(PACKAGES)} into {VENV}", file=sys.stderr)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *PACKAGES],
            check=True,
            stdout=sys.stderr,
        )
    os.execv(str(python), [str(python), str(Path(script).resolve()), *sys.argv[1:]])


def write_result(document: dict, out: str | None) -> None:
    """Writes a script's JSON result to `out`, or to stdout when no file is given."""
    text = json.dumps(document)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
