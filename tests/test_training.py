"""course_lib.training: patch streams, the tf.data pipeline, checkpoints, resume, scale-out."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from course_lib import data, training
from course_lib.training import patches as patches_module

TINY = dict(depth=3, width=4, batch_norm=True, unshuffle=1, patch_size=16, batch_size=4, steps_per_epoch=3)


@pytest.fixture(scope="module")
def small_source():
    """Three small gray images, loaded on demand (and counted, to prove streaming)."""
    rng = np.random.default_rng(0)
    images = [rng.random((40, 56)).astype(np.float32), rng.random((48, 48)).astype(np.float32),
              rng.random((64, 40)).astype(np.float32)]
    return training.ImageSource("three random images", ("a", "b", "c"), tuple(image.shape for image in images),
                                lambda index: images[index])


# --- patches --------------------------------------------------------------------------------------


def test_patch_generator_yields_the_requested_patches(small_source):
    patches = list(training.patch_generator(small_source, patch_size=16, count=50, seed=0))
    assert len(patches) == 50
    assert all(patch.shape == (16, 16, 1) and patch.dtype == np.float32 for patch in patches)


def test_patches_depend_only_on_seed_and_epoch(small_source):
    def draw(seed, epoch):
        return np.stack(list(training.patch_generator(small_source, patch_size=16, count=20, seed=seed, epoch=epoch)))

    np.testing.assert_array_equal(draw(0, 3), draw(0, 3))
    assert not np.array_equal(draw(0, 3), draw(0, 4))
    assert not np.array_equal(draw(1, 3), draw(0, 3))


def test_patches_without_augmentation_are_crops_of_the_images(small_source):
    images = [small_source.loader(index) for index in range(3)]
    for patch in training.patch_generator(small_source, patch_size=8, count=10, seed=2, scales=(1.0,), augment=False):
        found = False
        for image in images:
            windows = np.lib.stride_tricks.sliding_window_view(image, (8, 8))
            if np.any(np.all(windows == patch[..., 0], axis=(2, 3))):
                found = True
        assert found


def test_images_are_streamed_a_few_at_a_time():
    loaded = []
    sizes = tuple((32, 32) for _ in range(10))

    def loader(index):
        loaded.append(index)
        return np.full((32, 32), index / 10, np.float32)

    source = training.ImageSource("ten flat images", tuple(map(str, range(10))), sizes, loader)
    stream = training.patch_generator(source, patch_size=8, count=200, seed=0, scales=(1.0,), images_in_memory=2)
    next(stream)
    assert len(loaded) == 2, "only the first group of images is loaded before the first patch"
    list(stream)
    assert sorted(loaded) == list(range(10))


def test_too_small_images_are_a_clear_error(small_source):
    with pytest.raises(ValueError, match="no training image is large enough for patch_size 100"):
        next(training.patch_generator(small_source, patch_size=100, count=1, seed=0))


def test_bundled_training_source_excludes_the_test_split():
    source = training.bundled_source()
    assert "camera" not in source.names and "chelsea" in source.names
    assert set(source.names) == set(data.list_images(split="train"))
    assert source.loader(0).ndim == 2


def test_bundled_source_of_one_kind_keeps_only_that_kind():
    source = training.bundled_source("train", kind="photo")
    assert source.names == tuple(data.list_images(split="train", kind="photo"))
    assert "brick" not in source.names and "chelsea" in source.names
    assert source.description.startswith("bundled train split, photo images only: chelsea")
    with pytest.raises(ValueError, match="kind 'medical': the bundled train split has no images"):
        training.bundled_source("train", kind="medical")
    with pytest.raises(ValueError, match="kind"):
        training.bundled_source("train", kind="cats")


def test_folder_source_reads_sizes_without_decoding(tmp_path):
    data.write_image(tmp_path / "one.png", np.full((30, 40), 0.5, np.float32))
    np.save(tmp_path / "two.npy", np.full((20, 10, 3), 0.25, np.float32))
    source = training.folder_source(tmp_path)
    assert source.names == ("one.png", "two.npy")
    assert source.sizes == ((30, 40), (20, 10))
    assert source.loader(1).shape == (20, 10)
    with pytest.raises(FileNotFoundError):
        training.folder_source(tmp_path / "absent")


# --- the tf.data pipeline ---------------------------------------------------------------------


def test_dataset_adds_gaussian_noise_of_the_stated_level(small_source):
    dataset = training.denoising_dataset(small_source, sigma=25, patch_size=16, batch_size=8, steps_per_epoch=40,
                                         seed=0)
    noise = np.concatenate([np.asarray(noisy - clean).ravel() for noisy, clean in dataset])
    assert noise.size == 40 * 8 * 16 * 16
    assert noise.std() * 255 == pytest.approx(25, rel=0.02)
    assert abs(noise.mean()) * 255 < 0.3


def test_blind_dataset_draws_each_patch_level_from_the_range(small_source):
    dataset = training.denoising_dataset(small_source, sigma=(5, 50), patch_size=16, batch_size=16,
                                         steps_per_epoch=10, seed=0)
    levels = np.concatenate([np.asarray(noisy - clean).std(axis=(1, 2, 3)) * 255 for noisy, clean in dataset])
    assert 3 < levels.min() < 12 and 42 < levels.max() < 54


def test_dataset_is_repeatable_and_resumes_mid_run(small_source):
    options = dict(sigma=15, patch_size=16, batch_size=4, steps_per_epoch=3, epochs=3, seed=5)
    full = [np.asarray(noisy) for noisy, _ in training.denoising_dataset(small_source, **options)]
    again = [np.asarray(noisy) for noisy, _ in training.denoising_dataset(small_source, **options)]
    resumed = [np.asarray(noisy) for noisy, _ in training.denoising_dataset(small_source, start_epoch=2, **options)]
    assert len(full) == 9 and len(resumed) == 3
    for first, second in zip(full, again):
        np.testing.assert_array_equal(first, second)
    for first, second in zip(full[6:], resumed):
        np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("sigma, message", [((1, 2, 3), "pair"), ((30, 10), "low <= high"), (-5, "positive"),
                                            (300, r"\[0, 255\]")])
def test_dataset_rejects_bad_noise_levels(small_source, sigma, message):
    with pytest.raises(ValueError, match=message):
        training.denoising_dataset(small_source, sigma=sigma)


def test_validation_pairs_are_fixed(small_source):
    first = training.validation_pairs(small_source, sigma=25, patch_size=16, count=4)
    second = training.validation_pairs(small_source, sigma=25, patch_size=16, count=4)
    np.testing.assert_array_equal(first[0], second[0])
    assert first[0].shape == (4, 16, 16, 1)


def test_fast_mode_follows_the_environment(monkeypatch):
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "1")
    assert training.fast_mode()
    monkeypatch.setenv(training.FAST_MODE_VARIABLE, "0")
    assert not training.fast_mode()
    config = training.DenoiserTrainingConfig(epochs=30, steps_per_epoch=300, unshuffle=2, patch_size=96)
    shrunk = config.shrunk_for_fast_mode()
    assert (shrunk.epochs, shrunk.steps_per_epoch, shrunk.patch_size % 2) == (2, 3, 0)


# --- configuration and schedule -----------------------------------------------------------------


def test_config_round_trips_through_a_dict():
    config = training.DenoiserTrainingConfig(sigma=(0, 55), unshuffle=2, patch_size=64)
    assert training.DenoiserTrainingConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.blind


@pytest.mark.parametrize("changes, message", [({"schedule": "linear"}, "schedule must be one of"),
                                              ({"unshuffle": 2, "patch_size": 33}, "multiple of 2"),
                                              ({"epochs": 0}, "epochs must be at least 1"),
                                              ({"sigma": 0}, "sigma must be a positive")])
def test_config_rejects_bad_values(changes, message):
    with pytest.raises(ValueError, match=message):
        training.DenoiserTrainingConfig(**changes)


def test_learning_rate_schedules():
    cosine = training.DenoiserTrainingConfig(epochs=11, learning_rate=1e-3, final_learning_rate=1e-5)
    rates = [training.learning_rate_at(cosine, epoch) for epoch in range(11)]
    assert rates[0] == pytest.approx(1e-3) and rates[-1] == pytest.approx(1e-5)
    assert rates[5] == pytest.approx((1e-3 + 1e-5) / 2)
    assert all(a >= b for a, b in zip(rates, rates[1:]))
    step = training.DenoiserTrainingConfig(epochs=8, schedule="step")
    assert [training.learning_rate_at(step, epoch) for epoch in (0, 5, 6, 7)] == pytest.approx([1e-3, 1e-3, 1e-4, 1e-4])


# --- training, checkpoints and resume -------------------------------------------------------------


def _weights(model):
    return [np.asarray(weight) for weight in model.get_weights()]


def test_training_reduces_the_loss(small_source):
    config = training.DenoiserTrainingConfig(sigma=25, epochs=4, **{**TINY, "steps_per_epoch": 8, "width": 8})
    result = training.train_denoiser(config, source=small_source, verbose=0)
    assert result.history["loss"][-1] < result.history["loss"][0]
    assert result.epochs_run == 4 and result.seconds > 0
    assert set(result.history) >= {"loss", "psnr_metric", "val_loss", "val_psnr_metric", "seconds", "learning_rate"}


def test_checkpoint_resume_gives_the_uninterrupted_result(small_source, tmp_path):
    two_epochs = training.DenoiserTrainingConfig(sigma=25, epochs=2, **TINY)
    straight = training.train_denoiser(two_epochs, source=small_source, checkpoint_dir=tmp_path / "a", verbose=0)
    one_epoch = training.DenoiserTrainingConfig(sigma=25, epochs=1, **TINY)
    training.train_denoiser(one_epoch, source=small_source, checkpoint_dir=tmp_path / "b", verbose=0)
    resumed = training.train_denoiser(two_epochs, source=small_source, checkpoint_dir=tmp_path / "b", resume=True,
                                      verbose=0)
    assert resumed.resumed_from_epoch == 1 and resumed.epochs_run == 1
    assert len(resumed.history["loss"]) == 2
    for first, second in zip(_weights(straight.model), _weights(resumed.model)):
        np.testing.assert_allclose(first, second, rtol=1e-4, atol=1e-6)
    state = json.loads((tmp_path / "b" / "state.json").read_text())
    assert state["epoch"] == 2 and state["checkpoint"] == "checkpoint-epoch0002.keras"
    assert sorted(path.name for path in (tmp_path / "b").iterdir()) == ["checkpoint-epoch0002.keras", "state.json"]


def test_an_interruption_leaves_a_complete_checkpoint(small_source, tmp_path):
    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.model.optimizer.iterations.numpy() >= TINY["steps_per_epoch"] + 1:
                raise KeyboardInterrupt

    config = training.DenoiserTrainingConfig(sigma=25, epochs=3, **TINY)
    with pytest.raises(KeyboardInterrupt):
        training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, callbacks=[Interrupt()],
                                verbose=0)
    state = training.TrainingCheckpoint.read_state(tmp_path)
    assert state["epoch"] == 1
    assert (tmp_path / state["checkpoint"]).exists()
    resumed = training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, resume=True, verbose=0)
    assert len(resumed.history["loss"]) == 3


def test_existing_checkpoint_is_never_overwritten_by_accident(small_source, tmp_path):
    config = training.DenoiserTrainingConfig(sigma=25, epochs=1, **TINY)
    training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, verbose=0)
    with pytest.raises(FileExistsError, match="resume"):
        training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, verbose=0)
    with pytest.raises(ValueError, match="already completed 1 of 1"):
        training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, resume=True, verbose=0)
    other = training.DenoiserTrainingConfig(sigma=50, epochs=2, **TINY)
    with pytest.raises(ValueError, match="other settings"):
        training.train_denoiser(other, source=small_source, checkpoint_dir=tmp_path, resume=True, verbose=0)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path / "empty", resume=True, verbose=0)


def test_a_checkpoint_that_cannot_be_resumed_names_what_differs(small_source, tmp_path):
    """Not the whole configuration: the fields that differ, with both values."""
    config = training.DenoiserTrainingConfig(sigma=25, epochs=1, **TINY)
    training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, verbose=0, validation=False)
    other = training.DenoiserTrainingConfig(sigma=50, epochs=2, **{**TINY, "width": 6})
    with pytest.raises(training.CheckpointMismatchError) as raised:
        training.train_denoiser(other, source=small_source, checkpoint_dir=tmp_path, resume=True, verbose=0)
    assert raised.value.differences == {"sigma": (25.0, 50.0), "width": (4, 6)}
    assert "sigma: 25.0 in the checkpoint, 50.0 now" in str(raised.value) and "'depth'" not in str(raised.value)
    with pytest.raises(training.CheckpointFinishedError) as finished:
        training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, resume=True, verbose=0)
    assert (finished.value.epoch, finished.value.epochs) == (1, 1)


def test_a_finished_run_may_be_replaced_an_unfinished_one_never(small_source, tmp_path):
    one_epoch = training.DenoiserTrainingConfig(sigma=25, epochs=1, **TINY)
    training.train_denoiser(one_epoch, source=small_source, checkpoint_dir=tmp_path, verbose=0, validation=False)
    again = training.train_denoiser(one_epoch, source=small_source, checkpoint_dir=tmp_path, verbose=0,
                                    validation=False, replace_finished=True)
    assert again.resumed_from_epoch == 0 and len(again.history["loss"]) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["checkpoint-epoch0001.keras", "state.json"]
    state = json.loads((tmp_path / "state.json").read_text())
    state["config"]["epochs"] = 3  # the same folder, now holding an unfinished run
    (tmp_path / "state.json").write_text(json.dumps(state))
    with pytest.raises(FileExistsError, match="resume=True"):
        training.train_denoiser(one_epoch, source=small_source, checkpoint_dir=tmp_path, verbose=0,
                                validation=False, replace_finished=True)


def test_temporary_files_of_a_killed_run_are_removed(small_source, tmp_path):
    """A run killed while writing a checkpoint leaves `.NAME.PID.tmp.keras`; the next run removes it."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    tmp_path.mkdir(exist_ok=True)
    leftovers = [tmp_path / f".checkpoint-epoch0002.{pid}.tmp.keras", tmp_path / f".state.json.{pid}.tmp"]
    for path in leftovers:
        path.write_bytes(b"")
    kept = tmp_path / f".checkpoint-epoch0002.{os.getppid()}.tmp.keras"  # a live process's file is left alone
    kept.write_bytes(b"")
    config = training.DenoiserTrainingConfig(sigma=25, epochs=1, **TINY)
    training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, verbose=0, validation=False)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [kept.name, "checkpoint-epoch0001.keras", "state.json"])


def test_fine_tuning_starts_from_given_weights(small_source, tmp_path):
    from course_lib import models

    config = training.DenoiserTrainingConfig(sigma=25, epochs=1, **TINY)
    donor = models.save_model(training.build_denoiser(training.DenoiserTrainingConfig(sigma=25, **{**TINY, "width": 4})
                                                      ), tmp_path / "donor.keras")
    result = training.train_denoiser(config, source=small_source, initial_weights=donor, verbose=0,
                                     validation=False)
    assert result.model.count_params() == models.load_model(donor).count_params()
    wide = models.save_model(models.dncnn(depth=3, width=6), tmp_path / "wide.keras")
    with pytest.raises(ValueError, match="different architecture"):
        training.train_denoiser(config, source=small_source, initial_weights=wide, verbose=0)


def test_live_plot_collects_history_outside_a_notebook(small_source):
    plot = training.LiveTrainingPlot()
    config = training.DenoiserTrainingConfig(sigma=25, epochs=2, **TINY)
    training.train_denoiser(config, source=small_source, callbacks=[plot], verbose=0)
    assert len(plot.history["loss"]) == 2
    figure = plot.figure()
    assert len(figure.axes) == 2


def test_psnr_metric_matches_the_definition():
    clean = np.zeros((2, 4, 4, 1), np.float32)
    estimate = clean + np.array([0.1, 0.01], np.float32).reshape(2, 1, 1, 1)
    np.testing.assert_allclose(np.asarray(training.psnr_metric(clean, estimate)), [20.0, 40.0], rtol=1e-5)


@pytest.mark.parametrize("loss, expected", [("mse", (0.1**2 + 0.3**2) / 2), ("l1", (0.1 + 0.3) / 2)])
def test_compile_for_training_minimizes_the_loss_it_names(loss, expected):
    import keras

    model = keras.Sequential([keras.Input((2, 1, 1)), keras.layers.Identity()])
    training.compile_for_training(model, 1e-3, loss=loss)
    estimate = np.array([[[[0.1]], [[-0.3]]]], np.float32)  # errors 0.1 and -0.3 against a zero target
    value = model.evaluate(estimate, np.zeros_like(estimate), verbose=0, return_dict=True)["loss"]
    assert value == pytest.approx(expected, rel=1e-5)


def test_compile_for_training_refuses_an_unknown_loss():
    import keras

    with pytest.raises(ValueError, match="loss must be one of"):
        training.compile_for_training(keras.Sequential([keras.Input((2,)), keras.layers.Identity()]), 1e-3, loss="l2")


def test_mirrored_strategy_over_two_logical_cpu_devices(tmp_path):
    """Scale-out: the same training call under tf.distribute.MirroredStrategy with two CPU replicas."""
    script = textwrap.dedent(
        """
        import json, sys
        import course_lib
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from course_lib import training
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        config = training.DenoiserTrainingConfig(sigma=25, depth=3, width=4, patch_size=16, batch_size=4,
                                                 steps_per_epoch=3, epochs=2)
        result = training.train_denoiser(config, checkpoint_dir=sys.argv[1], strategy=strategy, verbose=0)
        print(json.dumps({"replicas": strategy.num_replicas_in_sync, "loss": result.history["loss"]}))
        """
    )
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    environment.pop(training.FAST_MODE_VARIABLE, None)
    completed = subprocess.run([sys.executable, "-c", script, str(tmp_path / "checkpoint")], capture_output=True,
                               text=True, timeout=300, env=environment)
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert len(report["loss"]) == 2 and all(np.isfinite(report["loss"]))
    assert (tmp_path / "checkpoint" / "state.json").exists()


def test_unreadable_folder_image_is_named(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="broken.png"):
        patches_module.folder_source(tmp_path)


def test_resume_may_lengthen_the_run_and_change_its_schedule(small_source, tmp_path):
    config = training.DenoiserTrainingConfig(sigma=25, epochs=1, **TINY)
    training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, verbose=0)
    slower = training.DenoiserTrainingConfig(sigma=25, epochs=3, learning_rate=5e-4, schedule="step", **TINY)
    resumed = training.train_denoiser(slower, source=small_source, checkpoint_dir=tmp_path, resume=True, verbose=0)
    assert resumed.config.learning_rate == 5e-4 and resumed.config.schedule == "step"
    assert resumed.history["learning_rate"][1:] == pytest.approx([5e-4, 5e-4])
    assert json.loads((tmp_path / "state.json").read_text())["config"]["learning_rate"] == 5e-4


def test_a_run_continued_in_bfloat16_keeps_its_weights_and_optimizer_state(small_source, tmp_path):
    config = training.DenoiserTrainingConfig(sigma=25, epochs=1, **{**TINY, "batch_norm": False})
    first = training.train_denoiser(config, source=small_source, checkpoint_dir=tmp_path, verbose=0)
    weights = first.model.get_weights()
    moments = [np.asarray(variable) for variable in first.model.optimizer.variables]
    continued = training.DenoiserTrainingConfig(sigma=25, epochs=1, precision="bfloat16",
                                                **{**TINY, "batch_norm": False})
    with pytest.raises(ValueError, match="already completed 1 of 1"):
        training.train_denoiser(continued, source=small_source, checkpoint_dir=tmp_path, resume=True, verbose=0)

    from course_lib.training.loop import _in_precision_with_optimizer_state
    from course_lib import models

    checkpoint = models.load_model(tmp_path / "checkpoint-epoch0001.keras", compile=True)
    converted = _in_precision_with_optimizer_state(checkpoint, "bfloat16")
    assert models.model_precision(checkpoint) == "float32" and models.model_precision(converted) == "bfloat16"
    for before, after in zip(weights, converted.get_weights()):
        np.testing.assert_array_equal(before, after)
    for before, after in zip(moments, converted.optimizer.variables):
        np.testing.assert_array_equal(before, np.asarray(after))
    assert int(np.asarray(converted.optimizer.iterations)) == TINY["steps_per_epoch"]

    longer = training.DenoiserTrainingConfig(sigma=25, epochs=2, precision="bfloat16",
                                             **{**TINY, "batch_norm": False})
    resumed = training.train_denoiser(longer, source=small_source, checkpoint_dir=tmp_path, resume=True, verbose=0)
    assert models.model_precision(resumed.model) == "bfloat16"
    assert int(np.asarray(resumed.model.optimizer.iterations)) == 2 * TINY["steps_per_epoch"]
    assert np.isfinite(resumed.history["loss"]).all() and len(resumed.history["loss"]) == 2
    assert json.loads((tmp_path / "state.json").read_text())["config"]["precision"] == "bfloat16"


def test_precision_must_be_known():
    with pytest.raises(ValueError, match="precision"):
        training.DenoiserTrainingConfig(sigma=25, precision="float16")
