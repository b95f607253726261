"""The README's `make lab` command starts JupyterLab on the course: check the server it runs."""

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


LAB_SETTINGS = REPOSITORY / "jupyterlab-settings"
NOTIFICATION_PLUGIN = "@jupyterlab/apputils-extension:notification"


def _lab_recipe():
    """The command of the Makefile's `lab` target, with $(LAB_SETTINGS) expanded."""
    makefile = (REPOSITORY / "Makefile").read_text()
    settings = re.search(r"^LAB_SETTINGS := \$\(CURDIR\)/(\S+)$", makefile, re.MULTILINE)
    recipe = re.search(r"^lab:.*\n\t(.+)$", makefile, re.MULTILINE)
    assert settings and recipe, "the Makefile has no LAB_SETTINGS or no lab target"
    return recipe.group(1).replace("$(LAB_SETTINGS)", str(REPOSITORY / settings.group(1)))


def test_makefile_lab_target_opens_the_first_notebook():
    recipe = _lab_recipe()
    assert "jupyter lab" in recipe and "notebooks/00_welcome.ipynb" in recipe


def test_makefile_lab_target_reads_the_course_settings():
    """`make lab` points JupyterLab at the repository's settings folder, not the learner's."""
    assert f'--LabApp.app_settings_dir="{LAB_SETTINGS}"' in _lab_recipe()


@pytest.mark.parametrize("folder, news, updates", [(LAB_SETTINGS, "false", False), (None, "none", True)])
def test_course_settings_turn_the_jupyter_news_off(tmp_path, folder, news, updates):
    """With the course's overrides.json the news pop-up and the update check are off by default.

    Without it (an empty settings folder) JupyterLab's own defaults ask ("none") and check: the
    overrides are what turns them off.
    """
    from jupyterlab_server.settings_utils import get_settings

    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    settings, _ = get_settings(str(folder or tmp_path), str(schemas), str(tmp_path / "user-settings"),
                               NOTIFICATION_PLUGIN)
    defaults = settings["schema"]["properties"]
    assert defaults["fetchNews"]["default"] == news
    assert defaults["checkForUpdates"]["default"] is updates


@pytest.mark.notebook
def test_jupyterlab_serves_the_course_with_the_widget_front_end(tmp_path):
    port = _free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.port={port}",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={REPOSITORY}", "--ServerApp.open_browser=False", "--allow-root",
               f"--LabApp.app_settings_dir={LAB_SETTINGS}"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path,
                              env={**__import__("os").environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)})
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while True:
            try:
                status, body = _get(f"{base}/api/contents/notebooks")
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    output = server.stdout.read().decode(errors="replace") if server.poll() is not None else ""
                    pytest.fail(f"JupyterLab did not start on port {port}: {output[-2000:]}")
                time.sleep(0.5)
        assert status == 200
        names = {item["name"] for item in json.loads(body)["content"]}
        assert "00_welcome.ipynb" in names
        status, page = _get(f"{base}/lab")
        assert status == 200 and b"JupyterLab" in page
        # The ipywidgets front end must be a federated extension of this JupyterLab.
        assert b"@jupyter-widgets/jupyterlab-manager" in page
        # The course's settings: no "official Jupyter news?" pop-up.
        status, body = _get(f"{base}/lab/api/settings/{NOTIFICATION_PLUGIN}")
        assert status == 200 and json.loads(body)["schema"]["properties"]["fetchNews"]["default"] == "false"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
