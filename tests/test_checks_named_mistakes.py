"""Typical learner mistakes of notebooks 00-05, each written as a learner would and run through the real check.

Each must fail, and its message must name the mistake (the words in the table), not only the numbers.
Notebooks 06-10 (and 01's uint8 wrap-around) have their own tables in their test files.
"""

import numpy as np
import pytest
from scipy import ndimage

from course_lib import checks
from course_lib.checks import _framework

# ----------------------------------------------------------------------------- 00 and 02


def invert_negated(image):
    return -image


def correlation_instead_of_convolution(image, kernel):
    kernel_height, kernel_width = kernel.shape
    padded = np.pad(image, ((kernel_height // 2,) * 2, (kernel_width // 2,) * 2))
    output = np.zeros(image.shape)
    for row in range(image.shape[0]):
        for column in range(image.shape[1]):
            output[row, column] = np.sum(padded[row:row + kernel_height, column:column + kernel_width] * kernel)
    return output


def convolution_with_edge_padding(image, kernel):
    kernel_height, kernel_width = kernel.shape
    padded = np.pad(image, ((kernel_height // 2,) * 2, (kernel_width // 2,) * 2), mode="edge")
    flipped = kernel[::-1, ::-1]
    output = np.zeros(image.shape)
    for row in range(image.shape[0]):
        for column in range(image.shape[1]):
            output[row, column] = np.sum(padded[row:row + kernel_height, column:column + kernel_width] * flipped)
    return output


def gaussian_continuous_constant(size, sigma):
    offsets = np.arange(size) - size // 2
    squared = offsets[:, None] ** 2 + offsets[None, :] ** 2
    return np.exp(-squared / (2 * sigma**2)) / (2 * np.pi * sigma**2)


def gaussian_not_centred(size, sigma):
    offsets = np.arange(size)
    kernel = np.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / (2 * sigma**2))
    return kernel / kernel.sum()


def gaussian_without_the_2(size, sigma):
    offsets = np.arange(size) - size // 2
    kernel = np.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / sigma**2)
    return kernel / kernel.sum()


def median_with_zero_padding(image):
    padded = np.pad(image, 1)
    return np.median(np.stack([padded[r:r + image.shape[0], c:c + image.shape[1]]
                               for r in range(3) for c in range(3)]), axis=0)


def median_with_numpy_reflect(image):
    padded = np.pad(image, 1, mode="reflect")
    return np.median(np.stack([padded[r:r + image.shape[0], c:c + image.shape[1]]
                               for r in range(3) for c in range(3)]), axis=0)


def wiener_without_conjugate(blurred, psf, balance):
    from course_lib import frequency

    transfer = frequency.psf_to_otf(psf, blurred.shape)
    return np.real(np.fft.ifft2(transfer * np.fft.fft2(blurred) / (np.abs(transfer) ** 2 + balance)))


def wiener_with_uncentred_psf(blurred, psf, balance):
    transfer = np.fft.fft2(psf, s=blurred.shape)
    return np.real(np.fft.ifft2(np.conj(transfer) * np.fft.fft2(blurred) / (np.abs(transfer) ** 2 + balance)))


# ----------------------------------------------------------------------------- 03


def histogram_without_range(image, bins=256):
    return np.histogram(image, bins=bins)[0]


def cdf_not_normalised(counts):
    return np.cumsum(counts).astype(float)


def cdf_without_cumsum(counts):
    return counts / np.sum(counts)


def equalize_over_zero_to_one(image, bins=256):
    counts, edges = np.histogram(image, bins=bins, range=(0.0, 1.0))
    cdf = np.cumsum(counts) / counts.sum()
    return np.interp(image, (edges[:-1] + edges[1:]) / 2, cdf)


def gamma_inverted(image, gamma):
    return image ** (1 / gamma)


def unsharp_not_clipped(image, radius=1.0, amount=1.0):
    return image + amount * (image - ndimage.gaussian_filter(image, sigma=radius))


def unsharp_adding_the_blur(image, radius=1.0, amount=1.0):
    return np.clip(image + amount * ndimage.gaussian_filter(image, sigma=radius), 0, 1)


def unsharp_zero_padded_blur(image, radius=1.0, amount=1.0):
    blurred = ndimage.gaussian_filter(image, sigma=radius, mode="constant")
    return np.clip(image + amount * (image - blurred), 0, 1)


# ----------------------------------------------------------------------------- 04


def _gradient(kernel, image, target):
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    residual = np.einsum("ijpq,pq->ij", windows, kernel) - target
    return 2 * np.einsum("ij,ijpq->pq", residual, windows) / residual.size


def step_uphill(kernel, image, target, learning_rate):
    return kernel + learning_rate * _gradient(kernel, image, target)


def step_never_applied(kernel, image, target, learning_rate):
    gradient = _gradient(kernel, image, target)  # noqa: F841 (computed, then forgotten)
    return kernel.copy()


def step_returns_the_gradient(kernel, image, target, learning_rate):
    return _gradient(kernel, image, target)


def step_without_the_2(kernel, image, target, learning_rate):
    return kernel - learning_rate * _gradient(kernel, image, target) / 2


def step_summing(kernel, image, target, learning_rate):
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return kernel - learning_rate * _gradient(kernel, image, target) * windows.shape[0] * windows.shape[1]


def conv_shape_without_bias(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, channels = input_shape
    sides = [(side - kernel_size) // stride + 1 if padding == "valid" else -(-side // stride)
             for side in (height, width)]
    return sides[0], sides[1], kernel_size * kernel_size * channels * filters


def conv_shape_same_as_valid(input_shape, filters, kernel_size, stride=1, padding="valid"):
    height, width, channels = input_shape
    sides = [(side - kernel_size) // stride + 1 for side in (height, width)]
    return sides[0], sides[1], kernel_size * kernel_size * channels * filters + filters


def receptive_field_summing_kernels(layers):
    return sum(kernel_size for kernel_size, _ in layers)


def receptive_field_ignoring_strides(layers):
    return 1 + sum(kernel_size - 1 for kernel_size, _ in layers)


def pool_from_zeros(feature_map):
    rows, columns = feature_map.shape[0] // 2, feature_map.shape[1] // 2
    output = np.zeros((rows, columns))
    for row in range(rows):
        for column in range(columns):
            for value in feature_map[2 * row:2 * row + 2, 2 * column:2 * column + 2].ravel():
                output[row, column] = max(output[row, column], value)
    return output


def average_pooling(feature_map):
    rows, columns = feature_map.shape[0] // 2, feature_map.shape[1] // 2
    return feature_map[:2 * rows, :2 * columns].reshape(rows, 2, columns, 2).mean(axis=(1, 3))


# ----------------------------------------------------------------------------- 05


def pair_with_clean_target(clean, sigma, rng):
    noisy = clean + rng.normal(0, sigma / 255, clean.shape)
    return noisy, clean


def pair_with_flipped_noise(clean, sigma, rng):
    noisy = clean + rng.normal(0, sigma / 255, clean.shape)
    return noisy, clean - noisy


def pair_clipped(clean, sigma, rng):
    noisy = np.clip(clean + rng.normal(0, sigma / 255, clean.shape), 0, 1)
    return noisy, noisy - clean


def batch_norm_unbiased(features, gamma, beta, epsilon=1e-3):
    mean = features.mean(axis=(0, 1, 2))
    variance = features.var(axis=(0, 1, 2), ddof=1)
    return gamma * (features - mean) / np.sqrt(variance + epsilon) + beta


def batch_norm_epsilon_outside(features, gamma, beta, epsilon=1e-3):
    mean = features.mean(axis=(0, 1, 2))
    return gamma * (features - mean) / (features.std(axis=(0, 1, 2)) + epsilon) + beta


def batch_norm_over_the_batch_axis(features, gamma, beta, epsilon=1e-3):
    return gamma * (features - features.mean(axis=0)) / np.sqrt(features.var(axis=0) + epsilon) + beta


def count_with_hidden_biases(depth, width, channels=1, batch_norm=True):
    hidden = 9 * width * width + width + (2 * width if batch_norm else 0)
    return 9 * channels * width + width + (depth - 2) * hidden + 9 * width * channels + channels


def count_with_moving_statistics(depth, width, channels=1, batch_norm=True):
    hidden = 9 * width * width + (4 * width if batch_norm else width)
    return 9 * channels * width + width + (depth - 2) * hidden + 9 * width * channels + channels


def ensemble_not_undone(denoiser, image):
    results = []
    for flip in (False, True):
        for turns in range(4):
            results.append(denoiser(np.ascontiguousarray(np.rot90(np.fliplr(image) if flip else image, turns))))
    return np.mean(results, axis=0)


def ensemble_of_rotations(denoiser, image):
    return np.mean([np.rot90(denoiser(np.ascontiguousarray(np.rot90(image, turns))), -turns)
                    for turns in range(4)], axis=0)


MISTAKES = [
    ("invert", invert_negated, "1 - image"),
    ("convolve2d", correlation_instead_of_convolution, "not flipped"),
    ("convolve2d", convolution_with_edge_padding, "only near the border"),
    ("gaussian_kernel", gaussian_continuous_constant, "continuous constant"),
    ("gaussian_kernel", gaussian_not_centred, "not in the middle"),
    ("gaussian_kernel", gaussian_without_the_2, "The 2 in"),
    ("median_filter_3x3", median_with_zero_padding, "padded with zeros"),
    ("median_filter_3x3", median_with_numpy_reflect, "mode='reflect' skips the edge pixel"),
    ("wiener_filter", wiener_without_conjugate, "complex conjugate"),
    ("wiener_filter", wiener_with_uncentred_psf, "shifted"),
    ("histogram", histogram_without_range, "range=(0, 1)"),
    ("cdf", cdf_not_normalised, "not normalised"),
    ("cdf", cdf_without_cumsum, "cumulative sum too"),
    ("equalize_histogram", equalize_over_zero_to_one, "image's own range"),
    ("gamma_correct", gamma_inverted, "1 / gamma"),
    ("unsharp_mask", unsharp_not_clipped, "clip"),
    ("unsharp_mask", unsharp_adding_the_blur, "added the blurred image"),
    ("unsharp_mask", unsharp_zero_padded_blur, "pads with zeros"),
    ("gradient_step", step_uphill, "uphill"),
    ("gradient_step", step_never_applied, "never applied"),
    ("gradient_step", step_returns_the_gradient, "the gradient itself"),
    ("gradient_step", step_without_the_2, "factor 2"),
    ("gradient_step", step_summing, "summed over the output pixels"),
    ("conv2d_output_shape", conv_shape_without_bias, "biases are missing"),
    ("conv2d_output_shape", conv_shape_same_as_valid, 'padding="same" keeps the size'),
    ("receptive_field", receptive_field_summing_kernels, "summed the kernel sizes"),
    ("receptive_field", receptive_field_ignoring_strides, "strides are ignored"),
    ("max_pool_2x2", pool_from_zeros, "started from zeros"),
    ("max_pool_2x2", average_pooling, "average pooling"),
    ("make_residual_pair", pair_with_clean_target, "the target, is the clean image"),
    ("make_residual_pair", pair_with_flipped_noise, "wrong sign"),
    ("make_residual_pair", pair_clipped, "clipped"),
    ("batch_norm", batch_norm_unbiased, "ddof=1"),
    ("batch_norm", batch_norm_epsilon_outside, "inside the square root"),
    ("batch_norm", batch_norm_over_the_batch_axis, "batch axis only"),
    ("dncnn_parameter_count", count_with_hidden_biases, "bias in each hidden convolution"),
    ("dncnn_parameter_count", count_with_moving_statistics, "moving mean and variance"),
    ("self_ensemble", ensemble_not_undone, "not undone"),
    ("self_ensemble", ensemble_of_rotations, "4 rotations only"),
]


@pytest.mark.parametrize("key, answer, words", MISTAKES, ids=[f"{key}-{answer.__name__}" for key, answer, _ in MISTAKES])
def test_a_typical_mistake_fails_with_its_own_message(key, answer, words):
    feedback = checks.run_check(key, answer)
    assert not feedback.passed
    assert words in feedback.message, feedback.text()


def test_every_exercise_of_notebooks_00_to_05_names_at_least_one_mistake():
    named = {key for key, _, _ in MISTAKES}
    for notebook in ("00_welcome", "01_images_degradations_metrics", "02_classical_filters",
                     "03_histograms_and_enhancement", "04_from_filters_to_cnns", "05_residual_learning_dncnn"):
        for key in checks.list_exercises(notebook):
            assert checks.exercise(key).mistakes, f"{key} names no mistake"
            assert key in named or notebook == "01_images_degradations_metrics", f"no test runs a mistake of {key}"


def test_a_mistake_is_named_even_outside_the_allowed_range():
    """The range check fails first ("values should lie in ..."); the mistake's explanation is added to it."""
    feedback = checks.run_check("invert", invert_negated)
    assert feedback.message.startswith("values should lie in [0.0, 1.0]") and "1 - image" in feedback.message


def test_a_right_answer_is_never_taken_for_a_mistake():
    """Every exercise's reference passes, so no mistake can be matched by a right answer."""
    for key in checks.list_exercises():
        item = checks.exercise(key)
        if not item.mistakes:
            continue
        assert checks.run_check(key, item.reference).passed, key


def test_a_mistake_that_does_not_apply_to_a_case_is_skipped():
    def raises(*args):
        raise ValueError("not for this case")

    item = checks.exercise("gamma_correct")
    case = item.cases()[0]
    broken = _framework.dataclasses.replace(item, mistakes=[_framework.Mistake("never", answer=raises),
                                                            *item.mistakes])
    got = case.args[0] ** (1 / case.args[1])
    assert "1 / gamma" in _framework.recognize_mistake(broken, got, item.reference(*case.args), case)
