"""TrainingConfig: the fields, checks and records the denoiser, SR and inpainting configurations share."""

import json
from pathlib import Path

import pytest

from course_lib.training import (
    DenoiserTrainingConfig,
    InpaintingTrainingConfig,
    SuperResolutionTrainingConfig,
    TrainingConfig,
)

TASK_CONFIGS = [DenoiserTrainingConfig, SuperResolutionTrainingConfig, InpaintingTrainingConfig]
SHARED_FIELDS = ["patch_size", "batch_size", "steps_per_epoch", "epochs", "learning_rate", "final_learning_rate",
                 "schedule", "scales", "seed", "precision"]

#: The keys of each configuration's record in the order the files were written before TrainingConfig existed.
RECORD_KEYS = {
    DenoiserTrainingConfig: ["sigma", "architecture", "depth", "width", "batch_norm", "residual", "unshuffle",
                             "widths", "blocks", *SHARED_FIELDS],
    SuperResolutionTrainingConfig: ["architecture", "scale", "depth", "width", "blocks", "unshuffle", *SHARED_FIELDS,
                                    "block", "loss"],
    InpaintingTrainingConfig: ["width", "levels", "fill_iterations", "patch_size", "coverage", "max_width",
                               *SHARED_FIELDS[1:], "bottleneck", "bottleneck_blocks", "frequency_loss",
                               "frequency_loss_weight", "image_fill"],
}

DATA = Path(__file__).resolve().parents[1] / "data"


def _config_class_of(model_file: str):
    if model_file.startswith("sr_"):
        return SuperResolutionTrainingConfig
    if model_file.startswith("inpainting"):
        return InpaintingTrainingConfig
    return DenoiserTrainingConfig


@pytest.mark.parametrize("config_class", TASK_CONFIGS)
def test_every_task_config_is_a_training_config_with_the_shared_fields(config_class):
    config = config_class()
    assert isinstance(config, TrainingConfig)
    for name in SHARED_FIELDS:
        assert hasattr(config, name)
    assert (config.steps_per_epoch, config.epochs, config.learning_rate, config.final_learning_rate) == (
        200, 10, 1e-3, 1e-5)
    assert (config.schedule, config.scales, config.seed, config.precision) == (
        "cosine", (1.0, 0.9, 0.8, 0.7), 0, "float32")


def test_each_task_keeps_its_own_defaults_for_the_patches():
    assert (DenoiserTrainingConfig().patch_size, DenoiserTrainingConfig().batch_size) == (64, 32)
    assert (SuperResolutionTrainingConfig().patch_size, SuperResolutionTrainingConfig().batch_size) == (48, 32)
    assert (InpaintingTrainingConfig().patch_size, InpaintingTrainingConfig().batch_size) == (128, 16)


@pytest.mark.parametrize("config_class", TASK_CONFIGS)
@pytest.mark.parametrize("field, value, error, message", [
    ("epochs", 0, ValueError, "epochs must be at least 1; got 0"),
    ("epochs", 2.5, TypeError, "epochs must be an integer"),
    ("steps_per_epoch", 0, ValueError, "steps_per_epoch must be at least 1"),
    ("batch_size", 0, ValueError, "batch_size must be at least 1"),
    ("patch_size", 4, ValueError, "patch_size must be at least"),
    ("learning_rate", 0.0, ValueError, "learning_rate must be a positive finite number"),
    ("final_learning_rate", -1.0, ValueError, "final_learning_rate must be a positive finite number"),
    ("schedule", "linear", ValueError, "schedule must be one of"),
    ("precision", "float16", ValueError, "precision must be one of"),
])
def test_the_shared_fields_are_checked_for_every_task(config_class, field, value, error, message):
    with pytest.raises(error, match=message):
        config_class(**{field: value})


@pytest.mark.parametrize("config_class, smallest", [
    (DenoiserTrainingConfig, 8), (SuperResolutionTrainingConfig, 12), (InpaintingTrainingConfig, 16)])
def test_each_task_says_how_small_a_patch_may_be(config_class, smallest):
    with pytest.raises(ValueError, match=f"patch_size must be at least {smallest}; got 4"):
        config_class(patch_size=4)


@pytest.mark.parametrize("config_class", TASK_CONFIGS)
def test_the_record_lists_tuples_as_lists_in_the_order_of_the_first_records(config_class):
    config = config_class(scales=[1, 0.5])
    assert config.scales == (1.0, 0.5)
    record = config.to_dict()
    assert list(record) == RECORD_KEYS[config_class]
    assert record["scales"] == [1.0, 0.5]
    assert not any(isinstance(value, tuple) for value in record.values())
    assert config_class.from_dict(json.loads(json.dumps(record))) == config


def test_a_record_may_miss_fields_and_hold_unknown_ones():
    config = SuperResolutionTrainingConfig.from_dict({"architecture": "edsr", "scale": 2, "patch_size": 96,
                                                      "a_field_of_a_later_version": 1})
    assert config == SuperResolutionTrainingConfig(architecture="edsr", scale=2, patch_size=96)


def test_fast_mode_cuts_the_run_and_keeps_the_rest():
    config = InpaintingTrainingConfig(epochs=30, steps_per_epoch=500, batch_size=8, seed=3, learning_rate=2e-4)
    shrunk = config.shrunk_for_fast_mode()
    assert (shrunk.epochs, shrunk.steps_per_epoch, shrunk.batch_size, shrunk.patch_size, shrunk.max_width) == (
        2, 3, 2, 32, 8.0)
    assert (shrunk.seed, shrunk.learning_rate) == (3, 2e-4)
    short = DenoiserTrainingConfig(epochs=1, steps_per_epoch=2, batch_size=3).shrunk_for_fast_mode()
    assert (short.epochs, short.steps_per_epoch, short.batch_size, short.patch_size) == (1, 2, 3, 16)
    assert SuperResolutionTrainingConfig(scale=4, patch_size=96).shrunk_for_fast_mode().patch_size == 32


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda path: path.name)
def test_the_shipped_provenance_records_read_and_write_back_the_same(path):
    record = json.loads(path.read_text(encoding="utf-8"))["training"]["config"]
    config_class = _config_class_of(path.name)
    written = config_class.from_dict(record).to_dict()
    assert {key: written[key] for key in record} == record
    assert [key for key in written if key in record] == list(record)  # same order, so the same JSON text


def test_the_command_lines_default_scales_are_the_configurations():
    from course_lib.commands.common import TRAINING_SCALES

    assert TRAINING_SCALES == TrainingConfig().scales
