"""The checks of notebook 02: correct answers pass, the usual mistakes get the right feedback."""

import numpy as np
import pytest
from scipy import ndimage, signal

from course_lib import checks, frequency
from course_lib.checks import filters as filter_checks

KEYS = ["convolve2d", "gaussian_kernel", "median_filter_3x3", "wiener_filter"]


def _status(check_function, learner_function):
    return check_function(learner_function).status


# --------------------------------------------------------------------------------------
# Correct answers, as a learner would write them
# --------------------------------------------------------------------------------------


def convolve2d_loops(image, kernel):
    kernel_height, kernel_width = kernel.shape
    padded = np.pad(image, ((kernel_height // 2,) * 2, (kernel_width // 2,) * 2))
    flipped = kernel[::-1, ::-1]
    output = np.zeros(image.shape)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            output[i, j] = np.sum(padded[i : i + kernel_height, j : j + kernel_width] * flipped)
    return output


def convolve2d_four_loops(image, kernel):
    """The definition made literal: out-of-range pixels are skipped (they are zero)."""
    height, width = image.shape
    kernel_height, kernel_width = kernel.shape
    center_row, center_col = kernel_height // 2, kernel_width // 2
    output = np.zeros((height, width))
    for i in range(height):
        for j in range(width):
            for p in range(kernel_height):
                for q in range(kernel_width):
                    row, col = i - p + center_row, j - q + center_col
                    if 0 <= row < height and 0 <= col < width:
                        output[i, j] += kernel[p, q] * image[row, col]
    return output


def convolve2d_scipy_signal(image, kernel):
    return signal.convolve2d(image, kernel, mode="same", boundary="fill", fillvalue=0)


def gaussian_kernel_meshgrid(size, sigma):
    offsets = np.arange(size) - size // 2
    rows, cols = np.meshgrid(offsets, offsets, indexing="ij")
    kernel = np.exp(-(rows**2 + cols**2) / (2 * sigma**2))
    return kernel / kernel.sum()


def gaussian_kernel_outer(size, sigma):
    offsets = np.linspace(-(size // 2), size // 2, size)
    profile = np.exp(-(offsets**2) / (2 * sigma**2))
    profile /= profile.sum()
    return np.outer(profile, profile)


def median_loops(image):
    padded = np.pad(image, 1, mode="edge")
    output = np.zeros(image.shape)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            output[i, j] = np.median(padded[i : i + 3, j : j + 3])
    return output


def median_stacked(image):
    padded = np.pad(image, 1, mode="symmetric")  # the same as "edge" for a padding of one pixel
    height, width = image.shape
    views = [padded[row : row + height, col : col + width] for row in range(3) for col in range(3)]
    return np.median(np.stack(views), axis=0)


def median_sliding_window(image):
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(image, 1, mode="edge"), (3, 3))
    return np.median(windows, axis=(-2, -1))


def wiener_otf(blurred, psf, balance):
    transfer = frequency.psf_to_otf(psf, blurred.shape)
    spectrum = np.conj(transfer) * np.fft.fft2(blurred) / (np.abs(transfer) ** 2 + balance)
    return np.real(np.fft.ifft2(spectrum))


def wiener_centred_by_hand(blurred, psf, balance):
    """Pad the PSF, roll its centre to (0, 0), and write the filter as inverse times a shrinkage factor."""
    padded = np.zeros(blurred.shape)
    padded[: psf.shape[0], : psf.shape[1]] = psf
    padded = np.roll(padded, (-(psf.shape[0] // 2), -(psf.shape[1] // 2)), axis=(0, 1))
    transfer = np.fft.fft2(padded)
    power = np.abs(transfer) ** 2
    return np.fft.ifft2(np.fft.fft2(blurred) / transfer * power / (power + balance)).real


@pytest.mark.parametrize(
    "check_function, learner_function",
    [
        (checks.check_convolve2d, convolve2d_loops),
        (checks.check_convolve2d, convolve2d_four_loops),
        (checks.check_convolve2d, convolve2d_scipy_signal),
        (checks.check_gaussian_kernel, gaussian_kernel_meshgrid),
        (checks.check_gaussian_kernel, gaussian_kernel_outer),
        (checks.check_median_filter_3x3, median_loops),
        (checks.check_median_filter_3x3, median_stacked),
        (checks.check_median_filter_3x3, median_sliding_window),
        (checks.check_wiener_filter, wiener_otf),
        (checks.check_wiener_filter, wiener_centred_by_hand),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_correct_answers_pass(check_function, learner_function):
    feedback = check_function(learner_function)
    assert feedback.status == checks.CORRECT, feedback.text()
    assert feedback.passed


# --------------------------------------------------------------------------------------
# Typical wrong answers
# --------------------------------------------------------------------------------------


def correlation_instead_of_convolution(image, kernel):
    return ndimage.correlate(image, kernel, mode="constant")


def convolution_with_reflect_padding(image, kernel):
    return ndimage.convolve(image, kernel, mode="reflect")


def valid_convolution(image, kernel):
    return signal.convolve2d(image, kernel, mode="valid")


def full_convolution(image, kernel):
    return signal.convolve2d(image, kernel, mode="full")


def convolution_into_integer_array(image, kernel):
    output = np.zeros(image.shape, dtype=int)
    output[...] = ndimage.convolve(image, kernel, mode="constant")
    return output


def flips_only_the_rows(image, kernel):
    return ndimage.correlate(image, kernel[::-1, :], mode="constant")


@pytest.mark.parametrize(
    "learner_function, status",
    [
        (correlation_instead_of_convolution, checks.WRONG_VALUES),
        (convolution_with_reflect_padding, checks.WRONG_VALUES),
        (flips_only_the_rows, checks.WRONG_VALUES),
        (valid_convolution, checks.WRONG_SHAPE),
        (full_convolution, checks.WRONG_SHAPE),
        (convolution_into_integer_array, checks.WRONG_TYPE),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_convolve2d_catches_typical_mistakes(learner_function, status):
    assert _status(checks.check_convolve2d, learner_function) == status


def test_correlation_is_caught_on_the_impulse_first():
    feedback = checks.check_convolve2d(correlation_instead_of_convolution)
    assert "test 1 of" in feedback.details[0] and "impulse" in feedback.details[0]


def not_normalised(size, sigma):
    offsets = np.arange(size) - size // 2
    return np.exp(-np.add.outer(offsets**2, offsets**2) / (2 * sigma**2))


def continuous_normalisation(size, sigma):
    offsets = np.arange(size) - size // 2
    return np.exp(-np.add.outer(offsets**2, offsets**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)


def forgets_the_factor_two(size, sigma):
    offsets = np.arange(size) - size // 2
    kernel = np.exp(-np.add.outer(offsets**2, offsets**2) / sigma**2)
    return kernel / kernel.sum()


def sigma_instead_of_variance(size, sigma):
    offsets = np.arange(size) - size // 2
    kernel = np.exp(-np.add.outer(offsets**2, offsets**2) / (2 * sigma))
    return kernel / kernel.sum()


def offsets_not_centred(size, sigma):
    offsets = np.arange(size)
    kernel = np.exp(-np.add.outer(offsets**2, offsets**2) / (2 * sigma**2))
    return kernel / kernel.sum()


def one_dimensional(size, sigma):
    offsets = np.arange(size) - size // 2
    profile = np.exp(-(offsets**2) / (2 * sigma**2))
    return profile / profile.sum()


@pytest.mark.parametrize(
    "learner_function, status",
    [
        (not_normalised, checks.WRONG_VALUES),
        (continuous_normalisation, checks.WRONG_VALUES),
        (forgets_the_factor_two, checks.WRONG_VALUES),
        (sigma_instead_of_variance, checks.WRONG_VALUES),
        (offsets_not_centred, checks.WRONG_VALUES),
        (one_dimensional, checks.WRONG_SHAPE),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_gaussian_kernel_catches_typical_mistakes(learner_function, status):
    assert _status(checks.check_gaussian_kernel, learner_function) == status


def median_with_zero_padding(image):
    return ndimage.median_filter(image, size=3, mode="constant")


def median_with_numpy_reflect(image):
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(image, 1, mode="reflect"), (3, 3))
    return np.median(windows, axis=(-2, -1))


def mean_instead_of_median(image):
    return ndimage.uniform_filter(image, size=3, mode="nearest")


def median_without_padding(image):
    windows = np.lib.stride_tricks.sliding_window_view(image, (3, 3))
    return np.median(windows, axis=(-2, -1))


def median_in_place(image):
    image[...] = ndimage.median_filter(image, size=3, mode="nearest")
    return image


@pytest.mark.parametrize(
    "learner_function, status",
    [
        (median_with_zero_padding, checks.WRONG_VALUES),
        (median_with_numpy_reflect, checks.WRONG_VALUES),
        (mean_instead_of_median, checks.WRONG_VALUES),
        (median_without_padding, checks.WRONG_SHAPE),
        (median_in_place, checks.MODIFIED_INPUT),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_median_filter_catches_typical_mistakes(learner_function, status):
    assert _status(checks.check_median_filter_3x3, learner_function) == status


def wiener_without_conjugate(blurred, psf, balance):
    transfer = frequency.psf_to_otf(psf, blurred.shape)
    return np.real(np.fft.ifft2(transfer * np.fft.fft2(blurred) / (np.abs(transfer) ** 2 + balance)))


def wiener_psf_not_centred(blurred, psf, balance):
    transfer = np.fft.fft2(psf, s=blurred.shape)
    return np.real(np.fft.ifft2(np.conj(transfer) * np.fft.fft2(blurred) / (np.abs(transfer) ** 2 + balance)))


def naive_inverse_plus_balance(blurred, psf, balance):
    transfer = frequency.psf_to_otf(psf, blurred.shape)
    return np.real(np.fft.ifft2(np.fft.fft2(blurred) / (transfer + balance)))


def wiener_complex_result(blurred, psf, balance):
    transfer = frequency.psf_to_otf(psf, blurred.shape)
    return np.fft.ifft2(np.conj(transfer) * np.fft.fft2(blurred) / (np.abs(transfer) ** 2 + balance))


@pytest.mark.parametrize(
    "learner_function, status",
    [
        (wiener_without_conjugate, checks.WRONG_VALUES),
        (wiener_psf_not_centred, checks.WRONG_VALUES),
        (naive_inverse_plus_balance, checks.WRONG_VALUES),
        (wiener_complex_result, checks.WRONG_TYPE),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_wiener_filter_catches_typical_mistakes(learner_function, status):
    assert _status(checks.check_wiener_filter, learner_function) == status


def test_complex_result_feedback_says_take_the_real_part():
    feedback = checks.check_wiener_filter(wiener_complex_result)
    assert "np.real" in feedback.message


# --------------------------------------------------------------------------------------
# The exercises themselves
# --------------------------------------------------------------------------------------


def test_notebook_02_registers_its_exercises_in_order():
    assert checks.list_exercises("02_classical_filters") == KEYS
    assert set(filter_checks.__all__) == {f"check_{key}" for key in KEYS}


@pytest.mark.parametrize("key", KEYS)
def test_stub_is_not_attempted_and_non_function_is_wrong_type(key):
    def stub(*args):
        raise NotImplementedError

    check_function = getattr(checks, f"check_{key}")
    assert check_function(stub).status == checks.NOT_ATTEMPTED
    assert check_function(None).status == checks.WRONG_TYPE


@pytest.mark.parametrize("key", KEYS)
def test_exercises_have_graded_hints_and_an_edge_case(key):
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
