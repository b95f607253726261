"""The checks of notebook 03: correct answers pass, typical mistakes get the right feedback."""

import numpy as np
import pytest
import scipy.ndimage
import skimage.exposure
import skimage.filters

from course_lib import checks
from course_lib.checks import enhancement as enhancement_checks


def _status(key, function):
    return checks.run_check(key, function).status


def test_the_module_lists_its_checks_and_registers_its_exercises():
    assert sorted(enhancement_checks.__all__) == sorted(f"check_{key}" for key in
                                                        checks.list_exercises(enhancement_checks.NOTEBOOK))
    assert checks.list_exercises(enhancement_checks.NOTEBOOK) == [
        "histogram", "cdf", "equalize_histogram", "gamma_correct", "unsharp_mask"]
    for name in enhancement_checks.__all__:
        assert callable(getattr(checks, name))


@pytest.mark.parametrize("key", ["histogram", "cdf", "equalize_histogram", "gamma_correct", "unsharp_mask"])
def test_a_stub_is_not_attempted_and_every_exercise_has_hints(key):
    def stub(*args, **kwargs):
        raise NotImplementedError

    feedback = getattr(checks, f"check_{key}")(stub)
    assert feedback.status == checks.NOT_ATTEMPTED
    assert f"[{key}] not attempted yet" in feedback.text()
    assert 2 <= len(checks.exercise(key).hints) <= 4


# --- histogram ------------------------------------------------------------------------


def _histogram_with_numpy(image, bins=256):
    return np.histogram(image, bins=bins, range=(0.0, 1.0))[0]


def _histogram_with_floor(image, bins=256):
    indices = np.minimum(np.floor(image * bins).astype(int), bins - 1)
    return np.bincount(indices.ravel(), minlength=bins)


def _histogram_with_loops(image, bins=256):
    counts = np.zeros(bins)
    for value in image.ravel():
        counts[min(int(value * bins), bins - 1)] += 1
    return counts


@pytest.mark.parametrize("function", [_histogram_with_numpy, _histogram_with_floor, _histogram_with_loops])
def test_histogram_accepts_correct_answers(function):
    assert checks.check_histogram(function).passed


def test_histogram_catches_typical_mistakes():
    # numpy.histogram without a range spans the image's own min..max, not [0, 1]
    assert _status("histogram", lambda image, bins=256: np.histogram(image, bins=bins)[0]) == checks.WRONG_VALUES
    # 1.0 lands one past the last bin
    assert _status("histogram", lambda image, bins=256: np.bincount(
        np.floor(image * bins).astype(int).ravel(), minlength=bins)) == checks.WRONG_SHAPE
    # rounding instead of flooring
    assert _status("histogram", lambda image, bins=256: np.bincount(
        np.minimum(np.round(image * bins).astype(int), bins - 1).ravel(), minlength=bins)) == checks.WRONG_VALUES


def test_histogram_explains_a_returned_pair_instead_of_raising():
    feedback = checks.check_histogram(lambda image, bins=256: np.histogram(image, bins=bins, range=(0, 1)))
    assert feedback.status == checks.WRONG_TYPE


# --- cdf ------------------------------------------------------------------------------


@pytest.mark.parametrize("function", [
    lambda counts: np.cumsum(counts) / np.sum(counts),
    lambda counts: np.cumsum(counts) / np.cumsum(counts)[-1],
    lambda counts: np.array([sum(counts[: k + 1]) for k in range(len(counts))]) / sum(counts),
])
def test_cdf_accepts_correct_answers(function):
    assert checks.check_cdf(function).passed


def test_cdf_catches_typical_mistakes():
    feedback = checks.check_cdf(lambda counts: np.cumsum(counts))  # not normalised
    assert feedback.status == checks.WRONG_VALUES
    assert "should lie in [0.0, 1.0]" in feedback.message
    assert _status("cdf", lambda counts: np.cumsum(counts) / np.max(counts)) == checks.WRONG_VALUES
    assert _status("cdf", lambda counts: counts / np.sum(counts)) == checks.WRONG_VALUES  # not cumulative
    assert _status("cdf", lambda counts: np.cumsum(counts)[1:] / np.sum(counts)) == checks.WRONG_SHAPE
    assert _status("cdf", lambda counts: (np.cumsum(counts) // np.sum(counts))) == checks.WRONG_VALUES


# --- equalize_histogram ---------------------------------------------------------------


def _equalize_step_by_step(image, bins=256):
    counts, edges = np.histogram(image, bins=bins)
    cdf = np.cumsum(counts) / counts.sum()
    centers = (edges[:-1] + edges[1:]) / 2
    return np.interp(image, centers, cdf)


def _equalize_in_float64(image, bins=256):
    return _equalize_step_by_step(np.asarray(image, dtype=np.float64), bins)


@pytest.mark.parametrize("function", [
    _equalize_step_by_step,
    _equalize_in_float64,
    lambda image, bins=256: skimage.exposure.equalize_hist(image, nbins=bins),
])
def test_equalize_histogram_accepts_correct_answers(function):
    assert checks.check_equalize_histogram(function).passed


def _equalize_without_normalising(image, bins=256):
    counts, edges = np.histogram(image, bins=bins)
    return np.interp(image, (edges[:-1] + edges[1:]) / 2, np.cumsum(counts).astype(float))


def _equalize_over_unit_range(image, bins=256):
    counts, edges = np.histogram(image, bins=bins, range=(0, 1))
    return np.interp(image, (edges[:-1] + edges[1:]) / 2, np.cumsum(counts) / counts.sum())


def _equalize_by_table_look_up(image, bins=256):
    counts, edges = np.histogram(image, bins=bins)
    cdf = np.cumsum(counts) / counts.sum()
    indices = np.clip(np.searchsorted(edges, image, side="right") - 1, 0, bins - 1)
    return cdf[indices]


def test_equalize_histogram_catches_typical_mistakes():
    feedback = checks.check_equalize_histogram(_equalize_without_normalising)
    assert feedback.status == checks.WRONG_VALUES
    assert "should lie in" in feedback.message
    assert _status("equalize_histogram", _equalize_over_unit_range) == checks.WRONG_VALUES
    assert _status("equalize_histogram", _equalize_by_table_look_up) == checks.WRONG_VALUES
    assert _status("equalize_histogram", lambda image, bins=256: np.round(
        _equalize_step_by_step(image, bins) * 255).astype(np.uint8)) == checks.WRONG_TYPE


# --- gamma_correct --------------------------------------------------------------------


@pytest.mark.parametrize("function", [
    lambda image, gamma: image**gamma,
    lambda image, gamma: np.power(image, gamma),
    lambda image, gamma: np.exp(gamma * np.log(np.maximum(image, 1e-300))) * (image > 0),
    lambda image, gamma: skimage.exposure.adjust_gamma(image, gamma),
])
def test_gamma_correct_accepts_correct_answers(function):
    assert checks.check_gamma_correct(function).passed


def test_gamma_correct_catches_typical_mistakes():
    assert _status("gamma_correct", lambda image, gamma: image ** (1 / gamma)) == checks.WRONG_VALUES
    assert _status("gamma_correct", lambda image, gamma: 255 * (image / 255) ** gamma) == checks.WRONG_VALUES
    assert _status("gamma_correct", lambda image, gamma: image * gamma) == checks.WRONG_VALUES

    def in_place(image, gamma):
        image **= gamma
        return image

    assert _status("gamma_correct", in_place) == checks.MODIFIED_INPUT


# --- unsharp_mask ---------------------------------------------------------------------


def _unsharp_step_by_step(image, radius=1.0, amount=1.0):
    blurred = scipy.ndimage.gaussian_filter(image, sigma=radius)
    return np.clip(image + amount * (image - blurred), 0.0, 1.0)


@pytest.mark.parametrize("function", [
    _unsharp_step_by_step,
    lambda image, radius=1.0, amount=1.0: np.clip(
        (1 + amount) * image.astype(np.float64) - amount * scipy.ndimage.gaussian_filter(
            image.astype(np.float64), radius), 0, 1),
    lambda image, radius=1.0, amount=1.0: skimage.filters.unsharp_mask(image, radius=radius, amount=amount),
])
def test_unsharp_mask_accepts_correct_answers(function):
    assert checks.check_unsharp_mask(function).passed


def test_unsharp_mask_catches_typical_mistakes():
    without_clip = checks.check_unsharp_mask(lambda image, radius=1.0, amount=1.0: image + amount * (
        image - scipy.ndimage.gaussian_filter(image, radius)))
    assert without_clip.status == checks.WRONG_VALUES
    assert "should lie in" in without_clip.message
    # subtracting the detail blurs instead of sharpening
    assert _status("unsharp_mask", lambda image, radius=1.0, amount=1.0: np.clip(
        image - amount * (image - scipy.ndimage.gaussian_filter(image, radius)), 0, 1)) == checks.WRONG_VALUES
    # the blur itself, or a blur with another boundary rule
    assert _status("unsharp_mask", lambda image, radius=1.0, amount=1.0: scipy.ndimage.gaussian_filter(
        image, radius)) == checks.WRONG_VALUES
    assert _status("unsharp_mask", lambda image, radius=1.0, amount=1.0: np.clip(
        image + amount * (image - scipy.ndimage.gaussian_filter(image, radius, mode="constant")), 0, 1)
    ) == checks.WRONG_VALUES
    # radius used as the kernel size instead of the standard deviation
    assert _status("unsharp_mask", lambda image, radius=1.0, amount=1.0: np.clip(
        image + amount * (image - scipy.ndimage.uniform_filter(image, int(2 * radius + 1))), 0, 1)
    ) == checks.WRONG_VALUES


def test_hints_come_in_order_then_point_to_the_solution():
    checks.reset_hints("gamma_correct")
    try:
        first = repr(checks.hint("gamma_correct"))
        assert first.startswith("Hint 1 of 3")
        for _ in range(2):
            checks.hint("gamma_correct")
        assert "solution(" in repr(checks.hint("gamma_correct"))
    finally:
        checks.reset_hints("gamma_correct")
