"""The trained inpainting U-Net in data/: it loads, fills any hole, and does what its record says."""

import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import ndimage

from course_lib import data, evaluation, models, training


@pytest.fixture(scope="module")
def inpainter():
    return models.load_shipped_inpainter()


@pytest.fixture(scope="module")
def record():
    return models.read_provenance(models.shipped_inpainter_path())


def test_the_shipped_inpainter_loads_in_float32_as_an_rgb_unet_that_closes_any_hole(inpainter):
    weight_bytes = 4 * inpainter.count_params()  # float32; Adam's two moments would triple the file
    assert models.shipped_inpainter_path().stat().st_size < 1.1 * weight_bytes + 1_000_000, \
        "a finished model ships without Adam's moments"
    assert models.model_precision(inpainter) == "float32"
    assert inpainter.inputs[0].shape[-1] == 3 and inpainter.inputs[1].shape[-1] == 1
    assert inpainter.get_layer("close_holes").iterations == 16  # diffuses features into what is left of the hole
    assert models.inpainting_multiple(inpainter) == 8
    fill = inpainter.get_layer("image_fill")  # the decoder is given the pull-push harmonic fill of the image
    assert (fill.levels, fill.iterations) == (6, 32)
    # since run 10: three residual blocks of dilated convolutions (rates 2, 4 and 8) after CloseHoles
    rates = [inpainter.get_layer(f"bottleneck_{block}_dilated").dilation_rate for block in (0, 1, 2)]
    assert rates == [(2, 2), (4, 4), (8, 8)]
    assert "3 residual blocks of dilated convolutions" in models.describe_model(inpainter)


def test_the_record_keeps_the_model_ahead_of_biharmonic(record):
    """Issue 19's floors, and what the shipped model holds beyond them.

    Test split: PSNR inside the hole at least 1.5 dB above biharmonic, averaged over the
    protocol's holes, and a higher SSIM in the hole; at least 0.9 dB above the harmonic fill it
    is given. Held-out Train400 photos: at least 1.7 dB above biharmonic, and a higher SSIM in
    the hole. The record's numbers are the training command's own measurement; a test below
    recomputes one of them.
    """
    scores = record["test_split"]
    assert scores["psnr_hole"]["mean"] >= scores["biharmonic_psnr_hole"]["mean"] + 1.5
    assert scores["psnr_image"]["mean"] > scores["biharmonic_psnr_image"]["mean"]
    held_out = record["validation"]
    assert held_out["psnr_hole"]["mean"] >= held_out["biharmonic_psnr_hole"]["mean"] + 1.7
    assert held_out["ssim_hole"] > held_out["biharmonic_ssim_hole"]
    assert scores["ssim_hole"] > scores["biharmonic_ssim_hole"]
    # ... and ahead of the fill it is given: what the network adds is its own.
    assert scores["psnr_hole"]["mean"] >= scores["harmonic_psnr_hole"]["mean"] + 0.9
    assert scores["ssim_hole"] > scores["harmonic_ssim_hole"]


def test_the_provenance_record_tells_how_the_model_was_made(record, inpainter):
    trained = record["training"]
    assert record["parameters"] == inpainter.count_params()
    assert trained["fast_mode"] is False
    assert trained["dataset"].startswith("train400") and "download train400" in trained["dataset"]
    for name in data.list_images(split="train", kind="photo"):
        assert f"zz_photo_{name}.png" in trained["dataset"]  # and the bundled train split's photos, in gray
    for name in data.load_split("test"):
        assert name not in trained["data"] + trained["dataset"]  # the test images were never trained on
    held_out = set(record["validation"]["psnr_hole"]) - {"mean"}
    assert len(held_out) == 20 and "test_020.png" in held_out  # every 20th Train400 image, never trained on
    assert record["validation"]["summary"][0].startswith("held-out validation images")
    for invocation in trained["invocations"]:
        assert invocation["command"].startswith("python -m course_lib train inpaint ")
    assert trained["seconds"] > 0 and len(record["history"]["loss"]) == trained["epochs"]
    scores = record["test_split"]
    assert set(scores["psnr_hole"]) == set(data.load_split("test")) | {"mean"}
    assert scores["protocol"] == evaluation.INPAINTING_PROTOCOL


def test_the_record_matches_what_the_weights_do(record, inpainter):
    images = data.load_split("test")
    index, name = 3, "coins"
    assert list(images)[index] == name
    model_scores, biharmonic_scores = [], []
    for number in range(evaluation.INPAINTING_MASKS_PER_IMAGE):  # the record averages the image's holes
        hole = evaluation.inpainting_test_mask(images[name].shape[:2], seed=number, index=index)
        damaged = images[name] * (1 - hole)
        model_scores.append(evaluation.inpainting_scores(
            images[name], models.inpaint(inpainter, damaged, hole), hole)["psnr_hole"])
        biharmonic_scores.append(evaluation.inpainting_scores(
            images[name], evaluation.classical_inpainters()["biharmonic"](damaged, hole), hole)["psnr_hole"])
    assert np.mean(model_scores) == pytest.approx(record["test_split"]["psnr_hole"][name], abs=0.05)
    assert record["test_split"]["biharmonic_psnr_hole"][name] == pytest.approx(np.mean(biharmonic_scores), abs=1e-3)


def test_a_hole_far_wider_than_the_networks_layers_is_filled_without_black_spots(inpainter):
    camera = data.load_image("camera")[:256, :256]
    hole = np.zeros(camera.shape, bool)
    hole[40:200, 60:220] = True  # 160 x 160 pixels
    filled = models.inpaint(inpainter, camera, hole)
    assert np.all(filled[~hole] == camera[~hole])
    assert filled[hole].min() > 0  # nothing left at exactly 0
    deep = ndimage.distance_transform_edt(hole) > 8  # next to the border the fill may be as dark as the coat there
    assert filled[deep].min() > 0.02  # no dark spot where the network had to fill features from far away
    assert abs(filled[hole].mean() - camera[~hole].mean()) < 0.25


def test_restore_inpaint_uses_the_shipped_model_by_default(tmp_path, inpainter):
    image = data.load_image("astronaut")[:64, :80]
    hole = np.zeros((64, 80), bool)
    hole[20:40, 30:50] = True
    np.save(tmp_path / "photo.npy", image)
    np.save(tmp_path / "hole.npy", hole)
    environment = {**os.environ, training.FAST_MODE_VARIABLE: "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "restore", "inpaint", str(tmp_path / "photo.npy"), "--mask",
         str(tmp_path / "hole.npy"), "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=600,
        env=environment)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "the shipped inpainting model" in completed.stdout
    np.testing.assert_allclose(np.load(tmp_path / "out" / "photo.npy"), models.inpaint(inpainter, image, hole),
                               atol=1e-5)
