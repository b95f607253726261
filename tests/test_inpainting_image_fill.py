"""The inpainting U-Net's image fill: a smooth pull-push fill of the pixels given to the decoder (issue 19)."""

import numpy as np
import pytest
import scipy.sparse
import scipy.sparse.linalg

from course_lib import models
from course_lib.models.inpainting import PyramidFill, composite, inpainting_unet
from course_lib.training.inpainting_training import ADDED_LAYERS, InpaintingTrainingConfig, build_inpainting
from course_lib.training.loop import _load_initial_weights


def _fill(image, hole, **options):
    """PyramidFill of a 2-D `image` with the boolean `hole` (True = missing)."""
    valid = (~hole).astype(np.float32)[None, ..., None]
    damaged = (image * valid[0, ..., 0]).astype(np.float32)[None, ..., None]
    return np.asarray(PyramidFill(**options)([damaged, valid]))[0, ..., 0]


def _harmonic_reference(image, hole):
    """The fixed point the diffusion steps converge to, solved directly with a sparse solver.

    Each missing pixel equals the mean of its 3x3 window (the window cut at the
    image's border, as the layer's pooling does), i.e. the mean of its neighbours
    inside the image; the known pixels are the boundary values.
    """
    height, width = image.shape
    unknown = np.flatnonzero(hole)
    number = {pixel: index for index, pixel in enumerate(unknown)}
    rows, columns, values = [], [], []
    right_side = np.zeros(len(unknown))
    for index, pixel in enumerate(unknown):
        row, column = divmod(pixel, width)
        neighbours = [(row + dr, column + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                      if (dr or dc) and 0 <= row + dr < height and 0 <= column + dc < width]
        rows.append(index), columns.append(index), values.append(float(len(neighbours)))
        for neighbour_row, neighbour_column in neighbours:
            flat = neighbour_row * width + neighbour_column
            if flat in number:
                rows.append(index), columns.append(number[flat]), values.append(-1.0)
            else:
                right_side[index] += image[neighbour_row, neighbour_column]
    system = scipy.sparse.csr_matrix((values, (rows, columns)), shape=(len(unknown),) * 2)
    filled = image.astype(np.float64).copy()
    filled.flat[unknown] = scipy.sparse.linalg.spsolve(system, right_side)
    return filled


def _smooth_image(height=48, width=40, seed=0):
    rng = np.random.default_rng(seed)
    rows, columns = np.mgrid[0:height, 0:width] / max(height, width)
    a, b, c = rng.uniform(0.5, 2.0, 3)
    return (0.5 + 0.25 * np.sin(a * 3 * rows + b) * np.cos(c * 2 * columns)).astype(np.float32)


def _box_hole(shape, top, left, height, width):
    hole = np.zeros(shape, bool)
    hole[top : top + height, left : left + width] = True
    return hole


def test_known_pixels_come_back_unchanged_and_the_hole_is_filled_within_their_range():
    image = _smooth_image()
    hole = _box_hole(image.shape, 10, 8, 20, 18)
    filled = _fill(image, hole)
    np.testing.assert_array_equal(filled[~hole], image[~hole])
    assert image[~hole].min() - 1e-6 <= filled[hole].min() and filled[hole].max() <= image[~hole].max() + 1e-6


def test_many_steps_converge_to_the_harmonic_fill_a_sparse_solver_gives():
    image = _smooth_image(seed=1)
    hole = _box_hole(image.shape, 6, 5, 30, 12) | _box_hole(image.shape, 30, 20, 8, 16)
    reference = _harmonic_reference(image, hole)
    np.testing.assert_allclose(_fill(image, hole, levels=6, iterations=400), reference, atol=2e-4)
    # The course's settings are close already: the coarse levels carry the long-range part.
    assert np.abs(_fill(image, hole, levels=6, iterations=32) - reference)[hole].max() < 0.01


def test_the_coarse_levels_are_what_makes_few_steps_enough():
    image = _smooth_image(seed=2)
    hole = _box_hole(image.shape, 4, 4, 40, 24)
    reference = _harmonic_reference(image, hole)
    pyramid = np.abs(_fill(image, hole, levels=6, iterations=8) - reference)[hole].mean()
    flat = np.abs(_fill(image, hole, levels=0, iterations=8) - reference)[hole].mean()
    assert pyramid < flat / 4


def test_a_linear_ramp_is_continued_and_a_constant_kept():
    rows, columns = np.mgrid[0:40, 0:40]
    ramp = (0.2 + 0.015 * columns).astype(np.float32)
    hole = _box_hole(ramp.shape, 12, 12, 16, 16)
    filled = _fill(ramp, hole, levels=6, iterations=64)
    assert np.abs(filled - ramp)[hole].max() < 0.01
    np.testing.assert_allclose(_fill(np.full((24, 24), 0.3, np.float32), hole[:24, :24]), 0.3, atol=1e-6)


def test_it_beats_the_global_mean_and_zeros_on_a_smooth_image():
    image = _smooth_image(seed=3)
    hole = _box_hole(image.shape, 8, 6, 24, 20)
    error = np.abs(_fill(image, hole) - image)[hole].mean()
    assert error < np.abs(image[~hole].mean() - image)[hole].mean() / 3
    assert error < np.abs(image)[hole].mean() / 10


@pytest.mark.parametrize("shape", [(37, 23), (5, 64), (1, 1), (33, 33)])
def test_any_size_and_odd_sides(shape):
    image = np.random.default_rng(0).random(shape).astype(np.float32)
    hole = np.zeros(shape, bool)
    hole[: max(1, shape[0] // 2), : max(1, shape[1] // 3)] = True
    filled = _fill(image, hole)
    assert filled.shape == shape and np.all(np.isfinite(filled))
    np.testing.assert_array_equal(filled[~hole], image[~hole])


def test_edge_cases_no_hole_and_all_hole():
    image = _smooth_image()
    np.testing.assert_array_equal(_fill(image, np.zeros(image.shape, bool)), image)
    np.testing.assert_array_equal(_fill(image, np.ones(image.shape, bool)), 0.0)  # nothing known: zeros, no NaN


def test_what_lies_in_the_hole_is_ignored_and_channels_are_filled_alike():
    rng = np.random.default_rng(4)
    image = rng.random((1, 24, 24, 3)).astype(np.float32)
    hole = np.zeros((1, 24, 24, 1), np.float32)
    hole[0, 5:15, 3:20] = 1.0
    layer = PyramidFill()
    clean = np.asarray(layer([image * (1 - hole), 1 - hole]))
    garbage = np.asarray(layer([np.where(hole == 1, 0.9, image), 1 - hole]))
    np.testing.assert_allclose(clean, garbage, atol=1e-6)
    for channel in range(3):
        np.testing.assert_allclose(clean[0, ..., channel], _fill(image[0, ..., channel], hole[0, ..., 0] == 1),
                                   atol=1e-6)


@pytest.mark.parametrize("bad", [{"levels": -1}, {"levels": 13}, {"iterations": -2}, {"levels": 2.5}])
def test_bad_settings_are_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        PyramidFill(**bad)


def test_the_layer_round_trips_through_its_config():
    layer = PyramidFill(levels=3, iterations=5, name="fill")
    again = PyramidFill.from_config(layer.get_config())
    assert (again.levels, again.iterations, again.name) == (3, 5, "fill")


def _inputs(size=32, seed=0):
    rng = np.random.default_rng(seed)
    image = rng.random((1, size, size, 3)).astype(np.float32)
    hole = np.zeros((1, size, size, 1), np.float32)
    hole[0, 6:20, 4:26] = 1.0
    return image * (1 - hole), hole


def test_a_unet_with_the_image_fill_starts_as_exactly_the_unet_it_is_grown_from(tmp_path):
    plain = inpainting_unet(channels=3, width=4, levels=3, seed=1)
    rng = np.random.default_rng(5)
    plain.set_weights([rng.normal(0.0, 0.2, weight.shape).astype(np.float32) for weight in plain.get_weights()])
    plain.save(tmp_path / "plain.keras")
    grown = inpainting_unet(channels=3, width=4, levels=3, image_fill=True, seed=2)
    _load_initial_weights(grown, tmp_path / "plain.keras", added_layers=ADDED_LAYERS)
    damaged, hole = _inputs()
    np.testing.assert_allclose(grown.predict([damaged, hole], verbose=0), plain.predict([damaged, hole], verbose=0),
                               atol=1e-6)
    assert grown.name == "inpainting_unet_image_fill"
    assert "its decoder given a pull-push harmonic fill of the image" in models.describe_model(grown)
    assert "harmonic" not in models.describe_model(plain)
    assert {layer.name for layer in grown.layers} - {layer.name for layer in plain.layers} >= {
        "image_fill", "image_fill_0_conv", "image_fill_1_conv", "image_fill_1_pool"}


def test_a_trained_image_fill_changes_the_output_ignores_the_hole_and_survives_saving(tmp_path):
    model = inpainting_unet(channels=3, width=4, levels=3, image_fill=True)
    rng = np.random.default_rng(6)
    model.set_weights([rng.normal(0.0, 0.2, weight.shape).astype(np.float32) for weight in model.get_weights()])
    damaged, hole = _inputs(seed=1)
    output = np.asarray(model.predict([damaged, hole], verbose=0))
    garbage = np.where(hole == 1, 0.7, damaged).astype(np.float32)
    np.testing.assert_allclose(model.predict([garbage, hole], verbose=0), output, atol=1e-5)
    model.save(tmp_path / "filled.keras")
    np.testing.assert_allclose(models.load_model(tmp_path / "filled.keras").predict([damaged, hole], verbose=0),
                               output, atol=1e-6)
    filled = np.asarray(composite(output, damaged, hole))
    assert np.all(np.isfinite(filled)) and not np.allclose(filled[np.broadcast_to(hole == 1, filled.shape)], 0.0)
    # The image fill's convolutions are ordinary ones: counted by the multiply-add count.
    without = inpainting_unet(channels=3, width=4, levels=3)
    assert (models.inpainting.inpainting_multiply_adds_per_pixel(model)
            > models.inpainting.inpainting_multiply_adds_per_pixel(without))


def test_the_training_configuration_builds_it_and_checks_the_flag():
    config = InpaintingTrainingConfig(width=4, levels=3, patch_size=32, image_fill=True)
    assert build_inpainting(config).get_layer("image_fill").iterations == 32
    assert "image_fill" not in {layer.name for layer in build_inpainting(
        InpaintingTrainingConfig(width=4, levels=3, patch_size=32)).layers}
    with pytest.raises(ValueError, match="image_fill"):
        InpaintingTrainingConfig(width=4, levels=3, patch_size=32, image_fill="yes")


def test_pyramid_fill_of_gray_and_rgb_images_is_the_layer_channel_by_channel():
    from course_lib.evaluation import classical_inpainters

    image = np.stack([_smooth_image(seed=seed) for seed in range(3)], axis=-1)
    hole = _box_hole(image.shape[:2], 10, 8, 20, 18)
    rgb = models.pyramid_fill(image, hole)
    assert rgb.dtype == np.float32 and rgb.shape == image.shape
    for channel in range(3):
        np.testing.assert_allclose(rgb[..., channel], _fill(image[..., channel], hole, levels=6, iterations=32),
                                   atol=1e-6)
        np.testing.assert_allclose(models.pyramid_fill(image[..., channel], hole), rgb[..., channel], atol=1e-6)
    np.testing.assert_array_equal(classical_inpainters()["harmonic"](image, hole), rgb)
    with pytest.raises(ValueError, match="hole"):
        models.pyramid_fill(image, hole[:5])


def test_half_precision_inputs_are_filled_in_float32_and_returned_in_the_layers_dtype():
    import keras
    from keras import ops

    image = _smooth_image(seed=5)
    hole = _box_hole(image.shape, 10, 8, 20, 18)
    valid = (~hole).astype(np.float32)[None, ..., None]
    layer = PyramidFill(dtype="float16")
    filled = layer([ops.cast(image[None, ..., None] * valid, "float16"), ops.cast(valid, "float16")])
    assert keras.backend.standardize_dtype(filled.dtype) == "float16"
    np.testing.assert_allclose(np.asarray(filled, np.float32)[0, ..., 0], _fill(image, hole), atol=2e-3)
