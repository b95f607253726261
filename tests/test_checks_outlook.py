"""The checks of notebook 10: correct answers pass, the usual mistakes get the right feedback."""

import numpy as np
import pytest

from course_lib import checks, models
from course_lib.checks import outlook
from course_lib.training import self_supervised

KEYS = ["blind_spot_replace", "masked_mse", "quantize_int8"]


def not_attempted(*args, **kwargs):
    raise NotImplementedError("write this function")


def _feedback(key, learner_function):
    return getattr(checks, f"check_{key}")(learner_function)


@pytest.mark.parametrize("key", KEYS)
def test_stubs_are_not_attempted(key):
    assert _feedback(key, not_attempted).status == checks.NOT_ATTEMPTED


@pytest.mark.parametrize("key", KEYS)
def test_each_exercise_has_hints_and_belongs_to_notebook_10(key):
    item = checks.exercise(key)
    assert item.notebook == "10_outlook" and len(item.hints) >= 3
    assert key in checks.list_exercises("10_outlook")


@pytest.mark.parametrize("key", KEYS)
def test_the_solution_is_read_from_the_solution_notebook(key):
    assert f"def {checks.exercise(key).function_name}(" in checks.solution(key).text


# --- blind_spot_replace -------------------------------------------------------------------------


def replace_vectorized(noisy, positions, offsets):
    masked = noisy.copy()
    rows, columns = positions[:, 0], positions[:, 1]
    masked[rows, columns] = noisy[rows + offsets[:, 0], columns + offsets[:, 1]]
    return masked


def replace_loop_from_original(noisy, positions, offsets):
    masked = noisy.copy()
    for (row, column), (dr, dc) in zip(positions, offsets):
        masked[row, column] = noisy[row + dr, column + dc]
    return masked


def replace_loop_from_copy(noisy, positions, offsets):
    masked = noisy.copy()
    for (row, column), (dr, dc) in zip(positions, offsets):
        masked[row, column] = masked[row + dr, column + dc]
    return masked


def replace_opposite(noisy, positions, offsets):
    masked = noisy.copy()
    for (row, column), (dr, dc) in zip(positions, offsets):
        masked[row, column] = noisy[row - dr, column - dc]
    return masked


def replace_swapped_only(noisy, positions, offsets):
    masked = noisy.copy()
    height, width = noisy.shape
    for (row, column), (dr, dc) in zip(positions, offsets):
        masked[row, column] = noisy[min(max(row + dc, 0), height - 1), min(max(column + dr, 0), width - 1)]
    return masked


def replace_in_place(noisy, positions, offsets):
    for (row, column), (dr, dc) in zip(positions, offsets):
        noisy[row, column] = noisy[row + dr, column + dc]
    return noisy


def replace_nothing(noisy, positions, offsets):
    return noisy.copy()


@pytest.mark.parametrize("answer", [replace_vectorized, replace_loop_from_original,
                                    self_supervised.replace_blind_spots])
def test_blind_spot_replace_correct_answers_pass(answer):
    assert _feedback("blind_spot_replace", answer).passed


@pytest.mark.parametrize("answer, words", [
    (replace_loop_from_copy, "read every value from the original"),
    (replace_opposite, "opposite side"),
    (replace_swapped_only, "swapped"),
    (replace_nothing, "input unchanged"),
])
def test_blind_spot_replace_typical_mistakes_are_explained(answer, words):
    feedback = _feedback("blind_spot_replace", answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.message.lower()


def test_blind_spot_replace_in_place_is_reported():
    assert _feedback("blind_spot_replace", replace_in_place).status == checks.MODIFIED_INPUT


# --- masked_mse ---------------------------------------------------------------------------------


def mse_masked(target, prediction, mask):
    return np.sum(mask * (prediction - target) ** 2) / np.sum(mask)


def mse_boolean(target, prediction, mask):
    selected = mask.astype(bool)
    return float(np.mean((prediction[selected] - target[selected]) ** 2))


def mse_everywhere(target, prediction, mask):
    return np.mean((prediction - target) ** 2)


def mse_divided_by_all(target, prediction, mask):
    return np.mean(mask * (prediction - target) ** 2)


def mse_unmasked(target, prediction, mask):
    return np.sum((1 - mask) * (prediction - target) ** 2) / np.sum(1 - mask)


def rmse_masked(target, prediction, mask):
    return np.sqrt(mse_masked(target, prediction, mask))


def mae_masked(target, prediction, mask):
    return np.sum(mask * np.abs(prediction - target)) / np.sum(mask)


@pytest.mark.parametrize("answer", [mse_masked, mse_boolean, self_supervised.masked_mse])
def test_masked_mse_correct_answers_pass(answer):
    assert _feedback("masked_mse", answer).passed


@pytest.mark.parametrize("answer, words", [
    (mse_everywhere, "mean over every pixel"),
    (mse_divided_by_all, "divided by the number of all pixels"),
    (mse_unmasked, "could see"),
    (rmse_masked, "root mean square"),
    (mae_masked, "absolute"),
])
def test_masked_mse_typical_mistakes_are_explained(answer, words):
    feedback = _feedback("masked_mse", answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.message


def test_masked_mse_array_instead_of_number():
    feedback = _feedback("masked_mse", lambda t, p, m: m * (p - t) ** 2)
    assert not feedback.passed and "single number" in feedback.message


# --- quantize_int8 ------------------------------------------------------------------------------


def quantize_right(weights):
    scale = np.max(np.abs(weights)) / 127
    return np.round(weights / scale).astype(np.int8), float(scale)


def quantize_max_not_abs(weights):
    scale = np.max(weights) / 127
    return np.clip(np.round(weights / scale), -127, 127).astype(np.int8), float(scale)


def quantize_128(weights):
    scale = np.max(np.abs(weights)) / 128
    return np.clip(np.round(weights / scale), -128, 127).astype(np.int8), float(scale)


def quantize_255(weights):
    scale = np.max(np.abs(weights)) / 255
    return np.clip(np.round(weights / scale), -127, 127).astype(np.int8), float(scale)


def quantize_truncate(weights):
    scale = np.max(np.abs(weights)) / 127
    return (weights / scale).astype(np.int8), float(scale)


def quantize_float(weights):
    scale = np.max(np.abs(weights)) / 127
    return np.round(weights / scale), float(scale)


def quantize_scale_only(weights):
    return np.max(np.abs(weights)) / 127


@pytest.mark.parametrize("answer", [quantize_right, lambda weights: models.deployment.quantize_symmetric(weights)])
def test_quantize_int8_correct_answers_pass(answer):
    assert _feedback("quantize_int8", answer).passed


@pytest.mark.parametrize("answer, words", [
    (quantize_max_not_abs, "max(|w|)"),
    (quantize_128, "divided by 128"),
    (quantize_255, "divided by 255"),
    (quantize_truncate, "round to the nearest integer"),
    (quantize_float, "int8 array"),
    (quantize_scale_only, "tuple (quantized, scale)"),
])
def test_quantize_int8_typical_mistakes_are_explained(answer, words):
    feedback = _feedback("quantize_int8", answer)
    assert not feedback.passed
    assert words.lower() in feedback.message.lower()


def test_the_module_exports_its_checks():
    assert set(outlook.__all__) == {f"check_{key}" for key in KEYS}


def test_all_zero_weights_quantize_to_zeros_with_scale_one():
    """No division by zero: a zero layer is stored exactly, with the library's scale 1.0."""
    weights = np.zeros((3, 3, 1, 2))
    with np.errstate(all="raise"):
        quantized, scale = outlook._quantize_int8_reference(weights)
    assert quantized.dtype == np.int8 and not quantized.any() and scale == 1.0
    library_quantized, library_scale = models.deployment.quantize_symmetric(weights)
    assert scale == library_scale and np.array_equal(quantized, library_quantized)
