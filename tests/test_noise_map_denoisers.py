"""FFDNet and the residual U-Net (noise-level map denoisers), their cost, and applying them to images."""

import keras
import numpy as np
import pytest

from course_lib import models


@pytest.fixture(scope="module")
def tiny_ffdnet():
    return models.ffdnet(depth=3, width=4, seed=1)


@pytest.fixture(scope="module")
def tiny_unet():
    return models.residual_unet(widths=(4, 8, 8), blocks=1, seed=1)


def _with_positive_weights(model):
    """Positive weights and biases everywhere: every dependency of an output on an input shows as a change."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel, bias = layer.get_weights()
            layer.set_weights([np.abs(kernel) + 0.01, np.abs(bias) + 0.01])
    return model


# --- the networks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("builder", [models.ffdnet, models.residual_unet])
def test_both_take_the_noisy_image_and_a_noise_level_map(builder):
    model = builder(seed=0)
    assert [tensor.name for tensor in model.inputs] == ["noisy", models.NOISE_LEVEL_INPUT]
    assert [tuple(tensor.shape) for tensor in model.inputs] == [(None, None, None, 1)] * 2
    assert model.output_shape == (None, None, None, 1)
    assert models.takes_noise_level(model) and not models.takes_noise_level(models.dncnn(depth=3, width=4))


def test_takes_noise_level_wants_a_model():
    with pytest.raises(TypeError, match="keras.Model"):
        models.takes_noise_level("ffdnet")


@pytest.mark.parametrize("depth, width", [(15, 64), (4, 8)])
def test_ffdnet_parameters_and_cost_follow_the_formulas(depth, width):
    model = models.ffdnet(depth=depth, width=width)
    first, hidden, last = 9 * 5 * width + width, (9 * width * width + width) * (depth - 2), 9 * width * 4 + 4
    assert model.count_params() == first + hidden + last
    multiply_adds = (9 * 5 * width + 9 * width * width * (depth - 2) + 9 * width * 4) / 4
    assert models.multiply_adds_per_pixel(model) == pytest.approx(multiply_adds)
    assert models.receptive_field(model) == 2 + 4 * depth
    assert models.size_multiple(model) == 2 and models.output_scale(model) == 1


def test_ffdnet_at_the_papers_size_does_a_fifth_of_dncnns_arithmetic():
    ffdnet_cost = models.multiply_adds_per_pixel(models.ffdnet())
    dncnn_cost = models.multiply_adds_per_pixel(models.dncnn(batch_norm=False))
    assert ffdnet_cost == pytest.approx(121_104) and dncnn_cost == pytest.approx(554_112)
    assert ffdnet_cost / dncnn_cost < 0.25


def test_unet_cost_counts_each_level_at_its_resolution():
    widths = (4, 8)
    model = models.residual_unet(widths=widths, blocks=1)
    head = 9 * 2 * 4
    level_0 = 2 * (2 * 9 * 4 * 4)  # one block down, one block up, at full resolution
    down = 4 * 4 * 8 / 4
    level_1 = 2 * 9 * 8 * 8 / 4  # the bottom's block, at a quarter of the pixels
    up = 8 * 16 / 4  # 1x1 convolution to 4 x 4 channels at the low resolution
    tail = 9 * 4 * 1
    assert models.multiply_adds_per_pixel(model) == pytest.approx(head + level_0 + down + level_1 + up + tail)


def test_default_unet_is_cheap_per_pixel_but_sees_far():
    model = models.residual_unet()
    assert 100_000 < models.multiply_adds_per_pixel(model) < 200_000
    assert models.receptive_field(model) >= 100 > models.receptive_field(models.dncnn())
    assert models.size_multiple(model) == 8 and models.output_scale(model) == 1
    assert "U-Net down to 1/8 resolution" in models.describe_model(model)


@pytest.mark.parametrize("fixture", ["tiny_ffdnet", "tiny_unet"])
def test_receptive_field_bounds_the_measured_impulse_response(request, fixture):
    model = _with_positive_weights(keras.models.clone_model(request.getfixturevalue(fixture)))
    size = 96
    base = np.zeros((1, size, size, 1), np.float32)
    impulse = base.copy()
    impulse[0, size // 2, size // 2, 0] = 1.0
    level = np.full_like(base, 0.1)
    changed = np.abs(np.asarray(model([impulse, level])) - np.asarray(model([base, level])))[0, ..., 0] > 0
    rows = np.flatnonzero(changed.any(axis=1))
    measured = rows[-1] - rows[0] + 1
    field = models.receptive_field(model)
    multiple = models.size_multiple(model)
    assert field - 2 * multiple <= measured <= field + multiple


def test_an_untrained_residual_network_returns_about_its_input(tiny_unet, tiny_ffdnet):
    noisy = np.random.default_rng(0).random((2, 16, 16, 1)).astype(np.float32)
    level = np.full_like(noisy, 0.1)
    for model in (tiny_unet, tiny_ffdnet):
        assert np.abs(np.asarray(model([noisy, level])) - noisy).max() < 0.1


def test_the_noise_level_map_changes_the_output():
    model = _with_positive_weights(models.ffdnet(depth=3, width=4, seed=2))
    noisy = np.random.default_rng(0).random((1, 8, 8, 1)).astype(np.float32)
    low = np.asarray(model([noisy, np.full_like(noisy, 0.02)]))
    high = np.asarray(model([noisy, np.full_like(noisy, 0.2)]))
    assert not np.allclose(low, high)


def test_plain_models_output_the_clean_estimate_directly():
    names = {layer.name for layer in models.residual_unet(widths=(4, 8), residual=False).layers}
    assert "noise_estimate" not in names and "clean_estimate" in names


@pytest.mark.parametrize("builder, arguments, message", [
    (models.ffdnet, dict(depth=1), "depth"),
    (models.ffdnet, dict(channels=2), "channels"),
    (models.residual_unet, dict(widths=()), "widths"),
    (models.residual_unet, dict(widths=(4, 0)), "widths"),
    (models.residual_unet, dict(blocks=-1), "blocks"),
])
def test_builders_reject_bad_arguments(builder, arguments, message):
    with pytest.raises(ValueError, match=message):
        builder(**arguments)


def test_the_same_seed_builds_the_same_network():
    first, second = models.residual_unet(widths=(4, 8), seed=3), models.residual_unet(widths=(4, 8), seed=3)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_save_and_load_round_trip(tmp_path, tiny_unet):
    path = models.save_model(tiny_unet, tmp_path / "unet.keras")
    loaded = models.load_model(path)
    noisy = np.random.default_rng(1).random((1, 16, 24, 1)).astype(np.float32)
    level = np.full_like(noisy, 0.1)
    np.testing.assert_allclose(np.asarray(loaded([noisy, level])), np.asarray(tiny_unet([noisy, level])), atol=1e-6)


# --- cost -----------------------------------------------------------------------------------------------


def test_multiply_adds_of_dncnn_follow_its_formula():
    model = models.dncnn(depth=5, width=8, batch_norm=False)
    assert models.multiply_adds_per_pixel(model) == pytest.approx(9 * 8 + 3 * 9 * 8 * 8 + 9 * 8)
    unshuffled = models.dncnn(depth=5, width=8, batch_norm=False, unshuffle=2)
    assert models.multiply_adds_per_pixel(unshuffled) == pytest.approx((9 * 4 * 8 + 3 * 9 * 64 + 9 * 8 * 4) / 4)


def test_multiply_adds_do_not_depend_on_the_probe_size(tiny_unet):
    assert models.multiply_adds_per_pixel(tiny_unet, side=16) == pytest.approx(
        models.multiply_adds_per_pixel(tiny_unet, side=61))


def test_multiply_adds_want_a_model_and_a_positive_side():
    with pytest.raises(TypeError):
        models.multiply_adds_per_pixel(None)
    with pytest.raises(ValueError, match="side"):
        models.multiply_adds_per_pixel(models.dncnn(depth=3, width=4), side=0)


# --- applying them to images -----------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["tiny_ffdnet", "tiny_unet"])
@pytest.mark.parametrize("shape", [(37, 50), (9, 70)])
def test_tiling_changes_nothing_but_memory(request, fixture, shape):
    model = request.getfixturevalue(fixture)
    image = np.random.default_rng(3).random(shape).astype(np.float32)
    whole = models.denoise(model, image, sigma=25, tile_size=1024)
    tiled = models.denoise(model, image, sigma=25, tile_size=16)
    assert whole.shape == shape and whole.dtype == np.float32
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


def test_denoise_gives_the_model_sigma_over_255(tiny_ffdnet):
    image = np.random.default_rng(4).random((32, 40)).astype(np.float32)
    margin = 16  # reflect the image as denoise does, then run the model once on the whole of it
    reflected = np.pad(image, margin, mode="reflect")[None, ..., None]
    expected = np.asarray(tiny_ffdnet([reflected, np.full(reflected.shape, 30 / 255, np.float32)]))
    np.testing.assert_allclose(models.denoise(tiny_ffdnet, image, sigma=30),
                               expected[0, margin:-margin, margin:-margin, 0], atol=1e-5)


def test_a_map_of_levels_is_applied_pixel_by_pixel():
    model = _with_positive_weights(models.ffdnet(depth=3, width=4, seed=2))
    image = np.random.default_rng(5).random((32, 32)).astype(np.float32)
    levels = np.full(image.shape, 10.0, np.float32)
    levels[:, 16:] = 60.0
    mixed = models.denoise(model, image, sigma=levels)
    low, high = models.denoise(model, image, sigma=10), models.denoise(model, image, sigma=60)
    np.testing.assert_allclose(mixed[:, :4], low[:, :4], atol=1e-5)
    np.testing.assert_allclose(mixed[:, -4:], high[:, -4:], atol=1e-5)


def test_self_ensemble_with_a_map_averages_the_eight_results(tiny_ffdnet):
    image = np.random.default_rng(6).random((20, 24)).astype(np.float32)
    levels = np.linspace(5, 50, image.size, dtype=np.float32).reshape(image.shape)
    result = models.denoise(tiny_ffdnet, image, sigma=levels, self_ensemble=True)
    expected = np.mean([models.dihedral_transform(
        models.denoise(tiny_ffdnet, np.ascontiguousarray(models.dihedral_transform(image, index)),
                       sigma=np.ascontiguousarray(models.dihedral_transform(levels, index))),
        index, inverse=True) for index in range(8)], axis=0)
    np.testing.assert_allclose(result, expected, atol=1e-5)


def test_rgb_images_are_denoised_channel_by_channel(tiny_unet):
    image = np.random.default_rng(7).random((16, 24, 3)).astype(np.float32)
    result = models.denoise(tiny_unet, image, sigma=20)
    np.testing.assert_allclose(result[..., 1], models.denoise(tiny_unet, image[..., 1], sigma=20), atol=1e-5)


@pytest.mark.parametrize("sigma, message", [
    (None, "takes a noise-level map"),
    (np.ones((3, 3)), "shape"),
    (-5.0, ">= 0"),
    (float("nan"), "finite"),
])
def test_a_noise_map_model_needs_a_good_sigma(tiny_ffdnet, sigma, message):
    with pytest.raises(ValueError, match=message):
        models.denoise(tiny_ffdnet, np.zeros((16, 16), np.float32), sigma=sigma)


def test_a_fixed_level_model_refuses_a_sigma():
    with pytest.raises(ValueError, match="takes no noise-level map"):
        models.denoise(models.dncnn(depth=3, width=4), np.zeros((16, 16), np.float32), sigma=25)


def test_the_docstring_examples_run():
    import doctest

    from course_lib.models import cost, noise_map_denoisers

    for module in (noise_map_denoisers, cost):
        failures, tried = doctest.testmod(module)
        assert tried > 0 and failures == 0
