"""Tests for course_lib.enhancement, against scikit-image on small seeded images."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from skimage import color, exposure
from skimage import filters as skimage_filters

from course_lib import enhancement


def dark_image(shape=(24, 20), seed=0, dtype=np.float64):
    """A low-contrast, mostly dark image in [0, 1] (a skewed distribution)."""
    rng = np.random.default_rng(seed)
    return (0.1 + 0.5 * rng.random(shape) ** 3).astype(dtype)


# --- histograms ----------------------------------------------------------------------------


@pytest.mark.parametrize("bins", [2, 16, 256])
def test_histogram_matches_skimage(bins):
    image = dark_image()
    counts, centers = enhancement.histogram(image, bins)
    expected_counts, expected_centers = exposure.histogram(image, nbins=bins)
    assert_array_equal(counts, expected_counts)
    assert_allclose(centers, expected_centers)
    assert counts.sum() == image.size


def test_histogram_with_a_fixed_range():
    counts, centers = enhancement.histogram(np.array([[0.1, 0.3], [0.6, 1.0]]), 4, value_range=(0, 1))
    assert_array_equal(counts, [1, 1, 1, 1])
    assert_allclose(centers, [0.125, 0.375, 0.625, 0.875])


def test_histogram_of_rgb_has_one_row_per_channel_with_common_bins():
    image = dark_image((10, 12, 3))
    counts, centers = enhancement.histogram(image, 8)
    assert counts.shape == (3, 8) and centers.shape == (8,)
    assert_array_equal(counts.sum(axis=1), [120, 120, 120])
    expected_counts, expected_centers = exposure.histogram(image, nbins=8, channel_axis=-1)
    assert_array_equal(counts, expected_counts)
    assert_allclose(centers, expected_centers)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cumulative_histogram_matches_skimage(dtype):
    image = dark_image(dtype=dtype)
    cdf, centers = enhancement.cumulative_histogram(image, 32)
    expected_cdf, expected_centers = exposure.cumulative_distribution(image, 32)
    assert_allclose(cdf, expected_cdf, atol=1e-7)
    assert_allclose(centers, expected_centers)
    assert cdf[-1] == 1.0 and np.all(np.diff(cdf) >= 0)


def test_cumulative_histogram_rgb():
    cdf, _ = enhancement.cumulative_histogram(dark_image((8, 8, 3)), 10, value_range=(0, 1))
    assert cdf.shape == (3, 10)
    assert_allclose(cdf[:, -1], 1.0)


# --- histogram equalization ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bins", [4, 64, 256])
def test_equalize_histogram_matches_skimage(dtype, bins):
    image = dark_image(dtype=dtype)
    result = enhancement.equalize_histogram(image, bins)
    expected = exposure.equalize_hist(image, nbins=bins)
    assert result.dtype == dtype
    assert_allclose(result, expected, rtol=0, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    height=st.integers(1, 24),
    width=st.integers(1, 24),
    bins=st.integers(1, 300),
    exponent=st.floats(0.2, 5.0),
    levels=st.sampled_from([None, 2, 5, 255]),
    single=st.booleans(),
)
def test_equalize_histogram_matches_skimage_on_random_images(
    seed, height, width, bins, exponent, levels, single
):
    image = np.random.default_rng(seed).random((height, width)) ** exponent
    if levels is not None:  # few distinct values, many ties at bin edges
        image = np.round(image * levels) / levels
    image = image.astype(np.float32 if single else np.float64)
    expected = exposure.equalize_hist(image, nbins=bins)
    assert_allclose(enhancement.equalize_histogram(image, bins), expected, rtol=0, atol=1e-6)


def test_equalize_histogram_makes_the_values_uniform():
    image = dark_image((64, 64))
    equalized = enhancement.equalize_histogram(image)
    # A uniform distribution on [0, 1] has its q-quantile at q.
    levels = np.linspace(0.3, 0.95, 14)
    assert np.abs(np.quantile(equalized, levels) - levels).max() < 0.02
    assert np.abs(np.quantile(image, levels) - levels).max() > 0.3
    assert equalized.max() == pytest.approx(1.0)


def test_equalize_histogram_rgb_per_channel():
    image = dark_image((12, 10, 3))
    result = enhancement.equalize_histogram(image, color_mode="per_channel")
    expected = np.stack([exposure.equalize_hist(image[..., c]) for c in range(3)], axis=-1)
    assert_allclose(result, expected, atol=1e-6)


def test_equalize_histogram_rgb_on_hsv_value_keeps_hue():
    image = dark_image((12, 10, 3), dtype=np.float32)
    result = enhancement.equalize_histogram(image)
    hsv = color.rgb2hsv(image)
    hsv[..., 2] = exposure.equalize_hist(hsv[..., 2])
    assert result.dtype == np.float32
    assert_allclose(result, color.hsv2rgb(hsv), atol=1e-6)
    assert_allclose(color.rgb2hsv(result)[..., 0], color.rgb2hsv(image)[..., 0], atol=1e-4)


# --- CLAHE ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(32, 40), (32, 40, 3)])
@pytest.mark.parametrize(("clip_limit", "kernel_size"), [(0.01, None), (0.03, 8), (0.0, (8, 10))])
def test_clahe_wraps_skimage(shape, clip_limit, kernel_size):
    image = dark_image(shape, dtype=np.float32)
    result = enhancement.clahe(image, clip_limit=clip_limit, kernel_size=kernel_size)
    expected = exposure.equalize_adapthist(image, kernel_size=kernel_size, clip_limit=clip_limit)
    assert result.shape == shape and result.dtype == np.float32
    assert_allclose(result, expected, atol=1e-6)


def test_clahe_increases_local_contrast():
    image = dark_image((32, 32))
    assert enhancement.clahe(image).std() > 2 * image.std()


# --- gamma, stretch, unsharp mask ----------------------------------------------------------


def test_gamma_correct():
    image = np.array([[0.0, 0.25, 1.0]])
    assert_allclose(enhancement.gamma_correct(image, 0.5), [[0.0, 0.5, 1.0]])
    assert_allclose(enhancement.gamma_correct(image, 2.0), [[0.0, 0.0625, 1.0]])
    rgb = dark_image((4, 4, 3), dtype=np.float32)
    result = enhancement.gamma_correct(rgb, 1.0)
    assert result.dtype == np.float32
    assert_allclose(result, rgb)
    assert np.all(enhancement.gamma_correct(rgb, 0.5) >= rgb)  # gamma < 1 brightens


@pytest.mark.parametrize("percentiles", [(2, 98), (0, 100), (10, 60)])
@pytest.mark.parametrize("shape", [(20, 20), (20, 20, 3)])
def test_contrast_stretch_matches_rescale_intensity(percentiles, shape):
    image = dark_image(shape)
    low, high = np.percentile(image, percentiles)
    expected = exposure.rescale_intensity(image, in_range=(low, high), out_range=(0.0, 1.0))
    low_percentile, high_percentile = percentiles
    result = enhancement.contrast_stretch(
        image, low_percentile=low_percentile, high_percentile=high_percentile
    )
    assert_allclose(result, expected, atol=1e-12)


def test_contrast_stretch_leaves_a_constant_image_alone():
    image = np.full((5, 5), 0.3, dtype=np.float32)
    result = enhancement.contrast_stretch(image)
    assert result.dtype == np.float32
    assert_allclose(result, image)


@pytest.mark.parametrize("shape", [(20, 24), (20, 24, 3)])
@pytest.mark.parametrize(("radius", "amount"), [(1.0, 1.0), (2.0, 1.5), (0.5, 0.0)])
def test_unsharp_mask_matches_skimage(shape, radius, amount):
    image = dark_image(shape, dtype=np.float32)
    # channel_axis=2, not -1: scikit-image mishandles a negative channel_axis here (its issue #7264).
    expected = skimage_filters.unsharp_mask(
        image, radius=radius, amount=amount, channel_axis=2 if len(shape) == 3 else None
    )
    result = enhancement.unsharp_mask(image, radius=radius, amount=amount)
    assert result.dtype == np.float32
    assert_allclose(result, expected, atol=1e-6)


def test_unsharp_mask_amount_zero_is_identity_and_output_is_clipped():
    step = np.zeros((8, 8))
    step[:, 4:] = 1.0
    assert_allclose(enhancement.unsharp_mask(step, amount=0.0), step)
    sharp = enhancement.unsharp_mask(step, amount=5.0)
    assert sharp.min() == 0.0 and sharp.max() == 1.0


# --- bad input -----------------------------------------------------------------------------

CALLS = {
    "histogram": lambda image: enhancement.histogram(image),
    "cumulative_histogram": lambda image: enhancement.cumulative_histogram(image),
    "equalize_histogram": lambda image: enhancement.equalize_histogram(image),
    "clahe": lambda image: enhancement.clahe(image),
    "gamma_correct": lambda image: enhancement.gamma_correct(image, 0.5),
    "contrast_stretch": lambda image: enhancement.contrast_stretch(image),
    "unsharp_mask": lambda image: enhancement.unsharp_mask(image),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_reject_bad_images(name):
    call = CALLS[name]
    with pytest.raises(ValueError, match="image"):
        call(np.zeros((16, 16), np.uint8))
    with pytest.raises(ValueError, match="image"):
        call(np.zeros((16, 16, 4)))
    with pytest.raises(ValueError, match="image"):
        call(np.full((16, 16), np.nan))
    with pytest.raises(ValueError, match="image"):
        call(np.zeros((0, 16)))
    with pytest.raises(ValueError, match="image"):
        call(np.zeros((2, 16, 16, 3)))
    with pytest.raises(ValueError, match=r"image has values in .*\[0, 1\]"):
        call(np.full((16, 16), 1.5))  # these functions need images in [0, 1]


def test_reject_bad_parameters():
    image = dark_image((16, 16))
    with pytest.raises(ValueError, match="bins"):
        enhancement.histogram(image, 0)
    with pytest.raises(ValueError, match="value_range"):
        enhancement.histogram(image, value_range=(1, 0))
    with pytest.raises(ValueError, match="value_range"):
        enhancement.cumulative_histogram(image, value_range=0.5)
    with pytest.raises(ValueError, match="bins"):
        enhancement.equalize_histogram(image, 0)
    with pytest.raises(ValueError, match="color_mode"):
        enhancement.equalize_histogram(dark_image((8, 8, 3)), color_mode="hsv")
    with pytest.raises(ValueError, match="clip_limit"):
        enhancement.clahe(image, clip_limit=1.5)
    with pytest.raises(ValueError, match="kernel_size"):
        enhancement.clahe(image, kernel_size=0)
    with pytest.raises(ValueError, match="kernel_size"):
        enhancement.clahe(image, kernel_size=(4, 4, 4))
    with pytest.raises(ValueError, match="gamma"):
        enhancement.gamma_correct(image, 0.0)
    with pytest.raises(ValueError, match="low_percentile"):
        enhancement.contrast_stretch(image, low_percentile=-1)
    with pytest.raises(ValueError, match="high_percentile"):
        enhancement.contrast_stretch(image, high_percentile=101)
    with pytest.raises(ValueError, match="low_percentile"):
        enhancement.contrast_stretch(image, low_percentile=60, high_percentile=40)
    with pytest.raises(ValueError, match="radius"):
        enhancement.unsharp_mask(image, radius=0.0)
    with pytest.raises(ValueError, match="amount"):
        enhancement.unsharp_mask(image, amount=-1.0)
