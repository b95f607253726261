"""Exercises of notebook 05 (residual learning and DnCNN).

* ``make_residual_pair``: the training pair of a residual denoiser, ``(noisy, noise)``:
  the input is the noisy image and the target is the noise; the clean image is
  never an input. Catches the sign error and the "feed the residual in" misconception;
* ``batch_norm``: batch normalization of a batch of feature maps in training mode
  (statistics over the batch and both image axes, per channel), checked against a
  NumPy reference that agrees with ``keras.layers.BatchNormalization``;
* ``dncnn_parameter_count``: the trainable parameters of a DnCNN, checked against
  :func:`course_lib.models.dncnn`'s formula;
* ``self_ensemble``: geometric self-ensemble of any denoising function, checked with
  a deliberately direction-dependent "denoiser" so that a missing inverse transform shows.

Each check names the mistakes it recognizes: the clean image as the target, the noise
with the wrong sign, a clipped noisy image; the unbiased variance, epsilon outside the
square root, statistics over the wrong axes; biases in the hidden convolutions or
BatchNorm's moving statistics counted; transforms not undone, or only the 4 rotations.
"""

from __future__ import annotations

import numpy as np

from .._dihedral import DIHEDRAL_TRANSFORMS, dihedral_transform
from ._framework import Case, Exercise, Mistake, check, register

__all__ = ["check_make_residual_pair", "check_batch_norm", "check_dncnn_parameter_count", "check_self_ensemble"]

NOTEBOOK = "05_residual_learning_dncnn"


def _residual_pair_variant(clean, sigma, rng, *, clip=False, scale=255.0):
    noisy = clean + rng.normal(0.0, sigma / scale, size=clean.shape)
    if clip:
        noisy = np.clip(noisy, 0.0, 1.0)
    return noisy, noisy - clean


def _clean_target(clean, sigma, rng):
    noisy, _ = _residual_pair_variant(clean, sigma, rng)
    return noisy, clean


def _flipped_noise(clean, sigma, rng):
    noisy, noise = _residual_pair_variant(clean, sigma, rng)
    return noisy, -noise


def _clean_input(clean, sigma, rng):
    _, noise = _residual_pair_variant(clean, sigma, rng)
    return clean, noise


_RESIDUAL_PAIR_MISTAKES = [
    Mistake("Item 1, the target, is the clean image: in residual learning the network predicts the noise, "
            "noisy - clean, and the model subtracts it from its input.", answer=_clean_target),
    Mistake("Item 1 has the wrong sign: the target is noisy - clean (what the model subtracts from the noisy "
            "image), not clean - noisy.", answer=_flipped_noise),
    Mistake("Item 0, the network's input, is the clean image: the network only ever sees the noisy image.",
            answer=_clean_input),
    Mistake("You clipped the noisy image to [0, 1]: keep it unclipped, so that the target is exactly the noise "
            "that was added.", answer=lambda clean, sigma, rng: _residual_pair_variant(clean, sigma, rng, clip=True)),
    Mistake("The noise is 255 times too strong: sigma is on the 8-bit scale, so the standard deviation on [0, 1] "
            "is sigma / 255.", answer=lambda clean, sigma, rng: _residual_pair_variant(clean, sigma, rng, scale=1.0)),
]


def _batch_norm_variant(features, gamma, beta, epsilon=1e-3, *, axis=(0, 1, 2), ddof=0, epsilon_inside=True):
    features = np.asarray(features, dtype=np.float64)
    mean = features.mean(axis=axis, keepdims=axis is not None)
    spread = np.sqrt(features.var(axis=axis, ddof=ddof, keepdims=axis is not None) + (epsilon if epsilon_inside else 0))
    return gamma * (features - mean) / (spread if epsilon_inside else spread + epsilon) + beta


_BATCH_NORM_MISTAKES = [
    Mistake("You used the unbiased variance (ddof=1): batch normalization divides by N, np.var's default.",
            answer=lambda *args, **kwargs: _batch_norm_variant(*args, **kwargs, ddof=1)),
    Mistake("epsilon belongs inside the square root: (x - mean) / sqrt(variance + epsilon).",
            answer=lambda *args, **kwargs: _batch_norm_variant(*args, **kwargs, epsilon_inside=False)),
    Mistake("Your statistics are over the batch axis only: each channel's mean and variance are taken over the "
            "batch and both image axes, axis=(0, 1, 2).",
            answer=lambda *args, **kwargs: _batch_norm_variant(*args, **kwargs, axis=0)),
    Mistake("Your statistics are over every axis at once: take them per channel, axis=(0, 1, 2), so that each "
            "channel gets its own mean and variance.",
            answer=lambda *args, **kwargs: _batch_norm_variant(*args, **kwargs, axis=None)),
]


def _dncnn_count_variant(depth, width, channels=1, batch_norm=True, *, hidden_bias=False, batch_norm_numbers=2,
                         hidden_layers=None):
    first = 9 * channels * width + width
    hidden = 9 * width * width + (batch_norm_numbers * width if batch_norm else width)
    if batch_norm and hidden_bias:
        hidden += width
    last = 9 * width * channels + channels
    return first + (depth - 2 if hidden_layers is None else hidden_layers) * hidden + last


_DNCNN_PARAMETER_COUNT_MISTAKES = [
    Mistake("You counted a bias in each hidden convolution: with BatchNorm after it, the convolution has no bias "
            "(BatchNorm's beta does its job).",
            answer=lambda *args, **kwargs: _dncnn_count_variant(*args, **kwargs, hidden_bias=True)),
    Mistake("You counted BatchNorm's moving mean and variance: they are not trained. BatchNorm adds 2 trainable "
            "numbers per channel, gamma and beta.",
            answer=lambda *args, **kwargs: _dncnn_count_variant(*args, **kwargs, batch_norm_numbers=4)),
    Mistake("You counted `depth` hidden layers: depth counts every convolution, so there are depth - 2 hidden "
            "ones between the first and the last.",
            answer=lambda depth, *args, **kwargs: _dncnn_count_variant(depth, *args, **kwargs, hidden_layers=depth)),
    Mistake("BatchNorm's parameters are missing: it adds 2 trainable numbers (gamma, beta) per channel of every "
            "hidden layer.",
            answer=lambda *args, **kwargs: _dncnn_count_variant(*args, **kwargs, batch_norm_numbers=0)),
]


def _ensemble_without_undo(denoiser, image):
    return np.mean([denoiser(np.ascontiguousarray(dihedral_transform(image, index)))
                    for index in range(DIHEDRAL_TRANSFORMS)], axis=0)


def _ensemble_of_rotations(denoiser, image):
    return np.mean([dihedral_transform(denoiser(np.ascontiguousarray(dihedral_transform(image, index))), index,
                                       inverse=True) for index in range(4)], axis=0)


def _ensemble_undone_in_the_wrong_order(denoiser, image):
    def undo(result, index):
        flipped_back = result[:, ::-1] if index >= 4 else result
        return np.rot90(flipped_back, k=-(index % 4))

    return np.mean([undo(denoiser(np.ascontiguousarray(dihedral_transform(image, index))), index)
                    for index in range(DIHEDRAL_TRANSFORMS)],
                   axis=0)


_SELF_ENSEMBLE_MISTAKES = [
    Mistake("The transforms are not undone: rotate and flip each result back before averaging, or the 8 results "
            "are 8 different orientations of the image.", answer=_ensemble_without_undo),
    Mistake("That is the mean of the 4 rotations only: add the 4 flipped versions (np.fliplr, then each "
            "rotation), 8 in all.", answer=_ensemble_of_rotations),
    Mistake("The inverse is applied in the wrong order: undo the last transform first (rotate back, then flip "
            "back, for an image that was flipped, then rotated).", answer=_ensemble_undone_in_the_wrong_order),
]


# --------------------------------------------------------------------------------------
# make_residual_pair
# --------------------------------------------------------------------------------------


def _make_residual_pair_reference(clean, sigma, rng):
    noise = rng.normal(0.0, sigma / 255.0, size=clean.shape)
    noisy = clean + noise
    return noisy, noisy - clean


def _make_residual_pair_cases():
    rng = np.random.default_rng(11)
    return [
        Case((rng.random((4, 5)), 25, np.random.default_rng(0)),
             label="a random 4x5 clean image, sigma=25, rng=np.random.default_rng(0)"),
        Case((np.full((3, 3), 0.98), 50, np.random.default_rng(1)),
             label="a bright 3x3 image (0.98), sigma=50: no clipping"),
        Case((rng.random((2, 6)), 5, np.random.default_rng(2)), label="a random 2x6 image, sigma=5"),
    ]


register(Exercise(
    key="make_residual_pair",
    mistakes=_RESIDUAL_PAIR_MISTAKES,
    notebook=NOTEBOOK,
    function_name="make_residual_pair",
    reference=_make_residual_pair_reference,
    cases=_make_residual_pair_cases,
    hints=[
        "Two arrays come back: what the network is given (its input) and what its last layer must "
        "output (its target). A residual network is given the noisy image only.",
        "Draw the noise as in notebook 01, in one call: `noise = rng.normal(0.0, sigma / 255.0, size=clean.shape)`, "
        "then `noisy = clean + noise` (no clipping).",
        "The target is the noise itself, `noisy - clean`, with that sign: the model then returns "
        "`noisy - predicted_noise`. Return `noisy, noisy - clean`.",
    ],
))


def check_make_residual_pair(learner_function):
    """Check ``make_residual_pair(clean, sigma, rng) -> (network input, residual target)``."""
    return check("make_residual_pair", learner_function)


# --------------------------------------------------------------------------------------
# batch_norm
# --------------------------------------------------------------------------------------


def _batch_norm_reference(features, gamma, beta, epsilon=1e-3):
    mean = features.mean(axis=(0, 1, 2))
    variance = features.var(axis=(0, 1, 2))
    return gamma * (features - mean) / np.sqrt(variance + epsilon) + beta


def _batch_norm_cases():
    rng = np.random.default_rng(12)
    return [
        Case((rng.normal(3.0, 2.0, (4, 3, 3, 2)), np.ones(2), np.zeros(2)),
             label="a batch (4, 3, 3, 2) with mean 3 and std 2, gamma=1, beta=0 (the result has mean 0, std ~1)"),
        Case((rng.normal(0.0, 1.0, (2, 4, 5, 3)), np.array([0.5, 2.0, 1.0]), np.array([0.1, -1.0, 0.0])),
             label="a batch (2, 4, 5, 3) with per-channel gamma and beta"),
        Case((rng.normal(0.0, 1.0, (3, 2, 2, 1)) * np.array([1.0]), np.array([1.5]), np.array([0.2])),
             kwargs={"epsilon": 0.5}, label="one channel, epsilon=0.5"),
        Case((np.concatenate([np.full((2, 2, 2, 1), 5.0), rng.normal(0, 1, (2, 2, 2, 1))], axis=-1),
              np.ones(2), np.zeros(2)),
             label="a constant channel (all 5.0): its variance is 0, so epsilon keeps the division finite"),
    ]


register(Exercise(
    key="batch_norm",
    mistakes=_BATCH_NORM_MISTAKES,
    notebook=NOTEBOOK,
    function_name="batch_norm",
    reference=_batch_norm_reference,
    cases=_batch_norm_cases,
    hints=[
        "Each channel gets its own mean and variance, computed over everything else: the batch axis and "
        "both image axes, `axis=(0, 1, 2)` of an (N, H, W, C) array.",
        "Use the biased variance (divide by the count, NumPy's default `features.var(axis=...)`), and add "
        "`epsilon` inside the square root: `(features - mean) / np.sqrt(variance + epsilon)`.",
        "Then scale and shift per channel: `gamma * normalized + beta` (NumPy broadcasts the (C,) arrays "
        "over the last axis).",
    ],
    rtol=1e-5,
    atol=1e-6,
))


def check_batch_norm(learner_function):
    """Check ``batch_norm(features, gamma, beta, epsilon=1e-3)`` in training mode."""
    return check("batch_norm", learner_function)


# --------------------------------------------------------------------------------------
# dncnn_parameter_count
# --------------------------------------------------------------------------------------


def _dncnn_parameter_count_reference(depth, width, channels=1, batch_norm=True):
    first = 9 * channels * width + width
    hidden = 9 * width * width + (2 * width if batch_norm else width)
    last = 9 * width * channels + channels
    return first + (depth - 2) * hidden + last


def _dncnn_parameter_count_cases():
    return [
        Case((17, 64), label="depth=17, width=64 (DnCNN-S, gray)"),
        Case((20, 64), label="depth=20, width=64 (DnCNN-B)"),
        Case((5, 32), kwargs={"batch_norm": False}, label="depth=5, width=32, batch_norm=False (notebook 04's CNN)"),
        Case((6, 16), kwargs={"channels": 3}, label="depth=6, width=16, channels=3 (colour)"),
        Case((2, 8), label="depth=2, width=8 (no hidden layer at all)"),
    ]


register(Exercise(
    key="dncnn_parameter_count",
    mistakes=_DNCNN_PARAMETER_COUNT_MISTAKES,
    notebook=NOTEBOOK,
    function_name="dncnn_parameter_count",
    reference=_dncnn_parameter_count_reference,
    cases=_dncnn_parameter_count_cases,
    hints=[
        "A 3x3 convolution from `c_in` to `c_out` channels has 3 * 3 * c_in * c_out weights, plus c_out "
        "biases when it has biases. There are three kinds of layers: the first, the (depth - 2) hidden ones, "
        "and the last.",
        "With BatchNorm, a hidden convolution has no bias (BatchNorm's beta does that job), and BatchNorm "
        "adds 2 trainable numbers per channel (gamma and beta); its moving mean and variance are not trained.",
        "first = 9 * channels * width + width; hidden = 9 * width * width + (2 * width if batch_norm else "
        "width); last = 9 * width * channels + channels; total = first + (depth - 2) * hidden + last.",
    ],
))


def check_dncnn_parameter_count(learner_function):
    """Check ``dncnn_parameter_count(depth, width, channels=1, batch_norm=True)`` (trainable parameters)."""
    return check("dncnn_parameter_count", learner_function)


# --------------------------------------------------------------------------------------
# self_ensemble
# --------------------------------------------------------------------------------------


def _self_ensemble_reference(denoiser, image):
    results = [dihedral_transform(denoiser(np.ascontiguousarray(dihedral_transform(image, index))), index, inverse=True)
               for index in range(DIHEDRAL_TRANSFORMS)]
    return np.mean(results, axis=0)


def _smear_right(image):
    """A direction-dependent 'denoiser': averages each pixel with its right neighbour."""
    shifted = np.concatenate([image[:, 1:], image[:, -1:]], axis=1)
    return 0.5 * (image + shifted)


def _knight_blend(image):
    """Blends each pixel with the one a chess knight's move away (one down, two right): a chiral
    filter, so averaging its 4 rotations is not the same as averaging all 8 rotations and flips."""
    padded = np.pad(image, ((0, 1), (0, 2)), mode="edge")
    return 0.5 * image + 0.5 * padded[1:, 2:]


def _weight_top_rows(image):
    """Position-dependent: the top rows are damped more (tells a missing inverse from a right one)."""
    weights = np.linspace(0.5, 1.0, image.shape[0])[:, None]
    return image * weights


def _self_ensemble_cases():
    rng = np.random.default_rng(13)
    return [
        Case((_smear_right, rng.random((5, 5))), label="denoiser = average with the right neighbour, a 5x5 image"),
        Case((_knight_blend, rng.random((6, 6))),
             label="denoiser = blend with the pixel a knight's move away (one down, two right), a 6x6 image"),
        Case((_weight_top_rows, rng.random((4, 6))),
             label="denoiser = damp the top rows, a 4x6 image (not square)"),
        Case((lambda image: image.copy(), rng.random((3, 7))),
             label="denoiser = identity (the answer is the image itself)"),
    ]


register(Exercise(
    key="self_ensemble",
    mistakes=_SELF_ENSEMBLE_MISTAKES,
    notebook=NOTEBOOK,
    function_name="self_ensemble",
    reference=_self_ensemble_reference,
    cases=_self_ensemble_cases,
    hints=[
        "Eight versions of the image: `np.rot90(image, k)` for k = 0, 1, 2, 3, and the same after a left-right "
        "flip `image[:, ::-1]`. Run the denoiser on each.",
        "Before averaging, bring each result back to the original orientation: undo the rotation with "
        "`np.rot90(result, -k)` first, then undo the flip. Without that, a non-square image cannot even be "
        "averaged, and a square one is averaged with itself turned around.",
        "`results.append(undo(denoiser(transform(image, i)), i))` for i in range(8), then "
        "`return np.mean(results, axis=0)`.",
    ],
))


def check_self_ensemble(learner_function):
    """Check ``self_ensemble(denoiser, image)``: the mean of the 8 rotated/flipped results, each undone."""
    return check("self_ensemble", learner_function)
