"""Tests for course_lib.degradations: noise, blur, MATLAB-style resize, masks, forward models."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest
import skimage.data
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio

from course_lib.color import rgb_to_y
from course_lib.degradations import (
    Blur,
    Compose,
    Downsample,
    GaussianBlur,
    GaussianNoise,
    Inpainting,
    MotionBlur,
    PoissonNoise,
    SaltAndPepper,
    add_gaussian_noise,
    add_poisson_noise,
    add_salt_and_pepper,
    apply_mask,
    bicubic_downscale,
    bicubic_upscale,
    blur,
    crop_to_multiple,
    cubic_kernel,
    estimate_sigma,
    gaussian_blur,
    gaussian_kernel,
    imresize,
    mask_coverage,
    motion_blur,
    motion_kernel,
    rectangle_mask,
    scratch_mask,
    stroke_mask,
)

FAST = settings(max_examples=25, deadline=None)


@pytest.fixture(scope="module")
def gray():
    """A smooth 32x40 gray test image in [0.1, 0.9]."""
    rows, cols = np.mgrid[0:32, 0:40]
    return (0.5 + 0.4 * np.sin(rows / 5.0) * np.cos(cols / 7.0)).astype(np.float32)


@pytest.fixture(scope="module")
def rgb(gray):
    return np.stack([gray, 1.0 - gray, 0.5 * gray], axis=-1)


@pytest.fixture(scope="module")
def astronaut():
    """scikit-image's astronaut, read from the file inside the installed package (no download)."""
    path = os.path.join(os.path.dirname(skimage.data.__file__), "astronaut.png")
    return np.asarray(Image.open(path).convert("RGB"))


# Bad images every image-taking function must reject with a message naming `image`.
BAD_IMAGES = [
    pytest.param(np.zeros((8, 8), dtype=np.uint8), id="uint8"),
    pytest.param(np.zeros((8, 8, 4), dtype=np.float32), id="rgba"),
    pytest.param(np.full((8, 8), np.nan, dtype=np.float32), id="nan"),
    pytest.param(np.zeros((0, 8), dtype=np.float32), id="empty"),
    pytest.param(np.zeros((2, 8, 8, 3), dtype=np.float32), id="batch"),
]

IMAGE_FUNCTIONS = [
    pytest.param(lambda image: add_gaussian_noise(image, 10, seed=0), id="add_gaussian_noise"),
    pytest.param(lambda image: add_poisson_noise(image, 10, seed=0), id="add_poisson_noise"),
    pytest.param(lambda image: add_salt_and_pepper(image, 0.1, seed=0), id="add_salt_and_pepper"),
    pytest.param(lambda image: estimate_sigma(image), id="estimate_sigma"),
    pytest.param(lambda image: blur(image, np.ones((3, 3)) / 9), id="blur"),
    pytest.param(lambda image: gaussian_blur(image, 1.0), id="gaussian_blur"),
    pytest.param(lambda image: motion_blur(image, 5, 0), id="motion_blur"),
    pytest.param(lambda image: imresize(image, 0.5), id="imresize"),
    pytest.param(lambda image: crop_to_multiple(image, 2), id="crop_to_multiple"),
    pytest.param(lambda image: bicubic_downscale(image, 2), id="bicubic_downscale"),
    pytest.param(lambda image: bicubic_upscale(image, 2), id="bicubic_upscale"),
    pytest.param(lambda image: apply_mask(image, np.zeros(image.shape[:2], bool)), id="apply_mask"),
]


@pytest.mark.parametrize("function", IMAGE_FUNCTIONS)
@pytest.mark.parametrize("image", BAD_IMAGES)
def test_bad_images_are_rejected_naming_the_argument(function, image):
    with pytest.raises(ValueError, match="image"):
        function(image)


def test_integer_image_error_says_how_to_convert():
    with pytest.raises(ValueError, match="to_float"):
        add_gaussian_noise(np.zeros((4, 4), dtype=np.uint8), 10)


# --------------------------------------------------------------------------- noise


@pytest.mark.parametrize("sigma", [5, 25, 50])
def test_gaussian_noise_statistics(sigma):
    clean = np.full((256, 256), 0.5, dtype=np.float32)
    noise = add_gaussian_noise(clean, sigma, seed=1).astype(np.float64) - 0.5
    # 65536 samples: the sample mean has std sigma/255/256, the sample std a relative std of 0.3 %.
    assert abs(noise.mean()) < 5 * (sigma / 255) / 256
    assert noise.std() == pytest.approx(sigma / 255, rel=0.02)


def test_gaussian_noise_is_not_clipped_by_default_and_clipped_on_request():
    clean = np.zeros((64, 64), dtype=np.float32)
    noisy = add_gaussian_noise(clean, 25, seed=0)
    assert noisy.dtype == np.float32
    assert noisy.min() < 0  # the literature's protocol: no clipping
    clipped = add_gaussian_noise(clean, 25, seed=0, clip=True)
    assert clipped.min() >= 0 and clipped.max() <= 1
    assert_array_equal(clipped, np.clip(noisy, 0, 1))


def test_gaussian_noise_seed_and_rgb(rgb):
    first = add_gaussian_noise(rgb, 15, seed=3)
    assert first.shape == rgb.shape
    assert_array_equal(first, add_gaussian_noise(rgb, 15, seed=3))
    assert_array_equal(first, add_gaussian_noise(rgb, 15, seed=np.random.default_rng(3)))
    assert not np.array_equal(first, add_gaussian_noise(rgb, 15, seed=4))
    # Channels receive independent noise.
    residual = first - rgb
    assert not np.allclose(residual[..., 0], residual[..., 1])
    assert_array_equal(add_gaussian_noise(rgb, 0, seed=0), rgb)


def test_noise_does_not_modify_its_input(gray):
    before = gray.copy()
    add_gaussian_noise(gray, 10, seed=0)
    add_poisson_noise(gray, 10, seed=0)
    add_salt_and_pepper(gray, 0.5, seed=0)
    assert_array_equal(gray, before)


@pytest.mark.parametrize("level, peak", [(0.3, 20), (0.8, 5), (0.5, 200)])
def test_poisson_noise_mean_and_variance(level, peak):
    clean = np.full((256, 256), level, dtype=np.float32)
    noisy = add_poisson_noise(clean, peak, seed=2).astype(np.float64)
    assert noisy.mean() == pytest.approx(level, rel=0.01)
    assert noisy.var() == pytest.approx(level / peak, rel=0.04)  # Var[y] = x / peak
    # Readouts are photon counts divided by the peak.
    assert_allclose(noisy * peak, np.round(noisy * peak), atol=1e-3)


def test_poisson_noise_seed_and_black_stays_black(rgb):
    assert_array_equal(add_poisson_noise(rgb, 30, seed=5), add_poisson_noise(rgb, 30, seed=5))
    assert_array_equal(add_poisson_noise(np.zeros((8, 8)), 30, seed=0), 0)


@pytest.mark.parametrize("amount, salt_fraction", [(0.1, 0.5), (0.25, 1.0), (0.05, 0.0)])
def test_salt_and_pepper_fraction(amount, salt_fraction):
    clean = np.full((100, 100), 0.5, dtype=np.float32)
    noisy = add_salt_and_pepper(clean, amount, salt_fraction=salt_fraction, seed=0)
    corrupted = noisy != 0.5
    assert corrupted.sum() == round(amount * clean.size)
    assert (noisy == 1).sum() == round(salt_fraction * round(amount * clean.size))
    assert set(np.unique(noisy[corrupted])) <= {0.0, 1.0}


def test_salt_and_pepper_sets_whole_rgb_pixels(rgb):
    noisy = add_salt_and_pepper(rgb, 0.3, seed=1)
    changed = np.any(noisy != rgb.astype(np.float32), axis=-1)
    salt = np.all(noisy == 1, axis=-1)
    pepper = np.all(noisy == 0, axis=-1)
    assert_array_equal(changed, (salt | pepper) & changed)
    assert abs(changed.mean() - 0.3) < 0.01
    assert_array_equal(noisy, add_salt_and_pepper(rgb, 0.3, seed=1))
    assert_array_equal(add_salt_and_pepper(rgb, 0.0, seed=1), rgb)


@pytest.mark.parametrize("sigma", [10, 25])
def test_estimate_sigma_recovers_the_noise_level(gray, sigma):
    smooth = np.tile(gray, (4, 4))
    assert estimate_sigma(add_gaussian_noise(smooth, sigma, seed=0)) == pytest.approx(sigma, rel=0.1)
    rgb_image = np.stack([smooth] * 3, axis=-1)
    assert estimate_sigma(add_gaussian_noise(rgb_image, sigma, seed=0)) == pytest.approx(sigma, rel=0.1)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: add_gaussian_noise(np.zeros((4, 4)), -1), "sigma"),
        (lambda: add_gaussian_noise(np.zeros((4, 4)), float("nan")), "sigma"),
        (lambda: add_poisson_noise(np.zeros((4, 4)), 0), "peak"),
        (lambda: add_poisson_noise(np.full((4, 4), -0.1), 10), "image"),
        (lambda: add_salt_and_pepper(np.zeros((4, 4)), 1.5), "amount"),
        (lambda: add_salt_and_pepper(np.zeros((4, 4)), 0.1, salt_fraction=-0.1), "salt_fraction"),
        (lambda: add_gaussian_noise(np.zeros((4, 4)), 5, seed=-1), "seed"),
    ],
)
def test_noise_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_noise_seed_of_wrong_type():
    with pytest.raises(TypeError, match="seed"):
        add_gaussian_noise(np.zeros((4, 4)), 5, seed="zero")


# --------------------------------------------------------------------------- blur


@pytest.mark.parametrize("size, sigma", [(1, 1.0), (5, 1.0), (9, 2.5), (15, 0.7)])
def test_gaussian_kernel_is_normalised_and_symmetric(size, sigma):
    kernel = gaussian_kernel(size, sigma)
    assert kernel.shape == (size, size)
    assert kernel.sum() == pytest.approx(1.0)
    assert_allclose(kernel, kernel.T)
    assert_allclose(kernel, kernel[::-1, ::-1])
    assert kernel.argmax() == (size * size) // 2  # peak at the centre


def test_gaussian_blur_matches_scipy(gray, rgb):
    sigma = 1.5
    radius = 5  # kernel size 2 * ceil(3 * 1.5) + 1 = 11
    expected = ndimage.gaussian_filter(gray.astype(np.float64), sigma, mode="reflect", radius=radius)
    assert_allclose(gaussian_blur(gray, sigma), expected, atol=1e-6)
    per_channel = np.stack([gaussian_blur(rgb[..., c], sigma) for c in range(3)], axis=-1)
    assert_allclose(gaussian_blur(rgb, sigma), per_channel, atol=1e-7)


@pytest.mark.parametrize("length", [1, 2, 4, 5, 9.5, 15])
@pytest.mark.parametrize("angle", [0, 30, 45, 90, 137])
def test_motion_kernel_is_normalised_centred_and_point_symmetric(length, angle):
    kernel = motion_kernel(length, angle)
    assert kernel.shape[0] == kernel.shape[1] and kernel.shape[0] % 2 == 1
    assert kernel.sum() == pytest.approx(1.0)
    assert kernel.min() >= 0
    assert_allclose(kernel, kernel[::-1, ::-1], atol=1e-12)


def test_motion_kernel_hand_computed_cases():
    assert_array_equal(motion_kernel(1, 0), [[1.0]])
    horizontal = motion_kernel(4, 0)
    assert_allclose(horizontal[horizontal.shape[0] // 2], [0.125, 0.25, 0.25, 0.25, 0.125])
    assert horizontal.sum(axis=1)[horizontal.shape[0] // 2] == pytest.approx(1.0)
    assert_allclose(motion_kernel(7, 90), motion_kernel(7, 0).T, atol=1e-12)
    assert_allclose(motion_kernel(7, 180), motion_kernel(7, 0), atol=1e-12)
    # 45 degrees counter-clockwise: from bottom-left to top-right (rows grow downwards).
    diagonal = motion_kernel(9, 45)
    assert diagonal[0, -1] > 0 and diagonal[0, 0] == 0


@pytest.mark.parametrize("mode", ["reflect", "nearest", "mirror", "wrap"])
def test_blur_of_a_constant_is_constant(mode):
    flat = np.full((20, 24, 3), 0.37, dtype=np.float32)
    for kernel in (gaussian_kernel(7, 2.0), motion_kernel(9, 30)):
        assert_allclose(blur(flat, kernel, mode=mode), 0.37, atol=1e-6)


def test_blur_is_a_true_convolution():
    impulse = np.zeros((9, 9), dtype=np.float64)
    impulse[4, 4] = 1.0
    kernel = np.arange(9, dtype=np.float64).reshape(3, 3)  # not symmetric
    response = blur(impulse, kernel, mode="constant")
    assert_array_equal(response[3:6, 3:6], kernel)  # convolution: the impulse response is the kernel
    assert blur(impulse.astype(np.float32), kernel).dtype == np.float32


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: gaussian_kernel(4, 1.0), "size"),
        (lambda: gaussian_kernel(0, 1.0), "size"),
        (lambda: gaussian_kernel(5, 0.0), "sigma"),
        (lambda: motion_kernel(0.5, 0), "length"),
        (lambda: motion_kernel(5, float("inf")), "angle"),
        (lambda: blur(np.zeros((8, 8)), np.ones(3)), "kernel"),
        (lambda: blur(np.zeros((8, 8)), np.full((3, 3), np.nan)), "kernel"),
        (lambda: blur(np.zeros((8, 8)), np.ones((3, 3)), mode="bogus"), "mode"),
        (lambda: gaussian_blur(np.zeros((8, 8)), -1.0), "sigma"),
        (lambda: gaussian_blur(np.zeros((8, 8)), 1.0, kernel_size=4), "size"),
        (lambda: motion_blur(np.zeros((8, 8)), 0, 0), "length"),
    ],
)
def test_blur_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# --------------------------------------------------------------------------- resize


# Reference bicubic PSNRs on astronaut (COURSE.md, "Standard evaluation protocols").
SR_REFERENCE = {2: 31.702, 3: 28.681, 4: 26.844}


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_bicubic_sr_baseline_reproduces_the_reference_psnr(astronaut, scale):
    # The protocol (documented in imresize's Notes): Y of BT.601 rounded to 8 bits,
    # cropped to a multiple of the scale; LR kept in floating point; the
    # upscaled output clipped and rounded; PSNR on Y without a `scale`-pixel border.
    hr_y = np.round(rgb_to_y(astronaut.astype(np.float64) / 255.0))
    hr_y = crop_to_multiple(hr_y, scale)
    low_resolution = imresize(hr_y, 1.0 / scale)
    assert low_resolution.shape == (hr_y.shape[0] // scale, hr_y.shape[1] // scale)
    upscaled = np.round(np.clip(imresize(low_resolution, scale), 0, 255))
    assert upscaled.shape == hr_y.shape
    border = (slice(scale, -scale), slice(scale, -scale))
    psnr = peak_signal_noise_ratio(hr_y[border], upscaled[border], data_range=255)
    assert psnr == pytest.approx(SR_REFERENCE[scale], abs=0.002)
    # The convenience functions implement the same two resizes.
    assert_array_equal(bicubic_downscale(hr_y, scale), low_resolution)
    assert_array_equal(np.round(np.clip(bicubic_upscale(low_resolution, scale), 0, 255)), upscaled)


def test_cubic_kernel_values():
    assert_allclose(cubic_kernel([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 3]),
                    [1, 0.8671875, 0.5625, 0.2265625, 0, -0.0703125, -0.0625, -0.0234375, 0, 0])
    # Partition of unity: the weights at any fractional offset sum to 1.
    offsets = np.linspace(0, 1, 11)
    total = sum(cubic_kernel(offsets + shift) for shift in (-2, -1, 0, 1))
    assert_allclose(total, 1.0)


def test_imresize_hand_computed_upscale_weights():
    # x2: output pixel 1 sits at input coordinate 0.75 (1-based); the cubic weights
    # (-0.0234375, 0.2265625, 0.8671875, -0.0703125) fall on pixels (2, 1, 1, 2) after
    # symmetric padding, so out[0] = 1.09375 x[0] - 0.09375 x[1].
    row = np.array([[1.0, 5.0, 2.0, 7.0, 3.0]])
    out = imresize(row, output_shape=(1, 10))
    assert out[0, 0] == pytest.approx(1.09375 * 1.0 - 0.09375 * 5.0)
    # Interior samples of a linear ramp are reproduced exactly (the kernel reproduces
    # polynomials up to degree 2): output pixel i (1-based) lies at u = i / 2 + 0.25.
    ramp = np.arange(1, 21, dtype=np.float64)[None, :]
    up = imresize(ramp, output_shape=(1, 40))[0]
    u = np.arange(1, 41) / 2.0 + 0.25
    assert_allclose(up[4:-4], u[4:-4], atol=1e-12)


def test_imresize_hand_computed_antialiased_downscale_filter():
    # x1/2: the kernel is widened to 8 taps; away from the borders each output is
    # the familiar MATLAB filter applied around input pixels 2i, 2i + 1.
    taps = np.array([-0.0234375, -0.0703125, 0.2265625, 0.8671875])
    taps = np.concatenate([taps, taps[::-1]]) / 2.0
    assert_allclose(taps[:4], [-0.01171875, -0.03515625, 0.11328125, 0.43359375])
    signal = np.random.default_rng(0).random(32)
    out = imresize(np.tile(signal, (4, 1)), 0.5)
    assert out.shape == (2, 16)
    for i in range(2, 14):
        expected = taps @ signal[2 * i - 3 : 2 * i + 5]
        assert out[0, i] == pytest.approx(expected)


@FAST
@given(
    height=st.integers(1, 24),
    width=st.integers(1, 24),
    scale=st.sampled_from([0.25, 1 / 3, 0.5, 0.7, 1.5, 2.0, 3.0]),
    value=st.floats(0.0, 1.0),
)
def test_imresize_keeps_a_constant_constant_and_has_matlab_shape(height, width, scale, value):
    image = np.full((height, width, 3), value, dtype=np.float64)
    out = imresize(image, scale)
    assert out.shape == (int(np.ceil(scale * height - 1e-9)), int(np.ceil(scale * width - 1e-9)), 3)
    assert_allclose(out, value, atol=1e-12)


def test_imresize_scale_one_is_the_identity(rgb):
    assert_array_equal(imresize(rgb, 1), rgb)
    assert_array_equal(imresize(rgb, output_shape=rgb.shape[:2]), rgb)


@pytest.mark.parametrize(
    "in_shape, scale, out_shape",
    [
        ((10, 11), 0.5, (5, 6)),
        ((510, 9), 1 / 3, (170, 3)),
        ((7, 5), 2, (14, 10)),
        ((4, 4), 0.1, (1, 1)),
        ((50, 90), 1.1, (55, 99)),  # 1.1 * 50 is 55.00000000000001 in floating point
    ],
)
def test_imresize_output_shape_is_ceil_of_scale_times_input(in_shape, scale, out_shape):
    assert imresize(np.zeros(in_shape), scale).shape == out_shape


def test_imresize_rgb_is_per_channel_and_dtype_is_kept(rgb):
    out = imresize(rgb, 0.37)
    assert out.dtype == np.float32
    for channel in range(3):
        assert_allclose(out[..., channel], imresize(rgb[..., channel], 0.37), atol=1e-6)
    assert imresize(rgb.astype(np.float64), 2).dtype == np.float64


def test_imresize_commutes_with_flips_on_integer_grids(gray):
    for scale in (0.5, 0.25, 2, 3):
        out = imresize(gray, scale)
        assert_allclose(imresize(gray[::-1, ::-1], scale), out[::-1, ::-1], atol=1e-6)
        assert_allclose(imresize(gray.T, scale), out.T, atol=1e-6)


def test_imresize_non_uniform_output_shape(gray):
    out = imresize(gray, output_shape=(16, 120))  # rows shrink, columns grow
    assert out.shape == (16, 120)
    assert 0.05 < out.min() and out.max() < 0.95


def test_imresize_does_not_clip():
    step = np.zeros((8, 8))
    step[:, 4:] = 1.0
    out = imresize(step, 2)
    assert out.min() < 0 and out.max() > 1  # cubic overshoot is kept; callers clip


def test_crop_downscale_upscale_shapes(rgb):
    assert crop_to_multiple(rgb, 3).shape == (30, 39, 3)
    assert bicubic_downscale(rgb, 3).shape == (10, 13, 3)
    assert bicubic_upscale(rgb, 2).shape == (64, 80, 3)
    assert_array_equal(crop_to_multiple(rgb, 1), rgb)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: imresize(np.zeros((8, 8)), 0), "scale"),
        (lambda: imresize(np.zeros((8, 8)), -2), "scale"),
        (lambda: imresize(np.zeros((8, 8))), "scale"),
        (lambda: imresize(np.zeros((8, 8)), 2, output_shape=(4, 4)), "output_shape"),
        (lambda: imresize(np.zeros((8, 8)), output_shape=(4,)), "output_shape"),
        (lambda: imresize(np.zeros((8, 8)), output_shape=(0, 4)), "output_shape"),
        (lambda: crop_to_multiple(np.zeros((8, 8)), 0), "scale"),
        (lambda: crop_to_multiple(np.zeros((8, 8)), 9), "scale"),
        (lambda: bicubic_upscale(np.zeros((8, 8)), 0), "scale"),
        (lambda: cubic_kernel([0.0, np.nan]), "x"),
        (lambda: cubic_kernel("far"), "x"),
        (lambda: cubic_kernel(0.5, a=np.inf), "a"),
    ],
)
def test_resize_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_resize_integer_scale_required():
    with pytest.raises(TypeError, match="scale"):
        bicubic_downscale(np.zeros((8, 8)), 2.5)


# --------------------------------------------------------------------------- masks


def test_rectangle_mask_sizes_and_seed():
    mask = rectangle_mask((100, 200, 3), count=1, min_size=0.2, max_size=0.3, seed=0)
    assert mask.shape == (100, 200) and mask.dtype == bool
    rows, cols = np.nonzero(mask)
    assert 20 <= rows.max() - rows.min() + 1 <= 30
    assert 40 <= cols.max() - cols.min() + 1 <= 60
    assert mask_coverage(mask) == pytest.approx(mask.sum() / mask.size)
    assert_array_equal(mask, rectangle_mask((100, 200), count=1, min_size=0.2, max_size=0.3, seed=0))
    assert not rectangle_mask((10, 10), count=0, seed=0).any()
    assert rectangle_mask((10, 10), min_size=1.0, max_size=1.0, seed=0).all()


@pytest.mark.parametrize("coverage", [(0.05, 0.15), (0.1, 0.25), (0.3, 0.4)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stroke_mask_reaches_the_coverage_range(coverage, seed):
    mask = stroke_mask((96, 128), coverage=coverage, seed=seed)
    assert mask.shape == (96, 128) and mask.dtype == bool
    assert coverage[0] <= mask_coverage(mask) <= coverage[1]


def test_stroke_mask_is_seeded_and_grows_with_strokes():
    first = stroke_mask((64, 64), strokes=3, seed=7)
    assert_array_equal(first, stroke_mask((64, 64), strokes=3, seed=7))
    assert not np.array_equal(first, stroke_mask((64, 64), strokes=3, seed=8))
    assert not stroke_mask((64, 64), strokes=0, seed=7).any()
    thin = stroke_mask((64, 64), strokes=3, max_width=2, seed=7)
    assert 0 < mask_coverage(thin) < mask_coverage(stroke_mask((64, 64), strokes=3, max_width=20, seed=7))


def test_stroke_mask_unreachable_coverage_raises():
    with pytest.raises(ValueError, match="coverage"):
        stroke_mask((64, 64), coverage=(0.5, 0.5001), max_width=30, seed=0, max_attempts=20)


def test_scratch_mask_is_thin_seeded_and_widens():
    mask = scratch_mask((128, 128), count=4, seed=3)
    assert mask.dtype == bool and mask.shape == (128, 128)
    assert 0 < mask_coverage(mask) < 0.1
    assert_array_equal(mask, scratch_mask((128, 128), count=4, seed=3))
    wide = scratch_mask((128, 128), count=4, width=3, seed=3)
    assert mask_coverage(wide) > 1.5 * mask_coverage(mask)
    assert np.all(wide[mask])  # dilation keeps the centre lines
    # Thin lines: almost no pixel has a full 3x3 neighbourhood of scratch.
    assert ndimage.binary_erosion(mask).sum() <= 0.05 * mask.sum()
    assert not scratch_mask((32, 32), count=0, seed=0).any()


def test_apply_mask(rgb):
    mask = np.zeros(rgb.shape[:2], dtype=bool)
    mask[5:10, 3:20] = True
    damaged = apply_mask(rgb, mask, fill=0.25)
    assert damaged.dtype == rgb.dtype
    assert_array_equal(damaged[mask], 0.25)
    assert_array_equal(damaged[~mask], rgb[~mask])
    assert_array_equal(apply_mask(rgb[..., 0], mask.astype(np.uint8))[mask], 0.0)
    assert mask_coverage(mask) == pytest.approx(5 * 17 / mask.size)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: rectangle_mask((0, 5)), "shape"),
        (lambda: rectangle_mask("64x64"), "shape"),
        (lambda: rectangle_mask(np.zeros((8, 8))), "shape"),
        (lambda: rectangle_mask((8, 8), count=-1), "count"),
        (lambda: rectangle_mask((8, 8), min_size=0.5, max_size=0.2), "min_size"),
        (lambda: rectangle_mask((8, 8), min_size=0.0), "min_size"),
        (lambda: rectangle_mask((8, 8), max_size=1.5), "max_size"),
        (lambda: stroke_mask((8, 8), strokes=-1), "strokes"),
        (lambda: stroke_mask((8, 8), max_width=0), "max_width"),
        (lambda: stroke_mask((8, 8), max_vertices=0), "max_vertices"),
        (lambda: stroke_mask((8, 8), coverage=(0.3, 0.1)), "coverage"),
        (lambda: stroke_mask((8, 8), coverage=0.2), "coverage"),
        (lambda: scratch_mask((8, 8), width=0), "width"),
        (lambda: scratch_mask((8, 8), branch_probability=2), "branch_probability"),
        (lambda: apply_mask(np.zeros((8, 8)), np.zeros((8, 9), bool)), "mask"),
        (lambda: apply_mask(np.zeros((8, 8)), np.full((8, 8), 0.5)), "mask"),
        (lambda: apply_mask(np.zeros((8, 8)), np.zeros((8, 8), bool), fill=np.nan), "fill"),
        (lambda: mask_coverage(np.zeros((2, 2, 2), bool)), "mask"),
    ],
)
def test_mask_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# --------------------------------------------------------------------------- forward models


def test_forward_objects_match_the_functions(rgb):
    assert_array_equal(GaussianNoise(20)(rgb, seed=1), add_gaussian_noise(rgb, 20, seed=1))
    assert_array_equal(
        GaussianNoise(20, clip=True)(rgb, seed=1), add_gaussian_noise(rgb, 20, seed=1, clip=True)
    )
    assert_array_equal(PoissonNoise(30)(rgb, seed=1), add_poisson_noise(rgb, 30, seed=1))
    assert_array_equal(SaltAndPepper(0.1)(rgb, seed=1), add_salt_and_pepper(rgb, 0.1, seed=1))
    kernel = gaussian_kernel(5, 1.0)
    assert_array_equal(Blur(kernel)(rgb), blur(rgb, kernel))
    assert_array_equal(GaussianBlur(1.2)(rgb), gaussian_blur(rgb, 1.2))
    assert_array_equal(MotionBlur(7, 30)(rgb), motion_blur(rgb, 7, 30))
    assert_array_equal(Downsample(3)(rgb), bicubic_downscale(rgb, 3))
    mask = rectangle_mask(rgb.shape, seed=0)
    assert_array_equal(Inpainting(mask, fill=1.0)(rgb), apply_mask(rgb, mask, fill=1.0))


def test_compose_applies_steps_in_order_with_one_generator(gray):
    chain = Compose([GaussianBlur(1.0), Downsample(2), GaussianNoise(10), SaltAndPepper(0.05)])
    first = chain(gray, seed=4)
    assert first.shape == (16, 20)
    assert_array_equal(first, chain(gray, seed=4))
    rng = np.random.default_rng(4)
    manual = add_salt_and_pepper(
        add_gaussian_noise(bicubic_downscale(gaussian_blur(gray, 1.0), 2), 10, seed=rng), 0.05, seed=rng
    )
    assert_array_equal(first, manual)
    nested = Compose([Compose([GaussianBlur(1.0), Downsample(2)]), GaussianNoise(10), SaltAndPepper(0.05)])
    assert_array_equal(nested(gray, seed=4), first)


def test_descriptions_and_reprs():
    mask = np.zeros((4, 4), dtype=bool)
    mask[0] = True
    assert GaussianNoise(25).describe() == "Gaussian noise (σ = 25)"
    assert repr(GaussianNoise(25)) == "GaussianNoise(sigma=25.0, clip=False)"
    assert PoissonNoise(10).describe() == "Poisson noise (peak = 10)"
    assert SaltAndPepper(0.1).describe() == "Salt-and-pepper noise (10% of pixels)"
    assert repr(Blur(np.ones((3, 5)) / 15)) == "Blur(kernel=<3x5 array>, mode='reflect')"
    assert Blur(np.ones((3, 5)) / 15).describe() == "Blur (3×5 kernel)"
    assert GaussianBlur(1.6).describe() == "Gaussian blur (σ = 1.6 px)"
    assert repr(GaussianBlur(1.6)) == "GaussianBlur(sigma=1.6, kernel_size=11, mode='reflect')"
    assert MotionBlur(9, 30).describe() == "Motion blur (9 px at 30°)"
    assert Downsample(4).describe() == "Bicubic ×4 downsampling"
    assert Inpainting(mask).describe() == "Inpainting (25.0% of pixels missing)"
    assert repr(Inpainting(mask)) == "Inpainting(mask=<4x4, 25.0% missing>, fill=0.0)"
    chain = Compose([GaussianBlur(1.6), GaussianNoise(10)])
    assert chain.describe() == "Gaussian blur (σ = 1.6 px) → Gaussian noise (σ = 10)"
    assert repr(chain) == (
        "Compose([GaussianBlur(sigma=1.6, kernel_size=11, mode='reflect'), "
        "GaussianNoise(sigma=10.0, clip=False)])"
    )


def test_forward_objects_are_immutable():
    noise = GaussianNoise(10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        noise.sigma = 20
    assert noise == GaussianNoise(10.0) and hash(noise) == hash(GaussianNoise(10.0))
    kernel = np.ones((3, 3)) / 9
    operator = Blur(kernel)
    kernel[0, 0] = 100.0  # the caller's array is copied
    assert operator.kernel[0, 0] == pytest.approx(1 / 9)
    with pytest.raises(ValueError):
        operator.kernel[0, 0] = 1.0  # read-only
    with pytest.raises(ValueError):
        Inpainting(np.zeros((4, 4), bool)).mask[0, 0] = True


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: GaussianNoise(-1), "sigma"),
        (lambda: PoissonNoise(0), "peak"),
        (lambda: SaltAndPepper(1.5), "amount"),
        (lambda: SaltAndPepper(0.1, salt_fraction=2), "salt_fraction"),
        (lambda: Blur(np.ones(3)), "kernel"),
        (lambda: Blur(np.ones((3, 3)), mode="periodic"), "mode"),
        (lambda: GaussianBlur(0), "sigma"),
        (lambda: GaussianBlur(1.0, kernel_size=6), "kernel_size"),
        (lambda: MotionBlur(0.2), "length"),
        (lambda: Downsample(0), "scale"),
        (lambda: Inpainting(np.zeros((2, 2, 2))), "mask"),
        (lambda: Inpainting(np.zeros((2, 2)), fill=float("inf")), "fill"),
        (lambda: Compose([]), "steps"),
        (lambda: Inpainting(np.zeros((4, 4), bool))(np.zeros((5, 5))), "mask"),
    ],
)
def test_forward_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: GaussianNoise(10, clip="yes"), "clip"),
        (lambda: GaussianNoise("25"), "sigma"),
        (lambda: Downsample(2.5), "scale"),
        (lambda: Compose([lambda image: image]), "steps"),
        (lambda: Compose(GaussianNoise(10)), "steps"),
    ],
)
def test_forward_wrong_types(call, name):
    with pytest.raises(TypeError, match=name):
        call()
