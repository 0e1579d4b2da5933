"""`make lab` and Binder open JupyterLab without the news prompt or update checks."""

import json
import re

from analysis import paths

ROOT = paths.PROJECT_ROOT
SETTINGS = ROOT / "jupyter-settings" / "overrides.json"
PLUGIN = "@jupyterlab/apputils-extension:notification"


def test_overrides_switch_off_news_and_update_checks():
    overrides = json.loads(SETTINGS.read_text(encoding="utf-8"))
    assert overrides[PLUGIN] == {"fetchNews": "false", "checkForUpdates": False}


def test_overrides_match_the_installed_schema():
    # the names and values must exist in the pinned JupyterLab, or they are silently ignored
    import sys
    from pathlib import Path

    schema_file = (Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas" / "@jupyterlab"
                   / "apputils-extension" / "notification.json")  # fmt: skip
    if not schema_file.is_file():
        import pytest

        pytest.skip("JupyterLab is not installed in this environment")
    props = json.loads(schema_file.read_text(encoding="utf-8"))["properties"]
    assert "false" in [c["const"] for c in props["fetchNews"]["oneOf"]]
    assert props["checkForUpdates"]["type"] == "boolean"


def test_make_lab_and_setup_install_the_overrides():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json" in makefile
    assert re.search(r"^lab: .*\$\(LAB_SETTINGS\)", makefile, re.M)
    assert re.search(r"^setup: .*\$\(LAB_SETTINGS\)", makefile, re.M)
    assert "cp jupyter-settings/overrides.json $@" in makefile


def test_binder_post_build_installs_the_same_overrides():
    post_build = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert "share/jupyter/lab/settings" in post_build
    assert "cp jupyter-settings/overrides.json" in post_build
