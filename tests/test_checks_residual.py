"""The checks of notebook 05: correct answers pass, the usual mistakes get the right feedback."""

import keras
import numpy as np
import pytest

from course_lib import checks, models
from course_lib.checks import residual as residual_checks

KEYS = ["make_residual_pair", "batch_norm", "dncnn_parameter_count", "self_ensemble"]


def _status(check_function, learner_function):
    return check_function(learner_function).status


def not_attempted(*args, **kwargs):
    raise NotImplementedError("write this function")


@pytest.mark.parametrize("key", KEYS)
def test_stubs_are_not_attempted(key):
    check_function = getattr(checks, f"check_{key}")
    assert _status(check_function, not_attempted) == checks.NOT_ATTEMPTED


@pytest.mark.parametrize("key", KEYS)
def test_each_exercise_has_hints_and_belongs_to_notebook_05(key):
    item = checks.exercise(key)
    assert item.notebook == "05_residual_learning_dncnn" and len(item.hints) >= 3


# --- make_residual_pair -------------------------------------------------------------------------


def pair_normal(clean, sigma, rng):
    noisy = clean + rng.normal(0.0, sigma / 255.0, size=clean.shape)
    return noisy, noisy - clean


def pair_standard_normal(clean, sigma, rng):
    noise = rng.standard_normal(clean.shape) * sigma / 255
    return clean + noise, noise


def pair_wrong_sign(clean, sigma, rng):
    noisy = clean + rng.normal(0.0, sigma / 255.0, size=clean.shape)
    return noisy, clean - noisy


def pair_residual_as_input(clean, sigma, rng):
    noisy = clean + rng.normal(0.0, sigma / 255.0, size=clean.shape)
    return noisy - clean, noisy


def pair_clipped(clean, sigma, rng):
    noisy = np.clip(clean + rng.normal(0.0, sigma / 255.0, size=clean.shape), 0, 1)
    return noisy, noisy - clean


def pair_clean_target(clean, sigma, rng):
    return clean + rng.normal(0.0, sigma / 255.0, size=clean.shape), clean


@pytest.mark.parametrize("answer", [pair_normal, pair_standard_normal])
def test_correct_pairs_pass(answer):
    assert _status(checks.check_make_residual_pair, answer) == checks.CORRECT


@pytest.mark.parametrize("answer", [pair_wrong_sign, pair_residual_as_input, pair_clipped, pair_clean_target])
def test_wrong_pairs_are_caught(answer):
    feedback = checks.check_make_residual_pair(answer)
    assert feedback.status == checks.WRONG_VALUES


# --- batch_norm ------------------------------------------------------------------------------------


def batch_norm_numpy(features, gamma, beta, epsilon=1e-3):
    mean = features.mean(axis=(0, 1, 2), keepdims=True)
    variance = ((features - mean) ** 2).mean(axis=(0, 1, 2), keepdims=True)
    return gamma * (features - mean) / np.sqrt(variance + epsilon) + beta


def batch_norm_per_image(features, gamma, beta, epsilon=1e-3):
    mean = features.mean(axis=(1, 2), keepdims=True)
    variance = features.var(axis=(1, 2), keepdims=True)
    return gamma * (features - mean) / np.sqrt(variance + epsilon) + beta


def batch_norm_sample_variance(features, gamma, beta, epsilon=1e-3):
    mean = features.mean(axis=(0, 1, 2))
    variance = features.var(axis=(0, 1, 2), ddof=1)
    return gamma * (features - mean) / np.sqrt(variance + epsilon) + beta


def batch_norm_epsilon_outside(features, gamma, beta, epsilon=1e-3):
    mean = features.mean(axis=(0, 1, 2))
    return gamma * (features - mean) / (features.std(axis=(0, 1, 2)) + epsilon) + beta


def batch_norm_no_affine(features, gamma, beta, epsilon=1e-3):
    mean = features.mean(axis=(0, 1, 2))
    return (features - mean) / np.sqrt(features.var(axis=(0, 1, 2)) + epsilon)


def test_batch_norm_correct_answer_passes():
    assert _status(checks.check_batch_norm, batch_norm_numpy) == checks.CORRECT


@pytest.mark.parametrize("answer", [batch_norm_per_image, batch_norm_sample_variance, batch_norm_epsilon_outside,
                                    batch_norm_no_affine])
def test_batch_norm_mistakes_are_caught(answer):
    assert _status(checks.check_batch_norm, answer) == checks.WRONG_VALUES


def test_batch_norm_reference_agrees_with_keras_in_training_mode():
    features = np.random.default_rng(0).normal(2.0, 3.0, (4, 5, 5, 3)).astype(np.float32)
    layer = keras.layers.BatchNormalization(epsilon=1e-3)
    layer.build(features.shape)
    gamma, beta = np.array([0.5, 1.0, 2.0], np.float32), np.array([0.0, 1.0, -1.0], np.float32)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    expected = residual_checks._batch_norm_reference(features.astype(np.float64), gamma, beta)
    np.testing.assert_allclose(np.asarray(layer(features, training=True)), expected, rtol=1e-4, atol=1e-4)


# --- dncnn_parameter_count ------------------------------------------------------------------------


def parameters_by_layer(depth, width, channels=1, batch_norm=True):
    total = 9 * channels * width + width
    for _ in range(depth - 2):
        total += 9 * width * width + (2 * width if batch_norm else width)
    return total + 9 * width * channels + channels


def parameters_with_moving_statistics(depth, width, channels=1, batch_norm=True):
    return parameters_by_layer(depth, width, channels, batch_norm) + (4 * width - 2 * width) * (depth - 2) * batch_norm


def parameters_with_hidden_biases(depth, width, channels=1, batch_norm=True):
    return parameters_by_layer(depth, width, channels, batch_norm) + width * (depth - 2) * batch_norm


def parameters_without_biases(depth, width, channels=1, batch_norm=True):
    return parameters_by_layer(depth, width, channels, batch_norm) - width - channels


def test_parameter_count_correct_answer_passes():
    assert _status(checks.check_dncnn_parameter_count, parameters_by_layer) == checks.CORRECT


@pytest.mark.parametrize("answer", [parameters_with_moving_statistics, parameters_with_hidden_biases,
                                    parameters_without_biases])
def test_parameter_count_mistakes_are_caught(answer):
    assert _status(checks.check_dncnn_parameter_count, answer) == checks.WRONG_VALUES


@pytest.mark.parametrize("depth, width, channels, batch_norm", [(17, 64, 1, True), (5, 32, 1, False), (6, 16, 3, True)])
def test_parameter_count_reference_matches_the_built_model(depth, width, channels, batch_norm):
    model = models.dncnn(depth=depth, width=width, channels=channels, batch_norm=batch_norm)
    trainable = sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)
    assert residual_checks._dncnn_parameter_count_reference(depth, width, channels, batch_norm) == trainable


# --- self_ensemble -----------------------------------------------------------------------------------


def self_ensemble_loops(denoiser, image):
    results = []
    for flip in (False, True):
        start = image[:, ::-1] if flip else image
        for turns in range(4):
            result = denoiser(np.rot90(start, turns))
            result = np.rot90(result, -turns)
            results.append(result[:, ::-1] if flip else result)
    return sum(results) / 8


def self_ensemble_not_undone(denoiser, image):
    image = image[: min(image.shape), : min(image.shape)]
    return np.mean([denoiser(np.rot90(image, turns)) for turns in range(4)], axis=0)


def self_ensemble_rotations_only(denoiser, image):
    return np.mean([np.rot90(denoiser(np.rot90(image, turns)), -turns) for turns in range(4)], axis=0)


def self_ensemble_wrong_order(denoiser, image):
    results = []
    for index in range(8):
        transformed = np.rot90(image[:, ::-1] if index >= 4 else image, index % 4)
        result = denoiser(transformed)
        result = result[:, ::-1] if index >= 4 else result  # undo the flip first: wrong for 90/270 degrees
        results.append(np.rot90(result, -(index % 4)))
    return np.mean(results, axis=0)


def test_self_ensemble_correct_answers_pass():
    assert _status(checks.check_self_ensemble, self_ensemble_loops) == checks.CORRECT

    def with_the_library(denoiser, image):
        return np.mean([models.dihedral_transform(denoiser(models.dihedral_transform(image, k)), k, inverse=True)
                        for k in range(8)], axis=0)

    assert _status(checks.check_self_ensemble, with_the_library) == checks.CORRECT


@pytest.mark.parametrize("answer", [self_ensemble_not_undone, self_ensemble_rotations_only, self_ensemble_wrong_order])
def test_self_ensemble_mistakes_are_caught(answer):
    assert _status(checks.check_self_ensemble, answer) in (checks.WRONG_VALUES, checks.WRONG_SHAPE)

