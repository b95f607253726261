"""The optional benchmark download, against a loopback HTTP server: nothing here touches the real network."""

import dataclasses
import doctest
import functools
import hashlib
import http.server
import json
import socket
import threading
import urllib.parse

import numpy as np
import pytest
from PIL import Image

from course_lib import cli, downloads
from course_lib.commands.common import load_test_images

SET12 = downloads.DATASETS["set12"]
BSD68 = downloads.DATASETS["bsd68"]
SERVED_BSD68 = BSD68.files[:3]  # the server has only these: the fourth is a 404
TRAIN400 = downloads.DATASETS["train400"]
SERVED_TRAIN400 = TRAIN400.files[:3]  # small stand-ins, whose bytes are not the real ones
TRAIN400_COMMIT = "e93b27812d3ff523a3a79d19e5e50d233d7a8d0a"


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    requests: list  # set per server, the paths asked for

    def do_GET(self):
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format, *args):  # keep the test output clean
        pass


def _write_png(path, seed):
    pixels = np.random.default_rng(seed).integers(0, 256, size=(6, 9), dtype=np.uint8)
    Image.fromarray(pixels, mode="L").save(path)


@pytest.fixture
def server(tmp_path):
    """A loopback server of ``set12/`` (all 12 files), ``bsd68/`` and ``train400/`` (3 files each) and ``html/``
    (error pages)."""
    root = tmp_path / "served"
    for folder, names in (("set12", SET12.files), ("bsd68", SERVED_BSD68), ("train400", SERVED_TRAIN400)):
        (root / folder).mkdir(parents=True)
        for seed, name in enumerate(names):
            _write_png(root / folder / name, seed)
    (root / "html").mkdir()
    for name in SET12.files:
        (root / "html" / name).write_text("<html><body>Rate limit exceeded</body></html>")
    handler = type("Handler", (_CountingHandler,), {"requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.root = root
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.requests = handler.requests
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def _leftovers(folder):
    """Temporary files a download left behind (they all start with a dot)."""
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _served_sums(server, folder, names):
    return {name: hashlib.sha256((server.root / folder / name).read_bytes()).hexdigest() for name in names}


def _small_train400(monkeypatch, sha256):
    """Replace the train400 entry by one of the 3 served files, pinned to `sha256`."""
    monkeypatch.setitem(downloads.DATASETS, "train400",
                        dataclasses.replace(TRAIN400, files=SERVED_TRAIN400, sha256=sha256))


def test_the_docstring_examples_run():
    failures, _ = doctest.testmod(downloads, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_default_urls_are_https_on_github_raw_without_fetching():
    assert SET12.files == tuple(f"{number:02d}.png" for number in range(1, 13))
    assert BSD68.files == tuple(f"test{number:03d}.png" for number in range(1, 69))
    for dataset, folder in ((SET12, "Set12"), (BSD68, "BSD68")):
        parts = urllib.parse.urlsplit(dataset.base_url)
        assert (parts.scheme, parts.netloc) == ("https", "raw.githubusercontent.com")
        assert parts.path == f"/cszn/DnCNN/master/testsets/{folder}/"
        assert dataset.gray and dataset.sha256 is None and not dataset.training
        assert "not shipped with the course" in dataset.licence.lower()
    assert "ICCV 2001" in BSD68.source


def test_train400_is_a_training_set_at_a_pinned_commit_with_every_sum_pinned():
    assert TRAIN400.files == tuple(f"test_{number:03d}.png" for number in range(1, 401))
    parts = urllib.parse.urlsplit(TRAIN400.base_url)
    assert (parts.scheme, parts.netloc) == ("https", "raw.githubusercontent.com")
    assert parts.path == f"/cszn/DnCNN/{TRAIN400_COMMIT}/TrainingCodes/DnCNN_TrainingCodes_v1.0/data/Train400/"
    assert TRAIN400.gray and TRAIN400.training and "training set" in TRAIN400.description
    assert sorted(TRAIN400.sha256) == list(TRAIN400.files)
    assert all(len(digest) == 64 and set(digest) <= set("0123456789abcdef") for digest in TRAIN400.sha256.values())
    assert len(set(TRAIN400.sha256.values())) == 400  # no line copied twice
    assert TRAIN400.sha256["test_001.png"] == "b6b7c09f4c2bc003b83d430e57907e6dfba146b8d076c7e88d5465452b59142d"
    assert TRAIN400.sha256["test_400.png"] == "b3d29b69b3d1b93023f708c8ff36093476aa26ab89560387d16a3cb10690d9d9"
    assert "ICCV 2001" in TRAIN400.source and "Chen and Pock" in TRAIN400.source and TRAIN400_COMMIT in TRAIN400.source
    assert "not shipped with the course" in TRAIN400.licence.lower()
    assert "non-commercial research and education" in TRAIN400.licence


def test_train400_keeps_files_matching_the_pinned_sums_and_refuses_one_that_does_not(server, tmp_path, monkeypatch):
    served = _served_sums(server, "train400", SERVED_TRAIN400)
    _small_train400(monkeypatch, {**served, "test_002.png": "0" * 64})
    bad = tmp_path / "bad"
    with pytest.raises(downloads.DownloadError,
                       match=f"SHA-256 of .*/train400/test_002.png is {served['test_002.png']}, not the pinned"):
        downloads.download_dataset("train400", bad, base_url=server.url + "train400/")
    assert sorted(path.name for path in bad.iterdir()) == ["test_001.png"]  # no test_002, no temp file, no manifest
    assert server.requests == ["/train400/test_001.png", "/train400/test_002.png"]

    _small_train400(monkeypatch, served)
    good = tmp_path / "good"
    files = downloads.download_dataset("train400", good, base_url=server.url + "train400/")
    assert [path.name for path in files] == list(SERVED_TRAIN400)
    assert all(path.read_bytes() == (server.root / "train400" / path.name).read_bytes() for path in files)
    manifest = json.loads((good / downloads.MANIFEST_NAME).read_text())
    assert manifest["dataset"] == "train400" and manifest["checksums"] == "pinned in the registry"
    assert {name: entry["sha256"] for name, entry in manifest["files"].items()} == served
    assert _leftovers(good) == []


def test_a_folder_is_recognized_as_train400_only_when_it_holds_exactly_its_bytes(server, tmp_path, monkeypatch):
    _small_train400(monkeypatch, _served_sums(server, "train400", SERVED_TRAIN400))
    folder = tmp_path / "Train400"
    downloads.download_dataset("train400", folder, base_url=server.url + "train400/")
    assert downloads.identify_dataset(folder) == "train400"  # SOURCE.json beside the images does not count
    assert downloads.identify_dataset(tmp_path / "missing") is None
    extra = folder / "mine.png"
    extra.write_bytes((folder / "test_001.png").read_bytes())
    assert downloads.identify_dataset(folder) is None  # another image: not the set any more
    assert downloads.identify_dataset(folder, allow_extra=True) == "train400"  # ... unless images may be added
    assert downloads.extra_images(folder, "train400") == ["mine.png"]
    extra.unlink()
    assert downloads.extra_images(folder, "train400") == []
    changed = folder / "test_002.png"
    changed.write_bytes(changed.read_bytes() + b"\0")
    assert downloads.identify_dataset(folder) is None  # other bytes
    assert downloads.identify_dataset(folder, allow_extra=True) is None
    changed.unlink()
    assert downloads.identify_dataset(folder) is None  # a file missing


def test_the_real_train400_sums_refuse_other_bytes(server, tmp_path):
    destination = tmp_path / "Train400"
    with pytest.raises(downloads.DownloadError, match=r"SHA-256 of .*/test_001\.png is [0-9a-f]{64}, not the pinned "
                                                      + TRAIN400.sha256["test_001.png"]):
        downloads.download_dataset("train400", destination, base_url=server.url + "train400")
    assert list(destination.iterdir()) == []


def test_a_present_train400_file_with_other_bytes_is_downloaded_again(server, tmp_path, monkeypatch):
    served = _served_sums(server, "train400", SERVED_TRAIN400)
    _small_train400(monkeypatch, served)
    destination = tmp_path / "Train400"
    downloads.download_dataset("train400", destination, base_url=server.url + "train400")
    _write_png(destination / "test_003.png", seed=99)  # a valid image, but not the pinned bytes
    server.requests.clear()
    messages = []
    downloads.download_dataset("train400", destination, base_url=server.url + "train400", progress=messages.append)
    assert server.requests == ["/train400/test_003.png"]
    assert messages[:2] == ["test_001.png: already present", "test_002.png: already present"]
    assert (destination / "test_003.png").read_bytes() == (server.root / "train400" / "test_003.png").read_bytes()


def test_the_command_line_downloads_train400_then_says_how_to_train_on_it(server, tmp_path, monkeypatch, capsys):
    destination = tmp_path / "Train400"
    arguments = ["download", "train400", "--out", str(destination), "--base-url", server.url + "train400/"]
    assert cli.main(arguments) == 2  # the real pinned sums: the stand-ins are refused, as one error line
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1 and "Traceback" not in error
    assert error.startswith("error: the SHA-256 of ") and "test_001.png" in error and "not kept" in error
    assert list(destination.iterdir()) == []

    _small_train400(monkeypatch, _served_sums(server, "train400", SERVED_TRAIN400))
    assert cli.main(arguments) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"downloading train400 (3 images) into {destination}"
    assert sum("downloaded" in line for line in lines) == 3
    assert f"train dncnn --data {destination} --sigma 25 --out dncnn.keras" in lines[-1]
    assert "evaluate denoise" not in lines[-1]


@pytest.mark.parametrize("suffix", ["/set12/", "/set12"])
def test_download_fetches_every_file_and_records_its_hash(server, tmp_path, suffix):
    destination = tmp_path / "Set12"
    messages = []
    files = downloads.download_dataset("set12", destination, base_url=server.url.rstrip("/") + suffix,
                                       progress=messages.append)
    assert [path.name for path in files] == list(SET12.files)
    assert len(messages) == 12 and all("downloaded" in message for message in messages)
    assert sorted(server.requests) == sorted(f"/set12/{name}" for name in SET12.files)
    manifest = json.loads((destination / downloads.MANIFEST_NAME).read_text())
    assert manifest["dataset"] == "set12" and manifest["downloaded_utc"].endswith("+00:00")
    for path in files:
        served = (server.root / "set12" / path.name).read_bytes()
        assert path.read_bytes() == served
        np.testing.assert_array_equal(np.asarray(Image.open(path)), np.asarray(Image.open(server.root / "set12" /
                                                                                           path.name)))
        entry = manifest["files"][path.name]
        assert entry["sha256"] == hashlib.sha256(served).hexdigest() and entry["bytes"] == len(served)
        assert entry["url"] == f"{server.url}set12/{path.name}"
    assert _leftovers(destination) == []


def test_the_folder_is_a_testset_for_the_evaluate_commands(server, tmp_path):
    downloads.download_dataset("set12", tmp_path / "Set12", base_url=server.url + "set12")
    images = load_test_images(tmp_path / "Set12", gray=True)
    assert list(images) == [name.removesuffix(".png") for name in SET12.files]  # SOURCE.json is not an image
    assert all(image.shape == (6, 9) and image.dtype == np.float32 for image in images.values())


def test_a_second_run_resumes_and_force_downloads_again(server, tmp_path):
    destination = tmp_path / "Set12"
    base_url = server.url + "set12"
    downloads.download_dataset("set12", destination, base_url=base_url)
    (destination / "05.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")  # an interrupted earlier download
    server.requests.clear()
    messages = []
    downloads.download_dataset("set12", destination, base_url=base_url, progress=messages.append)
    assert server.requests == ["/set12/05.png"]
    assert sum("already present" in message for message in messages) == 11
    server.requests.clear()
    downloads.download_dataset("set12", destination, base_url=base_url)
    assert server.requests == []
    downloads.download_dataset("set12", destination, base_url=base_url, force=True)
    assert len(server.requests) == 12


def test_the_command_line_downloads_then_says_what_to_run(server, tmp_path, capsys):
    destination = tmp_path / "Set12"
    arguments = ["download", "set12", "--out", str(destination), "--base-url", server.url + "set12/"]
    assert cli.main(arguments) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.strip().endswith("kB)") and "downloaded" in line for line in lines) == 12
    assert f"evaluate denoise --testset {destination} --sigma 25" in lines[-1]
    assert cli.main(arguments) == 0
    assert sum("already present" in line for line in capsys.readouterr().out.splitlines()) == 12
    assert cli.main([*arguments, "--force"]) == 0
    assert len(server.requests) == 24


def test_a_missing_file_names_its_url_and_keeps_the_files_before_it(server, tmp_path):
    destination = tmp_path / "BSD68"
    with pytest.raises(downloads.DownloadError, match=r"HTTP 404 .* for http://127\.0\.0\.1:\d+/bsd68/test004\.png"):
        downloads.download_dataset("bsd68", destination, base_url=server.url + "bsd68/")
    assert sorted(path.name for path in destination.iterdir()) == list(SERVED_BSD68)  # no temp file, no manifest


def test_an_error_page_is_not_kept_as_an_image(server, tmp_path):
    destination = tmp_path / "Set12"
    with pytest.raises(downloads.DownloadError, match="is not a PNG/JPEG image; the server may have returned"):
        downloads.download_dataset("set12", destination, base_url=server.url + "html/")
    assert list(destination.iterdir()) == []


def test_pinned_checksums_are_verified(server, tmp_path, monkeypatch):
    served = {name: hashlib.sha256((server.root / "set12" / name).read_bytes()).hexdigest() for name in SET12.files}
    monkeypatch.setitem(downloads.DATASETS, "set12", dataclasses.replace(SET12, sha256=served))
    downloads.download_dataset("set12", tmp_path / "good", base_url=server.url + "set12")
    manifest = json.loads((tmp_path / "good" / downloads.MANIFEST_NAME).read_text())
    assert manifest["checksums"] == "pinned in the registry"
    wrong = {**served, "03.png": "0" * 64}
    monkeypatch.setitem(downloads.DATASETS, "set12", dataclasses.replace(SET12, sha256=wrong))
    with pytest.raises(downloads.DownloadError, match=f"SHA-256 of .*/03.png is {served['03.png']}, not the pinned"):
        downloads.download_dataset("set12", tmp_path / "bad", base_url=server.url + "set12")
    assert sorted(path.name for path in (tmp_path / "bad").iterdir()) == ["01.png", "02.png"]


@pytest.mark.parametrize("call, message", [
    (dict(name="set14"), r"name must be one of \['bsd68', 'set12', 'train400'\]; got 'set14'"),
    (dict(base_url="ftp://example.org/"), "base_url must start with http:// or https://"),
    (dict(timeout=0), "timeout must be a positive finite number"),
])
def test_bad_arguments_are_refused_before_any_download(tmp_path, call, message):
    options = {"name": "set12", "destination": tmp_path / "out", **call}
    with pytest.raises(ValueError, match=message):
        downloads.download_dataset(options.pop("name"), options.pop("destination"), **options)
    assert not (tmp_path / "out").exists()


def test_a_destination_that_is_a_file_is_refused(tmp_path, capsys):
    destination = tmp_path / "Set12"
    destination.write_text("not a folder")
    with pytest.raises(ValueError, match="destination .* is a file; expected a folder"):
        downloads.download_dataset("set12", destination)
    assert cli.main(["download", "set12", "--out", str(destination)]) == 2
    assert capsys.readouterr().err.startswith("error: destination")


def test_an_unreachable_server_is_one_clean_line(tmp_path, capsys):
    url = f"http://127.0.0.1:{_closed_port()}/"
    assert cli.main(["download", "set12", "--out", str(tmp_path / "Set12"), "--base-url", url]) == 2
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1 and "Traceback" not in error
    assert error.startswith(f"error: cannot reach {url}01.png") and "--base-url" in error
    assert _leftovers(tmp_path / "Set12") == []


def test_a_server_that_never_answers_times_out(tmp_path):
    with socket.socket() as silent:  # accepts connections (the backlog) but never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        with pytest.raises(downloads.DownloadError, match=r"did not answer within 0\.2 s|timed out"):
            downloads.download_dataset("set12", tmp_path / "Set12", base_url=url, timeout=0.2)
    assert _leftovers(tmp_path / "Set12") == []


def test_help_says_optional_internet_source_and_next_command(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["download", "--help"])
    assert stopped.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "usage: python -m course_lib download" in text
    assert "Optional" in text and "needs internet" in text and "raw.githubusercontent.com/cszn/DnCNN" in text
    assert "evaluate denoise --testset OUT" in text
    assert "train400" in text and "train dncnn --data OUT" in text and TRAIN400_COMMIT in text
