"""Noise2Noise pairs, Noise2Void blind spots and masked loss, and the self-supervised training helper."""

import numpy as np
import pytest

from course_lib import training
from course_lib.training import self_supervised


def test_noise2noise_pairs_are_two_independent_observations_of_the_same_image():
    clean = np.full((64, 64), 0.5)
    first, second = training.noise2noise_pairs(clean, 25, seed=0)
    assert first.dtype == second.dtype == np.float32 and first.shape == clean.shape
    noise_a, noise_b = first - clean, second - clean
    assert abs(noise_a.std() - 25 / 255) < 0.01 and abs(noise_b.std() - 25 / 255) < 0.01
    assert abs(np.corrcoef(noise_a.ravel(), noise_b.ravel())[0, 1]) < 0.05
    # the first draw is exactly what a supervised pair's noisy input would get with the same seed
    expected = clean + np.random.default_rng(0).normal(0.0, 25 / 255, clean.shape)
    np.testing.assert_allclose(first, expected.astype(np.float32), rtol=1e-6)


def test_noise2noise_pairs_are_seeded():
    clean = np.random.default_rng(1).random((5, 6))
    a = training.noise2noise_pairs(clean, 15, seed=3)
    b = training.noise2noise_pairs(clean, 15, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_replace_blind_spots_reads_from_the_original():
    image = np.arange(16.0).reshape(4, 4)
    masked = training.replace_blind_spots(image, [[1, 1], [1, 2]], [[0, 1], [1, -1]])
    assert masked[1, 1] == image[1, 2]  # not the replaced value of (1, 2)
    assert masked[1, 2] == image[2, 1]
    assert np.array_equal(np.delete(masked.ravel(), [5, 6]), np.delete(image.ravel(), [5, 6]))
    assert image[1, 1] == 5.0  # the input is unchanged


@pytest.mark.parametrize("positions, offsets, words", [
    ([[0, 0]], [[0, 0]], "(0, 0)"),
    ([[0, 0]], [[-1, 0]], "inside the image"),
    ([[5, 0]], [[1, 0]], "positions must lie inside"),
    ([[1, 1], [2, 2]], [[0, 1]], "same length"),
    ([[1.5, 1]], [[0, 1]], "integers"),
    ([1, 1], [0, 1], "shape (K, 2)"),
])
def test_replace_blind_spots_bad_input(positions, offsets, words):
    with pytest.raises(ValueError, match=None) as error:
        training.replace_blind_spots(np.zeros((4, 4)), positions, offsets)
    assert words in str(error.value)


@pytest.mark.parametrize("shape", [(16, 16), (3, 16, 16), (3, 16, 16, 1)])
def test_blind_spot_masking_shapes_counts_and_neighbours(shape):
    noisy = np.random.default_rng(2).random(shape).astype(np.float32)
    masked, mask = training.blind_spot_masking(noisy, fraction=0.05, radius=2, seed=0)
    assert masked.shape == noisy.shape and masked.dtype == np.float32
    expected_mask_shape = shape if len(shape) < 4 else shape[:3] + (1,)
    assert mask.shape == expected_mask_shape
    batch = noisy.reshape((-1, 16, 16))
    masked_batch, mask_batch = masked.reshape((-1, 16, 16)), mask.reshape((-1, 16, 16))
    for image, replaced, spots in zip(batch, masked_batch, mask_batch):
        assert spots.sum() == round(0.05 * 256)
        np.testing.assert_array_equal(replaced[spots == 0], image[spots == 0])
        for row, column in zip(*np.nonzero(spots)):
            window = image[max(row - 2, 0) : row + 3, max(column - 2, 0) : column + 3]
            assert np.any(np.isclose(window, replaced[row, column]))  # a value from the 5x5 window


def test_blind_spot_masking_never_copies_the_pixel_itself():
    # all pixels distinct: a blind spot that kept its own value would show
    noisy = np.random.default_rng(3).random((2, 8, 8))
    masked, mask = training.blind_spot_masking(noisy, fraction=0.5, radius=1, seed=1)
    assert np.all(masked[mask == 1] != noisy[mask == 1])


def test_blind_spot_masking_is_seeded_and_uniform():
    noisy = np.zeros((200, 10, 10))
    _, first = training.blind_spot_masking(noisy, fraction=0.1, seed=5)
    _, again = training.blind_spot_masking(noisy, fraction=0.1, seed=5)
    np.testing.assert_array_equal(first, again)
    frequency = first.mean(axis=0)  # every position is about equally likely, borders included
    assert frequency.min() > 0.02 and frequency.max() < 0.2


@pytest.mark.parametrize("kwargs, error", [
    ({"fraction": 0.0}, ValueError), ({"fraction": 0.7}, ValueError), ({"radius": 0}, ValueError),
    ({"seed": -1}, ValueError), ({"seed": "a"}, TypeError),
])
def test_blind_spot_masking_bad_arguments(kwargs, error):
    with pytest.raises(error):
        training.blind_spot_masking(np.zeros((4, 4)), **kwargs)


def test_blind_spot_masking_bad_images():
    with pytest.raises(ValueError, match="noisy"):
        training.blind_spot_masking(np.zeros(5))
    with pytest.raises(ValueError, match="integer"):
        training.blind_spot_masking(np.zeros((4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="NaN"):
        training.blind_spot_masking(np.full((4, 4), np.nan))


def test_masked_mse_counts_only_the_mask():
    target = np.zeros((4, 4))
    prediction = np.ones((4, 4))
    prediction[0, 0] = 3.0
    mask = np.zeros((4, 4))
    mask[0, 0] = mask[1, 1] = 1
    assert training.masked_mse(target, prediction, mask) == pytest.approx((9 + 1) / 2)
    # a mask without the channel axis is broadcast over the channels
    assert training.masked_mse(target[..., None], prediction[..., None], mask) == pytest.approx(5.0)


def test_masked_mse_bad_input():
    with pytest.raises(ValueError, match="selects no pixel"):
        training.masked_mse(np.zeros(3), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="same shape"):
        training.masked_mse(np.zeros(3), np.ones(4), np.ones(3))
    with pytest.raises(ValueError, match="only 0 and 1"):
        training.masked_mse(np.zeros(3), np.ones(3), np.full(3, 0.5))
    with pytest.raises(ValueError, match="does not match"):
        training.masked_mse(np.zeros((3, 3)), np.ones((3, 3)), np.ones((2, 2)))


def test_masked_mse_loss_matches_the_numpy_version_per_image():
    rng = np.random.default_rng(4)
    target, prediction = rng.random((2, 6, 6, 1)), rng.random((2, 6, 6, 1))
    mask = (rng.random((2, 6, 6, 1)) < 0.3).astype(np.float32)
    losses = np.asarray(training.masked_mse_loss(np.concatenate([target, mask], -1), prediction))
    expected = [training.masked_mse(target[i], prediction[i], mask[i]) for i in range(2)]
    np.testing.assert_allclose(losses, expected, rtol=1e-5)


@pytest.mark.parametrize("method", training.SELF_SUPERVISED_METHODS)
def test_training_pairs_of_each_method(method):
    clean = np.random.default_rng(5).random((3, 12, 12))
    inputs, targets = training.training_pairs(clean, method, sigma=25, seed=0)
    supervised_inputs, _ = training.training_pairs(clean, "supervised", sigma=25, seed=0)
    assert inputs.shape == (3, 12, 12, 1) and inputs.dtype == np.float32
    if method == "supervised":
        np.testing.assert_allclose(targets[..., 0], clean, rtol=1e-6)
    elif method == "noise2noise":
        np.testing.assert_array_equal(inputs, supervised_inputs)  # the same noisy inputs as the control
        assert targets.shape == inputs.shape and not np.allclose(targets, inputs)
    else:
        assert targets.shape == (3, 12, 12, 2)
        np.testing.assert_array_equal(targets[..., :1], supervised_inputs)  # the noisy image is the target
        spots = targets[..., 1] == 1
        np.testing.assert_array_equal(inputs[~spots], supervised_inputs[~spots])


def test_training_pairs_bad_method_and_colour():
    with pytest.raises(ValueError, match="method must be one of"):
        training.training_pairs(np.zeros((2, 4, 4)), "noise2self", sigma=25)
    with pytest.raises(ValueError, match="gray patches"):
        training.training_pairs(np.zeros((2, 4, 4, 3)), "supervised", sigma=25)


@pytest.mark.parametrize("method", training.SELF_SUPERVISED_METHODS)
def test_train_self_supervised_runs_and_is_seeded(method):
    import keras

    from course_lib import models

    patches = np.random.default_rng(6).random((8, 16, 16)).astype(np.float32)
    results = []
    for _ in range(2):
        keras.utils.set_random_seed(0)
        model = models.dncnn(depth=3, width=4, batch_norm=False, residual=False, seed=0)
        run = training.train_self_supervised(model, patches, method, sigma=25, epochs=2, steps_per_epoch=2,
                                             batch_size=4, fraction=0.1)
        results.append(run)
    assert results[0].steps == 4 and len(results[0].history["loss"]) == 2 and results[0].method == method
    assert all(np.isfinite(results[0].history["loss"]))
    np.testing.assert_allclose(results[0].history["loss"], results[1].history["loss"], rtol=1e-5)


def test_train_self_supervised_bad_input():
    with pytest.raises(TypeError, match="keras.Model"):
        training.train_self_supervised("model", np.zeros((2, 8, 8)), "supervised", sigma=25)
    from course_lib import models

    model = models.dncnn(depth=2, width=2)
    with pytest.raises(ValueError, match="method"):
        training.train_self_supervised(model, np.zeros((2, 8, 8)), "n2v", sigma=25)
    with pytest.raises(ValueError, match="epochs"):
        training.train_self_supervised(model, np.zeros((2, 8, 8)), "supervised", sigma=25, epochs=0)


def test_module_lists_its_public_names():
    for name in self_supervised.__all__:
        assert hasattr(training, name)
