"""Inpainting training options of issue 19: the frequency loss, the bottleneck, old records, train inpaint's options."""

import json

import keras
import numpy as np
import pytest

from course_lib import cli, models, training
from course_lib.commands import inpainting as inpainting_commands
from course_lib.models.inpainting import BOTTLENECKS
from course_lib.training.inpainting_training import (
    FREQUENCY_LOSSES,
    InpaintingLoss,
    InpaintingTrainingConfig,
    build_inpainting,
    compile_inpainting,
    fourier_magnitude_l1,
    gradient_l1,
    inpainting_l1_loss,
    ssim_dissimilarity,
)

#: InpaintingTrainingConfig's fields before issue 19, as an old checkpoint's state.json or provenance record has them.
OLD_RECORD = {"width": 32, "levels": 4, "fill_iterations": 16, "patch_size": 192, "coverage": [0.05, 0.35],
              "max_width": 48.0, "batch_size": 8, "steps_per_epoch": 250, "epochs": 12, "learning_rate": 0.0002,
              "final_learning_rate": 1e-05, "schedule": "cosine", "scales": [1.0, 0.9, 0.8, 0.7], "seed": 0,
              "precision": "bfloat16"}


def _batch(seed=0, channels=3):
    rng = np.random.default_rng(seed)
    clean = rng.random((2, 16, 12, channels)).astype(np.float32)
    hole = np.zeros((2, 16, 12, 1), np.float32)
    hole[:, 4:10, 3:8] = 1.0
    estimate = rng.random(clean.shape).astype(np.float32)
    return clean, hole, estimate, np.concatenate([clean, hole], axis=-1)


# --- the frequency terms --------------------------------------------------------------------------


def test_fourier_term_is_the_l1_between_fft_magnitudes_of_the_holes_content():
    clean, hole, estimate, target = _batch()
    magnitude = np.abs(np.fft.rfft2(hole * estimate, axes=(1, 2), norm="ortho"))
    expected = np.abs(magnitude - np.abs(np.fft.rfft2(hole * clean, axes=(1, 2), norm="ortho"))).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(np.asarray(fourier_magnitude_l1(target, estimate)), expected, rtol=1e-4, atol=1e-6)


def test_gradient_term_is_the_l1_between_differences_per_hole_pixel():
    clean, hole, estimate, target = _batch(1)
    error = hole * estimate + (1 - hole) * clean - clean
    total = (np.abs(np.diff(error, axis=2)).sum(axis=(1, 2, 3)) + np.abs(np.diff(error, axis=1)).sum(axis=(1, 2, 3)))
    expected = total / (hole.sum(axis=(1, 2, 3)) * 3)
    np.testing.assert_allclose(np.asarray(gradient_l1(target, estimate)), expected, rtol=1e-5)


@pytest.mark.parametrize("channels", [1, 3])
def test_ssim_term_is_one_minus_the_hole_ssim_the_protocol_scores(channels):
    """For a hole away from the patch's edge it is 1 - metrics.ssim_in_mask of the composite, image by image."""
    from course_lib import metrics

    clean, hole, estimate, target = _batch(5, channels=channels)
    estimate = 0.5 * clean + 0.5 * estimate  # partly right, so that SSIM is neither 0 nor 1
    composite = hole * estimate + (1 - hole) * clean
    expected = [1.0 - metrics.ssim_in_mask(clean[index].squeeze(), composite[index].squeeze(), hole[index, ..., 0] > 0)
                for index in range(len(clean))]
    np.testing.assert_allclose(np.asarray(ssim_dissimilarity(target, estimate)), expected, rtol=1e-3, atol=1e-4)


def _square_hole_and_flat_fill(seed):
    """A 32x32 random image with a 16x16 hole in its middle, its target, and the hole filled with its mean."""
    rng = np.random.default_rng(seed)
    clean = rng.random((1, 32, 32, 1)).astype(np.float32)
    hole = np.zeros((1, 32, 32, 1), np.float32)
    hole[:, 8:24, 8:24] = 1.0
    return rng, clean, np.concatenate([clean, hole], axis=-1), np.full_like(clean, clean[hole == 1].mean())


def test_ssim_term_prefers_the_right_structure_to_a_flat_fill_of_the_right_mean():
    rng, clean, target, flat = _square_hole_and_flat_fill(6)
    noisy = np.clip(clean + rng.normal(0, 0.1, clean.shape), 0, 1).astype(np.float32)
    assert float(ssim_dissimilarity(target, noisy)[0]) < 0.5 * float(ssim_dissimilarity(target, flat)[0])


@pytest.mark.parametrize("term", [fourier_magnitude_l1, gradient_l1, ssim_dissimilarity])
def test_frequency_terms_judge_the_hole_only_and_vanish_for_a_perfect_fill(term):
    clean, hole, estimate, target = _batch(2)
    assert np.allclose(np.asarray(term(target, clean)), 0.0, atol=1e-5)
    outside_changed = np.where(hole == 1, estimate, 1.0 - estimate)
    np.testing.assert_allclose(np.asarray(term(target, outside_changed)), np.asarray(term(target, estimate)), atol=1e-6)
    assert np.all(np.asarray(term(target, estimate)) > 0.01)


def test_a_blurred_fill_pays_the_fourier_term():
    """A fill with the right mean but no detail (a flat hole) costs more than the detail it lacks, shifted."""
    _, clean, target, flat = _square_hole_and_flat_fill(3)
    textured = np.roll(clean, 1, axis=2)  # the same texture one pixel off: as wrong per pixel, or more
    assert float(inpainting_l1_loss(target, textured)[0]) > 0.8 * float(inpainting_l1_loss(target, flat)[0])
    assert float(fourier_magnitude_l1(target, flat)[0]) > 2 * float(fourier_magnitude_l1(target, textured)[0])


@pytest.mark.parametrize("name", list(FREQUENCY_LOSSES))
def test_inpainting_loss_adds_the_weighted_term_and_survives_serialization(name):
    clean, hole, estimate, target = _batch(4)
    loss = InpaintingLoss(frequency_loss=name, frequency_loss_weight=2.5)
    expected = np.mean(np.asarray(inpainting_l1_loss(target, estimate))
                       + 2.5 * np.asarray(FREQUENCY_LOSSES[name](target, estimate)))
    assert float(loss(target, estimate)) == pytest.approx(float(expected), rel=1e-5)
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert (again.frequency_loss, again.frequency_loss_weight) == (name, 2.5)
    unweighted = InpaintingLoss(frequency_loss=name)
    assert float(unweighted(target, estimate)) == pytest.approx(float(np.mean(inpainting_l1_loss(target, estimate))))
    with pytest.raises(ValueError, match="frequency_loss must be one of"):
        InpaintingLoss(frequency_loss="perceptual")
    with pytest.raises(ValueError, match="frequency_loss_weight must be a non-negative"):
        InpaintingLoss(frequency_loss_weight=-1.0)


def test_without_a_weight_the_model_is_compiled_with_the_first_versions_loss():
    model = models.inpainting_unet(channels=3, width=4, levels=2)
    compile_inpainting(model, 1e-3)
    assert model.loss is inpainting_l1_loss
    compile_inpainting(model, 1e-3, frequency_loss="gradient", frequency_loss_weight=1.0)
    assert isinstance(model.loss, InpaintingLoss) and model.loss.frequency_loss == "gradient"


# --- the configuration ----------------------------------------------------------------------------


def test_an_old_record_reads_as_todays_network_and_loss():
    config = InpaintingTrainingConfig.from_dict(OLD_RECORD)
    assert (config.bottleneck, config.frequency_loss_weight) == ("none", 0.0)
    assert config == InpaintingTrainingConfig(**{**OLD_RECORD, "coverage": (0.05, 0.35),
                                                 "scales": (1.0, 0.9, 0.8, 0.7)})
    record = config.to_dict()
    assert {key: record[key] for key in OLD_RECORD} == OLD_RECORD
    assert record["bottleneck"] == "none" and record["frequency_loss_weight"] == 0.0
    new = InpaintingTrainingConfig(bottleneck="ffc", bottleneck_blocks=4, frequency_loss="gradient",
                                   frequency_loss_weight=3)
    assert InpaintingTrainingConfig.from_dict(json.loads(json.dumps(new.to_dict()))) == new
    assert isinstance(new.frequency_loss_weight, float)


def test_the_config_checks_the_new_fields():
    with pytest.raises(ValueError, match="bottleneck must be one of"):
        InpaintingTrainingConfig(bottleneck="gated")
    with pytest.raises(ValueError, match="bottleneck_blocks must be at least 1"):
        InpaintingTrainingConfig(bottleneck_blocks=0)
    with pytest.raises(ValueError, match="frequency_loss must be one of"):
        InpaintingTrainingConfig(frequency_loss="perceptual")
    with pytest.raises(ValueError, match="frequency_loss_weight must be a non-negative"):
        InpaintingTrainingConfig(frequency_loss_weight=-0.5)


def test_build_follows_the_bottleneck():
    assert build_inpainting(InpaintingTrainingConfig(width=4, levels=3)).name == "inpainting_unet"
    model = build_inpainting(InpaintingTrainingConfig(width=4, levels=3, bottleneck="dilated", bottleneck_blocks=3))
    assert model.name == "inpainting_unet_dilated"
    assert sum(layer.name.endswith("_dilated") for layer in model.layers) == 3


def test_a_checkpoint_without_the_new_fields_resumes_and_a_new_one_keeps_them(tmp_path, monkeypatch):
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    folder = tmp_path / "old"
    training.train_inpainting(InpaintingTrainingConfig(width=4, levels=2, epochs=1), checkpoint_dir=folder,
                              validation=False, verbose=0)
    state_path = folder / "state.json"
    state = json.loads(state_path.read_text())
    for name in ("bottleneck", "bottleneck_blocks", "frequency_loss", "frequency_loss_weight"):
        state["config"].pop(name)  # as a run of the first version wrote it
    state_path.write_text(json.dumps(state))
    resumed = training.train_inpainting(InpaintingTrainingConfig(width=4, levels=2, epochs=2), checkpoint_dir=folder,
                                        resume=True, validation=False, verbose=0)
    assert resumed.resumed_from_epoch == 1 and resumed.model.loss is inpainting_l1_loss

    config = InpaintingTrainingConfig(width=4, levels=2, epochs=1, bottleneck="ffc", bottleneck_blocks=1,
                                      frequency_loss_weight=1.0)
    first = training.train_inpainting(config, checkpoint_dir=tmp_path / "new", validation=False, verbose=0)
    assert first.model.name == "inpainting_unet_ffc" and np.isfinite(first.history["loss"][-1])
    resumed = training.train_inpainting(InpaintingTrainingConfig(**{**config.__dict__, "epochs": 2}),
                                        checkpoint_dir=tmp_path / "new", resume=True, validation=False, verbose=0)
    assert resumed.resumed_from_epoch == 1
    assert isinstance(resumed.model.loss, InpaintingLoss) and resumed.model.loss.frequency_loss_weight == 1.0
    with pytest.raises(training.CheckpointMismatchError, match="frequency_loss_weight"):
        training.train_inpainting(InpaintingTrainingConfig(**{**config.__dict__, "frequency_loss_weight": 2.0}),
                                  checkpoint_dir=tmp_path / "new", resume=True, validation=False, verbose=0)


def test_color_source_reads_a_held_out_split_of_a_folder_with_its_own_loader(tmp_path):
    from course_lib import data

    rng = np.random.default_rng(0)
    for index in range(4):
        data.write_image(tmp_path / f"image{index}.png", rng.random((20, 24)).astype(np.float32))
    kept, held_out = training.holdout_split(training.folder_source(tmp_path), every=2)
    rgb = training.color_source(training.preloaded(kept))
    assert rgb.names == kept.names
    image = rgb.loader(1)
    assert image.shape == (20, 24, 3)
    np.testing.assert_array_equal(image[..., 0], kept.loader(1))


# --- train inpaint's options ----------------------------------------------------------------------


def test_the_command_spells_the_librarys_choices():
    assert inpainting_commands.BOTTLENECK_CHOICES == BOTTLENECKS
    assert inpainting_commands.FREQUENCY_LOSS_CHOICES == tuple(FREQUENCY_LOSSES)


def test_help_names_the_new_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "inpaint", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for option in ("--bottleneck {none,ffc,dilated}", "--bottleneck-blocks", "--frequency-loss {fft,gradient,ssim}",
                   "--frequency-loss-weight", "--scales FACTOR [FACTOR ...]", "--image-fill"):
        assert option in text


@pytest.mark.parametrize("command", [["train", "dncnn", "--sigma", "25"], ["train", "sr", "--scale", "2"]])
@pytest.mark.parametrize("scales, bad", [(["1", "0"], "0"), (["5"], "5"), (["nan"], "nan")])
def test_every_train_command_takes_scales_and_refuses_bad_ones(command, scales, bad, tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main([*command, "--help"])
    assert "--scales FACTOR [FACTOR ...]" in " ".join(capsys.readouterr().out.split())
    code = cli.main([*command, "--out", str(tmp_path / "m.keras"), "--scales", *scales])
    assert code == 2 and capsys.readouterr().err.strip() == f"error: --scales must be factors in (0, 4]; got {bad}"
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("arguments, message", [
    (["--bottleneck", "gated"], "error: --bottleneck must be one of 'none', 'ffc', 'dilated'; got 'gated'"),
    (["--bottleneck", "ffc", "--bottleneck-blocks", "0"], "error: --bottleneck-blocks must be at least 1; got 0"),
    (["--frequency-loss", "perceptual"], "error: --frequency-loss must be one of 'fft', 'gradient', 'ssim'; got 'perceptual'"),
    (["--frequency-loss-weight", "-1"], "error: --frequency-loss-weight must be a finite number >= 0; got -1"),
    (["--frequency-loss-weight", "nan"], "error: --frequency-loss-weight must be a finite number >= 0; got nan"),
    (["--scales", "1", "0"], "error: --scales must be factors in (0, 4]; got 0"),
    (["--scales", "4.5"], "error: --scales must be factors in (0, 4]; got 4.5"),
    (["--scales", "inf"], "error: --scales must be factors in (0, 4]; got inf"),
])
def test_bad_values_are_one_error_line(arguments, message, tmp_path, capsys):
    code = cli.main(["train", "inpaint", "--out", str(tmp_path / "m.keras"), *arguments])
    error = capsys.readouterr().err
    assert code == 2 and error.strip() == message
    assert not any(tmp_path.iterdir())


def test_train_inpaint_records_the_bottleneck_and_the_loss(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    out = tmp_path / "ffc.keras"
    code = cli.main(["train", "inpaint", "--out", str(out), "--epochs", "1", "--width", "4", "--levels", "3",
                     "--bottleneck", "ffc", "--bottleneck-blocks", "1", "--frequency-loss", "gradient",
                     "--frequency-loss-weight", "2", "--scales", "1", "1.5", "--image-fill", "--skip-test"])
    assert code == 0, capsys.readouterr().err[-2000:]
    record = json.loads(out.with_suffix(".json").read_text())
    config = record["training"]["config"]
    assert (config["bottleneck"], config["bottleneck_blocks"]) == ("ffc", 1)
    assert config["scales"] == [1.0, 1.5]
    assert (config["frequency_loss"], config["frequency_loss_weight"]) == ("gradient", 2.0)
    assert config["image_fill"] is True
    assert record["architecture"].startswith("inpainting_unet_ffc_image_fill")
    assert models.load_model(out).name == "inpainting_unet_ffc_image_fill"


def test_patches_of_an_enlarged_image_are_smoother():
    rng = np.random.default_rng(0)
    image = rng.random((64, 64, 3)).astype(np.float32)
    source = training.ImageSource(names=("noise",), sizes=((64, 64),), loader=lambda index: image,
                                  description="one 64x64 RGB noise image")

    def roughness(scales):
        patches = [patch for patch, _ in training.inpainting_patch_generator(
            source, patch_size=32, count=8, seed=0, scales=scales, augment=False)]
        return float(np.mean([np.abs(np.diff(patch, axis=0)).mean() for patch in patches]))

    assert roughness((2.0,)) < 0.6 * roughness((1.0,))  # each pixel of the noise spread over about 2x2
