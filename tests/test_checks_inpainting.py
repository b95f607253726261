"""The checks of notebook 08: correct answers pass, the usual mistakes get the right feedback."""

import numpy as np
import pytest
from scipy import ndimage

from course_lib import checks, models
from course_lib.checks import inpainting as inpainting_checks

KEYS = ["hole_psnr", "update_mask", "partial_convolution"]


def test_the_exercises_are_registered_in_the_notebook_order_with_three_hints_each():
    assert checks.list_exercises("08_gan_inpainting") == KEYS
    assert all(len(checks.exercise(key).hints) >= 3 for key in KEYS)
    assert set(inpainting_checks.__all__) == {f"check_{key}" for key in KEYS}
    for name in inpainting_checks.__all__:
        assert callable(getattr(checks, name))


# --- hole_psnr -------------------------------------------------------------------------------------


def hole_psnr(reference, estimate, hole):
    return 10 * np.log10(1.0 / np.mean((reference[hole] - estimate[hole]) ** 2))


def test_a_correct_hole_psnr_passes():
    assert checks.check_hole_psnr(hole_psnr).passed


@pytest.mark.parametrize("answer, words", [
    (lambda reference, estimate, hole: 10 * np.log10(1 / np.mean((reference - estimate) ** 2)), "whole image"),
    (lambda reference, estimate, hole: hole_psnr(reference, estimate, ~hole), "known pixels"),
    (lambda reference, estimate, hole: 10 * np.log10(255**2 / np.mean((reference[hole] - estimate[hole]) ** 2)),
     "not 255"),
])
def test_usual_hole_psnr_mistakes_are_named(answer, words):
    feedback = checks.check_hole_psnr(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.text()


def test_summing_the_channels_is_named():
    def summed(reference, estimate, hole):
        error = (reference[hole] - estimate[hole]) ** 2
        return 10 * np.log10(1 / (error.sum(axis=-1).mean() if error.ndim == 2 else error.mean()))

    feedback = checks.check_hole_psnr(summed)
    assert feedback.status == checks.WRONG_VALUES and "not a sum over them" in feedback.text()


# --- update_mask -----------------------------------------------------------------------------------


def update_mask(valid, kernel_size):
    count = ndimage.correlate(np.asarray(valid, float), np.ones((kernel_size, kernel_size)), mode="constant",
                              cval=0.0)
    return (count > 0).astype(float)


def update_mask_with_loops(valid, kernel_size):
    valid = np.asarray(valid, float)
    half = kernel_size // 2
    padded = np.pad(valid, half)
    result = np.zeros_like(valid)
    for row in range(valid.shape[0]):
        for column in range(valid.shape[1]):
            result[row, column] = padded[row : row + kernel_size, column : column + kernel_size].max()
    return result


def test_update_mask_agrees_with_the_partial_convolution_layer():
    rng = np.random.default_rng(0)
    valid = (rng.random((1, 12, 10, 1)) > 0.6).astype(np.float32)
    layer = models.PartialConv2D(2, 3)
    _, updated = layer([rng.random((1, 12, 10, 3)).astype(np.float32), valid])
    np.testing.assert_array_equal(np.asarray(updated)[0, ..., 0], update_mask(valid[0, ..., 0], 3))


@pytest.mark.parametrize("answer", [update_mask, update_mask_with_loops])
def test_correct_update_masks_pass(answer):
    assert checks.check_update_mask(answer).passed


@pytest.mark.parametrize("answer, words", [
    (lambda valid, k: np.asarray(valid, float), "unchanged"),
    (lambda valid, k: ndimage.minimum_filter(np.asarray(valid, float), size=k, mode="constant", cval=0.0),
     "whole window is valid"),
    (lambda valid, k: 1.0 - update_mask(valid, k), "looks like the hole"),
    (lambda valid, k: ndimage.maximum_filter(np.asarray(valid, float), size=k, mode="constant", cval=1.0),
     "beyond the image are missing"),
])
def test_usual_update_mask_mistakes_are_named(answer, words):
    feedback = checks.check_update_mask(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.text()


# --- partial_convolution ---------------------------------------------------------------------------


def partial_convolution(image, valid, kernel, bias):
    summed = ndimage.correlate(image * valid, kernel, mode="constant", cval=0.0)
    count = ndimage.correlate(valid, np.ones_like(kernel), mode="constant", cval=0.0)
    return np.where(count > 0, summed * kernel.size / np.maximum(count, 1), 0.0) + np.where(count > 0, bias, 0.0)


def test_partial_convolution_agrees_with_the_layer():
    rng = np.random.default_rng(1)
    image = rng.random((9, 11)).astype(np.float32)
    valid = (rng.random((9, 11)) > 0.5).astype(np.float32)
    kernel = rng.normal(size=(3, 3)).astype(np.float32)
    layer = models.PartialConv2D(1, 3)
    layer.build([(1, 9, 11, 1), (1, 9, 11, 1)])
    layer.kernel.assign(kernel[..., None, None])
    layer.bias.assign(np.array([0.3], np.float32))
    output, _ = layer([image[None, ..., None], valid[None, ..., None]])
    np.testing.assert_allclose(np.asarray(output)[0, ..., 0], partial_convolution(image, valid, kernel, 0.3),
                               rtol=1e-4, atol=1e-5)


def test_a_correct_partial_convolution_passes():
    assert checks.check_partial_convolution(partial_convolution).passed


@pytest.mark.parametrize("options, words", [
    ({"renormalize": "none"}, "did not renormalize"),
    ({"renormalize": "inverted"}, "upside down"),
    ({"mask_input": False}, "leak"),
    ({"bias_everywhere": True}, "without the bias"),
    ({"flip": True}, "flipped"),
])
def test_usual_partial_convolution_mistakes_are_named(options, words):
    def answer(image, valid, kernel, bias):
        return inpainting_checks._partial_convolution_variant(image, valid, kernel, bias, **options)

    feedback = checks.check_partial_convolution(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.text()


@pytest.mark.parametrize("answer", [
    lambda valid, k: update_mask(valid, k) > 0,  # a boolean mask
    lambda valid, k: (update_mask(valid, k) > 0).astype(np.int64),  # 0/1 integers
    lambda valid, k: ndimage.maximum_filter(np.asarray(valid, bool), size=k, mode="constant", cval=False),
])
def test_a_boolean_or_integer_update_mask_that_compares_equal_passes(answer):
    feedback = checks.check_update_mask(answer)
    assert feedback.passed, feedback.text()


def test_a_wrong_boolean_update_mask_is_still_named():
    feedback = checks.check_update_mask(lambda valid, k: np.asarray(valid, bool))
    assert feedback.status == checks.WRONG_VALUES and "unchanged" in feedback.message


def partial_convolution_divided_by_the_window_size(image, valid, kernel, bias):
    summed = ndimage.correlate(image * valid, kernel, mode="constant", cval=0.0)
    count = ndimage.correlate(valid, np.ones_like(kernel), mode="constant", cval=0.0)
    return np.where(count > 0, summed / kernel.size + bias, 0.0)


def partial_convolution_divided_by_the_count_only(image, valid, kernel, bias):
    summed = ndimage.correlate(image * valid, kernel, mode="constant", cval=0.0)
    count = ndimage.correlate(valid, np.ones_like(kernel), mode="constant", cval=0.0)
    return np.where(count > 0, summed / np.maximum(count, 1) + bias, 0.0)


@pytest.mark.parametrize("answer, words", [
    (partial_convolution_divided_by_the_window_size, "divided by the window size"),
    (partial_convolution_divided_by_the_count_only, "did not multiply by sum(1)"),
])
def test_renormalizing_by_the_window_size_or_the_count_alone_is_named(answer, words):
    feedback = checks.check_partial_convolution(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.message
