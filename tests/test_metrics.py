"""Tests for course_lib.metrics, against scikit-image on small seeded images."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from course_lib import metrics


def make_pair(shape, *, noise=0.1, dtype=np.float64, seed=0):
    """A random image in [0, 1] and an unclipped noisy copy of it."""
    rng = np.random.default_rng(seed)
    clean = ndimage.gaussian_filter(rng.random(shape), 1.0).astype(dtype)  # some structure
    noisy = (clean + rng.normal(0.0, noise, shape)).astype(dtype)
    return clean, noisy


def skimage_ssim(reference, estimate, **options):
    if reference.ndim == 3:
        options["channel_axis"] = 2
    return structural_similarity(reference, estimate, **options)


# --- mse and psnr -------------------------------------------------------------------------


def test_mse_known_value():
    assert metrics.mse(np.zeros((3, 4)), np.full((3, 4), 0.5)) == pytest.approx(0.25)


@pytest.mark.parametrize("shape", [(20, 24), (20, 24, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("data_range", [1.0, 2.0])
def test_psnr_matches_skimage(shape, dtype, data_range):
    clean, noisy = make_pair(shape, dtype=dtype)
    expected = peak_signal_noise_ratio(clean, noisy, data_range=data_range)
    assert metrics.psnr(clean, noisy, data_range=data_range) == pytest.approx(expected, abs=1e-6)


def test_psnr_known_value_and_identical_images():
    image = np.zeros((8, 8))
    assert metrics.psnr(image, image + 0.1) == pytest.approx(20.0)
    assert metrics.psnr(image, image) == float("inf")


def test_psnr_accepts_unclipped_noisy_images():
    clean, noisy = make_pair((16, 16), noise=0.3)
    assert noisy.min() < 0 and noisy.max() > 1
    assert np.isfinite(metrics.psnr(clean, noisy))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    height=st.integers(11, 32),
    width=st.integers(11, 32),
    color=st.booleans(),
    single=st.booleans(),
    noise=st.floats(1e-3, 0.5),
)
def test_psnr_and_ssim_match_skimage_on_random_images(seed, height, width, color, single, noise):
    shape = (height, width, 3) if color else (height, width)
    dtype = np.float32 if single else np.float64
    clean, noisy = make_pair(shape, noise=noise, dtype=dtype, seed=seed)
    expected_psnr = peak_signal_noise_ratio(clean, noisy, data_range=1.0)
    assert metrics.psnr(clean, noisy) == pytest.approx(expected_psnr, abs=1e-6)
    for gaussian_weights in (False, True):
        for use_sample_covariance in (False, True):
            options = dict(gaussian_weights=gaussian_weights, use_sample_covariance=use_sample_covariance)
            expected = skimage_ssim(clean, noisy, data_range=1.0, **options)
            assert metrics.ssim(clean, noisy, **options) == pytest.approx(expected, abs=1e-4)


# --- ssim ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(24, 28), (24, 28, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("gaussian_weights", [False, True])
@pytest.mark.parametrize("use_sample_covariance", [True, False])
def test_ssim_matches_skimage(shape, dtype, gaussian_weights, use_sample_covariance):
    clean, noisy = make_pair(shape, dtype=dtype, noise=0.05)
    options = dict(gaussian_weights=gaussian_weights, use_sample_covariance=use_sample_covariance)
    expected = skimage_ssim(clean, noisy, data_range=1.0, **options)
    assert metrics.ssim(clean, noisy, **options) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("window_size", [3, 5, 11])
@pytest.mark.parametrize("gaussian_weights", [False, True])
def test_ssim_explicit_window_and_sigma_match_skimage(window_size, gaussian_weights):
    clean, noisy = make_pair((24, 24), noise=0.05)
    options = dict(win_size=window_size, gaussian_weights=gaussian_weights, sigma=1.0)
    expected = skimage_ssim(clean, noisy, data_range=1.0, **options)
    value = metrics.ssim(clean, noisy, window_size=window_size, gaussian_weights=gaussian_weights, sigma=1.0)
    assert value == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("shape", [(20, 20), (20, 20, 3)])
def test_ssim_full_map_matches_skimage(shape):
    clean, noisy = make_pair(shape, noise=0.05)
    value, ssim_map = metrics.ssim(clean, noisy, full=True)
    expected_value, expected_map = skimage_ssim(clean, noisy, data_range=1.0, full=True)
    assert ssim_map.shape == shape
    assert value == pytest.approx(expected_value, abs=1e-4)
    assert_allclose(ssim_map, expected_map, atol=1e-4)


def test_ssim_data_range_255_matches_skimage():
    clean, noisy = make_pair((20, 20), noise=0.05)
    expected = skimage_ssim(clean * 255, noisy * 255, data_range=255)
    assert metrics.ssim(clean * 255, noisy * 255, data_range=255) == pytest.approx(expected, abs=1e-4)


def test_ssim_of_identical_images_is_one_and_noise_lowers_it():
    clean, noisy = make_pair((16, 16))
    assert metrics.ssim(clean, clean) == pytest.approx(1.0)
    assert metrics.ssim(clean, noisy) < 0.9


def test_ssim_rejects_bad_windows():
    clean, noisy = make_pair((8, 8))
    with pytest.raises(ValueError, match="window_size"):
        metrics.ssim(clean, noisy, window_size=4)
    with pytest.raises(ValueError, match="window_size"):
        metrics.ssim(clean, noisy, window_size=9)
    with pytest.raises(ValueError, match="window_size"):
        metrics.ssim(clean, noisy, gaussian_weights=True)  # the 11x11 window does not fit
    with pytest.raises(ValueError, match="sigma"):
        metrics.ssim(clean, noisy, sigma=-1.0)


# --- bad input for the whole-image metrics ------------------------------------------------


@pytest.mark.parametrize("function", [metrics.mse, metrics.psnr, metrics.ssim])
def test_whole_image_metrics_reject_bad_input(function):
    clean, _ = make_pair((12, 12))
    with pytest.raises(ValueError, match="reference"):
        function((clean * 255).astype(np.uint8), clean)
    with pytest.raises(ValueError, match="reference and estimate"):
        function(clean, clean[:10])
    bad = clean.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="estimate"):
        function(clean, bad)
    with pytest.raises(ValueError, match="reference"):
        function(np.zeros((12, 12, 4)), np.zeros((12, 12, 4)))
    with pytest.raises(ValueError, match="reference"):
        function(np.zeros((0, 12)), np.zeros((0, 12)))


@pytest.mark.parametrize("function", [metrics.psnr, metrics.ssim])
def test_data_range_must_be_positive(function):
    clean, noisy = make_pair((12, 12))
    with pytest.raises(ValueError, match="data_range"):
        function(clean, noisy, data_range=0.0)


# --- crop_border, psnr_y, ssim_y ----------------------------------------------------------


def y_channel(rgb):
    return 16.0 + 65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]


@pytest.mark.parametrize("shape", [(10, 12), (10, 12, 3)])
def test_crop_border(shape):
    image = np.random.default_rng(0).random(shape)
    cropped = metrics.crop_border(image, 2)
    assert cropped.shape == (6, 8) + shape[2:]
    assert_allclose(cropped, image[2:-2, 2:-2])
    assert metrics.crop_border(image, 0).shape == shape


def test_crop_border_rejects_bad_border():
    image = np.zeros((10, 12))
    with pytest.raises(ValueError, match="border"):
        metrics.crop_border(image, 5)
    with pytest.raises(ValueError, match="border"):
        metrics.crop_border(image, -1)
    with pytest.raises(ValueError, match="image"):
        metrics.crop_border(np.zeros((10, 12), np.uint8), 1)


@pytest.mark.parametrize("border", [0, 3])
def test_psnr_y_matches_psnr_on_the_y_channel(border):
    clean, noisy = make_pair((24, 24, 3), noise=0.05)
    noisy = np.clip(noisy, 0, 1)
    crop = slice(border, 24 - border)
    reference_y, estimate_y = y_channel(clean)[crop, crop], y_channel(noisy)[crop, crop]
    expected = peak_signal_noise_ratio(reference_y, estimate_y, data_range=255)
    assert metrics.psnr_y(clean, noisy, border=border) == pytest.approx(expected, abs=1e-6)


def test_psnr_y_accepts_gray_images():
    clean, noisy = make_pair((16, 16), noise=0.05)
    expected = peak_signal_noise_ratio(16 + 219 * clean, 16 + 219 * noisy, data_range=255)
    assert metrics.psnr_y(clean, noisy) == pytest.approx(expected, abs=1e-6)
    assert metrics.psnr_y(clean, clean, border=2) == float("inf")


def wang_ssim_valid(x, y, data_range=255.0):
    """SSIM as in Wang et al.'s MATLAB code: 11x11 Gaussian (sigma 1.5), 'valid' windows only."""
    taps = np.exp(-0.5 * (np.arange(-5, 6) / 1.5) ** 2)
    window = np.outer(taps, taps) / np.outer(taps, taps).sum()

    def valid(values):
        return ndimage.correlate(values, window)[5:-5, 5:-5]

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mx, my = valid(x), valid(y)
    vx, vy, cxy = valid(x * x) - mx**2, valid(y * y) - my**2, valid(x * y) - mx * my
    return np.mean((2 * mx * my + c1) * (2 * cxy + c2) / ((mx**2 + my**2 + c1) * (vx + vy + c2)))


@pytest.mark.parametrize("border", [0, 2])
def test_ssim_y_matches_wang_et_al_on_the_y_channel(border):
    clean, noisy = make_pair((32, 30, 3), noise=0.05)
    crop = (slice(border, 32 - border), slice(border, 30 - border))
    reference_y, estimate_y = y_channel(clean)[crop], y_channel(noisy)[crop]
    expected = wang_ssim_valid(reference_y, estimate_y)
    assert metrics.ssim_y(clean, noisy, border=border) == pytest.approx(expected, abs=1e-6)
    expected_skimage = structural_similarity(
        reference_y, estimate_y, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )
    assert metrics.ssim_y(clean, noisy, border=border) == pytest.approx(expected_skimage, abs=1e-4)


@pytest.mark.parametrize("function", [metrics.psnr_y, metrics.ssim_y])
def test_y_metrics_reject_bad_input(function):
    clean, noisy = make_pair((16, 16, 3))
    with pytest.raises(ValueError, match="reference_rgb"):
        function(np.zeros((16, 16, 4)), noisy)
    with pytest.raises(ValueError, match="reference_rgb and estimate_rgb"):
        function(clean, noisy[:, :8])
    with pytest.raises(ValueError, match="border"):
        function(clean, noisy, border=8)


# --- metrics inside / outside a mask ------------------------------------------------------


def hole_mask(shape):
    mask = np.zeros(shape[:2], dtype=bool)
    mask[4:12, 6:14] = True
    return mask


@pytest.mark.parametrize("shape", [(20, 20), (20, 20, 3)])
def test_mse_and_psnr_in_mask(shape):
    clean, noisy = make_pair(shape)
    mask = hole_mask(shape)
    inside = np.mean((clean[mask] - noisy[mask]) ** 2)
    outside = np.mean((clean[~mask] - noisy[~mask]) ** 2)
    assert metrics.mse_in_mask(clean, noisy, mask) == pytest.approx(inside)
    assert metrics.mse_in_mask(clean, noisy, mask, region="outside") == pytest.approx(outside)
    assert metrics.psnr_in_mask(clean, noisy, mask) == pytest.approx(10 * np.log10(1 / inside))
    assert metrics.psnr_in_mask(clean, noisy, mask, region="outside", data_range=2.0) == pytest.approx(
        10 * np.log10(4 / outside)
    )


def test_psnr_in_mask_sees_only_the_region():
    clean, _ = make_pair((20, 20))
    mask = hole_mask(clean.shape)
    filled = clean.copy()
    filled[mask] = 0.5  # a poor fill inside the hole, exact outside
    assert metrics.psnr_in_mask(clean, filled, mask, region="outside") == float("inf")
    assert metrics.psnr_in_mask(clean, filled, mask) < metrics.psnr(clean, filled)


@pytest.mark.parametrize("shape", [(20, 20), (20, 20, 3)])
def test_ssim_in_mask_is_the_mean_of_the_map_over_the_region(shape):
    clean, noisy = make_pair(shape, noise=0.05)
    mask = hole_mask(shape)
    _, ssim_map = metrics.ssim(clean, noisy, full=True)
    assert metrics.ssim_in_mask(clean, noisy, mask) == pytest.approx(np.mean(ssim_map[mask]))
    outside = metrics.ssim_in_mask(clean, noisy, mask, region="outside")
    assert outside == pytest.approx(np.mean(ssim_map[~mask]))
    assert metrics.ssim_in_mask(clean, clean, mask) == pytest.approx(1.0)


def test_mask_accepts_zero_one_integers():
    clean, noisy = make_pair((20, 20))
    mask = hole_mask(clean.shape)
    assert metrics.mse_in_mask(clean, noisy, mask.astype(np.uint8)) == metrics.mse_in_mask(clean, noisy, mask)


@pytest.mark.parametrize("function", [metrics.mse_in_mask, metrics.psnr_in_mask, metrics.ssim_in_mask])
def test_mask_metrics_reject_bad_input(function):
    clean, noisy = make_pair((20, 20))
    mask = hole_mask(clean.shape)
    with pytest.raises(ValueError, match="region"):
        function(clean, noisy, np.zeros((20, 20), bool))  # nothing inside
    with pytest.raises(ValueError, match="region"):
        function(clean, noisy, np.ones((20, 20), bool), region="outside")  # nothing outside
    with pytest.raises(ValueError, match="region"):
        function(clean, noisy, mask, region="hole")
    with pytest.raises(ValueError, match="mask"):
        function(clean, noisy, mask[:10])
    with pytest.raises(ValueError, match="mask"):
        function(clean, noisy, np.full((20, 20), 0.5))
    with pytest.raises(ValueError, match="estimate"):
        function(clean, noisy.astype(np.uint8), mask)


# --- compare -------------------------------------------------------------------------------


def test_compare_returns_psnr_and_ssim_per_estimate():
    clean, noisy = make_pair((16, 16), noise=0.05)
    smooth = ndimage.gaussian_filter(noisy, 1.0)
    scores = metrics.compare(clean, {"noisy": noisy, "smoothed": smooth})
    assert list(scores) == ["noisy", "smoothed"]
    assert scores["noisy"]["psnr"] == pytest.approx(metrics.psnr(clean, noisy))
    assert scores["smoothed"]["ssim"] == pytest.approx(metrics.ssim(clean, smooth))


def test_compare_rejects_bad_input():
    clean, noisy = make_pair((16, 16))
    with pytest.raises(ValueError, match="estimates"):
        metrics.compare(clean, {})
    with pytest.raises(ValueError, match="estimates"):
        metrics.compare(clean, [noisy])
    with pytest.raises(ValueError, match="'cropped'"):
        metrics.compare(clean, {"cropped": noisy[:8]})
