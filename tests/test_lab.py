"""The README's `make lab` command starts JupyterLab on the course: check the server it runs."""

import json
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


def test_makefile_lab_target_opens_the_first_notebook():
    makefile = (REPOSITORY / "Makefile").read_text()
    assert "jupyter lab" in makefile and "notebooks/00_welcome.ipynb" in makefile


@pytest.mark.notebook
def test_jupyterlab_serves_the_course_with_the_widget_front_end(tmp_path):
    port = _free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.port={port}",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={REPOSITORY}", "--ServerApp.open_browser=False", "--allow-root"]
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
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
