"""The checks of notebook 06: correct answers pass, the usual mistakes get the right feedback."""

import numpy as np
import pytest
import tensorflow as tf
from skimage.metrics import peak_signal_noise_ratio

from course_lib import checks, degradations
from course_lib.checks import super_resolution as sr_checks

KEYS = ["cubic_kernel", "bicubic_upscale_1d", "sr_psnr", "depth_to_space"]


def _status(check_function, learner_function):
    return check_function(learner_function).status


def test_the_exercises_are_registered_in_the_notebook_order_with_three_hints_each():
    # (that every stub is "not attempted" is tested for all exercises in test_checks_framework.py)
    assert checks.list_exercises("06_super_resolution") == KEYS
    assert all(len(checks.exercise(key).hints) >= 3 for key in KEYS)
    assert set(sr_checks.__all__) == {f"check_{key}" for key in KEYS}
    for name in sr_checks.__all__:
        assert callable(getattr(checks, name))


@pytest.mark.parametrize("key", KEYS)
def test_passing_a_result_instead_of_the_function_is_a_wrong_type(key):
    feedback = getattr(checks, f"check_{key}")(np.zeros(3))
    assert feedback.status == checks.WRONG_TYPE and "Pass the function itself" in feedback.message


# --- cubic_kernel ----------------------------------------------------------------------------------


def cubic_with_where(x, a=-0.5):
    t = np.abs(x)
    inner = (a + 2) * t**3 - (a + 3) * t**2 + 1
    outer = a * t**3 - 5 * a * t**2 + 8 * a * t - 4 * a
    return np.where(t <= 1, inner, np.where(t < 2, outer, 0.0))


def cubic_with_masks(x, a=-0.5):
    t = np.abs(np.asarray(x, dtype=float))
    result = np.zeros_like(t)
    inner, outer = t < 1, (t >= 1) & (t < 2)  # the other side of the boundaries: the kernel is continuous
    result[inner] = (a + 2) * t[inner] ** 3 - (a + 3) * t[inner] ** 2 + 1
    result[outer] = a * (t[outer] ** 3 - 5 * t[outer] ** 2 + 8 * t[outer] - 4)
    return result


def cubic_without_abs(x, a=-0.5):
    inner = (a + 2) * x**3 - (a + 3) * x**2 + 1
    outer = a * x**3 - 5 * a * x**2 + 8 * a * x - 4 * a
    return np.where(x <= 1, inner, np.where(x < 2, outer, 0.0))


def cubic_not_zero_beyond_2(x, a=-0.5):
    t = np.abs(x)
    return np.where(t <= 1, (a + 2) * t**3 - (a + 3) * t**2 + 1, a * t**3 - 5 * a * t**2 + 8 * a * t - 4 * a)


def cubic_always_opencv(x, a=-0.5):
    return cubic_with_where(x, -0.75)


def cubic_default_opencv(x, a=-0.75):
    return cubic_with_where(x, a)


def cubic_always_matlab(x, a=-0.5):
    return cubic_with_where(x, -0.5)


def cubic_flattened(x, a=-0.5):
    return cubic_with_where(np.ravel(x), a)


def cubic_in_place(x, a=-0.5):
    np.abs(x, out=x)
    return cubic_with_where(x, a)


@pytest.mark.parametrize("answer", [cubic_with_where, cubic_with_masks, degradations.cubic_kernel])
def test_cubic_kernel_correct_answers_pass(answer):
    assert _status(checks.check_cubic_kernel, answer) == checks.CORRECT


@pytest.mark.parametrize("answer, explanation", [
    (cubic_without_abs, "Only negative x are wrong"),
    (cubic_not_zero_beyond_2, "Only points with |x| >= 2 are wrong"),
    (cubic_always_opencv, "values for a = -0.75, but this test uses a = -0.5 (the default)"),
    (cubic_default_opencv, "values for a = -0.75, but this test uses a = -0.5 (the default)"),
    (cubic_always_matlab, "values for a = -0.5, but this test uses a = -0.75"),
])
def test_cubic_kernel_mistakes_are_caught_and_explained(answer, explanation):
    feedback = checks.check_cubic_kernel(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert explanation in feedback.message
    assert " at x = " in feedback.message and 'hint("cubic_kernel")' in feedback.details[-1]


def test_cubic_kernel_must_keep_the_shape_and_leave_x_alone():
    feedback = checks.check_cubic_kernel(cubic_flattened)
    assert "expected shape (3, 4), got (12,)" in feedback.message
    assert _status(checks.check_cubic_kernel, cubic_in_place) == checks.MODIFIED_INPUT


def test_cubic_kernel_cases_hit_the_integers_and_both_values_of_a():
    cases = sr_checks._cubic_kernel_cases()
    grid = cases[0].args[0]
    assert {-2.0, -1.0, 0.0, 1.0, 2.0} <= set(grid.tolist()) and grid.min() < -2 and grid.max() > 2
    assert cases[1].kwargs == {"a": -0.75} and cases[2].args[0].ndim == 2


# --- bicubic_upscale_1d -----------------------------------------------------------------------------


def _mirror(index, length):
    if index < 0:
        return -index - 1
    if index > length - 1:
        return 2 * length - 1 - index
    return index


def upscale_with_loops(signal, scale):
    n = len(signal)
    result = np.zeros(n * scale)
    for k in range(n * scale):
        u = (k + 0.5) / scale - 0.5
        neighbours = [int(np.floor(u)) - 1 + tap for tap in range(4)]
        weights = [float(degradations.cubic_kernel(u - j)) for j in neighbours]
        total = sum(weights)
        result[k] = sum(w / total * signal[_mirror(j, n)] for w, j in zip(weights, neighbours))
    return result


def upscale(signal, scale, centres=True, border="mirror"):
    n = len(signal)
    k = np.arange(n * scale)
    u = (k + 0.5) / scale - 0.5 if centres else k / scale
    j = np.floor(u).astype(int)[:, None] - 1 + np.arange(4)
    weights = degradations.cubic_kernel(u[:, None] - j)
    weights /= weights.sum(axis=1, keepdims=True)
    if border == "mirror":
        j = np.where(j < 0, -j - 1, j)
        j = np.where(j > n - 1, 2 * n - 1 - j, j)
    elif border == "clamp":
        j = np.clip(j, 0, n - 1)
    elif border == "python":  # signal[-1] is the last sample; only indices past the end are folded back
        j = np.where(j > n - 1, j - n, j)
    return (weights * signal[j]).sum(axis=1)


def upscale_pixel_corners(signal, scale):
    return upscale(signal, scale, centres=False)


def upscale_clamped(signal, scale):
    return upscale(signal, scale, border="clamp")


def upscale_negative_indices(signal, scale):
    return upscale(signal, scale, border="python")


def upscale_with_the_library(signal, scale):
    return degradations.bicubic_upscale(signal[None, :], scale)[0]


@pytest.mark.parametrize("answer", [upscale, upscale_with_loops, upscale_with_the_library])
def test_bicubic_upscale_correct_answers_pass(answer):
    assert _status(checks.check_bicubic_upscale_1d, answer) == checks.CORRECT


@pytest.mark.parametrize("length", range(2, 12))
@pytest.mark.parametrize("scale", [1, 2, 3, 4, 5])
def test_the_written_rule_is_matlab_imresize(length, scale):
    """u = (k + 0.5) / scale - 0.5, 4 taps, weights over their sum, symmetric mirroring: imresize exactly."""
    signal = np.random.default_rng(length * 10 + scale).normal(size=length)
    expected = sr_checks._bicubic_upscale_1d_reference(signal, scale)
    np.testing.assert_allclose(upscale_with_loops(signal, scale), expected, rtol=0, atol=1e-12)
    columns = degradations.imresize(signal[:, None], output_shape=(length * scale, 1))[:, 0]
    np.testing.assert_allclose(columns, expected, rtol=0, atol=1e-12)


def test_bicubic_upscale_pixel_corners_are_explained():
    feedback = checks.check_bicubic_upscale_1d(upscale_pixel_corners)
    assert feedback.status == checks.WRONG_VALUES
    assert "the first is output[0]" in feedback.message
    assert "Your output[0] equals signal[0]" in feedback.message and "pixel centres" in feedback.message


@pytest.mark.parametrize("answer", [upscale_clamped, upscale_negative_indices])
def test_bicubic_upscale_border_mistakes_say_only_the_ends_are_wrong(answer):
    feedback = checks.check_bicubic_upscale_1d(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert feedback.message.startswith(("2 of 12 output samples are wrong", "6 of 12 output samples are wrong"))
    assert "the first is output[0]" in feedback.message
    assert "only samples near the ends are wrong" in feedback.message and "-2 -> 1" in feedback.message


def test_bicubic_upscale_wrong_length_and_nearest_neighbour():
    feedback = checks.check_bicubic_upscale_1d(lambda signal, scale: upscale(signal, scale)[:-1])
    assert "expected shape (12,), got (11,)" in feedback.message
    feedback = checks.check_bicubic_upscale_1d(lambda signal, scale: np.repeat(signal, scale))
    assert feedback.status == checks.WRONG_VALUES and "near the ends" not in feedback.message


def test_bicubic_upscale_cases_include_a_step_that_overshoots():
    signals = [case.args[0] for case in sr_checks._bicubic_upscale_1d_cases()]
    assert all(5 <= len(signal) <= 9 for signal in signals)
    assert {case.args[1] for case in sr_checks._bicubic_upscale_1d_cases()} == {2, 3, 4}
    step = next(signal for signal in signals if set(signal.tolist()) == {0.0, 1.0})
    upscaled = sr_checks._bicubic_upscale_1d_reference(step, 2)
    assert upscaled.min() < 0 and upscaled.max() > 1


# --- sr_psnr -----------------------------------------------------------------------------------------


def sr_psnr_by_hand(reference, estimate, scale):
    inside = (slice(scale, -scale), slice(scale, -scale))
    error = np.mean((reference[inside] - estimate[inside]) ** 2)
    return 10 * np.log10(255.0**2 / error)


def sr_psnr_with_skimage(reference, estimate, scale):
    height, width = reference.shape
    crop = (slice(scale, height - scale), slice(scale, width - scale))
    return peak_signal_noise_ratio(reference[crop], estimate[crop], data_range=255)


def sr_psnr_from_rmse(reference, estimate, scale):
    difference = (estimate - reference)[scale:-scale, scale:-scale]
    return 20 * np.log10(255 / np.sqrt(np.mean(difference**2)))


def sr_psnr_no_crop(reference, estimate, scale):
    return 10 * np.log10(255.0**2 / np.mean((reference - estimate) ** 2))


def sr_psnr_peak_one(reference, estimate, scale):
    inside = (slice(scale, -scale), slice(scale, -scale))
    return 10 * np.log10(1.0 / np.mean((reference[inside] - estimate[inside]) ** 2))


def sr_psnr_top_left_only(reference, estimate, scale):
    return 10 * np.log10(255.0**2 / np.mean((reference[scale:, scale:] - estimate[scale:, scale:]) ** 2))


def sr_psnr_twice_the_border(reference, estimate, scale):
    return sr_psnr_by_hand(reference, estimate, 2 * scale)


@pytest.mark.parametrize("answer", [sr_psnr_by_hand, sr_psnr_with_skimage, sr_psnr_from_rmse])
def test_sr_psnr_correct_answers_pass(answer):
    assert _status(checks.check_sr_psnr, answer) == checks.CORRECT


@pytest.mark.parametrize("answer, explanation", [
    (sr_psnr_no_crop, "PSNR of the whole image"),
    (sr_psnr_peak_one, "peak value of 1"),
    (sr_psnr_top_left_only, "only the top and left borders removed"),
])
def test_sr_psnr_mistakes_are_caught_and_explained(answer, explanation):
    feedback = checks.check_sr_psnr(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert feedback.message.startswith("expected ") and explanation in feedback.message


def test_sr_psnr_other_wrong_answers_get_the_plain_message():
    feedback = checks.check_sr_psnr(sr_psnr_twice_the_border)
    assert feedback.status == checks.WRONG_VALUES and "That is" not in feedback.message
    feedback = checks.check_sr_psnr(lambda reference, estimate, scale: np.array([1.0, 2.0]))
    assert "expected a single number" in feedback.message


def test_sr_psnr_cases_make_every_mistake_far_from_the_answer():
    for case in sr_checks._sr_psnr_cases():
        reference, estimate, scale = case.args
        assert reference.min() >= 0 and reference.max() <= 255 and estimate.min() >= 0 and estimate.max() <= 255
        expected = sr_checks._sr_psnr_reference(*case.args)
        assert expected == pytest.approx(sr_psnr_with_skimage(*case.args), abs=1e-9)
        for mistake in (sr_psnr_no_crop, sr_psnr_peak_one, sr_psnr_top_left_only):
            assert abs(mistake(*case.args) - expected) > 1.0, (case.label, mistake.__name__)


# --- depth_to_space ----------------------------------------------------------------------------------


def depth_to_space_numpy(features, factor):
    height, width, depth = features.shape
    channels = depth // (factor * factor)
    blocks = features.reshape(height, width, factor, factor, channels).transpose(0, 2, 1, 3, 4)
    return blocks.reshape(height * factor, width * factor, channels)


def depth_to_space_loops(features, factor):
    height, width, depth = features.shape
    channels = depth // factor**2
    output = np.empty((height * factor, width * factor, channels))
    for h in range(height):
        for w in range(width):
            for i in range(factor):
                for j in range(factor):
                    start = (i * factor + j) * channels
                    output[h * factor + i, w * factor + j, :] = features[h, w, start:start + channels]
    return output


def depth_to_space_tensorflow(features, factor):
    return tf.nn.depth_to_space(features[None], factor)[0]  # a tensor: the check compares its NumPy value


def depth_to_space_channel_major(features, factor):
    height, width, depth = features.shape
    channels = depth // (factor * factor)
    blocks = features.reshape(height, width, channels, factor, factor).transpose(0, 3, 1, 4, 2)
    return blocks.reshape(height * factor, width * factor, channels)


def depth_to_space_transposed(features, factor):
    height, width, depth = features.shape
    channels = depth // (factor * factor)
    blocks = features.reshape(height, width, factor, factor, channels).transpose(0, 3, 1, 2, 4)
    return blocks.reshape(height * factor, width * factor, channels)


def depth_to_space_reshape_only(features, factor):
    height, width, depth = features.shape
    return features.reshape(height * factor, width * factor, depth // factor**2)


@pytest.mark.parametrize("answer", [depth_to_space_numpy, depth_to_space_loops, depth_to_space_tensorflow])
def test_depth_to_space_correct_answers_pass(answer):
    assert _status(checks.check_depth_to_space, answer) == checks.CORRECT


@pytest.mark.parametrize("answer, explanation", [
    (depth_to_space_channel_major, "channel-major order"),
    (depth_to_space_transposed, "sub-pixels are transposed"),
    (depth_to_space_reshape_only, "A reshape alone"),
])
def test_depth_to_space_mistakes_are_caught_and_explained(answer, explanation):
    feedback = checks.check_depth_to_space(answer)
    assert feedback.status == checks.WRONG_VALUES
    assert explanation in feedback.message and "expected features[" in feedback.message


def test_channel_major_order_is_caught_only_where_there_are_two_channels():
    feedback = checks.check_depth_to_space(depth_to_space_channel_major)
    assert "C = 2" in feedback.details[0]


def test_depth_to_space_wrong_shape():
    feedback = checks.check_depth_to_space(lambda features, factor: depth_to_space_numpy(features, factor)[..., 0])
    assert "expected shape (4, 6, 1), got (4, 6)" in feedback.message


@pytest.mark.parametrize("case", sr_checks._depth_to_space_cases(), ids=lambda case: case.label.split(":")[0])
def test_depth_to_space_reference_agrees_with_tensorflow_and_the_formula(case):
    features, factor = case.args
    expected = sr_checks._depth_to_space_reference(features, factor)
    np.testing.assert_array_equal(expected, tf.nn.depth_to_space(features[None], factor).numpy()[0])
    np.testing.assert_array_equal(expected, depth_to_space_loops(features, factor))


def test_depth_to_space_cases_cover_both_factors_both_channel_counts_and_a_non_square_map():
    shapes = [(case.args[0].shape, case.args[1]) for case in sr_checks._depth_to_space_cases()]
    assert {factor for _, factor in shapes} == {2, 3}
    assert {shape[2] // factor**2 for shape, factor in shapes} == {1, 2}
    assert any(shape[0] != shape[1] for shape, _ in shapes)
