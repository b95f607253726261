"""The inpainting U-Net's bottlenecks: fast Fourier convolutions and dilated blocks (issue 19)."""

import numpy as np
import pytest

from course_lib import models
from course_lib.models.inpainting import (
    BOTTLENECKS,
    InverseRealFFT2D,
    RealFFT2D,
    SplitChannels,
    composite,
    fourier_multiply_adds_per_pixel,
    inpainting_multiply_adds_per_pixel,
    inpainting_unet,
)


def _small(bottleneck, *, seed=0, channels=3, levels=3, width=4, blocks=2):
    return inpainting_unet(channels=channels, width=width, levels=levels, bottleneck=bottleneck,
                           bottleneck_blocks=blocks, seed=seed)


def _randomized(model, seed=0):
    """`model` with every weight drawn afresh (the blocks' last convolutions start at zero otherwise)."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0.0, 0.15, weight.shape).astype(np.float32) for weight in model.get_weights()])
    return model


def _inputs(height, width, channels=3, seed=0, hole_box=(slice(4, 12), slice(6, 14))):
    rng = np.random.default_rng(seed)
    image = rng.random((1, height, width, channels)).astype(np.float32)
    hole = np.zeros((1, height, width, 1), np.float32)
    if hole_box is not None:
        hole[(0, *hole_box, 0)] = 1.0
    return image * (1.0 - hole), hole, image


@pytest.mark.parametrize("width", [6, 7, 8])
def test_real_fft_matches_numpy_orthonormal_and_inverts(width):
    features = np.random.default_rng(width).random((2, 5, width, 3)).astype(np.float32)
    spectrum = np.asarray(RealFFT2D()(features))
    expected = np.fft.rfft2(features, axes=(1, 2), norm="ortho")
    assert spectrum.shape == (2, 5, width // 2 + 1, 6)
    np.testing.assert_allclose(spectrum[..., :3], expected.real, atol=1e-5)
    np.testing.assert_allclose(spectrum[..., 3:], expected.imag, atol=1e-5)
    np.testing.assert_allclose(np.asarray(InverseRealFFT2D()([spectrum, features])), features, atol=1e-5)


def test_split_channels_splits_where_asked():
    features = np.arange(2 * 3 * 3 * 5, dtype=np.float32).reshape(2, 3, 3, 5)
    first, second = SplitChannels(2)(features)
    np.testing.assert_array_equal(first, features[..., :2])
    np.testing.assert_array_equal(second, features[..., 2:])


@pytest.mark.parametrize("bottleneck", BOTTLENECKS)
@pytest.mark.parametrize("size", [(32, 32), (24, 40), (28, 20)])  # levels 3: multiples of 4; 7x5 at the bottom
def test_any_size_the_unet_accepts_gives_the_image_back_with_the_known_pixels(bottleneck, size):
    model = _randomized(_small(bottleneck))
    damaged, hole, image = _inputs(*size)
    output = np.asarray(model.predict([damaged, hole], verbose=0))
    assert output.shape == damaged.shape and np.all(np.isfinite(output))
    filled = np.asarray(composite(output, damaged, hole))
    known = np.broadcast_to(hole == 0, filled.shape)
    np.testing.assert_array_equal(filled[known], damaged[known])
    assert not np.allclose(filled[~known], 0.0)


@pytest.mark.parametrize("bottleneck", ["ffc", "dilated"])
def test_what_lies_in_the_hole_is_ignored(bottleneck):
    model = _randomized(_small(bottleneck))
    damaged, hole, image = _inputs(32, 32)
    garbage = np.where(hole == 1, 0.9, damaged).astype(np.float32)
    np.testing.assert_allclose(model.predict([damaged, hole], verbose=0), model.predict([garbage, hole], verbose=0),
                               atol=1e-6)


@pytest.mark.parametrize("bottleneck", ["ffc", "dilated"])
def test_an_untrained_bottleneck_is_the_identity(bottleneck):
    """Each block's last convolution starts at zero: the network starts as the plain U-Net of the same seed."""
    damaged, hole, _ = _inputs(32, 32)
    plain = _small("none", seed=3).predict([damaged, hole], verbose=0)
    np.testing.assert_allclose(_small(bottleneck, seed=3).predict([damaged, hole], verbose=0), plain, atol=1e-5)


@pytest.mark.parametrize("bottleneck", BOTTLENECKS)
def test_saved_and_loaded_in_safe_mode_gives_identical_outputs(bottleneck, tmp_path):
    model = _randomized(_small(bottleneck))
    path = models.save_model(model, tmp_path / f"{bottleneck}.keras")
    loaded = models.load_model(path)  # safe mode
    assert loaded.name == model.name
    damaged, hole, _ = _inputs(24, 40)
    np.testing.assert_array_equal(loaded.predict([damaged, hole], verbose=0), model.predict([damaged, hole], verbose=0))


def test_a_change_at_one_pixel_reaches_the_far_corner_through_the_fourier_blocks_only():
    """The derivative of the output's far corner with respect to one known input pixel: exactly 0 where
    no path joins them (the plain and dilated U-Nets on a 96x96 image), not 0 through the FFC's spectrum."""
    import tensorflow as tf

    damaged, hole, _ = _inputs(96, 96, hole_box=(slice(40, 56), slice(40, 56)))
    reach = {}
    for bottleneck in BOTTLENECKS:
        model = _randomized(_small(bottleneck, blocks=2))
        pixels = tf.Variable(damaged)
        with tf.GradientTape(persistent=True) as tape:
            output = model([pixels, tf.constant(hole)])
            far, near = tf.reduce_sum(output[0, -1, -1]), tf.reduce_sum(output[0, 0, 0])
        reach[bottleneck] = float(np.abs(tape.gradient(far, pixels).numpy()[0, 0, 0]).max())
        assert np.abs(tape.gradient(near, pixels).numpy()[0, 0, 0]).max() > 1e-2  # seen where it happens
    assert reach["ffc"] > 1e-5, reach
    assert reach["none"] == 0.0 and reach["dilated"] == 0.0, reach


def test_the_same_seed_builds_the_same_network_and_another_seed_does_not():
    damaged, hole, _ = _inputs(32, 32)
    first, again, other = (_small("ffc", seed=seed) for seed in (5, 5, 6))
    for left, right in zip(first.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(left, right)
    assert any(not np.array_equal(left, right) for left, right in zip(first.get_weights(), other.get_weights()))
    for model in (first, again):
        _randomized(model, seed=1)
    np.testing.assert_array_equal(first.predict([damaged, hole], verbose=0), again.predict([damaged, hole], verbose=0))


def test_multiply_adds_count_partial_and_bottleneck_convolutions():
    # levels 1: a 5x5 partial convolution 1 -> 4 and a 3x3 one 4 -> 1, each with its window count.
    assert inpainting_multiply_adds_per_pixel(inpainting_unet(channels=1, width=4, levels=1)) == 25 * 4 + 25 + 9 * 4 + 9
    plain = inpainting_multiply_adds_per_pixel(_small("none"))
    bottom, positions = 16, 1 / 16  # width 4 * 4 channels at 1/4 resolution
    dilated = inpainting_multiply_adds_per_pixel(_small("dilated", blocks=3))
    assert dilated - plain == pytest.approx(3 * 2 * 9 * bottom**2 * positions)
    side = 64
    ffc = inpainting_multiply_adds_per_pixel(_small("ffc", blocks=1), side=side)
    local, global_, half = 4, 12, 6
    frequency_positions = (side // 4) * (side // 8 + 1) / side**2
    per_ffc = (9 * bottom * local + 9 * local * global_ + global_ * half + half * global_) * positions \
        + (2 * half) ** 2 * frequency_positions
    assert ffc - inpainting_multiply_adds_per_pixel(_small("none"), side=side) == pytest.approx(2 * per_ffc)
    assert fourier_multiply_adds_per_pixel(_small("none")) == 0.0
    assert fourier_multiply_adds_per_pixel(_small("dilated")) == 0.0
    fourier = fourier_multiply_adds_per_pixel(_small("ffc", blocks=1), side=side)
    assert fourier == pytest.approx(4 * 1.25 * np.log2(16 * 16) * half * 16 * 16 / side**2)


def test_the_shipped_sized_bottlenecks_cost_about_the_same():
    """The benchmark's families: 2 dilated blocks and 4 FFC blocks each add about 37-40 % to today's U-Net."""
    plain = inpainting_multiply_adds_per_pixel(inpainting_unet(channels=3))
    dilated = inpainting_multiply_adds_per_pixel(inpainting_unet(channels=3, bottleneck="dilated", bottleneck_blocks=2))
    ffc = inpainting_multiply_adds_per_pixel(inpainting_unet(channels=3, bottleneck="ffc", bottleneck_blocks=4))
    assert 95e3 < plain < 105e3
    assert 0.3 < dilated / plain - 1 < 0.45 and 0.3 < ffc / plain - 1 < 0.45


def test_bfloat16_runs_the_fourier_blocks_in_float32_inside():
    from course_lib.models.precision import with_precision

    model = _randomized(_small("ffc"))
    damaged, hole, _ = _inputs(32, 32)
    low = with_precision(model, "bfloat16").predict([damaged, hole], verbose=0)
    assert np.all(np.isfinite(low))
    np.testing.assert_allclose(low, model.predict([damaged, hole], verbose=0), atol=0.15)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="bottleneck must be one of"):
        inpainting_unet(bottleneck="gated")
    with pytest.raises(ValueError, match="needs close_holes=True"):
        inpainting_unet(bottleneck="ffc", close_holes=False)
    with pytest.raises(ValueError, match="global_ratio must be strictly between 0 and 1"):
        inpainting_unet(bottleneck="ffc", global_ratio=1.0)
    with pytest.raises(ValueError, match="bottleneck_blocks must be at least 1"):
        inpainting_unet(bottleneck="dilated", bottleneck_blocks=0)
    with pytest.raises(ValueError, match="at least 2 channels"):
        inpainting_unet(bottleneck="ffc", width=1, levels=1)
