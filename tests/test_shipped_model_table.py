"""The table of shipped models (course_lib.models.shipped): every entry is a file in data/ whose provenance record
agrees with it, the paths and constants come from it, and the choosers pick from it."""

import os
import subprocess
import sys

import pytest

from course_lib import cli, evaluation, models
from course_lib.commands.input_checks import check_model_record
from course_lib.models import shipped

#: What the training command of each architecture says (the records' commands are the ground truth).
COMMAND_OF = {"dncnn": "train dncnn", "unet": "--architecture unet", "edsr": "--arch edsr", "vdsr": "--arch vdsr",
              "inpainting_unet": "train inpaint"}


@pytest.mark.parametrize("entry", models.SHIPPED_MODELS, ids=lambda entry: entry.file)
def test_each_entry_is_a_file_in_data_whose_record_agrees_with_the_table(entry):
    assert entry.path == models.DATA_FOLDER / entry.file and entry.path.is_file()

    def refuse_a_missing_record(note):
        raise AssertionError(note)

    record = check_model_record(entry.path, task=entry.task, scale=entry.scale, report=refuse_a_missing_record)
    assert record.get("scale") == entry.scale
    if entry.sigma is not None:
        assert record["sigma"] == entry.sigma
    elif entry.sigma_range is not None:
        assert tuple(record["sigma"]) == entry.sigma_range
    else:
        assert record.get("sigma") is None
    assert COMMAND_OF[entry.architecture] in record["training"]["invocations"][-1]["command"]
    assert entry.train_command.format(scale=entry.scale).split(" --")[0] in record["training"]["invocations"][-1][
        "command"]


def test_every_entry_has_its_own_file_and_the_path_functions_reach_each_once():
    files = [entry.file for entry in models.SHIPPED_MODELS]
    assert len(files) == len(set(files))
    reached = ([models.shipped_denoiser_path(sigma) for sigma in models.SHIPPED_DENOISER_SIGMAS + ("blind",)]
               + [models.shipped_unet_denoiser_path(), models.shipped_inpainter_path()]
               + [models.shipped_sr_path(scale, architecture) for scale in models.SHIPPED_SR_SCALES
                  for architecture in models.SHIPPED_SR_ARCHITECTURES])
    assert sorted(path.name for path in reached) == sorted(files)


def test_the_constants_are_read_from_the_table():
    assert models.SHIPPED_DENOISER_SIGMAS == (15, 25, 50)
    assert models.SHIPPED_BLIND_SIGMA_RANGE == (0.0, 55.0) and models.SHIPPED_UNET_SIGMA_RANGE == (0.0, 75.0)
    assert models.SHIPPED_SR_SCALES == (2, 3, 4) and models.SHIPPED_SR_ARCHITECTURES == ("edsr", "vdsr")
    assert models.shipped_sr_path(3).name == "sr_edsr_x3.keras" and models.shipped_sr_path(3, "vdsr").name == "sr_x3.keras"
    with pytest.raises(ValueError, match="scale must be one of"):
        models.shipped_sr_path(5)
    with pytest.raises(ValueError, match="architecture must be one of"):
        models.shipped_sr_path(2, "srcnn")


@pytest.mark.parametrize("sigma", [0.5, 15, 25.0, 30, 50, 75])
def test_a_known_sigma_gets_the_noise_map_unet_told_the_level(sigma):
    chosen = models.shipped_denoiser_for(sigma)
    assert chosen == models.shipped_unet_denoiser() and chosen.takes_noise_level
    assert chosen.describe(sigma) == f"the shipped noise-map U-Net, told sigma={sigma:g}"


def test_an_unknown_sigma_gets_the_blind_dncnn_and_a_level_too_high_gets_none():
    blind = models.shipped_denoiser_for(blind=True)
    assert blind.path == models.shipped_denoiser_path("blind") and not blind.takes_noise_level
    assert blind.describe() == "the shipped blind DnCNN (sigma 0-55)"
    with pytest.raises(ValueError, match="no shipped denoiser knows sigma 80; the noise-map U-Net covers 0-75"):
        models.shipped_denoiser_for(80)
    with pytest.raises(ValueError, match="give sigma"):
        models.shipped_denoiser_for()


def test_the_sr_and_inpainting_choosers_and_their_descriptions():
    assert models.shipped_sr(4).describe() == "the shipped x4 EDSR-style model"
    assert models.shipped_sr(2, "vdsr").describe() == "the shipped x2 VDSR-style model"
    assert models.shipped_inpainter().describe() == "the shipped inpainting model"
    assert models.shipped_denoiser(25.0).describe() == "the shipped DnCNN for sigma 25"


@pytest.mark.parametrize("sigma, expected", [(25, ["dncnn", "dncnn-blind", "unet"]), (30, ["dncnn-blind", "unet"]),
                                             (80, ["dncnn-blind"])])
def test_the_denoising_registry_takes_the_shipped_networks_that_serve_the_level(sigma, expected):
    chosen = evaluation.shipped_denoisers(evaluation.DENOISING_METHODS, sigma)
    assert list(chosen) == expected
    assert list(evaluation.shipped_denoisers(["bm3d", "unet"], sigma)) == [name for name in expected if name == "unet"]


def test_the_sr_registry_takes_each_shipped_network_at_each_scale():
    chosen = evaluation.shipped_sr_models(evaluation.SR_METHODS, [2, 4])
    assert {name: {scale: entry.file for scale, entry in per_scale.items()} for name, per_scale in chosen.items()} == {
        "edsr": {2: "sr_edsr_x2.keras", 4: "sr_edsr_x4.keras"}, "vdsr": {2: "sr_x2.keras", 4: "sr_x4.keras"}}
    assert evaluation.SR_METHODS == ("nearest", "bilinear", "bicubic", "edsr", "vdsr")


def test_a_missing_model_names_the_command_that_trains_it(tmp_path, monkeypatch):
    monkeypatch.setattr(shipped, "DATA_FOLDER", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"sr_x4.keras is missing.*train sr --arch vdsr --unshuffle --scale 4"):
        models.load_shipped_sr(4, "vdsr")
    with pytest.raises(FileNotFoundError, match="unet_gray_noise_map.keras is missing.*--architecture unet"):
        models.load_shipped_unet_denoiser()


def test_the_data_folder_variable_redirects_every_entry(tmp_path, monkeypatch):
    monkeypatch.setenv(shipped.DATA_FOLDER_VARIABLE, str(tmp_path))
    assert all(entry.path == tmp_path / entry.file for entry in models.SHIPPED_MODELS)


def test_the_command_line_reads_the_table_without_importing_tensorflow():
    script = ("import sys\nfrom course_lib import cli\nfrom course_lib.models import SHIPPED_SR_SCALES\n"
              "cli.build_parser()\nprint(sorted(name for name in ('keras', 'tensorflow') if name in sys.modules))")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                               env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip().splitlines()[-1] == "[]"


def test_the_help_texts_quote_the_table(capsys):
    with pytest.raises(SystemExit):
        cli.main(["restore", "denoise", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(any sigma in (0, 75])" in text and "DnCNN (sigma 0-55)" in text


def test_the_training_scales_agree_with_the_networks():
    from course_lib.commands.super_resolution import TRAINING_SCALES

    assert TRAINING_SCALES == models.SR_SCALES


def test_every_public_name_of_the_models_package_resolves_from_its_module():
    """course_lib.models imports each name on first use (so that the table above costs no Keras import)."""
    for name in models.__all__:
        assert getattr(models, name) is getattr(sys.modules[f"course_lib.models.{models._MODULE_OF[name]}"], name)
    assert models.shipped is shipped and "load_shipped_sr" in dir(models)
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        models.not_a_name
