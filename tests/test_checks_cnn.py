"""The checks of notebook 04: correct answers pass, the usual mistakes get the right feedback."""

import math

import numpy as np
import pytest
from scipy import ndimage

from course_lib import checks
from course_lib.checks import cnn as cnn_checks

KEYS = ["gradient_step", "conv2d_output_shape", "receptive_field", "max_pool_2x2"]


def _status(check_function, learner_function):
    return check_function(learner_function).status


# --------------------------------------------------------------------------------------
# gradient_step
# --------------------------------------------------------------------------------------


def gradient_step_windows(kernel, image, target, learning_rate):
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    residual = np.einsum("ijpq,pq->ij", windows, kernel) - target
    gradient = 2 * np.einsum("ij,ijpq->pq", residual, windows) / residual.size
    return kernel - learning_rate * gradient


def gradient_step_loops(kernel, image, target, learning_rate):
    kernel_height, kernel_width = kernel.shape
    output_height, output_width = target.shape
    prediction = np.zeros(target.shape)
    for i in range(output_height):
        for j in range(output_width):
            prediction[i, j] = np.sum(kernel * image[i : i + kernel_height, j : j + kernel_width])
    residual = prediction - target
    gradient = np.zeros(kernel.shape)
    for p in range(kernel_height):
        for q in range(kernel_width):
            gradient[p, q] = 2 * np.mean(residual * image[p : p + output_height, q : q + output_width])
    return kernel - learning_rate * gradient


def gradient_step_scipy(kernel, image, target, learning_rate):
    """The forward pass and the gradient are both 'valid' correlations."""
    from scipy import signal

    residual = signal.correlate2d(image, kernel, mode="valid") - target
    gradient = 2 * signal.correlate2d(image, residual, mode="valid") / residual.size
    return kernel - learning_rate * gradient


def gradient_step_tensorflow(kernel, image, target, learning_rate):
    """With automatic differentiation; returns a tensor, which the check accepts."""
    import tensorflow as tf

    weights = tf.constant(kernel[:, :, None, None])
    with tf.GradientTape() as tape:
        tape.watch(weights)
        prediction = tf.nn.conv2d(tf.constant(image[None, :, :, None]), weights, strides=1, padding="VALID")
        loss = tf.reduce_mean((prediction[0, :, :, 0] - target) ** 2)
    return weights[:, :, 0, 0] - learning_rate * tape.gradient(loss, weights)[:, :, 0, 0]


def gradient_step_float32(kernel, image, target, learning_rate):
    return gradient_step_windows(kernel.astype(np.float32), image.astype(np.float32),
                                 target.astype(np.float32), np.float32(learning_rate))


@pytest.mark.parametrize(
    "learner_function",
    [gradient_step_windows, gradient_step_loops, gradient_step_scipy, gradient_step_tensorflow, gradient_step_float32],
    ids=lambda value: value.__name__,
)
def test_gradient_step_correct_answers_pass(learner_function):
    feedback = checks.check_gradient_step(learner_function)
    assert feedback.status == checks.CORRECT, feedback.text()


def gradient_ascent(kernel, image, target, learning_rate):
    return 2 * kernel - gradient_step_windows(kernel, image, target, learning_rate)


def forgets_the_factor_two(kernel, image, target, learning_rate):
    return (kernel + gradient_step_windows(kernel, image, target, learning_rate)) / 2


def sums_instead_of_averaging(kernel, image, target, learning_rate):
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    residual = np.einsum("ijpq,pq->ij", windows, kernel) - target
    return kernel - learning_rate * 2 * np.einsum("ij,ijpq->pq", residual, windows)


def averages_over_the_weights(kernel, image, target, learning_rate):
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    residual = np.einsum("ijpq,pq->ij", windows, kernel) - target
    return kernel - learning_rate * 2 * np.einsum("ij,ijpq->pq", residual, windows) / kernel.size


def convolution_instead_of_correlation(kernel, image, target, learning_rate):
    flipped = gradient_step_windows(kernel[::-1, ::-1], image, target, learning_rate)
    return flipped[::-1, ::-1]


def returns_the_gradient(kernel, image, target, learning_rate):
    return (kernel - gradient_step_windows(kernel, image, target, learning_rate)) / learning_rate


def updates_in_place(kernel, image, target, learning_rate):
    kernel -= kernel - gradient_step_windows(kernel, image, target, learning_rate)
    return kernel


def same_padding(kernel, image, target, learning_rate):
    prediction = ndimage.correlate(image, kernel, mode="constant")
    residual = prediction - target  # (H, W) against (H - 2, W - 2): a broadcasting error
    return kernel - learning_rate * residual


@pytest.mark.parametrize(
    "learner_function, status",
    [
        (gradient_ascent, checks.WRONG_VALUES),
        (forgets_the_factor_two, checks.WRONG_VALUES),
        (sums_instead_of_averaging, checks.WRONG_VALUES),
        (averages_over_the_weights, checks.WRONG_VALUES),
        (convolution_instead_of_correlation, checks.WRONG_VALUES),
        (returns_the_gradient, checks.WRONG_VALUES),
        (updates_in_place, checks.MODIFIED_INPUT),
        (same_padding, checks.ERROR),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_gradient_step_catches_typical_mistakes(learner_function, status):
    assert _status(checks.check_gradient_step, learner_function) == status


def test_an_in_place_update_is_told_to_work_on_a_copy():
    feedback = checks.check_gradient_step(updates_in_place)
    assert "in place" in feedback.message


def test_the_true_kernel_does_not_move():
    case = checks.exercise("gradient_step").cases()[3]
    kernel = case.args[0]
    np.testing.assert_allclose(gradient_step_windows(*case.args), kernel, atol=1e-12)


# --------------------------------------------------------------------------------------
# conv2d_output_shape
# --------------------------------------------------------------------------------------


def conv2d_output_shape_formulas(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, channels = input_shape
    if padding == "same":
        output_height, output_width = math.ceil(height / stride), math.ceil(width / stride)
    else:
        output_height = (height - kernel_size) // stride + 1
        output_width = (width - kernel_size) // stride + 1
    return output_height, output_width, (kernel_size**2 * channels + 1) * filters


def conv2d_output_shape_keras(input_shape, filters, kernel_size, stride=1, padding="valid"):
    import keras

    layer = keras.layers.Conv2D(filters, kernel_size, strides=stride, padding=padding)
    layer.build((None, *input_shape))
    _, height, width, _ = layer.compute_output_shape((None, *input_shape))
    return [height, width, layer.count_params()]  # a list is accepted too


@pytest.mark.parametrize("learner_function", [conv2d_output_shape_formulas, conv2d_output_shape_keras],
                         ids=lambda value: value.__name__)
def test_conv2d_output_shape_correct_answers_pass(learner_function):
    feedback = checks.check_conv2d_output_shape(learner_function)
    assert feedback.status == checks.CORRECT, feedback.text()


def forgets_the_bias(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, parameters = conv2d_output_shape_formulas(input_shape, filters, kernel_size, stride, padding)
    return height, width, parameters - filters


def forgets_the_input_channels(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, _ = conv2d_output_shape_formulas(input_shape, filters, kernel_size, stride, padding)
    return height, width, kernel_size**2 * filters + filters


def valid_without_plus_one(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, parameters = conv2d_output_shape_formulas(input_shape, filters, kernel_size, stride, padding)
    if padding == "valid":
        height, width = (input_shape[0] - kernel_size) // stride, (input_shape[1] - kernel_size) // stride
    return height, width, parameters


def valid_ignores_the_stride(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, parameters = conv2d_output_shape_formulas(input_shape, filters, kernel_size, stride, padding)
    if padding == "valid":
        height, width = input_shape[0] - kernel_size + 1, input_shape[1] - kernel_size + 1
    return height, width, parameters


def same_rounds_down(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, parameters = conv2d_output_shape_formulas(input_shape, filters, kernel_size, stride, padding)
    if padding == "same":
        height, width = input_shape[0] // stride, input_shape[1] // stride
    return height, width, parameters


def true_division(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, parameters = conv2d_output_shape_formulas(input_shape, filters, kernel_size, stride, padding)
    if padding == "valid":
        height, width = (input_shape[0] - kernel_size) / stride + 1, (input_shape[1] - kernel_size) / stride + 1
    return height, width, parameters


def keras_style_shape(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, _ = conv2d_output_shape_formulas(input_shape, filters, kernel_size, stride, padding)
    return None, height, width, filters


@pytest.mark.parametrize(
    "learner_function, status",
    [
        (forgets_the_bias, checks.WRONG_VALUES),
        (forgets_the_input_channels, checks.WRONG_VALUES),
        (valid_without_plus_one, checks.WRONG_VALUES),
        (valid_ignores_the_stride, checks.WRONG_VALUES),
        (same_rounds_down, checks.WRONG_VALUES),
        (true_division, checks.WRONG_VALUES),
        (keras_style_shape, checks.WRONG_TYPE),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_conv2d_output_shape_catches_typical_mistakes(learner_function, status):
    assert _status(checks.check_conv2d_output_shape, learner_function) == status


def test_the_parameter_count_is_named_in_the_feedback():
    feedback = checks.check_conv2d_output_shape(forgets_the_bias)
    assert feedback.message.startswith("item 2 of the result")


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("side", [7, 8, 31])
def test_the_reference_agrees_with_keras(side, padding, stride):
    reference = checks.exercise("conv2d_output_shape").reference
    expected = reference((side, side + 3, 2), 4, 3, stride, padding)
    assert tuple(conv2d_output_shape_keras((side, side + 3, 2), 4, 3, stride, padding)) == expected


# --------------------------------------------------------------------------------------
# receptive_field
# --------------------------------------------------------------------------------------


def receptive_field_jump(layers):
    field, jump = 1, 1
    for kernel_size, stride in layers:
        field += (kernel_size - 1) * jump
        jump *= stride
    return field


def receptive_field_backwards(layers):
    """From the output back to the input: r_in = (r_out - 1) * stride + kernel_size."""
    field = 1
    for kernel_size, stride in reversed(layers):
        field = (field - 1) * stride + kernel_size
    return field


@pytest.mark.parametrize("learner_function", [receptive_field_jump, receptive_field_backwards],
                         ids=lambda value: value.__name__)
def test_receptive_field_correct_answers_pass(learner_function):
    feedback = checks.check_receptive_field(learner_function)
    assert feedback.status == checks.CORRECT, feedback.text()


def sums_the_kernel_sizes(layers):
    return sum(kernel_size for kernel_size, _ in layers) or 1


def ignores_the_strides(layers):
    return 1 + sum(kernel_size - 1 for kernel_size, _ in layers)


def uses_its_own_stride(layers):
    field, jump = 1, 1
    for kernel_size, stride in layers:
        jump *= stride
        field += (kernel_size - 1) * jump
    return field


def two_per_layer(layers):
    return 2 * len(layers) + 1


def starts_from_zero(layers):
    return receptive_field_jump(layers) - 1


@pytest.mark.parametrize(
    "learner_function",
    [sums_the_kernel_sizes, ignores_the_strides, uses_its_own_stride, two_per_layer, starts_from_zero],
    ids=lambda value: value.__name__,
)
def test_receptive_field_catches_typical_mistakes(learner_function):
    assert _status(checks.check_receptive_field, learner_function) == checks.WRONG_VALUES


def test_the_receptive_field_of_the_course_models_matches_the_reference():
    from course_lib import models

    reference = checks.exercise("receptive_field").reference
    assert models.receptive_field(models.small_cnn_denoiser()) == reference([(3, 1)] * 5) == 11
    assert models.receptive_field(models.dncnn(depth=17, width=8)) == reference([(3, 1)] * 17) == 35


# --------------------------------------------------------------------------------------
# max_pool_2x2
# --------------------------------------------------------------------------------------


def max_pool_loops(feature_map):
    rows, columns = feature_map.shape[0] // 2, feature_map.shape[1] // 2
    output = np.empty((rows, columns))
    for i in range(rows):
        for j in range(columns):
            output[i, j] = feature_map[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max()
    return output


def max_pool_strided_slices(feature_map):
    rows, columns = feature_map.shape[0] // 2 * 2, feature_map.shape[1] // 2 * 2
    cropped = feature_map[:rows, :columns]
    return np.maximum.reduce([cropped[0::2, 0::2], cropped[0::2, 1::2], cropped[1::2, 0::2], cropped[1::2, 1::2]])


def max_pool_keras(feature_map):
    import keras

    pooled = keras.layers.MaxPooling2D()(feature_map[None, :, :, None].astype("float32"))
    return keras.ops.convert_to_numpy(pooled)[0, :, :, 0]


@pytest.mark.parametrize("learner_function", [max_pool_loops, max_pool_strided_slices, max_pool_keras],
                         ids=lambda value: value.__name__)
def test_max_pool_correct_answers_pass(learner_function):
    feedback = checks.check_max_pool_2x2(learner_function)
    assert feedback.status == checks.CORRECT, feedback.text()


def average_pool(feature_map):
    rows, columns = feature_map.shape[0] // 2, feature_map.shape[1] // 2
    return feature_map[: 2 * rows, : 2 * columns].reshape(rows, 2, columns, 2).mean(axis=(1, 3))


def subsamples(feature_map):
    rows, columns = feature_map.shape[0] // 2, feature_map.shape[1] // 2
    return feature_map[: 2 * rows : 2, : 2 * columns : 2]


def max_from_zero(feature_map):
    rows, columns = feature_map.shape[0] // 2, feature_map.shape[1] // 2
    output = np.zeros((rows, columns))
    for i in range(rows):
        for j in range(columns):
            for value in feature_map[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].ravel():
                output[i, j] = max(output[i, j], value)
    return output


def pads_odd_sides(feature_map):
    return ndimage.maximum_filter(feature_map, size=2, origin=-1, mode="nearest")[::2, ::2]


def sliding_window_stride_one(feature_map):
    return np.lib.stride_tricks.sliding_window_view(feature_map, (2, 2)).max(axis=(-2, -1))


@pytest.mark.parametrize(
    "learner_function, status",
    [
        (average_pool, checks.WRONG_VALUES),
        (subsamples, checks.WRONG_VALUES),
        (max_from_zero, checks.WRONG_VALUES),
        (pads_odd_sides, checks.WRONG_SHAPE),
        (sliding_window_stride_one, checks.WRONG_SHAPE),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_max_pool_catches_typical_mistakes(learner_function, status):
    assert _status(checks.check_max_pool_2x2, learner_function) == status


def test_max_pool_from_zero_is_caught_on_the_negative_map():
    feedback = checks.check_max_pool_2x2(max_from_zero)
    assert "negative" in feedback.details[0]


# --------------------------------------------------------------------------------------
# The exercises themselves
# --------------------------------------------------------------------------------------


def test_notebook_04_registers_its_exercises_in_order():
    assert checks.list_exercises("04_from_filters_to_cnns") == KEYS
    assert set(cnn_checks.__all__) == {f"check_{key}" for key in KEYS}
    for name in cnn_checks.__all__:
        assert callable(getattr(checks, name))


@pytest.mark.parametrize("key", KEYS)
def test_stub_is_not_attempted_and_non_function_is_wrong_type(key):
    def stub(*args):
        raise NotImplementedError

    check_function = getattr(checks, f"check_{key}")
    assert check_function(stub).status == checks.NOT_ATTEMPTED
    assert check_function(None).status == checks.WRONG_TYPE


@pytest.mark.parametrize("key", KEYS)
def test_exercises_have_graded_hints_and_labelled_cases(key):
    item = checks.exercise(key)
    assert 2 <= len(item.hints) <= 4
    cases = item.cases()
    assert 3 <= len(cases) <= 6
    assert all(case.label for case in cases)


@pytest.mark.parametrize("key", KEYS)
def test_cases_are_deterministic(key):
    item = checks.exercise(key)
    first, second = item.cases(), item.cases()
    for case_a, case_b in zip(first, second):
        for value_a, value_b in zip(case_a.args, case_b.args):
            np.testing.assert_array_equal(value_a, value_b)


@pytest.mark.parametrize("key", KEYS)
def test_solution_comes_from_the_solution_notebook(key):
    text = checks.solution(key)
    item = checks.exercise(key)
    assert f"def {item.function_name}(" in repr(text)
    assert "BEGIN SOLUTION" not in repr(text)
