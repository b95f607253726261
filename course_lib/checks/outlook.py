"""Exercises of notebook 10 (outlook: self-supervised denoising, deployment, interpretability).

* ``blind_spot_replace``: Noise2Void's input: given blind-spot positions and the offset
  of the neighbour that replaces each, a copy of the noisy image with those pixels
  replaced. Checked against :func:`course_lib.training.self_supervised.replace_blind_spots`;
  recognizes values read from the partly replaced copy (a chain of blind spots), the
  neighbour on the opposite side, and row and column offsets swapped;
* ``masked_mse``: Noise2Void's loss, the mean squared error over the blind spots only.
  Recognizes the mean over every pixel (masked or not), the masked sum divided by all
  pixels, the error of the *unmasked* pixels, and a root mean square;
* ``quantize_int8``: symmetric per-tensor int8 quantization ``(round(w / s), s)`` with
  ``s = max|w| / 127``. Recognizes the scale from ``max(w)`` instead of ``max|w|``, 128 or
  255 levels, truncation instead of rounding, and a float array instead of int8.
  All-zero weights quantize to all-zero int8 with scale 1.0 (no division by zero), as in
  :func:`course_lib.models.quantize_symmetric`.

The receptive field of a stack of convolutions is notebook 04's exercise
(``receptive_field`` in :mod:`course_lib.checks.cnn`); notebook 10 uses the library's
:func:`course_lib.models.receptive_field` instead of asking for it again.
"""

from __future__ import annotations

import numpy as np

from ._framework import Case, Exercise, check, register, usual_problem

__all__ = ["check_blind_spot_replace", "check_masked_mse", "check_quantize_int8"]

NOTEBOOK = "10_outlook"


# --------------------------------------------------------------------------------------
# blind_spot_replace
# --------------------------------------------------------------------------------------


def _blind_spot_replace_reference(noisy, positions, offsets):
    positions, offsets = np.asarray(positions), np.asarray(offsets)
    masked = np.array(noisy, dtype=np.float64, copy=True)
    masked[positions[:, 0], positions[:, 1]] = np.asarray(noisy)[positions[:, 0] + offsets[:, 0],
                                                                 positions[:, 1] + offsets[:, 1]]
    return masked


def _sequential_from_copy(noisy, positions, offsets):
    masked = np.array(noisy, dtype=np.float64, copy=True)
    for (row, column), (row_offset, column_offset) in zip(positions, offsets):
        masked[row, column] = masked[row + row_offset, column + column_offset]
    return masked


def _opposite_side(noisy, positions, offsets):
    height, width = np.shape(noisy)
    rows = np.clip(positions[:, 0] - offsets[:, 0], 0, height - 1)
    columns = np.clip(positions[:, 1] - offsets[:, 1], 0, width - 1)
    masked = np.array(noisy, dtype=np.float64, copy=True)
    masked[positions[:, 0], positions[:, 1]] = np.asarray(noisy)[rows, columns]
    return masked


def _swapped_offsets(noisy, positions, offsets):
    height, width = np.shape(noisy)
    rows = np.clip(positions[:, 0] + offsets[:, 1], 0, height - 1)
    columns = np.clip(positions[:, 1] + offsets[:, 0], 0, width - 1)
    masked = np.array(noisy, dtype=np.float64, copy=True)
    masked[positions[:, 0], positions[:, 1]] = np.asarray(noisy)[rows, columns]
    return masked


def _blind_spot_replace_cases():
    rng = np.random.default_rng(100)
    return [
        Case((rng.random((5, 6)), np.array([[1, 1], [3, 4], [2, 2]]), np.array([[0, 1], [-1, 0], [1, 1]])),
             label="a 5x6 image, 3 blind spots at (1, 1), (3, 4), (2, 2) with offsets (0, 1), (-1, 0), (1, 1)"),
        Case((rng.random((4, 4)), np.array([[1, 1], [1, 2]]), np.array([[0, 1], [1, -1]])),
             label="a 4x4 image, a chain: (1, 1) takes the value of (1, 2), which is itself a blind spot "
                   "taking (2, 1)'s value"),
        Case((rng.random((6, 5)), np.array([[2, 2], [4, 1], [0, 3], [5, 4]]),
              np.array([[-2, 1], [1, 2], [2, -1], [-1, -2]])),
             label="a 6x5 image, 4 blind spots with neighbours up to 2 pixels away (radius 2)"),
    ]


def _blind_spot_replace_compare(got, expected, case):
    problem = usual_problem("blind_spot_replace", got, expected)
    if problem is None:
        return None
    message, element_wise = problem
    if not element_wise:
        return message
    got = np.asarray(got, dtype=np.float64)
    noisy, positions, offsets = case.args
    if np.allclose(got, noisy):
        return message + " Your result is the input unchanged: set masked[row, column] at every blind spot."
    if np.allclose(got, _sequential_from_copy(noisy, positions, offsets)):
        return message + (" You read the neighbour's value from the copy you are changing: when a neighbour is "
                          "itself a blind spot it has already been replaced. Read every value from the original "
                          "`noisy` and write into the copy.")
    if np.allclose(got, _opposite_side(noisy, positions, offsets)):
        return message + (" You took the neighbour on the opposite side: the neighbour of (row, column) with offset "
                          "(dr, dc) is (row + dr, column + dc).")
    if np.allclose(got, _swapped_offsets(noisy, positions, offsets)):
        return message + " The row and column offsets are swapped: offsets[k] is (row offset, column offset)."
    return message + (" Only the blind spots change: masked[row, column] = noisy[row + dr, column + dc] for each "
                      "position and its offset; every other pixel keeps its value.")


register(Exercise(
    key="blind_spot_replace",
    notebook=NOTEBOOK,
    function_name="blind_spot_replace",
    reference=_blind_spot_replace_reference,
    cases=_blind_spot_replace_cases,
    hints=[
        "Start from a copy, `masked = noisy.copy()`, so that the input stays unchanged; only the K blind spots "
        "change.",
        "Blind spot k is at `positions[k] = (row, column)`; its new value is the noisy value of the pixel "
        "`(row + offsets[k, 0], column + offsets[k, 1])`. Always read from `noisy`, never from `masked`: a neighbour "
        "may itself be a blind spot.",
        "Without a loop: `rows, columns = positions[:, 0], positions[:, 1]`, then "
        "`masked[rows, columns] = noisy[rows + offsets[:, 0], columns + offsets[:, 1]]`.",
    ],
    compare=_blind_spot_replace_compare,
))


def check_blind_spot_replace(learner_function):
    """Check ``blind_spot_replace(noisy, positions, offsets)`` -> the noisy image with its blind spots replaced."""
    return check("blind_spot_replace", learner_function)


# --------------------------------------------------------------------------------------
# masked_mse
# --------------------------------------------------------------------------------------


def _masked_mse_reference(target, prediction, mask):
    mask = np.asarray(mask, dtype=np.float64)
    return float(np.sum(mask * (np.asarray(prediction) - np.asarray(target)) ** 2) / np.sum(mask))


def _masked_mse_cases():
    rng = np.random.default_rng(101)
    target = rng.random((6, 7))
    prediction = target + rng.normal(0, 0.1, target.shape)
    mask = np.zeros((6, 7))
    mask[[0, 2, 3, 5], [1, 6, 2, 4]] = 1
    big_target = rng.random((10, 12))
    big_prediction = np.where(rng.random((10, 12)) < 0.5, big_target + 0.3, big_target - 0.05)
    big_mask = (rng.random((10, 12)) < 0.1).astype(np.float64)
    return [
        Case((target, prediction, mask), label="6x7 arrays, 4 blind spots (a float mask of 0 and 1)"),
        Case((big_target, big_prediction, big_mask),
             label=f"10x12 arrays, {int(big_mask.sum())} blind spots, errors of 0.3 or 0.05"),
        Case((target, target + 0.2 * mask - 0.01, mask),
             label="the 6x7 arrays: errors of 0.19 at the blind spots and 0.01 everywhere else"),
    ]


def _masked_mse_compare(got, expected, case):
    problem = usual_problem("masked_mse", got, expected)
    if problem is None:
        return None
    message = problem[0]
    if not np.ndim(got) == 0:
        return message
    target, prediction, mask = (np.asarray(value, dtype=np.float64) for value in case.args)
    got = float(np.asarray(got))
    squared = (prediction - target) ** 2
    if np.isclose(got, squared.mean(), rtol=1e-6):
        return message + " That is the mean over every pixel: the loss counts only the blind spots (mask == 1)."
    if np.isclose(got, np.mean(mask * squared), rtol=1e-6):
        return message + (" You summed the blind spots' errors but divided by the number of all pixels: divide by "
                          "the number of blind spots, mask.sum().")
    if np.isclose(got, np.sum((1 - mask) * squared) / np.sum(1 - mask), rtol=1e-6):
        return message + (" That is the error of the pixels the network could see: the loss is where mask == 1, "
                          "the blind spots.")
    if np.isclose(got, np.sqrt(expected), rtol=1e-6):
        return message + " That is a root mean square; the loss is the mean of the squared errors, without the root."
    if np.isclose(got, np.sum(mask * np.abs(prediction - target)) / mask.sum(), rtol=1e-6):
        return message + " Square the errors: that is a mean absolute error."
    return message + " Average (prediction - target) ** 2 over the pixels where mask == 1, and only those."


register(Exercise(
    key="masked_mse",
    notebook=NOTEBOOK,
    function_name="masked_mse",
    reference=_masked_mse_reference,
    cases=_masked_mse_cases,
    hints=[
        "Only the blind spots count: the pixels where `mask == 1`. Everywhere else the network saw the pixel itself, "
        "and copying it would give a perfect (and useless) score.",
        "It is a mean over the blind spots: a sum of squared errors there, divided by how many blind spots there are "
        "(`mask.sum()`), not by the number of pixels.",
        "`return np.sum(mask * (prediction - target) ** 2) / np.sum(mask)`, or with a boolean mask "
        "`np.mean((prediction[mask == 1] - target[mask == 1]) ** 2)`.",
    ],
    compare=_masked_mse_compare,
))


def check_masked_mse(learner_function):
    """Check ``masked_mse(target, prediction, mask)`` -> the mean squared error over the blind spots."""
    return check("masked_mse", learner_function)


# --------------------------------------------------------------------------------------
# quantize_int8
# --------------------------------------------------------------------------------------


def _quantize_int8_reference(weights):
    """``(round(w / s) as int8, s)`` with ``s = max|w| / 127``; all-zero weights give ``(zeros, 1.0)``.

    All-zero weights (a pruned or untrained layer) have no largest magnitude to map to 127:
    any positive scale stores them exactly as 0, and 1.0 is the one
    :func:`course_lib.models.quantize_symmetric` uses, so dequantizing gives zeros again
    instead of the NaN of a division by zero.
    """
    largest = float(np.max(np.abs(weights)))
    scale = largest / 127.0 if largest > 0 else 1.0
    return np.clip(np.round(np.asarray(weights) / scale), -127, 127).astype(np.int8), scale


def _quantize_int8_cases():
    rng = np.random.default_rng(102)
    mostly_negative = rng.normal(0.0, 0.05, (4, 5))
    mostly_negative[2, 3] = -0.4  # the largest magnitude is negative
    return [
        Case((rng.normal(0.0, 0.1, (3, 3, 1, 4)),), label="a (3, 3, 1, 4) kernel of weights ~ N(0, 0.1)"),
        Case((mostly_negative,), label="a (4, 5) array whose largest magnitude is negative (-0.4)"),
        Case((np.array([0.5, -0.25, 0.126, 1.0, -0.0049, 0.00394]),),
             label="[0.5, -0.25, 0.126, 1.0, -0.0049, 0.00394]: values that truncation and rounding treat differently"),
    ]


def _quantize_int8_compare(got, expected, case):
    weights = np.asarray(case.args[0], dtype=np.float64)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return (f"expected a tuple (quantized, scale), got {type(got).__name__}"
                + (f" of {len(got)}" if isinstance(got, (tuple, list)) else "") + ".")
    quantized, scale = got
    expected_quantized, expected_scale = expected
    if not isinstance(scale, (int, float, np.integer, np.floating)) and not (
            isinstance(scale, np.ndarray) and scale.ndim == 0):
        return f"item 1 of the result, the scale, should be one number; got {type(scale).__name__}."
    scale = float(scale)
    largest = float(np.max(np.abs(weights)))
    if not np.isclose(scale, expected_scale, rtol=1e-6):
        if np.isclose(scale, float(np.max(weights)) / 127.0, rtol=1e-6):
            return (f"scale {scale:.6g}, expected {expected_scale:.6g}: you used max(w), but here the largest "
                    "magnitude is negative. Use max(|w|) so that both signs fit.")
        for levels in (128.0, 255.0, 256.0):
            if np.isclose(scale, largest / levels, rtol=1e-6):
                return (f"scale {scale:.6g}, expected {expected_scale:.6g}: you divided by {levels:g}. Symmetric int8 "
                        "uses -127..127, so the largest magnitude maps to 127: scale = max|w| / 127.")
        if np.isclose(scale, 1.0 / expected_scale, rtol=1e-6):
            return f"scale {scale:.6g} is the inverse of the expected {expected_scale:.6g}: scale = max|w| / 127."
        return f"scale {scale:.6g}, expected max|w| / 127 = {expected_scale:.6g}."
    quantized_array = np.asarray(quantized)
    if quantized_array.shape != expected_quantized.shape:
        return (f"item 0 of the result should have the weights' shape {expected_quantized.shape}; "
                f"got {quantized_array.shape}.")
    if quantized_array.dtype != np.int8:
        return (f"item 0 of the result should be an int8 array (one byte per weight); got dtype "
                f"{quantized_array.dtype}. Round first, then convert with .astype(np.int8).")
    if np.array_equal(quantized_array, expected_quantized):
        return None
    truncated = np.clip(np.trunc(weights / expected_scale), -127, 127).astype(np.int8)
    if np.array_equal(quantized_array, truncated):
        return ("some integers are one step too close to 0: .astype(np.int8) cuts off the fraction. "
                "Round to the nearest integer first with np.round(weights / scale).")
    wrong = quantized_array != expected_quantized
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (f"{int(wrong.sum())} of {wrong.size} integers differ; at index {index} you returned "
            f"{int(quantized_array[index])}, expected round({weights[index]:.6g} / {expected_scale:.6g}) = "
            f"{int(expected_quantized[index])}.")


register(Exercise(
    key="quantize_int8",
    notebook=NOTEBOOK,
    function_name="quantize_int8",
    reference=_quantize_int8_reference,
    cases=_quantize_int8_cases,
    hints=[
        "One scale for the whole array, chosen so that the weight of largest magnitude, positive or negative, "
        "becomes ±127: `scale = np.max(np.abs(weights)) / 127`.",
        "Each weight becomes the nearest integer to `weights / scale` (np.round, not a cast, which truncates "
        "towards 0); they all lie in -127..127.",
        "`scale = np.max(np.abs(weights)) / 127` and `quantized = np.round(weights / scale).astype(np.int8)`, then "
        "`return quantized, float(scale)`.",
    ],
    compare=_quantize_int8_compare,
))


def check_quantize_int8(learner_function):
    """Check ``quantize_int8(weights)`` -> ``(int8 array, scale)`` with ``scale = max|w| / 127``."""
    return check("quantize_int8", learner_function)
