"""Tests for course_lib.filters: agreement with the wrapped libraries and PSNR gains."""

from pathlib import Path

import numpy as np
import pytest
import skimage
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image
from scipy import ndimage
from skimage.restoration import denoise_bilateral, denoise_nl_means

from course_lib import filters
from course_lib.metrics import psnr

SIGMA = 25  # noise level on the 8-bit scale


@pytest.fixture(scope="module")
def camera():
    """A 96x96 crop of scikit-image's camera (read from the wheel, no download)."""
    path = Path(skimage.__file__).parent / "data" / "camera.png"
    image = np.asarray(Image.open(path), dtype=np.float32) / 255.0
    return image[100:196, 200:296]


@pytest.fixture(scope="module")
def noisy_camera(camera):
    rng = np.random.default_rng(0)
    return (camera + rng.normal(0.0, SIGMA / 255.0, camera.shape)).astype(np.float32)  # not clipped


@pytest.fixture(scope="module")
def rgb_image():
    rng = np.random.default_rng(1)
    return ndimage.gaussian_filter(rng.random((24, 24, 3)), (2, 2, 0)).astype(np.float32)


# --- agreement with SciPy / scikit-image ---------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
def test_box_filter_matches_uniform_filter(size, mode):
    image = np.random.default_rng(0).random((12, 13))
    expected = ndimage.uniform_filter(image, size=size, mode=mode)
    assert_allclose(filters.box_filter(image, size, mode=mode), expected, atol=1e-12)


def test_box_filter_rgb_filters_each_channel(rgb_image):
    expected = ndimage.uniform_filter(rgb_image.astype(np.float64), size=(3, 3, 1))
    result = filters.box_filter(rgb_image, 3)
    assert result.dtype == np.float32
    assert_allclose(result, expected, atol=1e-6)


@pytest.mark.parametrize("sigma", [0.0, 0.7, 2.0])
def test_gaussian_filter_matches_scipy(rgb_image, sigma):
    gray = rgb_image[..., 0]
    assert_allclose(filters.gaussian_filter(gray, sigma), ndimage.gaussian_filter(gray, sigma), atol=1e-7)
    for channel in range(3):
        expected = ndimage.gaussian_filter(rgb_image[..., channel], sigma)
        assert_allclose(filters.gaussian_filter(rgb_image, sigma)[..., channel], expected, atol=1e-7)


@pytest.mark.parametrize("size", [1, 3, 4])
def test_median_filter_matches_scipy(rgb_image, size):
    gray = rgb_image[..., 1]
    assert_array_equal(filters.median_filter(gray, size), ndimage.median_filter(gray, size=size))
    for channel in range(3):
        expected = ndimage.median_filter(rgb_image[..., channel], size=size)
        assert_array_equal(filters.median_filter(rgb_image, size)[..., channel], expected)


def test_median_filter_removes_salt_and_pepper(camera):
    rng = np.random.default_rng(2)
    corrupted = camera.copy()
    hits = rng.random(camera.shape)
    corrupted[hits < 0.05] = 0.0
    corrupted[hits > 0.95] = 1.0
    assert psnr(camera, filters.median_filter(corrupted, 3)) > psnr(camera, corrupted) + 8


@pytest.mark.parametrize("rgb", [False, True])
def test_bilateral_filter_wraps_skimage(rgb_image, rgb):
    image = rgb_image if rgb else rgb_image[..., 0]
    expected = denoise_bilateral(
        image, sigma_color=0.1, sigma_spatial=2.0, mode="symmetric", channel_axis=-1 if rgb else None
    )
    result = filters.bilateral_filter(image, sigma_spatial=2.0, sigma_color=0.1)
    assert result.shape == image.shape and result.dtype == np.float32
    assert_allclose(result, expected, atol=1e-6)


def test_bilateral_filter_keeps_a_step_edge_that_gaussian_blurs():
    step = np.zeros((16, 16))
    step[:, 8:] = 1.0
    bilateral = filters.bilateral_filter(step, sigma_spatial=2.0, sigma_color=0.1)
    gaussian = filters.gaussian_filter(step, 2.0)
    assert np.abs(bilateral - step).max() < 1e-3
    assert np.abs(gaussian - step).max() > 0.2


@pytest.mark.parametrize("rgb", [False, True])
def test_non_local_means_uses_the_8_bit_noise_scale(rgb_image, rgb):
    image = rgb_image if rgb else rgb_image[..., 0]
    expected = denoise_nl_means(
        image,
        patch_size=5,
        patch_distance=6,
        h=0.8 * 20 / 255,
        sigma=20 / 255,
        fast_mode=True,
        channel_axis=-1 if rgb else None,
    )
    result = filters.non_local_means(image, sigma=20)
    assert result.shape == image.shape and result.dtype == np.float32
    assert_allclose(result, expected, atol=1e-6)


# --- denoising quality on the camera crop -------------------------------------------------

DENOISERS = {
    "box": lambda image: filters.box_filter(image, 3),
    "gaussian": lambda image: filters.gaussian_filter(image, 1.0),
    "median": lambda image: filters.median_filter(image, 3),
    "bilateral": lambda image: filters.bilateral_filter(image, sigma_spatial=2.0, sigma_color=0.1),
    "non_local_means": lambda image: filters.non_local_means(image, sigma=SIGMA),
    "non_local_means_slow": lambda image: filters.non_local_means(
        image, sigma=SIGMA, h_factor=1.0, fast_mode=False
    ),
}


@pytest.mark.parametrize("name", list(DENOISERS))
def test_each_denoiser_improves_psnr(camera, noisy_camera, name):
    denoised = DENOISERS[name](noisy_camera)
    assert denoised.shape == camera.shape and denoised.dtype == np.float32
    assert psnr(camera, denoised) > psnr(camera, noisy_camera) + 2.5  # noisy: about 20.2 dB


def test_non_local_means_beats_gaussian_filtering(camera, noisy_camera):
    assert psnr(camera, filters.non_local_means(noisy_camera, sigma=SIGMA)) > psnr(
        camera, filters.gaussian_filter(noisy_camera, 1.0)
    )


def test_bm3d_improves_psnr_and_beats_gaussian(camera, noisy_camera):
    clean, noisy = camera[:64, :64], noisy_camera[:64, :64]
    denoised = filters.bm3d_denoise(noisy, SIGMA)
    assert denoised.shape == clean.shape and denoised.dtype == np.float32
    gains = {sigma: psnr(clean, filters.gaussian_filter(noisy, sigma)) for sigma in (0.7, 1.0, 1.5)}
    assert psnr(clean, denoised) > psnr(clean, noisy) + 6
    assert psnr(clean, denoised) > max(gains.values()) + 1


def test_bm3d_rgb(rgb_image):
    rng = np.random.default_rng(3)
    noisy = (rgb_image + rng.normal(0.0, SIGMA / 255.0, rgb_image.shape)).astype(np.float32)
    denoised = filters.bm3d_denoise(noisy, SIGMA)
    assert denoised.shape == rgb_image.shape and denoised.dtype == np.float32
    assert psnr(rgb_image, denoised) > psnr(rgb_image, noisy) + 3


@pytest.mark.parametrize("name", list(DENOISERS))
@pytest.mark.parametrize("shape", [(1, 6), (6, 1), (1, 5, 3)])
def test_thin_images_keep_their_shape(name, shape):
    image = np.random.default_rng(4).random(shape).astype(np.float32)
    assert DENOISERS[name](image).shape == shape  # scikit-image would squeeze the 1 away


# --- bad input ------------------------------------------------------------------------------

CALLS = {
    "box_filter": lambda image: filters.box_filter(image, 3),
    "gaussian_filter": lambda image: filters.gaussian_filter(image, 1.0),
    "median_filter": lambda image: filters.median_filter(image, 3),
    "bilateral_filter": lambda image: filters.bilateral_filter(image, sigma_spatial=1.0, sigma_color=0.1),
    "non_local_means": lambda image: filters.non_local_means(image, sigma=10),
    "bm3d_denoise": lambda image: filters.bm3d_denoise(image, 10),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_reject_bad_images(name):
    call = CALLS[name]
    with pytest.raises(ValueError, match="image"):
        call(np.zeros((16, 16), dtype=np.uint8))
    with pytest.raises(ValueError, match="image"):
        call(np.zeros((16, 16, 4)))
    with pytest.raises(ValueError, match="image"):
        call(np.full((16, 16), np.nan))
    with pytest.raises(ValueError, match="image"):
        call(np.zeros((16, 0)))
    with pytest.raises(ValueError, match="image"):
        call(np.zeros(16))


def test_reject_bad_parameters():
    image = np.zeros((16, 16))
    with pytest.raises(ValueError, match="size"):
        filters.box_filter(image, 0)
    with pytest.raises(ValueError, match="mode"):
        filters.box_filter(image, 3, mode="symmetric")
    with pytest.raises(ValueError, match="sigma"):
        filters.gaussian_filter(image, -1.0)
    with pytest.raises(ValueError, match="size"):
        filters.median_filter(image, 0)
    with pytest.raises(ValueError, match="sigma_spatial"):
        filters.bilateral_filter(image, sigma_spatial=0.0, sigma_color=0.1)
    with pytest.raises(ValueError, match="sigma_color"):
        filters.bilateral_filter(image, sigma_spatial=1.0, sigma_color=-0.1)
    with pytest.raises(ValueError, match="window_size"):
        filters.bilateral_filter(image, sigma_spatial=1.0, sigma_color=0.1, window_size=0)
    with pytest.raises(ValueError, match="sigma"):
        filters.non_local_means(image, sigma=0)
    with pytest.raises(ValueError, match="h_factor"):
        filters.non_local_means(image, sigma=10, h_factor=-1)
    with pytest.raises(ValueError, match="patch_size"):
        filters.non_local_means(image, sigma=10, patch_size=0)
    with pytest.raises(ValueError, match="patch_distance"):
        filters.non_local_means(image, sigma=10, patch_distance=0)
    with pytest.raises(ValueError, match="sigma"):
        filters.bm3d_denoise(image, 0)
    with pytest.raises(ValueError, match="image"):
        filters.bm3d_denoise(np.zeros((8, 8)), 10)  # the bm3d library would crash on this
