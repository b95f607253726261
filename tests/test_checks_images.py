"""The checks of notebook 01: correct answers pass, the typical mistakes get the right feedback."""

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import images

NOTEBOOK = "01_images_degradations_metrics"
KEYS = ["to_float", "rgb_to_gray", "add_gaussian_noise", "mse", "psnr"]
CHECKS = {
    "to_float": images.check_to_float,
    "rgb_to_gray": images.check_rgb_to_gray,
    "add_gaussian_noise": images.check_add_gaussian_noise,
    "mse": images.check_mse,
    "psnr": images.check_psnr,
}


@pytest.fixture(autouse=True)
def _fresh_hints():
    checks.reset_hints()
    yield
    checks.reset_hints()


def _status(key, function):
    return CHECKS[key](function).status


def _not_attempted(*args, **kwargs):
    raise NotImplementedError("Write your code here, then run the check below.")


def test_the_notebook_registers_its_exercises_in_order():
    assert checks.list_exercises(NOTEBOOK) == KEYS
    assert sorted(images.__all__) == sorted(f"check_{key}" for key in KEYS)
    for key in KEYS:
        assert getattr(checks, f"check_{key}") is CHECKS[key]


@pytest.mark.parametrize("key", KEYS)
def test_every_exercise_has_a_few_graded_hints_and_small_cases(key):
    item = checks.exercise(key)
    assert item.notebook == NOTEBOOK
    assert 2 <= len(item.hints) <= 4
    cases = item.cases()
    assert 3 <= len(cases) <= 6
    for case in cases:
        assert case.label, "every case says what it is"
        for value in case.args:
            if isinstance(value, np.ndarray):
                assert value.size <= 300, "keep cases small so a loop implementation is fast"


@pytest.mark.parametrize("key", KEYS)
def test_a_stub_is_not_attempted(key):
    feedback = CHECKS[key](_not_attempted)
    assert feedback.status == checks.NOT_ATTEMPTED
    assert f"[{key}] not attempted yet" in feedback.text()


@pytest.mark.parametrize("key", KEYS)
def test_the_solution_comes_from_the_solution_notebook(key):
    text = repr(checks.solution(key))
    assert f"def {key}(" in text
    assert "### BEGIN SOLUTION" not in text


@pytest.mark.parametrize("key", KEYS)
def test_hints_come_one_at_a_time_then_say_they_are_done(key):
    count = len(checks.exercise(key).hints)
    for number in range(1, count + 1):
        assert repr(checks.hint(key)).startswith(f"Hint {number} of {count}")
    assert "No more hints" in repr(checks.hint(key))


# ------------------------------------------------------------------------------- to_float


@pytest.mark.parametrize("answer", [
    lambda image: image / 255,
    lambda image: image.astype(np.float32) / 255.0,
    lambda image: np.asarray(image, dtype=np.float64) * (1 / 255),
])
def test_to_float_accepts_correct_answers(answer):
    assert _status("to_float", answer) == checks.CORRECT


@pytest.mark.parametrize("answer, status", [
    (lambda image: image / 256, checks.WRONG_VALUES),  # white would be 0.996, not 1
    (lambda image: image.astype(np.float32), checks.WRONG_VALUES),  # still 0-255
    (lambda image: image // 255, checks.WRONG_TYPE),  # integer division
    (lambda image: (image / 255).astype(np.uint8), checks.WRONG_TYPE),
    (lambda image: image[..., 0] / 255, checks.WRONG_SHAPE),
])
def test_to_float_catches_typical_mistakes(answer, status):
    assert _status("to_float", answer) == status


def test_to_float_says_values_are_out_of_range_when_not_scaled():
    feedback = images.check_to_float(lambda image: image.astype(np.float64))
    assert "should lie in [0.0, 1.0]" in feedback.message


# ---------------------------------------------------------------------------- rgb_to_gray


@pytest.mark.parametrize("answer", [
    lambda image: 0.299 * image[..., 0] + 0.587 * image[..., 1] + 0.114 * image[..., 2],
    lambda image: image @ np.array([0.299, 0.587, 0.114]),
    lambda image: np.einsum("hwc,c->hw", image, [0.299, 0.587, 0.114]),
])
def test_rgb_to_gray_accepts_correct_answers(answer):
    assert _status("rgb_to_gray", answer) == checks.CORRECT


@pytest.mark.parametrize("answer, status", [
    (lambda image: image.mean(axis=-1), checks.WRONG_VALUES),  # plain mean
    (lambda image: image @ np.array([0.2125, 0.7154, 0.0721]), checks.WRONG_VALUES),  # Rec. 709 (skimage)
    (lambda image: image @ np.array([0.114, 0.587, 0.299]), checks.WRONG_VALUES),  # BGR order (OpenCV habit)
    (lambda image: image @ np.array([[0.299], [0.587], [0.114]]), checks.WRONG_SHAPE),  # (H, W, 1)
    (lambda image: image.sum(axis=-1), checks.WRONG_VALUES),  # out of [0, 1]
])
def test_rgb_to_gray_catches_typical_mistakes(answer, status):
    assert _status("rgb_to_gray", answer) == status


def test_rgb_to_gray_reports_the_first_case_for_the_plain_mean():
    feedback = images.check_rgb_to_gray(lambda image: image.mean(axis=-1))
    assert "pure red, pure green, pure blue" in " ".join(feedback.details)


# --------------------------------------------------------------------- add_gaussian_noise


def _noise_with_standard_normal(image, sigma, rng):
    return image + rng.standard_normal(image.shape) * (sigma / 255)


def _noise_in_place(image, sigma, rng):
    image += rng.normal(0, sigma / 255, image.shape)
    return image


@pytest.mark.parametrize("answer", [
    lambda image, sigma, rng: image + rng.normal(0.0, sigma / 255.0, size=image.shape),
    _noise_with_standard_normal,
    lambda image, sigma, rng: (image + rng.normal(0, sigma / 255, image.shape)).astype(np.float32),
])
def test_add_gaussian_noise_accepts_correct_answers(answer):
    assert _status("add_gaussian_noise", answer) == checks.CORRECT


@pytest.mark.parametrize("answer, status", [
    (lambda image, sigma, rng: image + rng.normal(0, sigma, image.shape), checks.WRONG_VALUES),  # 0-255 scale
    (lambda image, sigma, rng: image + rng.normal(0, (sigma / 255) ** 2, image.shape), checks.WRONG_VALUES),
    (lambda image, sigma, rng: np.clip(image + rng.normal(0, sigma / 255, image.shape), 0, 1),
     checks.WRONG_VALUES),
    (lambda image, sigma, rng: image + np.random.default_rng().normal(0, sigma / 255, image.shape),
     checks.WRONG_VALUES),  # ignores the generator it was given
    (lambda image, sigma, rng: image + rng.normal(0, sigma / 255), checks.WRONG_VALUES),  # one number
    (lambda image, sigma, rng: rng.normal(0, sigma / 255, image.shape), checks.WRONG_VALUES),  # noise only
    (_noise_in_place, checks.MODIFIED_INPUT),
])
def test_add_gaussian_noise_catches_typical_mistakes(answer, status):
    assert _status("add_gaussian_noise", answer) == status


def test_add_gaussian_noise_reference_is_the_library_function():
    rng_seed = 11
    image = np.random.default_rng(0).random((5, 5))
    expected = image + np.random.default_rng(rng_seed).normal(0, 20 / 255, image.shape)
    from course_lib import degradations

    np.testing.assert_allclose(degradations.add_gaussian_noise(image, 20, seed=rng_seed), expected, rtol=1e-6)


# ------------------------------------------------------------------------------------ mse


def _difference(reference, estimate):
    return np.asarray(reference, dtype=np.float64) - np.asarray(estimate, dtype=np.float64)



@pytest.mark.parametrize("answer", [
    lambda reference, estimate: np.mean(_difference(reference, estimate) ** 2),
    lambda reference, estimate: float(np.sum(np.square(_difference(reference, estimate))) / reference.size),
    lambda reference, estimate: np.square(np.subtract(estimate.astype(float), reference.astype(float))).mean(),
])
def test_mse_accepts_correct_answers(answer):
    assert _status("mse", answer) == checks.CORRECT


def _mse_with_loops(reference, estimate):
    total, count = 0.0, 0
    for value, other in zip(reference.ravel(), estimate.ravel()):
        total += (float(value) - float(other)) ** 2
        count += 1
    return total / count


def test_mse_accepts_a_loop():
    assert _status("mse", _mse_with_loops) == checks.CORRECT


@pytest.mark.parametrize("answer, status", [
    (lambda reference, estimate: np.sum(_difference(reference, estimate) ** 2), checks.WRONG_VALUES),  # sum
    (lambda reference, estimate: np.mean(_difference(reference, estimate)) ** 2, checks.WRONG_VALUES),  # square of mean
    (lambda reference, estimate: np.mean(np.abs(_difference(reference, estimate))), checks.WRONG_VALUES),  # MAE
    (lambda reference, estimate: np.sqrt(np.mean(_difference(reference, estimate) ** 2)),
     checks.WRONG_VALUES),  # RMSE
    (lambda reference, estimate: _difference(reference, estimate) ** 2, checks.WRONG_TYPE),  # the map, not a number
])
def test_mse_catches_typical_mistakes(answer, status):
    assert _status("mse", answer) == status


# ----------------------------------------------------------------------------------- psnr


def _psnr(reference, estimate, data_range=1.0):
    error = np.mean(_difference(reference, estimate) ** 2)
    if error == 0:
        return float("inf")
    return 10 * np.log10(data_range**2 / error)


def _psnr_from_rmse(reference, estimate, data_range=1.0):
    rmse = np.sqrt(np.mean(_difference(reference, estimate) ** 2))
    return float("inf") if rmse == 0 else 20 * np.log10(data_range / rmse)


def _psnr_with_255(reference, estimate, data_range=1.0):
    error = np.mean(_difference(reference, estimate) ** 2)
    return float("inf") if error == 0 else 10 * np.log10(255**2 / error)


def _psnr_ignoring_data_range(reference, estimate, data_range=1.0):
    error = np.mean(_difference(reference, estimate) ** 2)
    return float("inf") if error == 0 else 10 * np.log10(1.0 / error)


def _psnr_natural_log(reference, estimate, data_range=1.0):
    error = np.mean(_difference(reference, estimate) ** 2)
    return float("inf") if error == 0 else 10 * np.log(data_range**2 / error)


def _psnr_with_20(reference, estimate, data_range=1.0):
    error = np.mean(_difference(reference, estimate) ** 2)
    return float("inf") if error == 0 else 20 * np.log10(data_range**2 / error)


def _psnr_without_square(reference, estimate, data_range=1.0):
    error = np.mean(_difference(reference, estimate) ** 2)
    return float("inf") if error == 0 else 10 * np.log10(data_range / error)


def _psnr_zero_division(reference, estimate, data_range=1.0):
    error = float(np.mean(_difference(reference, estimate) ** 2))
    return 10 * np.log10(data_range**2 / error)


def _psnr_zero_for_identical(reference, estimate, data_range=1.0):
    error = np.mean(_difference(reference, estimate) ** 2)
    return 0.0 if error == 0 else 10 * np.log10(data_range**2 / error)


@pytest.mark.parametrize("answer", [_psnr, _psnr_from_rmse])
def test_psnr_accepts_correct_answers(answer):
    assert _status("psnr", answer) == checks.CORRECT


@pytest.mark.parametrize("answer, status", [
    (_psnr_with_255, checks.WRONG_VALUES),  # data_range 255 on [0, 1] images
    (_psnr_ignoring_data_range, checks.WRONG_VALUES),  # fails on the 8-bit case
    (_psnr_natural_log, checks.WRONG_VALUES),
    (_psnr_with_20, checks.WRONG_VALUES),
    (_psnr_without_square, checks.WRONG_VALUES),
    (_psnr_zero_division, checks.ERROR),  # ZeroDivisionError on identical images
    (_psnr_zero_for_identical, checks.WRONG_VALUES),
    (lambda reference, estimate: _psnr(reference, estimate), checks.ERROR),  # no data_range argument
])
def test_psnr_catches_typical_mistakes(answer, status):
    assert _status("psnr", answer) == status


def test_psnr_feedback_for_data_range_255_shows_both_values():
    feedback = images.check_psnr(_psnr_with_255)
    assert "expected 20, got 68.1308" in feedback.message


def test_psnr_names_the_identical_images_case_when_dividing_by_zero():
    feedback = images.check_psnr(_psnr_zero_division)
    assert "ZeroDivisionError" in feedback.message
    assert any("identical images" in line for line in feedback.details)


# ------------------------------------------------------------- uint8 images and named mistakes

_WRAPPED_MSE = [
    lambda reference, estimate: np.mean((reference - estimate) ** 2),  # wraps twice
    lambda reference, estimate: np.mean((reference - estimate).astype(np.float64) ** 2),  # cast too late
    lambda reference, estimate: float(np.mean(np.square(np.subtract(reference, estimate)))),
]


@pytest.mark.parametrize("answer", _WRAPPED_MSE)
def test_mse_without_a_cast_to_float_fails_on_uint8_images_and_says_why(answer):
    feedback = images.check_mse(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert "uint8" in feedback.message and "wraps around" in feedback.message
    assert "astype(np.float64)" in feedback.message


@pytest.mark.parametrize("answer", _WRAPPED_MSE)
def test_psnr_without_a_cast_to_float_fails_on_uint8_images_and_says_why(answer):
    def psnr(reference, estimate, data_range=1.0):
        error = answer(reference, estimate)
        return float("inf") if error == 0 else 10 * np.log10(data_range ** 2 / error)

    feedback = images.check_psnr(psnr)
    assert feedback.status == checks.WRONG_VALUES
    assert "uint8" in feedback.message and "wraps around" in feedback.message


@pytest.mark.parametrize("key, answer, words", [
    ("to_float", lambda image: image / 256, "divided by 256"),
    ("to_float", lambda image: image.astype(np.float64), "not the scale"),
    ("rgb_to_gray", lambda image: image.mean(axis=-1), "plain mean"),
    ("rgb_to_gray", lambda image: 0.114 * image[..., 0] + 0.587 * image[..., 1] + 0.299 * image[..., 2], "BGR"),
    ("add_gaussian_noise", lambda image, sigma, rng: np.clip(image + rng.normal(0, sigma / 255, image.shape), 0, 1),
     "clipped"),
    ("add_gaussian_noise", lambda image, sigma, rng: image + rng.normal(0, sigma, image.shape), "255 times"),
    ("add_gaussian_noise", lambda image, sigma, rng: image + rng.normal(0, (sigma / 255) ** 2, image.shape),
     "variance"),
    ("add_gaussian_noise", lambda image, sigma, rng: rng.normal(0, sigma / 255, image.shape), "noise alone"),
    ("mse", lambda reference, estimate: np.sum(_difference(reference, estimate) ** 2), "sum of the squared"),
    ("mse", lambda reference, estimate: np.mean(_difference(reference, estimate)) ** 2, "squared the mean"),
    ("mse", lambda reference, estimate: np.mean(np.abs(_difference(reference, estimate))), "mean absolute"),
    ("mse", lambda reference, estimate: np.sqrt(np.mean(_difference(reference, estimate) ** 2)), "RMSE"),
    ("psnr", _psnr_natural_log, "natural logarithm"),
    ("psnr", _psnr_with_20, "twice the PSNR"),
    ("psnr", _psnr_without_square, "not squared"),
])
def test_typical_mistakes_are_named(key, answer, words):
    feedback = CHECKS[key](answer)
    assert not feedback.passed
    assert words in feedback.message, feedback.message
