"""Tests for course_lib.convolution, against scipy.ndimage on small seeded arrays."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage

from course_lib import convolution
from course_lib.convolution import convolve2d, convolve2d_loops, correlate2d

MODES = ["reflect", "mirror", "nearest", "wrap", "constant"]
KERNEL_SHAPES = [(1, 1), (3, 3), (5, 5), (2, 2), (4, 4), (3, 4), (2, 5), (1, 6), (13, 11)]


def random_arrays(image_shape, kernel_shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random(image_shape), rng.normal(size=kernel_shape)


def scipy_reference(function, image, kernel, **options):
    """scipy.ndimage applied per channel, as course_lib does for RGB."""
    if image.ndim == 2:
        return function(image, kernel, **options)
    return np.stack([function(image[..., c], kernel, **options) for c in range(image.shape[-1])], axis=-1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kernel_shape", KERNEL_SHAPES)
@pytest.mark.parametrize("image_shape", [(9, 10), (9, 10, 3)])
def test_correlate2d_matches_scipy(mode, kernel_shape, image_shape):
    image, kernel = random_arrays(image_shape, kernel_shape)
    expected = scipy_reference(ndimage.correlate, image, kernel, mode=mode, cval=0.25)
    assert_allclose(correlate2d(image, kernel, mode=mode, cval=0.25), expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kernel_shape", KERNEL_SHAPES)
@pytest.mark.parametrize("image_shape", [(9, 10), (9, 10, 3)])
def test_convolve2d_matches_scipy(mode, kernel_shape, image_shape):
    image, kernel = random_arrays(image_shape, kernel_shape, seed=1)
    expected = scipy_reference(ndimage.convolve, image, kernel, mode=mode, cval=-0.5)
    assert_allclose(convolve2d(image, kernel, mode=mode, cval=-0.5), expected, rtol=0, atol=1e-10)


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    height=st.integers(1, 12),
    width=st.integers(1, 12),
    kernel_height=st.integers(1, 7),
    kernel_width=st.integers(1, 7),
    mode=st.sampled_from(MODES),
    flip=st.booleans(),
)
def test_matches_scipy_for_any_sizes(seed, height, width, kernel_height, kernel_width, mode, flip):
    image, kernel = random_arrays((height, width), (kernel_height, kernel_width), seed=seed)
    ours, theirs = (convolve2d, ndimage.convolve) if flip else (correlate2d, ndimage.correlate)
    assert_allclose(ours(image, kernel, mode=mode), theirs(image, kernel, mode=mode), rtol=0, atol=1e-10)


@pytest.mark.parametrize("function", [correlate2d, convolve2d])
def test_float32_stays_float32(function):
    image, kernel = random_arrays((16, 16), (3, 3))
    image = image.astype(np.float32)
    result = function(image, kernel)
    assert result.dtype == np.float32
    scipy_function = ndimage.correlate if function is correlate2d else ndimage.convolve
    assert_allclose(result, scipy_function(image, kernel), rtol=1e-6, atol=1e-6)


def test_impulse_response():
    image = np.zeros((7, 7))
    image[3, 3] = 1.0
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    assert_array_equal(convolve2d(image, kernel)[2:5, 2:5], kernel)  # convolution reproduces the kernel
    assert_array_equal(correlate2d(image, kernel)[2:5, 2:5], kernel[::-1, ::-1])  # correlation flips it


def test_convolution_is_correlation_with_the_flipped_kernel_for_odd_sizes():
    image, kernel = random_arrays((10, 10), (5, 3))
    assert_allclose(convolve2d(image, kernel), correlate2d(image, kernel[::-1, ::-1]), atol=1e-12)


def test_accepts_list_kernels_and_integer_kernels():
    image, _ = random_arrays((6, 6), (1, 1))
    assert_allclose(correlate2d(image, [[0, 1, 0]]), image)


def test_boundary_modes_table():
    assert convolution.BOUNDARY_MODES["reflect"] == "symmetric"
    assert convolution.BOUNDARY_MODES["mirror"] == "reflect"
    row = np.array([[1.0, 2.0, 3.0]])
    # SciPy 'reflect' repeats the edge pixel, 'mirror' does not.
    assert correlate2d(row, [[1.0, 0.0, 0.0]], mode="reflect")[0, 0] == 1.0
    assert correlate2d(row, [[1.0, 0.0, 0.0]], mode="mirror")[0, 0] == 2.0


@pytest.mark.parametrize("kernel_shape", [(3, 3), (2, 2), (2, 3), (4, 1)])
@pytest.mark.parametrize("image_shape", [(6, 7), (5, 6, 3)])
def test_convolve2d_loops_matches_scipy(kernel_shape, image_shape):
    image, kernel = random_arrays(image_shape, kernel_shape, seed=3)
    expected = scipy_reference(ndimage.convolve, image, kernel, mode="reflect")
    result = convolve2d_loops(image, kernel)
    assert result.shape == image_shape
    assert_allclose(result, expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("function", [correlate2d, convolve2d, convolve2d_loops])
def test_reject_bad_image_and_kernel(function):
    image, kernel = random_arrays((8, 8), (3, 3))
    with pytest.raises(ValueError, match="image"):
        function((image * 255).astype(np.uint8), kernel)
    with pytest.raises(ValueError, match="image"):
        function(np.zeros((8, 8, 4)), kernel)
    with pytest.raises(ValueError, match="image"):
        function(np.full((8, 8), np.nan), kernel)
    with pytest.raises(ValueError, match="image"):
        function(np.zeros((0, 8)), kernel)
    with pytest.raises(ValueError, match="image"):
        function(np.zeros((8, 8, 2)), kernel)
    with pytest.raises(ValueError, match="kernel"):
        function(image, np.ones(3))
    with pytest.raises(ValueError, match="kernel"):
        function(image, np.full((3, 3), np.inf))
    with pytest.raises(ValueError, match="kernel"):
        function(image, np.ones((0, 3)))


@pytest.mark.parametrize("function", [correlate2d, convolve2d])
def test_reject_bad_mode_and_cval(function):
    image, kernel = random_arrays((8, 8), (3, 3))
    with pytest.raises(ValueError, match="mode"):
        function(image, kernel, mode="symmetric")  # NumPy's name, not SciPy's
    with pytest.raises(ValueError, match="cval"):
        function(image, kernel, mode="constant", cval=np.nan)
    with pytest.raises(ValueError, match="cval"):
        function(image, kernel, mode="constant", cval="zero")
