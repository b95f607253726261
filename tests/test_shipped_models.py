"""The trained DnCNNs in data/: they load safely, run in float32, and do what their records say."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from course_lib import data, evaluation, models, training

SHIPPED = [15, 25, 50, "blind"]


@pytest.fixture(scope="module")
def camera():
    return data.load_image("camera")


@pytest.mark.parametrize("sigma", SHIPPED)
def test_each_shipped_denoiser_loads_in_float32_without_optimizer_state(sigma):
    path = models.shipped_denoiser_path(sigma)
    assert path.stat().st_size < 3_000_000, "a finished model ships without Adam's moments"
    model = models.load_shipped_denoiser(sigma)
    assert models.model_precision(model) == "float32"
    assert model.get_layer("noise_estimate") is not None  # residual DnCNN
    assert models.receptive_field(model) == 35


def _lineage(training):
    """The invocations of a model's training and of every model it was fine-tuned from, newest first."""
    stages = []
    while training:
        stages.append(training["invocations"])
        training = training.get("initial_weights_training")
    return stages


@pytest.mark.parametrize("sigma", SHIPPED)
def test_each_provenance_record_tells_how_the_model_was_made(sigma):
    record = models.read_provenance(models.shipped_denoiser_path(sigma))
    trained = record["training"]
    assert record["parameters"] == models.load_shipped_denoiser(sigma).count_params()
    assert trained["fast_mode"] is False
    assert trained["data"].startswith("bundled train split")
    assert "camera" not in trained["data"]  # the test images were never trained on
    for invocation in trained["invocations"]:
        assert invocation["command"].startswith("python -m course_lib train dncnn ")
        assert invocation["machine"]["cpu_count"] >= 1
    assert trained["seconds"] > 0 and len(record["history"]["loss"]) == trained["epochs"]
    if sigma != 25:  # fine-tuned from the sigma=25 model (as it was then), whose history is carried along
        assert trained["initial_weights"].endswith("dncnn_gray_sigma25.keras")
        sigma_25 = models.read_provenance(models.shipped_denoiser_path(25))["training"]
        assert trained["initial_weights_training"]["invocations"] in _lineage(sigma_25)
    levels = record["test_split"]["psnr"]
    assert set(levels) == ({"15", "25", "50"} if sigma == "blind" else {f"{sigma}"})


def test_the_sigma_25_record_matches_what_the_weights_do(camera):
    record = models.read_provenance(models.shipped_denoiser_path(25))
    noisy = evaluation.noisy_observation(camera, 25, seed=0, index=0)  # the record's protocol: camera is image 0
    denoised = models.denoise(models.load_shipped_denoiser(25), noisy)
    measured = evaluation.denoising_scores(camera, denoised)[0]
    assert measured == pytest.approx(record["test_split"]["psnr"]["25"]["camera"], abs=0.02)
    assert measured > evaluation.denoising_scores(camera, noisy)[0] + 8  # far above the noisy input


def test_restore_denoise_uses_the_shipped_model_by_default(camera, tmp_path):
    clean = camera[:96, :128]
    noisy = evaluation.noisy_observation(clean, 25, seed=3)
    np.save(tmp_path / "noisy.npy", noisy)
    environment = {**os.environ, training.FAST_MODE_VARIABLE: "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "restore", "denoise", str(tmp_path / "noisy.npy"), "--sigma", "25",
         "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=600, env=environment)
    assert completed.returncode == 0, completed.stderr[-2000:]
    restored = np.load(tmp_path / "out" / "noisy.npy")
    expected = models.denoise(models.load_shipped_denoiser(25), noisy)
    np.testing.assert_allclose(restored, expected, atol=1e-5)
    assert evaluation.denoising_scores(clean, restored)[0] > evaluation.denoising_scores(clean, noisy)[0] + 5


def test_evaluate_denoise_scores_the_shipped_models_at_each_level(camera, tmp_path):
    folder = tmp_path / "clean"
    folder.mkdir()
    data.write_image(folder / "crop.png", camera[100:164, 200:264])
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "evaluate", "denoise", "--testset", str(folder), "--sigma", "15", "50",
         "--methods", "noisy", "dncnn", "dncnn-blind", "--out", str(tmp_path / "results")],
        capture_output=True, text=True, timeout=600, env={**os.environ, training.FAST_MODE_VARIABLE: "1"})
    assert completed.returncode == 0, completed.stderr[-2000:]
    results = json.loads((tmp_path / "results" / "denoise.json").read_text())["results"]
    psnr = {(row["method"], row["sigma"]): row["psnr"] for row in results}
    assert set(psnr) == {(method, sigma) for method in ("noisy", "dncnn", "dncnn-blind") for sigma in (15.0, 50.0)}
    for sigma in (15.0, 50.0):
        assert psnr["dncnn", sigma] > psnr["noisy", sigma] + 5 and psnr["dncnn-blind", sigma] > psnr["noisy", sigma] + 3
