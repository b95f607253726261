"""The inpainting commands end to end: train inpaint, restore inpaint, evaluate inpaint."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from course_lib import cli, data, models, training


def _run(*arguments):
    environment = {**os.environ, training.FAST_MODE_VARIABLE: "1"}
    return subprocess.run([sys.executable, "-m", "course_lib", *map(str, arguments)], capture_output=True, text=True,
                          timeout=900, env=environment)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return models.save_model(models.inpainting_unet(channels=3, width=4, levels=3),
                             tmp_path_factory.mktemp("inpaint") / "tiny.keras")


@pytest.fixture
def inputs(tmp_path):
    """Three inputs (gray PNG, RGB BMP, .npy) and a mask for each (PNG white = missing, .npy booleans, 0/255 PNG)."""
    folder = tmp_path / "inputs"
    rng = np.random.default_rng(0)
    data.write_image(folder / "gray.png", rng.random((20, 23)).astype(np.float32))
    data.write_image(folder / "colour.bmp", rng.random((12, 14, 3)).astype(np.float32))
    np.save(folder / "array.npy", rng.random((9, 10, 3)).astype(np.float32))
    masks = tmp_path / "masks"
    hole = np.zeros((20, 23), np.float32)
    hole[5:10, 4:12] = 1
    data.write_image(masks / "gray_mask.png", hole)
    colour_hole = np.zeros((12, 14), bool)
    colour_hole[2:6, 3:9] = True
    np.save(masks / "colour_mask.npy", colour_hole)
    array_hole = np.zeros((9, 10), np.float32)
    array_hole[4:7, 1:5] = 1
    data.write_image(masks / "array_mask.png", array_hole)
    return [folder / "gray.png", folder / "colour.bmp", folder / "array.npy"], [
        masks / "gray_mask.png", masks / "colour_mask.npy", masks / "array_mask.png"]


@pytest.mark.parametrize("command", [["train", "inpaint"], ["restore", "inpaint"], ["evaluate", "inpaint"]])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main([*command, "--help"])
    assert stopped.value.code == 0
    assert "usage: python -m course_lib " + " ".join(command) in capsys.readouterr().out


def test_train_inpaint_writes_model_and_provenance_with_the_biharmonic_baseline(tmp_path):
    out = tmp_path / "unet.keras"
    result = _run("train", "inpaint", "--out", out, "--epochs", "1", "--width", "4", "--levels", "3")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mean PSNR in the hole" in result.stdout and "biharmonic" in result.stdout
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["training"]["config"]["levels"] == 3
    assert record["training"]["final_train_psnr"] == record["history"]["hole_psnr_metric"][-1]
    assert record["training"]["final_validation_psnr"] == record["history"]["val_hole_psnr_metric"][-1]
    assert record["training"]["data"].startswith("bundled train split")
    split = record["test_split"]
    assert set(split["psnr_hole"]) == {"camera", "astronaut", "coffee", "coins", "mean"}
    assert split["biharmonic_psnr_hole"]["mean"] > 10 and split["harmonic_psnr_hole"]["mean"] > 10
    assert "harmonic fill alone" in result.stdout
    assert "partial convolutions" in record["architecture"]
    assert models.inpainting_multiple(models.load_model(out)) == 4


def test_train_inpaint_on_a_folder_holds_images_out_and_scores_them(tmp_path):
    """--validation-every 3 on 6 files: files 3 and 6 are never trained on, give the validation patches and are
    scored under the inpainting protocol at the end; the colour photo among them is read in colour."""
    folder = tmp_path / "photos"
    rng = np.random.default_rng(1)
    for index in range(6):
        shape = (64, 68, 3) if index == 2 else (64, 68)
        data.write_image(folder / f"image{index}.png", rng.random(shape).astype(np.float32))
    out = tmp_path / "unet.keras"
    result = _run("train", "inpaint", "--out", out, "--data", folder, "--validation-every", "3", "--epochs", "1",
                  "--width", "4", "--levels", "3", "--patch-size", "24", "--skip-test")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "holding out 2 images for validation: image2.png, image5.png" in result.stdout
    assert "held-out validation images: mean PSNR in the hole" in result.stdout
    record = json.loads(out.with_suffix(".json").read_text())
    assert "all but every 3rd (4)" in record["training"]["data"]
    assert "validation images: every 3rd (2, never trained on)" in record["training"]["validation_data"]
    assert set(record["validation"]["psnr_hole"]) == {"image2.png", "image5.png", "mean"}
    assert "test_split" not in record
    result = _run("train", "inpaint", "--out", tmp_path / "other.keras", "--data", folder, "--validation-every", "1")
    assert result.returncode == 2 and result.stderr.strip().splitlines()[-1] == (
        "error: --validation-every must be 0 (no hold-out) or at least 2; got 1")


def test_color_source_reads_a_held_out_split_of_a_folder_by_name_in_colour(tmp_path):
    rng = np.random.default_rng(2)
    images = [rng.random((12, 10, 3) if index % 2 else (12, 10)).astype(np.float32) for index in range(4)]
    for index, image in enumerate(images):
        data.write_image(tmp_path / f"{index}.png", image)
    kept, held_out = training.holdout_split(training.folder_source(tmp_path), every=2)
    for split, indices in ((kept, (0, 2)), (held_out, (1, 3))):
        coloured = training.color_source(split, folder=tmp_path)
        for position, index in enumerate(indices):
            expected = images[index] if images[index].ndim == 3 else np.repeat(images[index][..., None], 3, -1)
            np.testing.assert_allclose(coloured.loader(position), expected, atol=1 / 255)
    data.write_image(tmp_path / "elsewhere" / "other.png", images[0])
    with pytest.raises(ValueError, match="4 images of the source are not files of"):
        training.color_source(training.folder_source(tmp_path), folder=tmp_path / "elsewhere")


def test_restore_inpaint_fills_each_input_in_its_format_and_keeps_known_pixels(tmp_path, inputs, tiny_model):
    files, masks = inputs
    out = tmp_path / "out"
    code = cli.main(["restore", "inpaint", *map(str, files), "--mask", *map(str, masks), "--model", str(tiny_model),
                     "--out", str(out)])
    assert code == 0
    gray = data.read_image(out / "gray.png")
    original = data.read_image(files[0])
    hole = data.read_image(masks[0], gray=True) > 0.5
    assert gray.shape == (20, 23) and np.array_equal(gray[~hole], original[~hole])
    assert data.read_image(out / "colour.bmp").shape == (12, 14, 3)
    filled = np.load(out / "array.npy")
    source = np.load(files[2])
    array_hole = data.read_image(masks[2], gray=True) > 0.5
    assert filled.dtype == np.float32 and np.array_equal(filled[~array_hole], source[~array_hole])


@pytest.mark.parametrize("method", ["biharmonic", "harmonic"])
def test_restore_inpaint_classical_fills_need_no_model(tmp_path, inputs, method, capsys):
    files, masks = inputs
    out = tmp_path / "out"
    assert cli.main(["restore", "inpaint", str(files[0]), str(files[1]), "--mask", str(masks[0]), str(masks[1]),
                     "--method", method, "--out", str(out)]) == 0
    assert method + " " in capsys.readouterr().out
    gray, hole = data.read_image(files[0]), data.read_image(masks[0], gray=True) > 0.5
    filled = data.read_image(out / "gray.png")
    assert filled.shape == (20, 23) and np.abs(filled - gray)[~hole].max() < 1e-6
    assert data.read_image(out / "colour.bmp").shape == (12, 14, 3)


def test_restore_inpaint_refuses_bad_masks_models_and_overwrites(tmp_path, inputs, tiny_model, capsys):
    files, masks = inputs
    out = tmp_path / "out"
    base = ["--model", str(tiny_model), "--out", str(out)]
    assert cli.main(["restore", "inpaint", str(files[0]), str(files[1]), "--mask", str(masks[0]), *base]) == 2
    assert "one --mask per INPUT" in capsys.readouterr().err
    assert cli.main(["restore", "inpaint", str(files[0]), "--mask", str(masks[1]), *base]) == 2
    assert "must be 2-D with its image's height and width (20, 23)" in capsys.readouterr().err
    assert cli.main(["restore", "inpaint", str(files[0]), "--mask", str(tmp_path / "none.png"), *base]) == 2
    assert "--mask" in capsys.readouterr().err
    denoiser = models.save_model(models.dncnn(depth=2, width=2), tmp_path / "denoiser.keras")
    assert cli.main(["restore", "inpaint", str(files[0]), "--mask", str(masks[0]), "--model", str(denoiser),
                     "--out", str(out)]) == 2
    assert "is not an inpainting model" in capsys.readouterr().err
    arguments = ["restore", "inpaint", str(files[0]), "--mask", str(masks[0]), *base]
    assert cli.main(arguments) == 0
    assert cli.main(arguments) == 2
    assert "--force" in capsys.readouterr().err
    assert cli.main(arguments + ["--force"]) == 0


def test_evaluate_inpaint_table_csv_json_and_figure(tmp_path, tiny_model, capsys):
    testset = tmp_path / "testset"
    data.write_image(testset / "astro.png", data.load_image("astronaut")[:64, :72])
    data.write_image(testset / "cam.png", data.load_image("camera")[:48, :48])
    out = tmp_path / "results"
    code = cli.main(["evaluate", "inpaint", "--testset", str(testset), "--methods", "biharmonic",
                     "--model", str(tiny_model), "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "PSNR hole" in printed and "tiny" in printed and "biharmonic" in printed
    record = json.loads((out / "inpaint.json").read_text())
    assert set(record["means"]) == {"biharmonic", "tiny"}
    assert record["means"]["biharmonic"]["psnr_image"] > record["means"]["biharmonic"]["psnr_hole"]
    assert "free-form" in record["protocol"]
    assert (out / "inpaint.csv").exists() and (out / "inpaint.png").exists()
    assert cli.main(["evaluate", "inpaint", "--testset", str(testset), "--methods", "biharmonic",
                     "--out", str(out)]) == 2


def test_restore_inpaint_runs_on_tensorflows_own_kernels_and_denoise_on_onednn(tmp_path):
    """The partial-convolution U-Net is faster without oneDNN (course_lib.cli.OWN_KERNEL_COMMANDS)."""
    probe = ("import sys\nfrom course_lib import cli\n"
             "cli.main(sys.argv[1:])\n"
             "from tensorflow.python.util import _pywrap_util_port as port\n"
             "print('onednn', bool(port.IsMklEnabled()))\n")
    environment = {key: value for key, value in os.environ.items() if key != "TF_ENABLE_ONEDNN_OPTS"}
    missing = str(tmp_path / "missing.png")
    for arguments, expected in ((["restore", "inpaint", missing, "--mask", missing, "--out", str(tmp_path / "o")],
                                 "onednn False"),
                                (["restore", "denoise", missing, "--sigma", "25", "--out", str(tmp_path / "o")],
                                 "onednn True")):
        result = subprocess.run([sys.executable, "-c", probe, *arguments], capture_output=True, text=True,
                                timeout=300, env=environment)
        assert expected in result.stdout, (arguments, result.stdout, result.stderr[-2000:])
        assert result.stderr.startswith("error:"), result.stderr[-2000:]  # one clear line, no TensorFlow chatter
