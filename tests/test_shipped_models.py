"""The trained denoisers in data/ (notebook 05's DnCNNs and the noise-map U-Net): they load safely, run in
float32, and do what their records say."""

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


def test_the_shipped_unet_loads_in_float32_and_takes_a_noise_map():
    path = models.shipped_unet_denoiser_path()
    assert path.stat().st_size < 12_000_000, "a finished model ships without Adam's moments"
    model = models.load_shipped_unet_denoiser()
    assert models.model_precision(model) == "float32" and models.takes_noise_level(model)
    assert models.receptive_field(model) == 100 and models.size_multiple(model) == 8
    assert models.multiply_adds_per_pixel(model) < models.multiply_adds_per_pixel(models.load_shipped_denoiser(25)) / 3


def test_the_unet_record_names_train400_its_commands_and_the_held_out_images():
    record = models.read_provenance(models.shipped_unet_denoiser_path())
    trained = record["training"]
    assert record["parameters"] == models.load_shipped_unet_denoiser().count_params()
    assert record["sigma"] == list(models.SHIPPED_UNET_SIGMA_RANGE)
    assert trained["fast_mode"] is False and trained["config"]["architecture"] == "unet"
    assert trained["dataset"].startswith("train400: ") and "download train400 --out DIR" in trained["dataset"]
    assert "all but every 20th (380)" in trained["data"]
    assert "every 20th (20, never trained on)" in trained["validation_data"]
    for invocation in trained["invocations"]:
        assert invocation["command"].startswith("python -m course_lib train denoiser --architecture unet ")
    assert len(record["history"]["loss"]) == trained["epochs"] == trained["config"]["epochs"]
    assert set(record["test_split"]["psnr"]) == {"15", "25", "50"}
    assert set(record["validation"]["psnr"]) == {"15", "25", "50"}


def test_the_unet_record_matches_what_the_weights_do(camera):
    record = models.read_provenance(models.shipped_unet_denoiser_path())
    model = models.load_shipped_unet_denoiser()
    for sigma in (15, 50):
        noisy = evaluation.noisy_observation(camera, sigma, seed=0, index=0)  # camera is the test split's image 0
        measured = evaluation.denoising_scores(camera, models.denoise(model, noisy, sigma=sigma))[0]
        assert measured == pytest.approx(record["test_split"]["psnr"][str(sigma)]["camera"], abs=0.02)


def test_the_unet_needs_the_true_sigma(camera):
    """Told the wrong level, the U-Net does what a non-blind DnCNN does: the map is not decoration."""
    model = models.load_shipped_unet_denoiser()
    clean = camera[96:224, 160:288]
    noisy = evaluation.noisy_observation(clean, 50, seed=1)
    scores = {told: evaluation.denoising_scores(clean, models.denoise(model, noisy, sigma=told))[0]
              for told in (15, 50)}
    assert scores[50] > scores[15] + 3


def test_restore_denoise_uses_the_shipped_unet_by_default(camera, tmp_path):
    clean = camera[:96, :128]
    noisy = evaluation.noisy_observation(clean, 25, seed=3)
    np.save(tmp_path / "noisy.npy", noisy)
    environment = {**os.environ, training.FAST_MODE_VARIABLE: "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "restore", "denoise", str(tmp_path / "noisy.npy"), "--sigma", "25",
         "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=600, env=environment)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "noise-map U-Net, told sigma=25" in completed.stdout
    restored = np.load(tmp_path / "out" / "noisy.npy")
    expected = models.denoise(models.load_shipped_unet_denoiser(), noisy, sigma=25)
    np.testing.assert_allclose(restored, expected, atol=1e-5)
    assert evaluation.denoising_scores(clean, restored)[0] > evaluation.denoising_scores(clean, noisy)[0] + 5


def test_evaluate_denoise_scores_the_shipped_models_at_each_level(camera, tmp_path):
    folder = tmp_path / "clean"
    folder.mkdir()
    data.write_image(folder / "crop.png", camera[100:164, 200:264])
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "evaluate", "denoise", "--testset", str(folder), "--sigma", "15", "50",
         "--methods", "noisy", "dncnn", "dncnn-blind", "unet", "--out", str(tmp_path / "results")],
        capture_output=True, text=True, timeout=600, env={**os.environ, training.FAST_MODE_VARIABLE: "1"})
    assert completed.returncode == 0, completed.stderr[-2000:]
    results = json.loads((tmp_path / "results" / "denoise.json").read_text())["results"]
    psnr = {(row["method"], row["sigma"]): row["psnr"] for row in results}
    methods = ("noisy", "dncnn", "dncnn-blind", "unet")
    assert set(psnr) == {(method, sigma) for method in methods for sigma in (15.0, 50.0)}
    for sigma in (15.0, 50.0):
        assert psnr["dncnn", sigma] > psnr["noisy", sigma] + 5 and psnr["dncnn-blind", sigma] > psnr["noisy", sigma] + 3
        assert psnr["unet", sigma] > psnr["noisy", sigma] + 5
