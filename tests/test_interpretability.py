"""Effective receptive field, its extent, and first-layer filters, on tiny known networks."""

import keras
import numpy as np
import pytest

from course_lib import interpretability, models


def _linear_conv_stack(depth, kernel_value=1.0):
    """`depth` 3x3 convolutions with all weights `kernel_value` and no bias or activation."""
    inputs = keras.Input((None, None, 1))
    features = inputs
    for _ in range(depth):
        layer = keras.layers.Conv2D(1, 3, padding="same", use_bias=False,
                                    kernel_initializer=keras.initializers.Constant(kernel_value))
        features = layer(features)
    return keras.Model(inputs, features)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_the_gradient_is_zero_outside_the_theoretical_field(depth):
    model = _linear_conv_stack(depth)
    gradient = interpretability.effective_receptive_field(model, np.zeros((21, 21)))
    field = 2 * depth + 1
    assert models.receptive_field(model) == field
    nonzero_rows, nonzero_columns = np.nonzero(gradient)
    assert nonzero_rows.min() == 10 - depth and nonzero_rows.max() == 10 + depth
    assert nonzero_columns.min() == 10 - depth and nonzero_columns.max() == 10 + depth


def test_the_gradient_of_a_box_filter_stack_is_the_repeated_convolution():
    model = _linear_conv_stack(2)
    gradient = interpretability.effective_receptive_field(model, np.zeros((11, 11)))
    box = np.ones((3, 3))
    from scipy.signal import convolve2d

    expected = convolve2d(box, box)  # the 5x5 "pyramid" 1 2 3 2 1 x 1 2 3 2 1
    np.testing.assert_allclose(gradient[3:8, 3:8], expected)


def test_the_position_argument_moves_the_field_and_is_checked():
    model = _linear_conv_stack(1)
    gradient = interpretability.effective_receptive_field(model, np.zeros((9, 9)), position=(0, 8))
    assert set(zip(*np.nonzero(gradient))) == {(0, 7), (0, 8), (1, 7), (1, 8)}
    with pytest.raises(ValueError, match="position"):
        interpretability.effective_receptive_field(model, np.zeros((9, 9)), position=(9, 0))
    with pytest.raises(ValueError, match="pair"):
        interpretability.effective_receptive_field(model, np.zeros((9, 9)), position=3)


def test_effective_receptive_field_bad_input():
    model = _linear_conv_stack(1)
    with pytest.raises(TypeError, match="keras.Model"):
        interpretability.effective_receptive_field("model", np.zeros((5, 5)))
    with pytest.raises(ValueError, match="channel"):
        interpretability.effective_receptive_field(model, np.zeros((5, 5, 3)))


def test_receptive_field_extent():
    gradient = np.zeros((11, 11))
    gradient[5, 5] = 6.0
    gradient[5, 7] = 3.0
    gradient[0, 0] = 1.0
    assert interpretability.receptive_field_extent(gradient, fraction=0.5) == 1
    assert interpretability.receptive_field_extent(gradient, fraction=0.9) == 5
    assert interpretability.receptive_field_extent(gradient, fraction=1.0) == 11
    with pytest.raises(ValueError, match="non-negative"):
        interpretability.receptive_field_extent(-gradient)
    with pytest.raises(ValueError, match="zero everywhere"):
        interpretability.receptive_field_extent(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="fraction"):
        interpretability.receptive_field_extent(gradient, fraction=1.5)


def test_first_layer_filters_and_their_dc_fraction():
    model = models.dncnn(depth=3, width=5, seed=0)
    filters = interpretability.first_layer_filters(model)
    assert filters.shape == (5, 3, 3)
    np.testing.assert_allclose(filters[2], np.asarray(model.get_layer("conv_1").kernel)[:, :, 0, 2])
    averaging = np.ones((1, 3, 3))
    derivative = np.array([[[-1.0, 0.0, 1.0]] * 3])
    np.testing.assert_allclose(interpretability.filter_dc_fraction(np.concatenate([averaging, derivative])), [1.0, 0.0])
    rgb = interpretability.first_layer_filters(models.dncnn(depth=2, width=4, channels=3))
    assert rgb.shape == (4, 3, 3, 3)
    with pytest.raises(ValueError, match="no Conv2D"):
        interpretability.first_layer_filters(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]))
    with pytest.raises(ValueError, match="all zeros"):
        interpretability.filter_dc_fraction(np.zeros((1, 3, 3)))
