"""course_lib.models: pixel (un)shuffle, the denoisers, tiled inference, safe loading."""

import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import models
from course_lib.models import shipped


@pytest.fixture(scope="module")
def tiny_residual():
    return models.dncnn(depth=4, width=8, seed=3)


@pytest.fixture(scope="module")
def tiny_unshuffled():
    return models.dncnn(depth=4, width=8, unshuffle=2, seed=4)


# --- pixel unshuffle / shuffle ------------------------------------------------------------


@pytest.mark.parametrize("factor", [2, 3])
def test_space_to_depth_matches_tensorflow(factor):
    images = np.random.default_rng(0).random((2, 6 * factor, 4 * factor, 3)).astype(np.float32)
    ours = np.asarray(models.space_to_depth(images, factor))
    np.testing.assert_array_equal(ours, tf.nn.space_to_depth(images, factor).numpy())
    np.testing.assert_array_equal(np.asarray(models.depth_to_space(ours, factor)), images)
    np.testing.assert_array_equal(np.asarray(models.depth_to_space(ours, factor)),
                                  tf.nn.depth_to_space(ours, factor).numpy())


@settings(max_examples=25, deadline=None)
@given(factor=st.integers(1, 4), blocks_high=st.integers(1, 4), blocks_wide=st.integers(1, 4),
       channels=st.integers(1, 3))
def test_depth_to_space_inverts_space_to_depth(factor, blocks_high, blocks_wide, channels):
    shape = (1, blocks_high * factor, blocks_wide * factor, channels)
    images = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    folded = np.asarray(models.space_to_depth(images, factor))
    assert folded.shape == (1, blocks_high, blocks_wide, channels * factor * factor)
    np.testing.assert_array_equal(np.asarray(models.depth_to_space(folded, factor)), images)


def test_space_to_depth_channel_order_is_documented():
    images = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(np.asarray(models.space_to_depth(images, 2))[0, 0, 0], [0, 1, 4, 5])


def test_factor_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="factor must be at least 1"):
        models.space_to_depth(np.zeros((1, 2, 2, 1), np.float32), 0)
    with pytest.raises(TypeError, match="factor must be an integer"):
        models.PixelShuffle(1.5)


# --- the denoisers --------------------------------------------------------------------------


@pytest.mark.parametrize("depth, width, channels, batch_norm", [(17, 64, 1, True), (5, 32, 1, False), (6, 16, 3, True)])
def test_parameter_count_follows_the_formula(depth, width, channels, batch_norm):
    model = models.dncnn(depth=depth, width=width, channels=channels, batch_norm=batch_norm)
    first = 9 * channels * width + width
    hidden = (depth - 2) * (9 * width * width + (4 * width if batch_norm else width))  # BN: gamma, beta, mean, var
    last = 9 * width * channels + channels
    assert model.count_params() == first + hidden + last


def test_dncnn_s_has_about_556_thousand_trainable_parameters():
    model = models.dncnn()
    trainable = sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)
    assert 550_000 < trainable < 560_000
    assert models.receptive_field(model) == 35


def test_residual_and_plain_differ_only_in_what_the_last_layer_means():
    residual = models.dncnn(depth=3, width=4, residual=True, batch_norm=False)
    plain = models.dncnn(depth=3, width=4, residual=False, batch_norm=False)
    image = np.random.default_rng(1).random((1, 9, 9, 1)).astype(np.float32)
    for model in (residual, plain):  # a zero last layer: no noise predicted / a black image predicted
        last = model.get_layer("conv_3")
        last.set_weights([np.zeros_like(weight) for weight in last.get_weights()])
    np.testing.assert_allclose(np.asarray(residual(image)), image, atol=1e-7)
    np.testing.assert_allclose(np.asarray(plain(image)), 0.0, atol=1e-7)
    assert "noise_estimate" in [layer.name for layer in residual.layers]
    assert "noise_estimate" not in [layer.name for layer in plain.layers]


def test_an_untrained_residual_network_returns_about_its_input():
    model = models.dncnn(depth=8, width=16, seed=0)
    image = np.random.default_rng(2).random((1, 32, 32, 1)).astype(np.float32)
    assert np.abs(np.asarray(model(image, training=False)) - image).mean() < 0.1


def test_the_same_seed_builds_the_same_network():
    first, second = models.dncnn(depth=3, width=4, seed=7), models.dncnn(depth=3, width=4, seed=7)
    other = models.dncnn(depth=3, width=4, seed=8)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.get_weights()[0], other.get_weights()[0])


@pytest.mark.parametrize("depth, unshuffle", [(3, 1), (5, 1), (3, 2), (4, 2)])
def test_receptive_field_matches_the_measured_impulse_response(depth, unshuffle):
    model = models.dncnn(depth=depth, width=4, batch_norm=False, residual=False, unshuffle=unshuffle, seed=1)
    for layer in model.layers:  # positive weights and biases: every dependency shows as a change
        if isinstance(layer, keras.layers.Conv2D):
            kernel, bias = layer.get_weights()
            layer.set_weights([np.abs(kernel) + 0.1, np.abs(bias) + 0.1])
    size = 64
    base = np.zeros((1, size, size, 1), np.float32)
    impulse = base.copy()
    impulse[0, size // 2, size // 2, 0] = 1.0
    changed = np.abs(np.asarray(model(impulse)) - np.asarray(model(base)))[0, ..., 0] > 0
    rows = np.flatnonzero(changed.any(axis=1))
    # Each output pixel depends on a window of `field` inputs, so an impulse reaches `field`
    # outputs (up to the block alignment of the unshuffle).
    measured = rows[-1] - rows[0] + 1
    field = models.receptive_field(model)
    assert field - (unshuffle - 1) <= measured <= field + (unshuffle - 1)


def test_builder_rejects_bad_arguments():
    with pytest.raises(ValueError, match="depth must be at least 2"):
        models.dncnn(depth=1)
    with pytest.raises(ValueError, match="channels must be one of"):
        models.dncnn(channels=2)
    with pytest.raises(ValueError, match="unshuffle must be one of"):
        models.dncnn(unshuffle=3)


def test_describe_model_says_what_it_is(tiny_residual, tiny_unshuffled):
    text = models.describe_model(tiny_residual)
    assert "4 conv layers with BatchNorm" in text and "residual" in text and "receptive field 9 px" in text
    assert "1/2 resolution" in models.describe_model(tiny_unshuffled)
    assert "plain" in models.describe_model(models.small_cnn_denoiser())
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        models.describe_model("dncnn")


# --- inference --------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["tiny_residual", "tiny_unshuffled"])
@pytest.mark.parametrize("shape", [(37, 50), (64, 64), (9, 130)])
def test_tiling_changes_nothing_but_memory(request, fixture, shape):
    model = request.getfixturevalue(fixture)
    image = np.random.default_rng(3).random(shape).astype(np.float32)
    whole = models.apply_model(model, image, tile_size=1024)
    tiled = models.apply_model(model, image, tile_size=16)
    assert whole.shape == shape and whole.dtype == np.float32
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


def test_apply_model_equals_one_pass_over_the_reflected_image(tiny_residual):
    image = np.random.default_rng(4).random((40, 40)).astype(np.float32)
    margin = 8
    padded = np.pad(image, margin, mode="reflect")[None, ..., None]
    expected = np.asarray(tiny_residual(padded, training=False))[0, margin:-margin, margin:-margin, 0]
    np.testing.assert_allclose(models.apply_model(tiny_residual, image, tile_size=16, margin=margin), expected,
                               atol=1e-5)


def test_rgb_images_are_denoised_channel_by_channel(tiny_residual):
    rgb = np.random.default_rng(5).random((20, 24, 3)).astype(np.float32)
    result = models.apply_model(tiny_residual, rgb)
    assert result.shape == rgb.shape
    np.testing.assert_allclose(result[..., 1], models.apply_model(tiny_residual, rgb[..., 1]), atol=1e-6)


def test_a_gray_image_for_a_colour_model_is_refused():
    colour_model = models.dncnn(depth=3, width=4, channels=3)
    with pytest.raises(ValueError, match="model expects 3 channels"):
        models.apply_model(colour_model, np.zeros((16, 16), np.float32))


def test_only_a_generator_of_image_and_hole_passes_as_an_inpainting_model(tiny_residual):
    generator = models.inpainting_unet(width=4, levels=2)
    assert models.check_inpainting_model(generator) is generator
    with pytest.raises(ValueError, match=r"must be an inpainting generator taking \[damaged"):
        models.check_inpainting_model(tiny_residual)


def test_margin_must_fit_the_unshuffle(tiny_unshuffled):
    with pytest.raises(ValueError, match="margin must be a multiple of 2"):
        models.apply_model(tiny_unshuffled, np.zeros((16, 16), np.float32), margin=3)


@pytest.mark.parametrize("index", range(8))
def test_dihedral_transform_is_undone_by_its_inverse(index):
    image = np.arange(12.0).reshape(3, 4)
    transformed = models.dihedral_transform(image, index)
    np.testing.assert_array_equal(models.dihedral_transform(transformed, index, inverse=True), image)


def test_the_eight_transforms_are_distinct():
    image = np.arange(9.0).reshape(3, 3)
    results = {models.dihedral_transform(image, index).tobytes() for index in range(8)}
    assert len(results) == 8


def test_self_ensemble_of_an_equivariant_model_changes_nothing():
    identity = models.dncnn(depth=2, width=2, batch_norm=False)
    last = identity.get_layer("conv_2")
    last.set_weights([np.zeros_like(weight) for weight in last.get_weights()])
    image = np.random.default_rng(6).random((15, 21)).astype(np.float32)
    np.testing.assert_allclose(models.denoise(identity, image, self_ensemble=True), image, atol=1e-6)


def test_self_ensemble_averages_the_eight_results(tiny_residual):
    image = np.random.default_rng(7).random((18, 18)).astype(np.float32)
    expected = np.mean([models.dihedral_transform(
        models.apply_model(tiny_residual, np.ascontiguousarray(models.dihedral_transform(image, k))), k, inverse=True)
        for k in range(8)], axis=0)
    np.testing.assert_allclose(models.denoise(tiny_residual, image, self_ensemble=True), expected, atol=1e-6)


def test_a_large_image_is_processed_in_bounded_memory(tiny_unshuffled):
    image = np.random.default_rng(8).random((1000, 1500)).astype(np.float32)
    result = models.apply_model(tiny_unshuffled, image, tile_size=256)
    assert result.shape == image.shape and np.isfinite(result).all()


def test_measure_throughput_reports_megapixels_per_second(tiny_residual):
    throughput = models.measure_throughput(tiny_residual, (64, 64))
    assert throughput.megapixels == pytest.approx(64 * 64 / 1e6)
    assert throughput.megapixels_per_second > 0
    assert "Mpx/s" in str(throughput)


# --- saving and loading -------------------------------------------------------------------------


def test_save_and_load_round_trip_with_the_custom_layers(tmp_path, tiny_unshuffled):
    path = models.save_model(tiny_unshuffled, tmp_path / "model.keras")
    loaded = models.load_model(path)
    image = np.random.default_rng(9).random((1, 16, 16, 1)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded(image)), np.asarray(tiny_unshuffled(image)), atol=1e-6)
    assert not list(tmp_path.glob(".*tmp*")), "no temporary file is left behind"


def test_save_refuses_to_overwrite_without_permission(tmp_path, tiny_residual):
    path = models.save_model(tiny_residual, tmp_path / "model.keras")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        models.save_model(tiny_residual, path)
    models.save_model(tiny_residual, path, overwrite=True)
    with pytest.raises(ValueError, match="must end with .keras"):
        models.save_model(tiny_residual, tmp_path / "model.h5")


def test_load_errors_name_the_file(tmp_path, tiny_residual):
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        models.load_model(tmp_path / "missing.keras")
    wrong_suffix = tmp_path / "weights.h5"
    wrong_suffix.write_bytes(b"x")
    with pytest.raises(ValueError, match="must be a .keras file"):
        models.load_model(wrong_suffix)
    garbage = tmp_path / "garbage.keras"
    garbage.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(ValueError, match="garbage.keras.*corrupt"):
        models.load_model(garbage)
    good = models.save_model(tiny_residual, tmp_path / "good.keras")
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValueError, match="truncated.keras.*corrupt"):
        models.load_model(truncated)
    not_a_model = tmp_path / "zip.keras"
    with zipfile.ZipFile(not_a_model, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValueError, match="not a Keras model"):
        models.load_model(not_a_model)


def test_safe_mode_refuses_a_model_that_would_run_stored_code(tmp_path):
    inputs = keras.Input((None, None, 1))
    outputs = keras.layers.Lambda(lambda tensor: tensor * 2)(inputs)
    path = tmp_path / "lambda.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(ValueError, match="lambda.keras.*(Lambda|safe mode)"):
        models.load_model(path)


def test_shipped_model_paths_and_a_clear_message_when_missing(tmp_path, monkeypatch):
    assert models.shipped_denoiser_path(25).name == "dncnn_gray_sigma25.keras"
    assert models.shipped_denoiser_path("blind").name == "dncnn_gray_blind.keras"
    assert models.shipped_denoiser_path(25.0).name == "dncnn_gray_sigma25.keras"  # as parsed by --sigma
    with pytest.raises(ValueError, match="sigma must be one of"):
        models.shipped_denoiser_path(30)
    monkeypatch.setattr(shipped, "DATA_FOLDER", tmp_path)
    with pytest.raises(FileNotFoundError, match="dncnn_gray_sigma15.keras is missing"):
        models.load_shipped_denoiser(15)


def test_provenance_record_is_read_beside_the_model(tmp_path):
    (tmp_path / "m.json").write_text('{"sigma": 25}')
    assert models.read_provenance(tmp_path / "m.keras") == {"sigma": 25}
    with pytest.raises(FileNotFoundError, match="no provenance record"):
        models.read_provenance(tmp_path / "other.keras")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        models.read_provenance(tmp_path / "bad.keras")


def test_receptive_field_counts_strides_and_pooling():
    inputs = keras.Input((None, None, 1))
    features = keras.layers.Conv2D(2, 3, padding="same")(inputs)
    features = keras.layers.Conv2D(2, 3, padding="same")(features)
    features = keras.layers.MaxPooling2D(2)(features)
    features = keras.layers.Conv2D(2, 3, padding="same")(features)
    features = keras.layers.Conv2D(2, 3, padding="same")(features)
    assert models.receptive_field(keras.Model(inputs, features)) == 14
    strided = keras.layers.Conv2D(2, 3, strides=2, padding="same")(inputs)
    strided = keras.layers.Conv2D(2, 3, padding="same")(strided)
    assert models.receptive_field(keras.Model(inputs, strided)) == 7


def test_the_data_folder_can_be_redirected(tmp_path, monkeypatch, tiny_residual):
    models.save_model(tiny_residual, tmp_path / "dncnn_gray_blind.keras")
    monkeypatch.setenv("COURSE_LIB_DATA", str(tmp_path))
    assert models.shipped_denoiser_path("blind") == tmp_path / "dncnn_gray_blind.keras"
    assert models.load_shipped_denoiser("blind").count_params() == tiny_residual.count_params()


def test_a_finished_model_is_saved_without_its_optimizer_state(tmp_path):
    model = models.dncnn(depth=4, width=64)
    model.compile(keras.optimizers.Adam(), "mse")
    model.fit(np.zeros((2, 8, 8, 1), np.float32), np.zeros((2, 8, 8, 1), np.float32), verbose=0)
    small = models.save_model(model, tmp_path / "small.keras")
    full = models.save_model(model, tmp_path / "full.keras", include_optimizer=True)
    assert small.stat().st_size < 0.6 * full.stat().st_size
    image = np.random.default_rng(0).random((1, 8, 8, 1)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(models.load_model(small)(image)), np.asarray(model(image)), atol=1e-6)
    assert models.load_model(full, compile=True).optimizer is not None


def test_a_bfloat16_model_computes_close_to_float32_and_is_saved_in_float32(tmp_path):
    model = models.dncnn(depth=4, width=8, batch_norm=False)
    half = models.with_precision(model, "bfloat16")
    assert models.model_precision(model) == "float32" and models.model_precision(half) == "bfloat16"
    image = np.random.default_rng(0).random((1, 16, 16, 1)).astype(np.float32)
    exact = np.asarray(model(image))
    approximate = np.asarray(keras.ops.cast(half(image), "float32"))
    assert np.abs(approximate - exact).max() < 0.02  # bfloat16 keeps about 3 significant digits
    saved = models.load_model(models.save_model(half, tmp_path / "half.keras"))
    assert models.model_precision(saved) == "float32"
    np.testing.assert_allclose(np.asarray(saved(image)), exact, atol=1e-6)


def test_precision_scope_builds_in_bfloat16_and_restores_the_policy():
    with models.precision_scope("bfloat16"):
        model = models.dncnn(depth=3, width=4, batch_norm=False)
    assert models.model_precision(model) == "bfloat16"
    assert keras.config.dtype_policy().name == "float32"
    with pytest.raises(ValueError, match="precision"):
        with models.precision_scope("float16"):
            pass
