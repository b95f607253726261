"""The checks of notebook 09: correct answers pass, the usual mistakes get the right feedback."""

import numpy as np
import pytest

from course_lib import checks, degradations, video
from course_lib.checks import applications as application_checks

KEYS = ["anscombe", "precision_recall", "align_and_average", "flicker"]


def test_the_exercises_are_registered_in_the_notebook_order_with_three_hints_each():
    assert checks.list_exercises("09_applications") == KEYS
    assert all(len(checks.exercise(key).hints) >= 3 for key in KEYS)
    assert set(application_checks.__all__) == {f"check_{key}" for key in KEYS}
    for name in application_checks.__all__:
        assert callable(getattr(checks, name))


def test_the_solutions_come_from_the_solution_notebook():
    for key in KEYS:
        text = repr(checks.solution(key))
        assert f"def {checks.exercise(key).function_name}(" in text and "BEGIN SOLUTION" not in text


def _stub(*args):
    raise NotImplementedError("Write your code here, then run the check below.")


@pytest.mark.parametrize("key", KEYS)
def test_a_stub_is_not_attempted(key):
    feedback = checks.check(key, _stub)
    assert feedback.status == checks.NOT_ATTEMPTED
    assert "not attempted yet" in feedback.text()


# --- anscombe ------------------------------------------------------------------------------------------


def anscombe_transform(noisy, peak):
    return 2.0 * np.sqrt(peak * noisy + 3.0 / 8.0)


def test_a_correct_anscombe_passes_and_agrees_with_the_library():
    assert checks.check_anscombe(anscombe_transform).passed
    noisy = degradations.add_poisson_noise(np.full((4, 4), 0.3), 20, seed=0)
    np.testing.assert_allclose(anscombe_transform(noisy, 20), degradations.anscombe(20 * noisy), rtol=1e-6)


@pytest.mark.parametrize("answer, words", [
    (lambda noisy, peak: 2 * np.sqrt(noisy + 3 / 8), "not the photon counts"),
    (lambda noisy, peak: 2 * np.sqrt(peak * noisy), "3/8 is missing"),
    (lambda noisy, peak: np.sqrt(peak * noisy + 3 / 8), "factor 2 is missing"),
    (lambda noisy, peak: 2 * np.sqrt(peak * noisy) + 3 / 8, "inside the square root"),
    (lambda noisy, peak: 2 * np.sqrt(noisy / peak + 3 / 8), "divided by peak"),
    (lambda noisy, peak: 2 * np.sqrt(peak * noisy + 1 / 8), "then return 2 * np.sqrt(k + 3/8)"),
])
def test_usual_anscombe_mistakes_are_named(answer, words):
    feedback = checks.check_anscombe(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.text()


def test_an_integer_anscombe_is_a_wrong_type():
    feedback = checks.check_anscombe(lambda noisy, peak: np.round(anscombe_transform(noisy, peak)).astype(int))
    assert feedback.status == checks.WRONG_VALUES and "floating-point" in feedback.text()


# --- precision_recall ------------------------------------------------------------------------------


def precision_recall(detected, truth):
    hits = np.count_nonzero(detected & truth)
    return hits / np.count_nonzero(detected), hits / np.count_nonzero(truth)


def test_a_correct_precision_recall_passes():
    assert checks.check_precision_recall(precision_recall).passed
    assert checks.check_precision_recall(lambda d, t: list(precision_recall(d, t))).passed


@pytest.mark.parametrize("answer, words", [
    (lambda d, t: precision_recall(d, t)[::-1], "swapped"),
    (lambda d, t: (np.mean(d == t), np.mean(d == t)), "accuracy"),
    (lambda d, t: (np.count_nonzero(d & t) / np.count_nonzero(d | t),) * 2, "intersection over union"),
    (lambda d, t: (np.count_nonzero(d & t),) * 2, "not the number of hits"),
    (lambda d, t: tuple(100 * value for value in precision_recall(d, t)), "not percentages"),
    (lambda d, t: (np.count_nonzero(d & t) / d.size, np.count_nonzero(d & t) / t.size), "hits / detected pixels"),
])
def test_usual_precision_recall_mistakes_are_named(answer, words):
    feedback = checks.check_precision_recall(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.text()


def test_a_single_number_is_a_wrong_type():
    feedback = checks.check_precision_recall(lambda d, t: precision_recall(d, t)[0])
    assert not feedback.passed and "tuple of 2 values" in feedback.text()


# --- align_and_average -----------------------------------------------------------------------------


def align_and_average(frames, shifts):
    aligned = [np.roll(frame, (-int(rows), -int(columns)), axis=(0, 1))
               for frame, (rows, columns) in zip(frames, shifts)]
    return np.mean(aligned, axis=0)


def test_a_correct_align_and_average_passes_and_agrees_with_the_library_for_whole_pixels():
    assert checks.check_align_and_average(align_and_average).passed
    rng = np.random.default_rng(0)
    frames, shifts = rng.random((4, 12, 13)), np.array([[0, 0], [1, -2], [2, 1], [-1, 0]])
    library = video.temporal_average(frames, shifts, radius=3)[0]  # frame 0 has shift (0, 0)
    ours = align_and_average(frames, shifts)
    np.testing.assert_allclose(library[3:-3, 3:-3], ours[3:-3, 3:-3], atol=1e-6)  # the library does not wrap around


@pytest.mark.parametrize("answer, words", [
    (lambda f, s: application_checks._roll_average(f, s, sign=1), "further instead of back"),
    (lambda f, s: application_checks._roll_average(f, s, swap_axes=True), "Rows and columns are swapped"),
    (lambda f, s: np.mean(f, axis=0), "without aligning"),
    (lambda f, s: application_checks._roll_average(f, s, reducer=np.median), "median"),
])
def test_usual_align_and_average_mistakes_are_named(answer, words):
    feedback = checks.check_align_and_average(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.text()


def test_returning_the_aligned_stack_says_to_average_it():
    def stack(frames, shifts):
        return np.stack([np.roll(frame, (-int(r), -int(c)), axis=(0, 1)) for frame, (r, c) in zip(frames, shifts)])

    feedback = checks.check_align_and_average(stack)
    assert not feedback.passed and "Average the aligned frames over time" in feedback.text()


# --- flicker ---------------------------------------------------------------------------------------


def flicker(restored, clean):
    return float(np.mean(np.abs(np.diff(restored - clean, axis=0))))


def test_a_correct_flicker_passes_and_agrees_with_the_library():
    assert checks.check_flicker(flicker).passed
    rng = np.random.default_rng(0)
    restored, clean = rng.random((3, 5, 6)), rng.random((3, 5, 6))
    assert flicker(restored, clean) == pytest.approx(video.flicker(restored, clean))


def _temporal(frames):
    return np.mean(np.abs(np.diff(frames, axis=0)))


@pytest.mark.parametrize("answer, words", [
    (lambda r, c: _temporal(r) - _temporal(c), "subtracted the clean sequence's temporal difference"),
    (lambda r, c: np.mean(np.abs(r - c)), "mean absolute error"),
    (lambda r, c: np.mean(np.diff(r - c, axis=0)), "Take the absolute value"),
    (lambda r, c: np.mean(np.diff(r - c, axis=0) ** 2), "not their square"),
    (lambda r, c: np.mean(np.abs(np.diff(r - c, axis=1))), "along the rows"),
    (lambda r, c: np.mean(np.abs(np.diff(r - c, axis=2))), "along the columns"),
    (lambda r, c: _temporal(r), "the clean video changes too"),
    (lambda r, c: 255 * flicker(r, c), "scale of the frames"),
])
def test_usual_flicker_mistakes_are_named(answer, words):
    feedback = checks.check_flicker(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert words in feedback.text()


def test_an_array_instead_of_a_number_is_a_wrong_type():
    feedback = checks.check_flicker(lambda r, c: np.abs(np.diff(r - c, axis=0)))
    assert not feedback.passed and "single number" in feedback.text()
