"""Tests for course_lib.frequency on small seeded images."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import ndimage

from course_lib import frequency
from course_lib.metrics import psnr


def gaussian_psf(size=7, sigma=1.0):
    taps = np.exp(-0.5 * ((np.arange(size) - size // 2) / sigma) ** 2)
    psf = np.outer(taps, taps)
    return psf / psf.sum()


@pytest.fixture(scope="module")
def image():
    rng = np.random.default_rng(0)
    smooth = ndimage.gaussian_filter(rng.random((48, 40)), 2.0)
    smooth = (smooth - smooth.min()) / (smooth.max() - smooth.min())
    smooth[10:30, 12:20] = 0.9  # a bright rectangle, for edges
    return smooth


# --- spectrum ------------------------------------------------------------------------------


def test_spectrum_is_centred_log_magnitude(image):
    result = frequency.spectrum(image)
    assert result.shape == image.shape
    assert np.unravel_index(np.argmax(result), result.shape) == (24, 20)  # zero frequency in the centre
    assert result[24, 20] == pytest.approx(np.log1p(image.sum()))
    assert_allclose(result, np.log1p(np.abs(np.fft.fftshift(np.fft.fft2(image)))))


def test_spectrum_of_rgb_uses_gray(image):
    rgb = np.stack([image, image, image], axis=-1)
    assert_allclose(frequency.spectrum(rgb), frequency.spectrum(image), atol=1e-4)


def test_spectrum_shows_a_vertical_cosine_at_its_frequency():
    columns = np.arange(32)
    stripes = 0.5 + 0.5 * np.cos(2 * np.pi * 4 * columns / 32)[np.newaxis, :].repeat(16, axis=0)
    result = frequency.spectrum(stripes)
    result[8, 16] = 0  # drop the mean
    peaks = set(zip(*np.nonzero(result > result.max() - 1e-9)))
    assert peaks == {(8, 12), (8, 20)}  # +-4 cycles along x


# --- psf_to_otf ----------------------------------------------------------------------------


@pytest.mark.parametrize("psf_shape", [(1, 1), (3, 3), (5, 3)])
def test_otf_of_a_delta_is_all_ones(psf_shape):
    delta = np.zeros(psf_shape)
    delta[psf_shape[0] // 2, psf_shape[1] // 2] = 1.0
    assert_allclose(frequency.psf_to_otf(delta, (16, 12)), np.ones((16, 12)), atol=1e-12)


@pytest.mark.parametrize("psf_shape", [(3, 3), (5, 7), (4, 4), (2, 3)])
def test_otf_product_is_circular_convolution(image, psf_shape):
    psf = np.random.default_rng(1).random(psf_shape)
    otf = frequency.psf_to_otf(psf, image.shape)
    assert otf.shape == image.shape and np.iscomplexobj(otf)
    via_fft = np.real(np.fft.ifft2(np.fft.fft2(image) * otf))
    assert_allclose(via_fft, ndimage.convolve(image, psf, mode="wrap"), atol=1e-10)


def test_otf_of_a_symmetric_psf_is_real(image):
    otf = frequency.psf_to_otf(gaussian_psf(), image.shape)
    assert np.abs(otf.imag).max() < 1e-12
    assert otf[0, 0].real == pytest.approx(1.0)  # the PSF sums to one


def test_psf_to_otf_rejects_bad_input():
    with pytest.raises(ValueError, match="shape"):
        frequency.psf_to_otf(np.ones((5, 5)), (4, 8))
    with pytest.raises(ValueError, match="shape"):
        frequency.psf_to_otf(np.ones((3, 3)), 8)
    with pytest.raises(ValueError, match="psf"):
        frequency.psf_to_otf(np.ones(3), (8, 8))


# --- Wiener deconvolution ------------------------------------------------------------------


@pytest.mark.parametrize("rgb", [False, True])
def test_wiener_inverts_a_circular_blur_without_noise(image, rgb):
    clean = np.stack([image, image**2, 1 - image], axis=-1) if rgb else image
    psf = gaussian_psf()
    if rgb:
        blurred = np.stack([ndimage.convolve(clean[..., c], psf, mode="wrap") for c in range(3)], axis=-1)
    else:
        blurred = ndimage.convolve(clean, psf, mode="wrap")
    restored = frequency.wiener_deconvolve(blurred, psf, balance=1e-12)
    assert restored.shape == clean.shape
    assert np.abs(restored - clean).max() < 1e-5
    assert psnr(clean, blurred) < 30


def test_wiener_beats_the_inverse_filter_with_noise(image):
    psf = gaussian_psf(sigma=1.5)
    rng = np.random.default_rng(2)
    blurred = ndimage.convolve(image, psf, mode="wrap") + rng.normal(0.0, 0.01, image.shape)
    wiener = frequency.wiener_deconvolve(blurred, psf, balance=1e-2)
    inverse = frequency.wiener_deconvolve(blurred, psf, balance=0.0)
    assert psnr(image, wiener) > psnr(image, inverse) + 10
    assert psnr(image, wiener) > psnr(image, blurred)


def test_wiener_keeps_dtype_and_clips(image):
    result = frequency.wiener_deconvolve(image.astype(np.float32), gaussian_psf(), balance=1e-3)
    assert result.dtype == np.float32
    assert 0.0 <= result.min() and result.max() <= 1.0
    unclipped = frequency.wiener_deconvolve(image, gaussian_psf(), balance=0.0, clip=False)
    assert unclipped.max() > 1.0 or unclipped.min() < 0.0


def test_wiener_handles_zeros_of_the_otf():
    psf = np.full((1, 2), 0.5)  # its OTF is 0 at the Nyquist frequency along x
    image = np.random.default_rng(3).random((8, 8))
    result = frequency.wiener_deconvolve(image, psf, balance=0.0)
    assert np.all(np.isfinite(result))


def test_wiener_rejects_bad_input(image):
    with pytest.raises(ValueError, match="balance"):
        frequency.wiener_deconvolve(image, gaussian_psf(), balance=-1.0)
    with pytest.raises(ValueError, match="psf"):
        frequency.wiener_deconvolve(image, np.full((3, 3), np.nan), balance=0.1)
    with pytest.raises(ValueError, match="image"):
        frequency.wiener_deconvolve(np.zeros((8, 8), np.uint8), gaussian_psf(), balance=0.1)
    with pytest.raises(ValueError, match="psf"):
        frequency.wiener_deconvolve(np.zeros((4, 4)), gaussian_psf(), balance=0.1)  # psf larger than image


# --- low-pass filters ----------------------------------------------------------------------


def test_frequency_radius():
    assert_allclose(frequency.frequency_radius((4, 4))[0], [0.0, 0.25, 0.5, 0.25])
    assert frequency.frequency_radius((6, 5)).shape == (6, 5)
    assert frequency.frequency_radius((8, 8)).max() == pytest.approx(np.sqrt(0.5))
    with pytest.raises(ValueError, match="shape"):
        frequency.frequency_radius((0, 4))


def test_ideal_lowpass(image):
    assert_allclose(frequency.ideal_lowpass(image, 0.75), image, atol=1e-12)  # everything passes
    checkerboard = np.indices((8, 8)).sum(axis=0) % 2 * 1.0  # pure Nyquist frequency plus the mean
    assert_allclose(frequency.ideal_lowpass(checkerboard, 0.25), 0.5, atol=1e-12)
    rgb = np.stack([image] * 3, axis=-1).astype(np.float32)
    result = frequency.ideal_lowpass(rgb, 0.1)
    assert result.dtype == np.float32
    assert_allclose(result[..., 1], frequency.ideal_lowpass(image, 0.1), atol=1e-5)
    removed = np.fft.fft2(frequency.ideal_lowpass(image, 0.1))[frequency.frequency_radius(image.shape) > 0.1]
    assert np.abs(removed).max() < 1e-9


@pytest.mark.parametrize("sigma_spatial", [1.0, 2.0])
def test_gaussian_lowpass_is_a_circular_gaussian_blur(image, sigma_spatial):
    result = frequency.gaussian_lowpass(image, 1 / (2 * np.pi * sigma_spatial))
    assert_allclose(result, ndimage.gaussian_filter(image, sigma_spatial, mode="wrap"), atol=1e-3)


@pytest.mark.parametrize(
    "call",
    [
        lambda image: frequency.spectrum(image),
        lambda image: frequency.ideal_lowpass(image, 0.2),
        lambda image: frequency.gaussian_lowpass(image, 0.1),
        lambda image: frequency.wiener_deconvolve(image, np.ones((3, 3)) / 9, balance=0.1),
    ],
)
def test_reject_bad_images(call):
    with pytest.raises(ValueError, match="image"):
        call(np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match="image"):
        call(np.zeros((8, 8, 4)))
    with pytest.raises(ValueError, match="image"):
        call(np.full((8, 8), np.inf))
    with pytest.raises(ValueError, match="image"):
        call(np.zeros(8))


def test_lowpass_reject_bad_parameters(image):
    with pytest.raises(ValueError, match="cutoff"):
        frequency.ideal_lowpass(image, 0.0)
    with pytest.raises(ValueError, match="sigma_frequency"):
        frequency.gaussian_lowpass(image, -0.1)
