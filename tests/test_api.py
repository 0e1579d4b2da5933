"""The public API: every exported name resolves, and importing the package is light."""

import subprocess
import sys

import pytest

import analysis


@pytest.mark.parametrize("name", analysis.__all__)
def test_every_exported_name_resolves(name):
    value = getattr(analysis, name)
    assert value.__module__.startswith("analysis")
    assert value.__doc__, f"analysis.{name} has no docstring"


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        analysis.nope  # noqa: B018


def test_import_does_not_load_heavy_libraries():
    # lazy imports keep `import analysis` cheap for students and the CLI's --help
    code = "import sys, analysis; print(sorted(m for m in ('pandas', 'scipy', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
