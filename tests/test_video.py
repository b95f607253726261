"""course_lib.video (synthetic sequences, alignment, temporal averaging, flicker) and the Anscombe transform."""

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage

from course_lib import data, degradations, video
from course_lib.degradations import noise


@pytest.fixture
def scene():
    """A smooth 64x64 scene with structure in both directions (phase correlation needs texture)."""
    rng = np.random.default_rng(5)
    return np.clip(ndimage.gaussian_filter(rng.random((64, 64)), 1.5) * 3 - 1, 0, 1).astype(np.float32)


@pytest.mark.parametrize("module", [video, noise])
def test_the_docstring_examples_run(module):
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


# --- Anscombe ----------------------------------------------------------------------------------------


def test_anscombe_is_the_formula_and_keeps_the_shape():
    counts = np.array([[0, 1, 2], [10, 100, 1000]])
    assert_allclose(degradations.anscombe(counts), 2 * np.sqrt(counts + 3 / 8))
    assert degradations.anscombe(counts).shape == (2, 3)
    assert degradations.anscombe(4.0) == pytest.approx(2 * np.sqrt(4.375))


@pytest.mark.parametrize("mean", [5.0, 20.0, 200.0])
def test_anscombe_stabilizes_the_variance_of_poisson_counts(mean):
    counts = np.random.default_rng(0).poisson(mean, size=200_000)
    assert np.var(degradations.anscombe(counts)) == pytest.approx(1.0, abs=0.06)


def _expected_transform(mean, samples=400_000, seed=1):
    return degradations.anscombe(np.random.default_rng(seed).poisson(mean, size=samples)).mean()


@pytest.mark.parametrize("mean", [0.5, 2.0, 8.0, 40.0])
def test_the_exact_unbiased_inverse_recovers_the_mean_count(mean):
    """What a perfect denoiser returns, E[A(k)], maps back to lambda; the algebraic inverse is too low."""
    expected = _expected_transform(mean)
    assert degradations.inverse_anscombe(expected) == pytest.approx(mean, rel=0.01, abs=0.01)
    assert degradations.inverse_anscombe(expected, method="algebraic") < mean - 0.1


def test_the_exact_unbiased_inverse_matches_the_closed_form_approximation():
    """Makitalo and Foi's closed-form approximation (IEEE TIP 20(9), 2011) agrees within 0.02 counts."""
    values = np.linspace(1.5, 60, 400)
    root = np.sqrt(1.5)
    closed_form = values**2 / 4 + root / (4 * values) - 11 / (8 * values**2) + 5 * root / (8 * values**3) - 1 / 8
    assert_allclose(degradations.inverse_anscombe(values), closed_form, atol=0.02)


def test_the_inverses_agree_for_large_counts_and_are_continuous_at_the_table_end():
    large = degradations.anscombe(np.array([500.0, 5000.0]))
    exact = degradations.inverse_anscombe(large)
    assert_allclose(exact, degradations.inverse_anscombe(large, method="asymptotic"))
    expectations, _ = noise._exact_unbiased_table()
    edge = expectations[-1]
    below, above = degradations.inverse_anscombe(np.array([edge - 1e-9, edge + 1e-9]))
    assert above - below == pytest.approx(0.0, abs=1e-4)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 80.0), min_size=2, max_size=20))
def test_every_inverse_is_non_negative_and_increasing(values):
    values = np.sort(np.array(values))
    for method in degradations.ANSCOMBE_INVERSES:
        counts = degradations.inverse_anscombe(values, method=method)
        assert np.all(counts >= 0)
        assert np.all(np.diff(counts) >= -1e-9)


def test_values_below_the_transform_of_zero_map_to_zero():
    for method in degradations.ANSCOMBE_INVERSES:
        assert_array_equal(degradations.inverse_anscombe(np.array([0.0, 1.0, 2 * np.sqrt(3 / 8)]), method=method), 0)


@pytest.mark.parametrize("call, words", [
    (lambda: degradations.anscombe(np.array([1.0, -2.0])), "counts must be non-negative"),
    (lambda: degradations.anscombe(np.array([np.nan])), "counts contains NaN"),
    (lambda: degradations.anscombe(None), "counts is None"),
    (lambda: degradations.anscombe(np.array(["a"])), "counts has dtype"),
    (lambda: degradations.inverse_anscombe([2.0], method="exact"), "method must be one of"),
    (lambda: degradations.inverse_anscombe(np.array([np.inf])), "values contains NaN"),
])
def test_anscombe_bad_input(call, words):
    with pytest.raises((ValueError, TypeError), match=words):
        call()


# --- making a sequence -----------------------------------------------------------------------------


def test_random_shifts_start_at_zero_with_bounded_steps_and_repeat_with_the_seed():
    shifts = video.random_shifts(30, max_step=1.5, seed=3)
    assert shifts.shape == (30, 2)
    assert_array_equal(shifts[0], [0, 0])
    assert np.all(np.abs(np.diff(shifts, axis=0)) <= 1.5)
    assert_array_equal(shifts, video.random_shifts(30, max_step=1.5, seed=3))
    integer = video.random_shifts(30, max_step=2, integer=True, seed=3)
    assert_array_equal(integer, np.round(integer))


def test_whole_pixel_shifts_move_the_content_exactly(scene):
    frames = video.shift_frames(scene, [[0, 0], [2, -3], [-1, 1]], size=(40, 44))
    assert frames.shape == (3, 40, 44) and frames.dtype == np.float32
    assert_allclose(frames[1][2:, :-3], frames[0][:-2, 3:], atol=1e-5)  # frame_1(p) = frame_0(p - (2, -3))
    assert_allclose(frames[2][:-1, 1:], frames[0][1:, :-1], atol=1e-5)


def test_sub_pixel_shifts_agree_with_scipy(scene):
    frames = video.shift_frames(scene, [[0.0, 0.0], [0.4, -1.3]], size=40)
    expected = ndimage.shift(scene.astype(np.float64), (0.4, -1.3), order=3, mode="nearest")
    top = (64 - 40) // 2
    assert_allclose(frames[1], expected[top : top + 40, top : top + 40], atol=1e-6)


def test_the_default_size_keeps_the_frames_inside_the_image(scene):
    frames = video.shift_frames(scene, [[0, 0], [3.5, -2]])
    margin = 4 + 2 + 1  # ceil(3.5) + (order + 1) // 2 + 1
    assert frames.shape == (1 + 1, 64 - 2 * margin, 64 - 2 * margin)


def test_synthetic_sequence_noise_and_seed(scene):
    sequence = video.synthetic_sequence(scene, 6, sigma=25, size=40, seed=2)
    assert sequence.clean.shape == sequence.noisy.shape == (6, 40, 40)
    assert sequence.shifts.shape == (6, 2) and sequence.sigma == 25
    assert 255 * np.std(sequence.noisy - sequence.clean) == pytest.approx(25, rel=0.05)
    again = video.synthetic_sequence(scene, 6, sigma=25, size=40, seed=2)
    assert_array_equal(again.noisy, sequence.noisy)
    assert_array_equal(again.clean, video.shift_frames(scene, again.shifts, size=40))
    assert not np.array_equal(video.synthetic_sequence(scene, 6, sigma=25, size=40, seed=3).noisy, sequence.noisy)


# --- alignment and averaging ------------------------------------------------------------------------


def test_estimate_shifts_finds_sub_pixel_motion_in_noisy_frames():
    camera = data.load_image("camera")[100:260, 150:310]
    sequence = video.synthetic_sequence(camera, 5, sigma=25, max_step=1.5, size=128, seed=4)
    estimated = video.estimate_shifts(sequence.noisy, upsample_factor=20)
    assert_allclose(estimated, sequence.shifts, atol=0.2)
    relative = video.estimate_shifts(sequence.clean, reference=2)
    assert_allclose(relative, sequence.shifts - sequence.shifts[2], atol=0.2)


def test_align_frames_undoes_the_motion(scene):
    shifts = np.array([[0.0, 0.0], [1.5, -0.5], [-2.0, 2.25]])
    frames = video.shift_frames(scene, shifts, size=44)
    aligned = video.align_frames(frames, shifts)
    inside = (slice(None), slice(5, -5), slice(5, -5))
    assert np.max(np.abs(aligned[inside] - frames[0][5:-5, 5:-5])) < 0.03  # two interpolations
    assert_array_equal(aligned[0], frames[0])
    integer = np.array([[0, 0], [2, -1]])
    exact = video.align_frames(video.shift_frames(scene, integer, size=44), integer)
    assert_allclose(exact[1][3:-3, 3:-3], exact[0][3:-3, 3:-3], atol=1e-5)


def test_temporal_average_of_a_static_scene_is_the_moving_mean():
    rng = np.random.default_rng(0)
    frames = rng.random((6, 8, 9)).astype(np.float32)
    averaged = video.temporal_average(frames, None, radius=1)
    assert_allclose(averaged[0], frames[:2].mean(axis=0), rtol=1e-6)
    assert_allclose(averaged[3], frames[2:5].mean(axis=0), rtol=1e-6)
    assert_allclose(video.temporal_average(frames, np.zeros((6, 2)), radius=0), frames)


def test_temporal_average_of_aligned_frames_divides_the_noise(scene):
    sequence = video.synthetic_sequence(scene, 7, sigma=25, max_step=1.0, integer=True, size=40, seed=1)
    averaged = video.temporal_average(sequence.noisy, sequence.shifts, radius=3)
    inside = (3, slice(6, -6), slice(6, -6))  # the middle frame sees all 7
    residual = 255 * np.std(averaged[inside] - sequence.clean[inside])
    assert residual == pytest.approx(25 / np.sqrt(7), rel=0.15)


# --- flicker ----------------------------------------------------------------------------------------


def test_mean_temporal_difference_is_the_formula():
    frames = np.random.default_rng(1).random((4, 5, 6))
    expected = sum(np.abs(frames[t + 1] - frames[t]).sum() for t in range(3)) / (3 * 5 * 6)
    assert video.mean_temporal_difference(frames) == pytest.approx(expected)


def test_flicker_of_independent_noise_and_of_a_constant_error():
    clean = np.zeros((6, 64, 64))
    noisy = clean + np.random.default_rng(2).normal(0, 0.1, clean.shape)
    assert video.flicker(noisy, clean) == pytest.approx(0.1 * np.sqrt(2) * np.sqrt(2 / np.pi), rel=0.02)
    assert video.flicker(clean + 0.2, clean) == 0.0
    assert video.flicker(noisy, clean) == pytest.approx(video.mean_temporal_difference(noisy - clean))


def test_motion_compensation_ignores_an_error_that_moves_with_the_scene(scene):
    shifts = np.array([[0, 0], [0, 2], [1, 4], [1, 6]], dtype=float)
    clean = video.shift_frames(scene, shifts, size=40)
    blurred = video.shift_frames(ndimage.uniform_filter(scene, 3), shifts, size=40)
    assert video.flicker(blurred, clean) > 0.02
    assert video.flicker(blurred, clean, shifts=shifts) < 1e-4


@pytest.mark.parametrize("call, words", [
    (lambda: video.random_shifts(0), "count must be at least 1"),
    (lambda: video.random_shifts(3, max_step=-1), "max_step must be"),
    (lambda: video.shift_frames(np.zeros((16, 16, 3), np.float32), [[0, 0]]), "image must be a gray image"),
    (lambda: video.shift_frames(np.zeros((16, 16), np.float32), [[0, 0, 0]]), r"shifts must have shape \(frames, 2\)"),
    (lambda: video.shift_frames(np.zeros((16, 16), np.float32), [[0, 20]]), "does not fit"),
    (lambda: video.shift_frames(np.zeros((32, 32), np.float32), [[0, 0]], size=40), "does not fit"),
    (lambda: video.synthetic_sequence(np.zeros((32, 32), np.uint8), 3), "image has integer dtype"),
    (lambda: video.estimate_shifts(np.zeros((8, 8), np.float32)), r"frames must be a gray sequence.*np.stack"),
    (lambda: video.estimate_shifts(np.zeros((3, 8, 8), np.float32), reference=3), "reference must be at most 2"),
    (lambda: video.align_frames(np.zeros((3, 8, 8)), np.zeros((2, 2))), "one \\(rows, columns\\) pair per frame"),
    (lambda: video.align_frames(np.zeros((3, 8, 8)), [[0, 0], [0, np.nan], [0, 0]]), "shifts contains NaN"),
    (lambda: video.temporal_average(np.zeros((3, 8, 8), np.uint8)), "frames has integer dtype"),
    (lambda: video.temporal_average(np.zeros((3, 8, 8)), radius=-1), "radius must be at least 0"),
    (lambda: video.mean_temporal_difference(np.zeros((1, 8, 8))), "frames must hold at least 2 frames"),
    (lambda: video.flicker(np.zeros((3, 8, 8)), np.zeros((3, 8, 9))), "restored and clean must have the same shape"),
    (lambda: video.flicker(None, np.zeros((3, 8, 8))), "restored is None"),
    (lambda: video.flicker(np.full((2, 8, 8), np.inf), np.zeros((2, 8, 8))), "restored contains NaN"),
    (lambda: video.flicker(np.zeros((2, 8, 8)), np.zeros((2, 8, 8)), shifts=[[0, 0], [0, 5]]), "leave nothing"),
])
def test_bad_input_is_rejected_naming_the_argument(call, words):
    with pytest.raises((ValueError, TypeError), match=words):
        call()


def test_inputs_are_not_modified(scene):
    frames = video.shift_frames(scene, [[0, 0], [1, 1], [0.5, 2]], size=40)
    shifts = np.array([[0, 0], [1, 1], [0.5, 2]])
    before = frames.copy(), shifts.copy()
    video.align_frames(frames, shifts)
    video.temporal_average(frames, shifts)
    video.flicker(frames, frames * 0.5, shifts=shifts)
    assert_array_equal(frames, before[0])
    assert_array_equal(shifts, before[1])
