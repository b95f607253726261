import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import color as skcolor

from course_lib import color


def test_rgb_to_ycbcr_matches_scikit_image(rgb_image):
    np.testing.assert_allclose(color.rgb_to_ycbcr(rgb_image), skcolor.rgb2ycbcr(rgb_image), atol=1e-4)


def test_y_channel_of_known_colors():
    pixels = np.array([[[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]])
    np.testing.assert_allclose(color.rgb_to_y(pixels)[0], [16.0, 235.0, 16.0 + 65.481])
    np.testing.assert_allclose(color.rgb_to_y(np.array([[0.0, 1.0]])), [[16.0, 235.0]])


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (3, 4, 3), elements=st.floats(0, 1)))
def test_ycbcr_round_trip(rgb):
    np.testing.assert_allclose(color.ycbcr_to_rgb(color.rgb_to_ycbcr(rgb)), rgb, atol=1e-5)


def test_gray_weights_sum_to_one(gray_image, rgb_image):
    white = np.ones((2, 2, 3))
    np.testing.assert_allclose(color.rgb_to_gray(white), 1.0, atol=1e-6)
    assert color.to_gray(gray_image).shape == gray_image.shape
    assert color.to_gray(rgb_image).shape == gray_image.shape


def test_bad_input():
    with pytest.raises(ValueError, match="image must be RGB"):
        color.rgb_to_gray(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="image must be RGB"):
        color.rgb_to_ycbcr(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="image must be YCbCr"):
        color.ycbcr_to_rgb(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="image contains NaN"):
        color.ycbcr_to_rgb(np.full((1, 1, 3), np.nan))
    with pytest.raises(ValueError, match="RGBA"):
        color.rgb_to_y(np.zeros((2, 2, 4)))
