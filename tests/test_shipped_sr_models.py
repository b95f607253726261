"""The trained super-resolution networks in data/: they load, beat bicubic, and do what their records say."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from course_lib import data, evaluation, models, training

SCALES = [2, 3, 4]


@pytest.mark.parametrize("scale", SCALES)
def test_each_shipped_vdsr_model_loads_in_float32_and_adds_a_residual_to_bicubic(scale):
    path = models.shipped_sr_path(scale, "vdsr")
    assert path.stat().st_size < 3_000_000, "a finished model ships without Adam's moments"
    model = models.load_shipped_sr(scale, "vdsr")
    assert models.model_precision(model) == "float32"
    assert model.get_layer("residual") is not None  # VDSR-style: bicubic plus a learned residual
    assert not models.takes_low_resolution(model)
    assert models.size_multiple(model) == scale  # works at low resolution after an unshuffle by the scale


@pytest.mark.parametrize("scale", SCALES)
def test_each_shipped_edsr_model_computes_at_low_resolution_with_a_fifth_of_vdsrs_arithmetic(scale):
    path = models.shipped_sr_path(scale)
    assert path.name == f"sr_edsr_x{scale}.keras" and path.stat().st_size < 3_000_000
    model = models.load_shipped_sr(scale)
    assert models.model_precision(model) == "float32"
    assert models.takes_low_resolution(model) and models.output_scale(model) == scale
    assert model.get_layer("residual") is not None  # bicubic plus a learned residual, shuffled up from low res
    vdsr = models.load_shipped_sr(scale, "vdsr")
    assert models.multiply_adds_per_output_pixel(model) <= models.multiply_adds_per_output_pixel(vdsr) / 5


@pytest.mark.parametrize("architecture", ["edsr", "vdsr"])
@pytest.mark.parametrize("scale", SCALES)
def test_each_provenance_record_tells_how_the_model_was_made(scale, architecture):
    record = models.read_provenance(models.shipped_sr_path(scale, architecture))
    trained = record["training"]
    assert record["scale"] == scale and record["task"].startswith("single-image super-resolution")
    assert record["parameters"] == models.load_shipped_sr(scale, architecture).count_params()
    assert trained["fast_mode"] is False
    if architecture == "vdsr":
        assert trained["data"].startswith("bundled train split")
    else:
        assert trained["dataset"].startswith("train400") and "download train400" in trained["dataset"]
        held_out = set(record["validation"]["psnr"]) - {"mean"}
        assert len(held_out) == 20 and "test_020.png" in held_out  # every 20th Train400 image, never trained on
        assert record["validation"]["summary"][0].startswith("held-out validation images")
    assert "astronaut" not in trained["data"]  # the test images were never trained on
    assert trained["config"]["scale"] == scale and trained["config"]["architecture"] == architecture
    for invocation in trained["invocations"]:
        assert invocation["command"].startswith("python -m course_lib train sr ")
        assert f"--scale {scale}" in invocation["command"]
    assert trained["seconds"] > 0 and len(record["history"]["loss"]) == trained["epochs"]
    scores = record["test_split"]
    assert set(scores["psnr"]) == set(data.load_split("test")) | {"mean"}
    assert scores["psnr"]["mean"] > scores["bicubic_psnr"]["mean"]


def test_the_efficient_models_beat_the_vdsr_style_ones_on_the_test_split():
    for scale in SCALES:
        edsr = models.read_provenance(models.shipped_sr_path(scale))["test_split"]["psnr"]["mean"]
        vdsr = models.read_provenance(models.shipped_sr_path(scale, "vdsr"))["test_split"]["psnr"]["mean"]
        assert edsr > vdsr, scale


def test_the_x3_record_matches_what_the_weights_do():
    record = models.read_provenance(models.shipped_sr_path(3))["test_split"]
    coins = data.load_image("coins")
    truth = evaluation.sr_ground_truth(coins, 3)
    low = evaluation.sr_low_resolution(truth, 3)
    output = models.super_resolve(models.load_shipped_sr(3), low, 3)
    measured = evaluation.super_resolution_scores(truth, output, 3)[0]
    assert measured == pytest.approx(record["psnr"]["coins"], abs=0.02)
    assert record["bicubic_psnr"]["coins"] == pytest.approx(
        evaluation.super_resolution_scores(truth, evaluation.interpolation_upscalers()["bicubic"](low, 3), 3)[0],
        abs=1e-3)


def test_restore_sr_uses_the_shipped_model_by_default(tmp_path):
    truth = evaluation.sr_ground_truth(data.load_image("camera")[:96, :120], 2)
    low = evaluation.sr_low_resolution(truth, 2)
    np.save(tmp_path / "small.npy", low)
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "restore", "sr", str(tmp_path / "small.npy"), "--scale", "2",
         "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=600,
        env={**os.environ, training.FAST_MODE_VARIABLE: "1"})
    assert completed.returncode == 0, completed.stderr[-2000:]
    restored = np.load(tmp_path / "out" / "small.npy")
    assert restored.shape == truth.shape
    np.testing.assert_allclose(restored, models.super_resolve(models.load_shipped_sr(2), low, 2), atol=1e-5)
    bicubic = evaluation.interpolation_upscalers()["bicubic"](low, 2)
    assert (evaluation.super_resolution_scores(truth, restored, 2)[0]
            > evaluation.super_resolution_scores(truth, bicubic, 2)[0])


def test_evaluate_sr_scores_the_shipped_models_at_every_scale(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    data.write_image(folder / "crop.png", data.load_image("astronaut")[20:140, 140:260])
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "evaluate", "sr", "--testset", str(folder), "--scale", "2", "3", "4",
         "--methods", "bicubic", "edsr", "vdsr", "--out", str(tmp_path / "results")],
        capture_output=True, text=True, timeout=600, env={**os.environ, training.FAST_MODE_VARIABLE: "1"})
    assert completed.returncode == 0, completed.stderr[-2000:]
    results = json.loads((tmp_path / "results" / "sr.json").read_text())["results"]
    psnr = {(row["method"], row["scale"]): row["psnr"] for row in results}
    assert set(psnr) == {(method, scale) for method in ("bicubic", "edsr", "vdsr") for scale in (2, 3, 4)}
    for scale in (2, 3, 4):
        assert psnr["edsr", scale] > psnr["bicubic", scale] and psnr["vdsr", scale] > psnr["bicubic", scale]
