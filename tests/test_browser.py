"""The report opened in headless Chromium: every figure renders."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis import example_path
from analysis.report import build_report

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)  # fmt: skip
FIXTURE_NB = Path(__file__).parent / "fixtures" / "01-fixture-plot.ipynb"
PROBE = """
<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const drawn = images.filter((img) => img.complete && img.naturalWidth > 0);
  document.title = `IMAGES total=${images.length} rendered=${drawn.length}`;
});
</script>
"""


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (run tests/ensure_chromium.sh as root to add it)")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
               *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "report"
    build_report(example_path("marathon"), out, notebooks=[FIXTURE_NB], n_resamples=200)
    return out / "report.html"


def test_every_figure_renders(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")  # fmt: skip
    result = chromium("--dump-dom", probe.as_uri(), profile=tmp_path / "profile")
    match = re.search(r"IMAGES total=(\d+) rendered=(\d+)", result.stdout)
    assert match, result.stderr[-2000:]
    total, rendered = map(int, match.groups())
    assert total >= 1
    assert rendered == total


def test_screenshot(report, tmp_path):
    shot = tmp_path / "report.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri(),
             profile=tmp_path / "profile")  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 10_000
    keep = Path(__file__).parent.parent / ".pytest-artifacts"
    if keep.is_dir():  # look at it by hand: mkdir .pytest-artifacts before the run
        shutil.copy(shot, keep / "report.png")
