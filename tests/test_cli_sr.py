"""The super-resolution commands end to end: train sr, restore sr, evaluate sr."""

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
                          timeout=600, env=environment)


@pytest.fixture(scope="module")
def espcn_x2(tmp_path_factory):
    return models.save_model(models.espcn(2), tmp_path_factory.mktemp("sr") / "espcn2.keras")


@pytest.fixture(scope="module")
def vdsr_model(tmp_path_factory):
    return models.save_model(models.vdsr(depth=3, width=4), tmp_path_factory.mktemp("sr") / "vdsr.keras")


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    rng = np.random.default_rng(0)
    data.write_image(folder / "gray.png", rng.random((20, 23)).astype(np.float32))
    data.write_image(folder / "colour.bmp", rng.random((12, 14, 3)).astype(np.float32))
    np.save(folder / "luma.npy", rng.random((9, 10)).astype(np.float32))
    return folder


@pytest.mark.parametrize("command", [["train", "sr"], ["restore", "sr"], ["evaluate", "sr"]])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main([*command, "--help"])
    assert stopped.value.code == 0
    assert "usage: python -m course_lib " + " ".join(command) in capsys.readouterr().out


def test_train_sr_writes_model_and_provenance_with_the_bicubic_baseline(tmp_path):
    out = tmp_path / "espcn.keras"
    result = _run("train", "sr", "--arch", "espcn", "--scale", "2", "--out", out, "--epochs", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "test split, x2: mean PSNR (Y)" in result.stdout and "bicubic" in result.stdout
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["scale"] == 2 and record["input"] == "low-resolution image"
    assert record["test_split"]["bicubic_psnr"]["astronaut"] == pytest.approx(31.702, abs=0.002)
    assert models.output_scale(models.load_model(out)) == 2


def test_train_sr_builds_and_records_the_edsr_block_asked_for(tmp_path, capsys):
    out = tmp_path / "wide.keras"
    result = _run("train", "sr", "--arch", "edsr", "--block", "wide", "--blocks", "1", "--width", "4", "--scale", "2",
                  "--out", out, "--epochs", "1", "--skip-test")
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(out.with_suffix(".json").read_text())["training"]["config"]["block"] == "wide"
    assert "block_0_expand" in [layer.name for layer in models.load_model(out).layers]
    with pytest.raises(SystemExit) as stopped:
        cli.main(["train", "sr", "--arch", "edsr", "--block", "dense", "--scale", "2", "--out", str(tmp_path / "m.keras")])
    assert stopped.value.code == 2 and "argument --block: invalid choice: 'dense'" in capsys.readouterr().err


def test_train_sr_records_the_loss_asked_for(tmp_path, capsys):
    out = tmp_path / "l1.keras"
    result = _run("train", "sr", "--arch", "edsr", "--loss", "l1", "--blocks", "1", "--width", "4", "--scale", "2",
                  "--out", out, "--epochs", "1", "--skip-test")
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(out.with_suffix(".json").read_text())["training"]["config"]["loss"] == "l1"
    with pytest.raises(SystemExit) as stopped:
        cli.main(["train", "sr", "--loss", "l2", "--scale", "2", "--out", str(tmp_path / "m.keras")])
    assert stopped.value.code == 2 and "argument --loss: invalid choice: 'l2'" in capsys.readouterr().err


@pytest.mark.parametrize("model_fixture, scale", [("espcn_x2", 2), ("vdsr_model", 3)])
def test_restore_sr_upscales_each_input_in_its_format(request, tmp_path, inputs, model_fixture, scale):
    model_path = request.getfixturevalue(model_fixture)
    out = tmp_path / "out"
    code = cli.main(["restore", "sr", str(inputs), "--scale", str(scale), "--model", str(model_path), "--out", str(out)])
    assert code == 0
    assert data.read_image(out / "gray.png").shape == (20 * scale, 23 * scale)
    assert data.read_image(out / "colour.bmp").shape == (12 * scale, 14 * scale, 3)
    upscaled = np.load(out / "luma.npy")
    assert upscaled.dtype == np.float32 and upscaled.shape == (9 * scale, 10 * scale)


def test_restore_sr_refuses_mismatches_and_never_overwrites(tmp_path, inputs, espcn_x2, capsys):
    out = tmp_path / "out"
    assert cli.main(["restore", "sr", str(inputs / "gray.png"), "--scale", "3", "--model", str(espcn_x2),
                     "--out", str(out)]) == 2
    assert "upscales 2 times, but --scale is 3" in capsys.readouterr().err
    denoiser = models.save_model(models.dncnn(depth=2, width=2, channels=3), tmp_path / "colour.keras")
    assert cli.main(["restore", "sr", str(inputs / "gray.png"), "--scale", "2", "--model", str(denoiser),
                     "--out", str(out)]) == 2
    assert "an SR model must map" in capsys.readouterr().err
    arguments = ["restore", "sr", str(inputs / "gray.png"), "--scale", "2", "--model", str(espcn_x2), "--out", str(out)]
    assert cli.main(arguments) == 0
    assert cli.main(arguments) == 2
    assert "--force" in capsys.readouterr().err
    assert cli.main(arguments + ["--force"]) == 0


def test_evaluate_sr_table_csv_json_and_figure(tmp_path, espcn_x2, capsys):
    testset = tmp_path / "testset"
    data.write_image(testset / "astro.png", data.load_image("astronaut")[:96, :96])
    out = tmp_path / "results"
    code = cli.main(["evaluate", "sr", "--testset", str(testset), "--scale", "2", "3", "--methods", "nearest",
                     "bilinear", "bicubic", "--model", str(espcn_x2), "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "scale = 2" in printed and "scale = 3" in printed
    record = json.loads((out / "sr.json").read_text())
    assert set(record["means"]["espcn2"]) == {"2"}, "an x2 ESPCN is scored at x2 only"
    assert record["means"]["bicubic"]["2"]["psnr"] > record["means"]["nearest"]["2"]["psnr"]
    assert (out / "sr_x2.png").exists() and (out / "sr_x3.png").exists()
