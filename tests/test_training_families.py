"""Training the denoiser families on held-out splits: noise-level maps, architectures, validation images."""

import json

import numpy as np
import pytest

from course_lib import cli, data, models, training


@pytest.fixture(scope="module")
def forty_images():
    """Forty small random gray images (every 20th held out leaves 38 and 2)."""
    rng = np.random.default_rng(0)
    images = [rng.random((40, 48)).astype(np.float32) for _ in range(40)]
    names = tuple(f"image_{index + 1:03d}.png" for index in range(40))
    return training.ImageSource("forty random images", names, tuple(image.shape for image in images),
                                lambda index: images[index])


# --- held-out validation images ---------------------------------------------------------------------------


def test_holdout_keeps_every_twentieth_image_out_of_training(forty_images):
    kept, held_out = training.holdout_split(forty_images, every=20)
    assert held_out.names == ("image_020.png", "image_040.png")
    assert len(kept) == 38 and not set(kept.names) & set(held_out.names)
    np.testing.assert_array_equal(held_out.loader(1), forty_images.loader(39))
    np.testing.assert_array_equal(kept.loader(19), forty_images.loader(20))  # image_021 follows image_019
    assert "every 20th (2, never trained on)" in held_out.description
    for every, nth in ((2, "2nd"), (3, "3rd"), (11, "11th"), (21, "21st"), (22, "22nd")):
        assert f"all but every {nth} (" in training.holdout_split(forty_images, every=every)[0].description
    assert "forty random images" in kept.description and held_out.sizes == ((40, 48), (40, 48))


@pytest.mark.parametrize("every, message", [(1, "every must be at least 2"), (41, "leaves no validation image")])
def test_holdout_rejects_a_split_that_cannot_be_made(forty_images, every, message):
    with pytest.raises(ValueError, match=message):
        training.holdout_split(forty_images, every=every)


def test_preloaded_source_gives_the_same_images_without_reloading():
    calls = []
    image = np.arange(12, dtype=np.float32).reshape(3, 4) / 12

    def loader(index):
        calls.append(index)
        return image * (index + 1)

    source = training.ImageSource("two", ("a", "b"), ((3, 4), (3, 4)), loader)
    kept = training.preloaded(source)
    assert calls == [0, 1]
    np.testing.assert_array_equal(kept.loader(1), image * 2)
    kept.loader(0)
    assert calls == [0, 1] and kept.description == "two" and kept.names == ("a", "b")


# --- noise-level maps in the data ---------------------------------------------------------------------------


def test_dataset_gives_a_noise_map_of_each_patchs_own_level(forty_images):
    dataset = training.denoising_dataset(forty_images, sigma=(5, 50), patch_size=16, batch_size=8,
                                         steps_per_epoch=4, seed=0, noise_map=True)
    for (noisy, level_map), clean in dataset:
        noisy, level_map, clean = np.asarray(noisy), np.asarray(level_map), np.asarray(clean)
        assert level_map.shape == clean.shape
        per_patch = level_map[:, 0, 0, 0]
        assert np.all(level_map == per_patch[:, None, None, None])  # one level per patch, everywhere in it
        assert np.all((per_patch >= 5 / 255 - 1e-7) & (per_patch <= 50 / 255 + 1e-7))
        measured = (noisy - clean).std(axis=(1, 2, 3))
        np.testing.assert_allclose(measured, per_patch, rtol=0.25)


def test_validation_pairs_with_a_noise_map(forty_images):
    (noisy, level_map), clean = training.validation_pairs(forty_images, sigma=25, patch_size=16, count=4,
                                                          noise_map=True)
    assert noisy.shape == level_map.shape == clean.shape == (4, 16, 16, 1)
    np.testing.assert_allclose(level_map, 25 / 255)
    plain_noisy, _ = training.validation_pairs(forty_images, sigma=25, patch_size=16, count=4)
    np.testing.assert_array_equal(noisy, plain_noisy)


# --- configurations of each family ------------------------------------------------------------------------


@pytest.mark.parametrize("fields, builder_name, multiple", [
    (dict(architecture="dncnn", depth=3, width=4), "dncnn", 1),
    (dict(architecture="ffdnet", depth=3, width=4), "ffdnet", 2),
    (dict(architecture="unet", widths=(4, 8, 8)), "residual_unet", 4),
])
def test_each_architecture_builds_its_network(fields, builder_name, multiple):
    config = training.DenoiserTrainingConfig(patch_size=32, **fields)
    model = training.build_denoiser(config)
    assert model.name == builder_name and models.size_multiple(model) == multiple == config.size_multiple
    assert config.noise_map == models.takes_noise_level(model)


def test_an_old_record_without_an_architecture_is_a_dncnn():
    record = training.DenoiserTrainingConfig(depth=3).to_dict()
    del record["architecture"], record["widths"], record["blocks"]
    assert training.DenoiserTrainingConfig.from_dict(record).architecture == "dncnn"


def test_config_of_a_unet_round_trips_through_json():
    config = training.DenoiserTrainingConfig(architecture="unet", widths=(8, 16), blocks=2, sigma=(0, 75))
    assert training.DenoiserTrainingConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


@pytest.mark.parametrize("changes, message", [
    ({"architecture": "drunet"}, "architecture must be one of"),
    ({"architecture": "unet", "widths": (4, 8, 8, 8), "patch_size": 36}, "multiple of 8"),
    ({"architecture": "ffdnet", "patch_size": 33}, "multiple of 2"),
])
def test_config_rejects_what_an_architecture_cannot_train_on(changes, message):
    with pytest.raises(ValueError, match=message):
        training.DenoiserTrainingConfig(**changes)


def test_a_noise_map_network_trains_and_validates_on_held_out_images(forty_images):
    kept, held_out = training.holdout_split(forty_images, every=20)
    config = training.DenoiserTrainingConfig(architecture="unet", widths=(4, 8), sigma=(0, 50), patch_size=16,
                                             batch_size=4, steps_per_epoch=6, epochs=3, learning_rate=3e-3)
    result = training.train_denoiser(config, source=kept, validation_source=held_out, verbose=0)
    assert models.takes_noise_level(result.model)
    assert len(result.history["val_loss"]) == 3
    assert result.history["loss"][-1] < result.history["loss"][0]


# --- the command line ---------------------------------------------------------------------------------------


@pytest.fixture
def image_folder(tmp_path, forty_images):
    folder = tmp_path / "images"
    for index, name in enumerate(forty_images.names):
        data.write_image(folder / name, forty_images.loader(index))
    return folder


def test_train_denoiser_holds_out_validation_images_and_scores_them(tmp_path, image_folder, monkeypatch, capsys):
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    out = tmp_path / "ffdnet.keras"
    code = cli.main(["train", "denoiser", "--architecture", "ffdnet", "--depth", "3", "--width", "4",
                     "--blind", "0", "50", "--data", str(image_folder), "--out", str(out), "--skip-test"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "holding out 2 images for validation: image_020.png, image_040.png" in printed
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["training"]["config"]["architecture"] == "ffdnet"
    assert "38" in record["training"]["data"] and "every 20th (2, never trained on)" in record["training"]["validation_data"]
    assert set(record["validation"]["psnr"]) == {"15", "25", "50"} and record["validation"]["images"] == 2
    assert models.takes_noise_level(models.load_model(out))


def test_a_small_folder_holds_nothing_out_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    folder = tmp_path / "three"
    for index in range(3):
        data.write_image(folder / f"{index}.png", np.random.default_rng(index).random((40, 40)).astype(np.float32))
    code = cli.main(["train", "dncnn", "--sigma", "25", "--depth", "3", "--width", "4", "--data", str(folder),
                     "--out", str(tmp_path / "m.keras"), "--skip-test"])
    assert code == 0 and "none held out for validation" in capsys.readouterr().out
    assert json.loads((tmp_path / "m.json").read_text())["training"]["validation_data"] is None


@pytest.mark.parametrize("extra, message", [
    (["--architecture", "unet", "--unshuffle", "2"], "--unshuffle and --batch-norm are for --architecture dncnn"),
    (["--validation-every", "1"], "--validation-every must be 0"),
    (["--architecture", "unet", "--widths", "8", "0"], "--widths must be positive"),
    (["--architecture", "unet", "--patch-size", "36"], "multiple of 8"),
])
def test_train_denoiser_bad_input_is_one_line(tmp_path, monkeypatch, capsys, extra, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    code = cli.main(["train", "denoiser", "--sigma", "25", "--out", "m.keras", "--skip-test", *extra])
    error = capsys.readouterr().err
    assert code == 2 and error.startswith("error:") and message in error and "Traceback" not in error


def test_restore_and_evaluate_tell_a_noise_map_model_the_level(tmp_path, capsys):
    path = models.save_model(models.ffdnet(depth=3, width=4, seed=1), tmp_path / "ffdnet.keras")
    image = np.random.default_rng(0).random((24, 30)).astype(np.float32)
    data.write_image(tmp_path / "in" / "a.png", image)
    code = cli.main(["restore", "denoise", str(tmp_path / "in"), "--model", str(path), "--out", str(tmp_path / "out")])
    assert code == 2 and "--sigma is needed" in capsys.readouterr().err
    code = cli.main(["restore", "denoise", str(tmp_path / "in"), "--model", str(path), "--sigma", "25",
                     "--out", str(tmp_path / "out")])
    assert code == 0 and (tmp_path / "out" / "a.png").exists()
    code = cli.main(["evaluate", "denoise", "--methods", "noisy", "--model", str(path), "--sigma", "25",
                     "--out", str(tmp_path / "evaluation")])
    assert code == 0
    results = json.loads((tmp_path / "evaluation" / "denoise.json").read_text())
    assert "ffdnet" in json.dumps(results)
