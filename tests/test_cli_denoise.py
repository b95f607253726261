"""The denoising commands end to end: train dncnn, restore denoise, evaluate denoise."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from course_lib import cli, data, models, training


def _run(*arguments, fast=True):
    environment = {**os.environ, training.FAST_MODE_VARIABLE: "1" if fast else "0"}
    return subprocess.run([sys.executable, "-m", "course_lib", *map(str, arguments)], capture_output=True, text=True,
                          timeout=600, env=environment)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "tiny.keras"
    return models.save_model(models.dncnn(depth=3, width=4, unshuffle=2, seed=1), path)


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    rng = np.random.default_rng(0)
    gray = rng.random((30, 41)).astype(np.float32)
    data.write_image(folder / "gray.png", gray)
    data.write_image(folder / "colour.jpg", rng.random((20, 22, 3)).astype(np.float32))
    np.save(folder / "noisy.npy", (gray + 0.3 * rng.standard_normal(gray.shape)).astype(np.float32))
    return folder


@pytest.fixture
def clean_images(inputs):
    """The clean images of ``inputs``: training data is clean (a noisy .npy there is refused)."""
    (inputs / "noisy.npy").unlink()
    return inputs


@pytest.mark.parametrize("command", [["train", "dncnn"], ["restore", "denoise"], ["evaluate", "denoise"]])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main([*command, "--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    assert "usage: python -m course_lib " + " ".join(command) in text
    assert not re.search(r"\(default: (None|False|\[\])\)", text)


def test_help_shows_real_defaults_once(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "dncnn", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 40)" in text and "(default: 0)" in text  # --epochs, and --seed whose default is falsy
    assert text.count("(default: bundled train split)") == 1 and "split) (default" not in text


# --- train dncnn --------------------------------------------------------------------------------------


def test_train_writes_model_checkpoint_and_provenance_then_resumes(tmp_path):
    out = tmp_path / "model.keras"
    arguments = ["train", "dncnn", "--sigma", "25", "--out", out, "--epochs", "1", "--depth", "3", "--width", "4"]
    first = _run(*arguments)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "test split, sigma 25: mean PSNR" in first.stdout
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["sigma"] == 25 and record["training"]["fast_mode"] is True
    assert record["training"]["invocations"][0]["command"].startswith("python -m course_lib train dncnn --sigma 25")
    assert set(record["test_split"]["psnr"]["25"]) == {"camera", "astronaut", "coffee", "coins", "mean"}
    assert record["training"]["invocations"][0]["machine"]["cpu_count"] == os.cpu_count()
    assert models.load_model(out).count_params() == record["parameters"]

    refused = _run(*arguments)
    assert refused.returncode == 2 and refused.stderr.startswith("error: --out")
    assert "Traceback" not in refused.stderr

    resumed = _run(*arguments[:-6], "--out", out, "--epochs", "2", "--depth", "3", "--width", "4",
                   "--resume", "--force", "--skip-test")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["training"]["epochs"] == 2 and len(record["training"]["invocations"]) == 2
    assert "test_split" not in record


def test_train_blind_on_a_folder_of_your_own_images(tmp_path, clean_images):
    out = tmp_path / "blind.keras"
    code = cli.main(["train", "dncnn", "--blind", "0", "55", "--data", str(clean_images), "--out", str(out),
                     "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "2", "--patch-size", "16",
                     "--depth", "3", "--width", "4", "--skip-test"])
    assert code == 0
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["sigma"] == [0.0, 55.0] and "2 images" in record["training"]["data"]
    assert record["training"]["dataset"] is None  # not a pinned set such as Train400


def test_train_on_the_bundled_photos_only(tmp_path):
    out = tmp_path / "photos.keras"
    code = cli.main(["train", "dncnn", "--sigma", "25", "--kind", "photo", "--out", str(out),
                     "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "2", "--patch-size", "16",
                     "--depth", "3", "--width", "4", "--skip-test"])
    assert code == 0
    trained = json.loads(out.with_suffix(".json").read_text())["training"]
    assert trained["data"].startswith("bundled train split, photo images only: ")
    assert "brick" not in trained["data"] and "--kind photo" in trained["invocations"][0]["command"]


def test_train_takes_a_folder_or_a_kind_not_both(tmp_path, inputs, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "dncnn", "--sigma", "25", "--data", str(inputs), "--kind", "photo",
                  "--out", str(tmp_path / "m.keras")])
    assert exit_info.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("extra, message", [
    (["--out", "model.h5"], "--out must end with .keras"),
    (["--out", "m.keras", "--init-from", "missing.keras"], "missing.keras"),
    (["--out", "m.keras", "--data", "no_such_folder"], "no_such_folder"),
    (["--out", "m.keras", "--resume"], "no checkpoint"),
    (["--out", "m.keras", "--kind", "medical"], "kind 'medical'"),
])
def test_train_bad_input_is_one_line(tmp_path, capsys, extra, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    code = cli.main(["train", "dncnn", "--sigma", "25", "--skip-test", *extra])
    error = capsys.readouterr().err
    assert code == 2 and error.startswith("error:") and message in error


# --- restore denoise --------------------------------------------------------------------------------


def test_restore_writes_each_input_in_its_own_format(tmp_path, inputs, tiny_model, capsys):
    out = tmp_path / "out"
    assert cli.main(["restore", "denoise", str(inputs), "--model", str(tiny_model), "--out", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["colour.jpg", "gray.png", "noisy.npy"]
    restored = np.load(out / "noisy.npy")
    assert restored.dtype == np.float32 and restored.shape == (30, 41)
    assert restored.min() >= 0 and restored.max() <= 1
    expected = np.clip(models.denoise(models.load_model(tiny_model), np.load(inputs / "noisy.npy")), 0, 1)
    np.testing.assert_allclose(restored, expected, atol=1e-6)
    assert data.read_image(out / "colour.jpg").shape == (20, 22, 3)
    assert "Mpx/s" in capsys.readouterr().out


def test_restore_never_overwrites_without_force(tmp_path, inputs, tiny_model, capsys):
    out = tmp_path / "out"
    arguments = ["restore", "denoise", str(inputs / "gray.png"), "--model", str(tiny_model), "--out", str(out)]
    assert cli.main(arguments) == 0
    before = (out / "gray.png").read_bytes()
    assert cli.main(arguments) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "gray.png").read_bytes() == before
    assert cli.main(arguments + ["--force", "--self-ensemble"]) == 0


def test_restore_bad_inputs_give_one_line(tmp_path, inputs, tiny_model, capsys):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"this is not an image")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"PK\x03\x04 truncated")
    colour_model = models.save_model(models.dncnn(depth=2, width=2, channels=3), tmp_path / "colour.keras")
    cases = [
        ([str(tmp_path / "missing.png"), "--model", str(tiny_model)], "does not exist"),
        ([str(broken), "--model", str(tiny_model)], "broken.png"),
        ([str(inputs / "gray.png"), "--model", str(corrupt)], "corrupt.keras"),
        ([str(inputs / "gray.png"), "--model", str(colour_model)], "model expects 3 channels"),
        ([str(inputs / "gray.png"), "--sigma", "300"], "--sigma"),
        ([str(inputs / "gray.png"), "--sigma", "80"], "above the levels"),
        ([str(inputs / "gray.png")], "give --sigma"),
    ]
    for arguments, message in cases:
        code = cli.main(["restore", "denoise", *arguments, "--out", str(tmp_path / "out")])
        error = capsys.readouterr().err
        assert code == 2, arguments
        assert error.startswith("error:") and message in error, (arguments, error)
        assert error.count("\n") == 1, error


def test_restore_in_a_subprocess_as_a_learner_runs_it(tmp_path, inputs, tiny_model):
    result = _run("restore", "denoise", inputs / "gray.png", "--model", tiny_model, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out" / "gray.png").exists()
    missing = _run("restore", "denoise", tmp_path / "nothing.png", "--model", tiny_model, "--out", tmp_path / "o")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


# --- evaluate denoise ---------------------------------------------------------------------------------


def test_evaluate_writes_table_csv_json_and_figures(tmp_path, tiny_model, capsys):
    testset = tmp_path / "testset"
    data.write_image(testset / "camera.png", data.load_image("camera")[100:164, 100:164])
    data.write_image(testset / "coins.png", data.load_image("coins")[50:98, 50:114])
    out = tmp_path / "results"
    arguments = ["evaluate", "denoise", "--testset", str(testset), "--sigma", "15", "50",
                 "--methods", "noisy", "gaussian", "bm3d", "--model", str(tiny_model), "--out", str(out)]
    assert cli.main(arguments) == 0
    printed = capsys.readouterr().out
    assert "sigma = 15" in printed and "sigma = 50" in printed and "tiny" in printed
    record = json.loads((out / "denoise.json").read_text())
    assert set(record["means"]) == {"noisy", "gaussian", "bm3d", "tiny"}
    assert record["means"]["bm3d"]["50"]["psnr"] > record["means"]["noisy"]["50"]["psnr"]
    assert len((out / "denoise.csv").read_text().splitlines()) == 1 + 2 * 2 * 4
    assert (out / "denoise_sigma15.png").exists() and (out / "denoise_sigma50.png").exists()
    assert cli.main(arguments) == 2
    assert "--force" in capsys.readouterr().err


def test_evaluate_rejects_bad_options(tmp_path, capsys):
    assert cli.main(["evaluate", "denoise", "--sigma", "0", "--out", str(tmp_path)]) == 2
    assert "--sigma" in capsys.readouterr().err
    assert cli.main(["evaluate", "denoise", "--testset", str(tmp_path / "none"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cpu_kernels_cannot_be_chosen_after_tensorflow_is_imported(monkeypatch):
    import course_lib
    from course_lib.commands import common

    import tensorflow  # noqa: F401  (already imported by the test session; made explicit)

    monkeypatch.setattr(course_lib, "ONEDNN_SET_BY_USER", False)
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    with pytest.warns(RuntimeWarning, match="imported before the command could turn its oneDNN kernels on"):
        common.prefer_fast_cpu_kernels(deterministic=False)
    with pytest.warns(RuntimeWarning, match="kernels off"):
        common.prefer_fast_cpu_kernels(deterministic=True)
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    common.prefer_fast_cpu_kernels(deterministic=True)  # already what is wanted: nothing to do, nothing to say
    monkeypatch.setattr(course_lib, "ONEDNN_SET_BY_USER", True)
    common.prefer_fast_cpu_kernels(deterministic=False)  # the user's choice stands, silently
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


@pytest.mark.skipif(sys.platform != "linux" or os.uname().machine != "x86_64",
                    reason="TensorFlow's oneDNN kernels are the default build only on x86-64 Linux")
def test_train_chooses_the_cpu_kernels_before_tensorflow_loads(tmp_path):
    out = tmp_path / "model.keras"
    environment = {key: value for key, value in os.environ.items() if key != "TF_ENABLE_ONEDNN_OPTS"}
    environment[training.FAST_MODE_VARIABLE] = "1"
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "train", "dncnn", "--sigma", "25", "--out", str(out), "--epochs", "1",
         "--depth", "3", "--width", "4", "--skip-test", "--precision", "bfloat16"],
        capture_output=True, text=True, timeout=600, env=environment)
    assert completed.returncode == 0, completed.stderr[-3000:]
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["training"]["invocations"][0]["machine"]["onednn"] is True  # what TensorFlow reports, not the request
    assert record["training"]["config"]["precision"] == "bfloat16"
    assert models.model_precision(models.load_model(out)) == "float32"
    deterministic = tmp_path / "deterministic.keras"
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "train", "dncnn", "--sigma", "25", "--out", str(deterministic),
         "--epochs", "1", "--depth", "3", "--width", "4", "--skip-test", "--deterministic"],
        capture_output=True, text=True, timeout=600, env=environment)
    assert completed.returncode == 0, completed.stderr[-3000:]
    record = json.loads(deterministic.with_suffix(".json").read_text())
    assert record["training"]["invocations"][0]["machine"]["onednn"] is False


def test_a_fine_tuned_model_carries_the_record_and_curves_of_its_start(tmp_path, clean_images, monkeypatch):
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    common = ["--data", str(clean_images), "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "2",
              "--patch-size", "16", "--depth", "3", "--width", "4", "--skip-test"]
    start, tuned = tmp_path / "start.keras", tmp_path / "tuned.keras"
    assert cli.main(["train", "dncnn", "--sigma", "25", "--out", str(start), *common]) == 0
    assert cli.main(["train", "dncnn", "--sigma", "15", "--out", str(tuned), "--init-from", str(start), *common]) == 0
    first = json.loads(start.with_suffix(".json").read_text())
    carried = json.loads(tuned.with_suffix(".json").read_text())["training"]
    assert carried["initial_weights"] == str(start)
    assert carried["initial_weights_training"]["invocations"] == first["training"]["invocations"]
    assert carried["initial_weights_training"]["history"] == first["history"]
    assert carried["initial_weights_training"]["initial_weights_training"] is None
