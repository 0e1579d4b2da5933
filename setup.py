"""Build hook: the wheel carries the compendium's notebooks and data.

``notebooks/`` and ``data/`` at the top of the checkout are the only copy.
At build time this hook copies them into the package as
``analysis/_bundle/notebooks`` and ``analysis/_bundle/data``, whole folders
selected by pattern (no list of files), so a notebook or data file added
later is carried without touching the build. ``analysis.paths`` reads them
with ``importlib.resources`` when the package does not run from a checkout.
An editable install (``make setup``) copies nothing: the checkout's files are
used directly. The sdist carries the same folders (see ``MANIFEST.in``), so a
wheel built from the sdist is the same as one built from the checkout.

All metadata lives in ``pyproject.toml``; this file only adds the hook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: where the folders go inside the package
BUNDLE = Path("analysis") / "_bundle"
#: top-level folder -> patterns (relative to it) of the files the package carries
BUNDLED = {
    "notebooks": ("*.ipynb", "*.css"),  # rise.css: the slides' look
    "data": ("**/*.csv", "**/*.json", "**/*.md", "examples/*"),
}
#: never carried: caches and editor or Jupyter scratch folders
SKIPPED_PARTS = ("__pycache__", ".ipynb_checkpoints")


def bundled_files(root: Path) -> dict[Path, Path]:
    """Map each carried file's path inside the package to its source under ``root``."""
    found: dict[Path, Path] = {}
    for folder, patterns in BUNDLED.items():
        base = root / folder
        for pattern in patterns:
            for source in sorted(base.glob(pattern)):
                relative = source.relative_to(base)
                if not source.is_file() or any(
                    part in SKIPPED_PARTS or part.startswith(".") for part in relative.parts
                ):
                    continue
                found[BUNDLE / folder / relative] = source
    return found


class BuildPyWithBundle(build_py):
    """``build_py`` that also copies the notebooks and data into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        root = Path(__file__).resolve().parent
        files = bundled_files(root)
        shutil.rmtree(Path(self.build_lib) / BUNDLE, ignore_errors=True)  # no stale files
        if not any(target.parts[2] == "notebooks" for target in files):
            raise RuntimeError(f"no notebooks/*.ipynb under {root}: the wheel would be useless")
        for target, source in files.items():
            destination = Path(self.build_lib) / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        root = Path(__file__).resolve().parent
        return outputs + [str(Path(self.build_lib) / t) for t in bundled_files(root)]


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildPyWithBundle})
