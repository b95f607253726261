"""Exercises of notebook 09 (applications).

* ``anscombe``: the Anscombe transform of a Poisson image ``y = k / peak``,
  ``2 sqrt(peak * y + 3/8)``; checked against :func:`course_lib.degradations.anscombe`.
  Recognizes the transform of the intensities instead of the counts (``peak``
  forgotten), a missing ``3/8``, a missing factor 2, and the ``3/8`` added outside
  the square root;
* ``precision_recall``: the precision and recall of a detected crack mask against the
  true one. Recognizes the two swapped, the accuracy (true negatives counted), the
  intersection over union, raw counts instead of fractions, and percentages;
* ``align_and_average``: frames of a periodic scene moved by known whole-pixel shifts
  (``np.roll``), moved back and averaged. Recognizes the shifts applied with the wrong
  sign, the axes swapped, no alignment at all, and the median instead of the mean;
* ``flicker``: the mean absolute temporal difference of the error sequence,
  :func:`course_lib.video.flicker`. Recognizes the difference of the two sequences'
  own temporal differences, the mean absolute error (no temporal difference),
  differences without the absolute value or squared, a difference along an image axis
  instead of time, and the restored sequence's temporal difference alone.
"""

from __future__ import annotations

import numpy as np

from .. import degradations, video
from ._framework import Case, Exercise, check, register, usual_problem

__all__ = ["check_anscombe", "check_precision_recall", "check_align_and_average", "check_flicker"]

NOTEBOOK = "09_applications"


def _close(got, expected, rtol=1e-4, atol=1e-8) -> bool:
    try:
        got = np.asarray(got, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


# --------------------------------------------------------------------------------------
# anscombe
# --------------------------------------------------------------------------------------


def _anscombe_reference(noisy, peak):
    return degradations.anscombe(np.asarray(noisy, dtype=np.float64) * peak)


def _anscombe_cases():
    rng = np.random.default_rng(90)
    dim = rng.random((6, 7)) * 0.5
    bright = rng.random((5, 8))
    return [
        Case((rng.poisson(10 * dim) / 10.0, 10),
             label="a 6x7 Poisson image y = k / peak with peak = 10 (a dim image: most counts are 0-5)"),
        Case((rng.poisson(30 * bright) / 30.0, 30), label="a 5x8 Poisson image with peak = 30"),
        Case((np.zeros((3, 4)), 50), label="a black 3x4 image (no photons at all), peak = 50"),
    ]


def _anscombe_compare(got, expected, case):
    problem = usual_problem("anscombe", got, expected)
    if problem is None:
        return None
    message, element_wise = problem
    if not element_wise:
        return message
    noisy, peak = np.asarray(case.args[0], dtype=np.float64), float(case.args[1])
    counts = noisy * peak
    mistakes = [
        (2 * np.sqrt(noisy + 3 / 8), " You transformed the intensities y, not the photon counts: the variance is "
                                     "stabilized for counts k ~ Poisson(lambda), and k = peak * y."),
        (2 * np.sqrt(counts), " The 3/8 is missing: A(k) = 2 sqrt(k + 3/8). It is what makes the variance closest "
                              "to 1 at low counts (and keeps A(0) above 0)."),
        (np.sqrt(counts + 3 / 8), " The factor 2 is missing: with 2 sqrt(k + 3/8) the variance is about 1; without "
                                  "it, 1/4."),
        (2 * np.sqrt(counts) + 3 / 8, " The 3/8 goes inside the square root: 2 * np.sqrt(k + 3/8)."),
        (2 * np.sqrt(noisy / peak + 3 / 8), " You divided by peak: the counts are peak * y (y = k / peak)."),
    ]
    for candidate, explanation in mistakes:
        if _close(got, candidate):
            return message + explanation
    return message + " Compute the counts k = peak * noisy, then return 2 * np.sqrt(k + 3/8)."


register(Exercise(
    key="anscombe",
    notebook=NOTEBOOK,
    function_name="anscombe_transform",
    reference=_anscombe_reference,
    cases=_anscombe_cases,
    hints=[
        "The transform works on photon counts. The image holds y = k / peak, so first get the counts back: "
        "k = peak * y.",
        "Anscombe's formula is A(k) = 2 sqrt(k + 3/8), applied to every pixel (NumPy does that for you).",
        "`return 2.0 * np.sqrt(peak * noisy + 3.0 / 8.0)`.",
    ],
    compare=_anscombe_compare,
))


def check_anscombe(learner_function):
    """Check ``anscombe_transform(noisy, peak)``, the Anscombe transform of a Poisson image."""
    return check("anscombe", learner_function)


# --------------------------------------------------------------------------------------
# precision_recall
# --------------------------------------------------------------------------------------


def _precision_recall_reference(detected, truth):
    detected = np.asarray(detected, dtype=bool)
    truth = np.asarray(truth, dtype=bool)
    hits = np.count_nonzero(detected & truth)
    return hits / np.count_nonzero(detected), hits / np.count_nonzero(truth)


def _precision_recall_cases():
    rng = np.random.default_rng(91)
    truth = np.zeros((10, 12), bool)
    truth[4, 1:11] = True  # a horizontal crack
    truth[1:9, 8] = True  # and a vertical one
    detected = truth.copy()
    detected[4, 1:4] = False  # missed part of it
    detected[7, 2:6] = True  # and found a crack where there is none
    wide = np.zeros((9, 9), bool)
    wide[3:6, :] = True
    thin = np.zeros((9, 9), bool)
    thin[4, 2:7] = True
    scattered_truth = rng.random((8, 9)) > 0.7
    scattered_detected = rng.random((8, 9)) > 0.5
    return [
        Case((detected, truth),
             label="a 10x12 crack network; the detection misses 3 crack pixels and adds 4 false ones"),
        Case((wide, thin), label="a detection 3 pixels wide around a thin crack of 5 pixels (every crack pixel found)"),
        Case((scattered_detected, scattered_truth), label="random 8x9 masks"),
    ]


def _precision_recall_compare(got, expected, case):
    problem = usual_problem("precision_recall", got, expected)
    if problem is None:
        return None
    message = problem[0]
    detected, truth = (np.asarray(mask, dtype=bool) for mask in case.args)
    hits = np.count_nonzero(detected & truth)
    precision, recall = expected
    mistakes = [
        ((recall, precision), " Your two values are swapped: precision is the share of the *detected* pixels that "
                              "are cracks, recall the share of the *crack* pixels that were detected. Return "
                              "(precision, recall)."),
        ((float(np.mean(detected == truth)),) * 2, " That is the accuracy, which counts the true negatives: with "
                                                   "thin cracks almost every pixel is a true negative, so it is "
                                                   "near 1 for any detector. Count only detected pixels (precision) "
                                                   "and crack pixels (recall)."),
        ((hits / np.count_nonzero(detected | truth),) * 2, " That is the intersection over union; precision divides "
                                                           "the hits by the number of detected pixels, recall by the "
                                                           "number of crack pixels."),
        ((float(hits), float(hits)), " Return fractions (the hits divided by a count), not the number of hits."),
        ((100 * precision, 100 * recall), " Return fractions in [0, 1], not percentages."),
    ]
    if isinstance(got, (tuple, list)) and len(got) == 2:
        for candidate, explanation in mistakes:
            if _close(np.array(got, dtype=np.float64).ravel(), np.array(candidate)):
                return message + explanation
    return message + (" precision = hits / detected pixels and recall = hits / crack pixels, where the hits are "
                      "the pixels that are True in both masks.")


register(Exercise(
    key="precision_recall",
    notebook=NOTEBOOK,
    function_name="precision_recall",
    reference=_precision_recall_reference,
    cases=_precision_recall_cases,
    hints=[
        "The hits (true positives) are the pixels that are True in both masks: `detected & truth`. Precision "
        "divides their number by the number of detected pixels, recall by the number of true crack pixels.",
        "`np.count_nonzero(mask)` counts the True pixels of a boolean mask. Return the two fractions as a tuple, "
        "precision first.",
        "`hits = np.count_nonzero(detected & truth)` then `return hits / np.count_nonzero(detected), hits / "
        "np.count_nonzero(truth)`.",
    ],
    compare=_precision_recall_compare,
))


def check_precision_recall(learner_function):
    """Check ``precision_recall(detected, truth)``, the precision and recall of a detected mask."""
    return check("precision_recall", learner_function)


# --------------------------------------------------------------------------------------
# align_and_average
# --------------------------------------------------------------------------------------


def _roll_average(frames, shifts, *, sign=-1, swap_axes=False, reducer=np.mean):
    frames = np.asarray(frames, dtype=np.float64)
    shifts = np.asarray(shifts).astype(int)
    moved = []
    for frame, (rows, columns) in zip(frames, shifts):
        if swap_axes:
            rows, columns = columns, rows
        moved.append(np.roll(frame, (sign * rows, sign * columns), axis=(0, 1)))
    return reducer(np.stack(moved), axis=0)


def _align_and_average_reference(frames, shifts):
    return _roll_average(frames, shifts)


def _periodic_sequence(rng, shape, shifts, sigma):
    scene = rng.random(shape)
    frames = np.stack([np.roll(scene, tuple(shift), axis=(0, 1)) for shift in shifts])
    return frames + rng.normal(0.0, sigma, frames.shape)


def _align_and_average_cases():
    rng = np.random.default_rng(92)
    shifts_a = np.array([[0, 0], [1, 2], [-1, 3], [2, -1]])
    shifts_b = np.array([[2, 1], [0, -2], [3, 0]])  # the first frame is moved too
    shifts_c = np.array([[0, 0], [0, 3], [0, -2], [0, 1], [0, 0]])  # a horizontal pan
    return [
        Case((_periodic_sequence(rng, (8, 9), shifts_a, 0.1), shifts_a),
             label="4 noisy 8x9 frames of a periodic scene, shifts [[0, 0], [1, 2], [-1, 3], [2, -1]]"),
        Case((_periodic_sequence(rng, (7, 10), shifts_b, 0.05), shifts_b),
             label="3 frames, shifts [[2, 1], [0, -2], [3, 0]] (the first frame has moved too)"),
        Case((_periodic_sequence(rng, (6, 11), shifts_c, 0.1), shifts_c),
             label="5 frames of a horizontal pan, shifts (0, 0), (0, 3), (0, -2), (0, 1), (0, 0)"),
    ]


def _align_and_average_compare(got, expected, case):
    problem = usual_problem("align_and_average", got, expected)
    if problem is None:
        return None
    message, element_wise = problem
    if not element_wise:
        if np.ndim(got) == 3:
            return message + " Average the aligned frames over time (axis 0) to get one image."
        return message
    frames, shifts = case.args
    mistakes = [
        (_roll_average(frames, shifts, sign=1), " You moved the frames further instead of back: frame t was made "
                                                "with np.roll(scene, shifts[t]), so undo it with -shifts[t]."),
        (_roll_average(frames, shifts, swap_axes=True), " Rows and columns are swapped: shifts[t] is (rows, "
                                                        "columns), for axes (0, 1)."),
        (np.mean(np.asarray(frames, dtype=np.float64), axis=0), " You averaged without aligning: the scene is at "
                                                               "a different place in every frame, so the plain "
                                                               "mean blurs it. Move each frame back first."),
        (_roll_average(frames, shifts, reducer=np.median), " That is the median of the aligned frames; the "
                                                          "exercise asks for their mean."),
    ]
    for candidate, explanation in mistakes:
        if _close(got, candidate, atol=1e-6):
            return message + explanation
    return message + (" For each frame, np.roll(frame, (-rows, -columns), axis=(0, 1)) with (rows, columns) = "
                      "shifts[t]; then the mean over the frames.")


register(Exercise(
    key="align_and_average",
    notebook=NOTEBOOK,
    function_name="align_and_average",
    reference=_align_and_average_reference,
    cases=_align_and_average_cases,
    hints=[
        "Frame t is the scene rolled by shifts[t] = (rows, columns), plus noise. Roll it by the opposite amount and "
        "it lines up with the scene; do that for every frame, then average.",
        "`np.roll(frame, (-rows, -columns), axis=(0, 1))` moves a frame back. Shifts may arrive as floats that are "
        "whole numbers: convert with int(...). Stack the moved frames and take the mean over axis 0.",
        "`aligned = [np.roll(frame, (-int(rows), -int(columns)), axis=(0, 1)) for frame, (rows, columns) in "
        "zip(frames, shifts)]` then `return np.mean(aligned, axis=0)`.",
    ],
    compare=_align_and_average_compare,
))


def check_align_and_average(learner_function):
    """Check ``align_and_average(frames, shifts)``: move whole-pixel-shifted frames back and average them."""
    return check("align_and_average", learner_function)


# --------------------------------------------------------------------------------------
# flicker
# --------------------------------------------------------------------------------------


def _flicker_reference(restored, clean):
    return video.flicker(restored, clean)


def _flicker_cases():
    rng = np.random.default_rng(93)
    clean = rng.random((5, 6, 7))
    moving = np.stack([np.roll(clean[0], step, axis=1) for step in range(4)])  # a panning scene
    return [
        Case((clean + rng.normal(0, 0.1, clean.shape), clean),
             label="5 frames of 6x7 with new noise in every frame (a frame-by-frame restoration)"),
        Case((moving + 0.05 * rng.random((1, 6, 7)), moving),
             label="a panning 4-frame scene restored with an error that never changes (no flicker at all)"),
        Case((0.5 * moving + 0.25 + rng.normal(0, 0.02, moving.shape), moving),
             label="the panning scene restored with its contrast halved and a little noise"),
    ]


def _flicker_compare(got, expected, case):
    problem = usual_problem("flicker", got, expected)
    if problem is None:
        return None
    message = problem[0]
    restored, clean = (np.asarray(array, dtype=np.float64) for array in case.args)
    error = restored - clean

    def temporal(frames):
        return float(np.mean(np.abs(np.diff(frames, axis=0))))

    mistakes = [
        (temporal(restored) - temporal(clean), " You subtracted the clean sequence's temporal difference from the "
                                               "restored one's. Take the error first, restored - clean, then its "
                                               "temporal difference: a method that blurs moving edges would "
                                               "otherwise look steadier than the truth."),
        (float(np.mean(np.abs(error))), " That is the mean absolute error of the frames; flicker is about how the "
                                        "error *changes* from frame t to frame t + 1: np.diff(error, axis=0)."),
        (float(np.mean(np.diff(error, axis=0))), " Take the absolute value of the differences: positive and "
                                                 "negative changes cancel in a plain mean."),
        (float(np.mean(np.diff(error, axis=0) ** 2)), " Use the absolute value of the differences, not their "
                                                      "square."),
        (float(np.mean(np.abs(np.diff(error, axis=1)))), " Your differences run along the rows of each frame "
                                                         "(axis 1); time is axis 0."),
        (float(np.mean(np.abs(np.diff(error, axis=2)))), " Your differences run along the columns of each frame "
                                                         "(axis 2); time is axis 0."),
        (temporal(restored), " You measured how much the restored video changes, but the clean video changes too "
                             "(wherever the scene moves): measure the change of the error, restored - clean."),
        (255 * expected, " Keep the scale of the frames (0-1); the notebook multiplies by 255 itself."),
    ]
    for candidate, explanation in mistakes:
        if not np.isclose(candidate, expected, rtol=1e-4, atol=1e-9) and _close(got, candidate):
            return message + explanation
    return message + (" error = restored - clean; then the mean of |error[t + 1] - error[t]| over every pixel and "
                      "every pair of consecutive frames.")


register(Exercise(
    key="flicker",
    notebook=NOTEBOOK,
    function_name="flicker",
    reference=_flicker_reference,
    cases=_flicker_cases,
    hints=[
        "Start from the error of every frame, error = restored - clean (an array of shape (T, H, W)). Flicker is "
        "how much it changes from one frame to the next.",
        "`np.diff(error, axis=0)` gives error[t + 1] - error[t] for every t (time is axis 0). Average the absolute "
        "values of those differences over everything.",
        "`return float(np.mean(np.abs(np.diff(restored - clean, axis=0))))`.",
    ],
    compare=_flicker_compare,
))


def check_flicker(learner_function):
    """Check ``flicker(restored, clean)``, the mean absolute temporal difference of the error."""
    return check("flicker", learner_function)
