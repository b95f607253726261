"""The contract every restoration method of the course keeps, classical or learned.

In the spirit of deepinv's model list: every method of the three registries
(:data:`~course_lib.evaluation.DENOISING_METHODS`, :data:`~course_lib.evaluation.SR_METHODS`,
:data:`~course_lib.evaluation.INPAINTING_METHODS`), built as the protocols build it
(:func:`~course_lib.evaluation.denoising_methods`, :func:`~course_lib.evaluation.sr_methods`,
:func:`~course_lib.evaluation.inpainting_methods`), shipped networks included, passes the same tests:

- its output is a float32 image of the shape the protocol expects, finite and in range,
  no worse than the simplest answer (the noisy image, pixel repetition, the mean colour),
  and its input is left unchanged;
- the same input twice gives the same output (to float32 rounding: see :func:`_assert_same_twice`);
- a network run tile by tile gives what it gives on the whole image: exactly for the
  denoisers and SR models (the margin covers the receptive field), closely for the
  inpainting generator (its context reaches past any margin, so tiles are an approximation);
- bad input (a 1-D array, an RGBA image, NaN, infinity, 8-bit integers, a bad hole or
  scale) is refused with a ValueError that says what is wrong.

A method added to a registry is tested here with no change to this file. The images
are tiny (48x48 at most) and each shipped model is loaded once for the whole module.
"""

import numpy as np
import pytest

from course_lib import evaluation, models
from course_lib.models.shipped import SHIPPED_SR_SCALES, ShippedModel

#: The noise level of the determinism and tiling tests (the output tests use every standard level).
SIGMA = 25


def _test_image(size: int) -> np.ndarray:
    """A smooth gray image with an edge, in [0.25, 0.9]."""
    rows, columns = np.mgrid[0:size, 0:size]
    image = 0.5 + 0.25 * np.sin(rows / 5.0) * np.cos(columns / 7.0)
    image[:, size // 2 :] += 0.15
    return image.astype(np.float32)


CLEAN = _test_image(40)
RGB = np.stack([CLEAN, CLEAN[::-1], 1.0 - CLEAN], axis=-1)
HOLE = evaluation.inpainting_test_mask(CLEAN.shape, max_width=8.0)
#: 48 pixels: a whole number of low-resolution pixels at every shipped scale.
SR_SOURCE = _test_image(48)


def _shipped(task: str, name: str, level) -> ShippedModel | None:
    """The shipped network behind registry name `name` at `level` (sigma or scale), or None for a classical method."""
    if task == "denoise":
        found = evaluation.shipped_denoisers([name], level)
    elif task == "sr":
        found = {label: per_scale[level] for label, per_scale in evaluation.shipped_sr_models([name], [level]).items()}
    else:
        found = evaluation.shipped_inpainters([name])
    return next(iter(found.values()), None)


def _takes_part(task: str, name: str, level) -> bool:
    """Whether the protocol runs method `name` at `level` (a classical method always; a network where one is shipped)."""
    classical = {"denoise": evaluation.classical_denoisers, "sr": evaluation.interpolation_upscalers,
                 "inpaint": evaluation.classical_inpainters}[task]()
    return name in classical or _shipped(task, name, level) is not None


def _method(task: str, name: str, level=None):
    """The function the protocol runs for registry name `name` at `level`."""
    if task == "denoise":
        found = evaluation.denoising_methods([name], level)
    elif task == "sr":
        found = {label: function[level] if isinstance(function, dict) else function
                 for label, function in evaluation.sr_methods([name], [level]).items()}
    else:
        found = evaluation.inpainting_methods([name])
    (function,) = found.values()
    return function


DENOISING_CASES = [(name, sigma) for sigma in evaluation.STANDARD_SIGMAS for name in evaluation.DENOISING_METHODS
                   if _takes_part("denoise", name, sigma)]
SR_CASES = [(name, scale) for scale in SHIPPED_SR_SCALES for name in evaluation.SR_METHODS
            if _takes_part("sr", name, scale)]
INPAINTING_CASES = [(name, image) for name in evaluation.INPAINTING_METHODS for image in ("gray", "rgb")]
DENOISING_NETWORKS = [name for name in evaluation.DENOISING_METHODS if _shipped("denoise", name, SIGMA)]
SR_NETWORKS = [(name, scale) for name, scale in SR_CASES if _shipped("sr", name, scale)]
INPAINTING_NETWORKS = [name for name in evaluation.INPAINTING_METHODS if _shipped("inpaint", name, None)]


@pytest.fixture(scope="module", autouse=True)
def _each_shipped_model_loaded_once():
    """Every shipped model is loaded once for this module, however many methods and tests use it."""
    loaded = {}
    original_load = ShippedModel.load

    def load_once(shipped: ShippedModel):
        if shipped not in loaded:
            loaded[shipped] = original_load(shipped)
        return loaded[shipped]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ShippedModel, "load", load_once)
        yield


def _assert_float32_image(output, shape) -> None:
    assert isinstance(output, np.ndarray), type(output)
    assert output.dtype == np.float32, output.dtype
    assert output.shape == shape, output.shape
    assert np.all(np.isfinite(output))


def _assert_same_twice(first, second) -> None:
    """The same output, to float32 rounding: BM3D's threads add up its patch estimates in a varying order,
    which moves its output by up to about 5e-7 from one run to the next, far below the protocol's 8-bit rounding."""
    np.testing.assert_allclose(first, second, rtol=0, atol=2e-6)


def _with_value(image: np.ndarray, value: float) -> np.ndarray:
    spoiled = image.copy()
    spoiled[1, 2] = value  # a known pixel, outside the hole
    return spoiled


def _bad_images(good: np.ndarray) -> dict:
    """``{case: (bad image, what the ValueError must say)}`` built from a good image."""
    gray = good if good.ndim == 2 else good[..., 0]
    return {
        "1-D": (good.ravel(), r"gray image \(H, W\) or an RGB image"),
        "RGBA": (np.stack([gray] * 4, axis=-1), r"4 channels"),
        "NaN": (_with_value(good, np.nan), r"NaN or infinite"),
        "infinity": (_with_value(good, np.inf), r"NaN or infinite"),
        "uint8": (np.round(good * 255).astype(np.uint8), r"integer dtype uint8"),
    }


@pytest.mark.parametrize("task, names, cases", [
    ("denoise", evaluation.DENOISING_METHODS, DENOISING_CASES),
    ("sr", evaluation.SR_METHODS, SR_CASES),
    ("inpaint", evaluation.INPAINTING_METHODS, INPAINTING_CASES),
])
def test_every_registered_method_is_tested(task, names, cases):
    assert {name for name, _ in cases} == set(names), f"a {task} method of the registry runs at no level"


# --------------------------------------------------------------------------------------
# Denoising: function(noisy, sigma) -> estimate, gray images, noise not clipped
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, sigma", DENOISING_CASES)
def test_a_denoiser_returns_an_image_of_its_input_s_shape_closer_to_the_clean_one(name, sigma):
    noisy = evaluation.noisy_observation(CLEAN, sigma)
    given = noisy.copy()
    estimate = _method("denoise", name, sigma)(given, sigma)
    _assert_float32_image(estimate, CLEAN.shape)
    np.testing.assert_array_equal(given, noisy, err_msg=f"{name} changed its input")
    assert noisy.min() - 0.05 <= estimate.min() and estimate.max() <= noisy.max() + 0.05
    assert evaluation.denoising_scores(CLEAN, estimate)[0] >= evaluation.denoising_scores(CLEAN, noisy)[0]


@pytest.mark.parametrize("name", evaluation.DENOISING_METHODS)
def test_a_denoiser_gives_the_same_output_twice(name):
    noisy = evaluation.noisy_observation(CLEAN, SIGMA)
    method = _method("denoise", name, SIGMA)
    _assert_same_twice(method(noisy, SIGMA), method(noisy, SIGMA))


@pytest.mark.parametrize("name", DENOISING_NETWORKS)
def test_a_denoising_network_gives_the_same_image_tile_by_tile(name):
    model = _shipped("denoise", name, SIGMA).load()
    noisy = evaluation.noisy_observation(CLEAN, SIGMA)
    tile_size = 24  # 2x2 tiles on 40x40 (24 + 16), once rounded up to the model's size multiple
    assert -(-tile_size // models.size_multiple(model)) * models.size_multiple(model) < min(CLEAN.shape)
    level = {"sigma": SIGMA} if models.takes_noise_level(model) else {}
    np.testing.assert_allclose(models.denoise(model, noisy, tile_size=tile_size, **level),
                               _method("denoise", name, SIGMA)(noisy, SIGMA), atol=1e-5)


@pytest.mark.parametrize("case", list(_bad_images(CLEAN)))
@pytest.mark.parametrize("name", evaluation.DENOISING_METHODS)
def test_a_denoiser_refuses_bad_input(name, case):
    bad, message = _bad_images(evaluation.noisy_observation(CLEAN, SIGMA))[case]
    with pytest.raises(ValueError, match=message):
        _method("denoise", name, SIGMA)(bad, SIGMA)


# --------------------------------------------------------------------------------------
# Super-resolution: function(low, scale) -> high, the luma Y / 255
# --------------------------------------------------------------------------------------


def _sr_pair(scale: int):
    high_y = evaluation.sr_ground_truth(SR_SOURCE, scale)
    return high_y, evaluation.sr_low_resolution(high_y, scale)


@pytest.mark.parametrize("name, scale", SR_CASES)
def test_an_upscaler_returns_an_image_scale_times_larger_at_least_as_close_as_pixel_repetition(name, scale):
    high_y, low = _sr_pair(scale)
    given = low.copy()
    estimate = _method("sr", name, scale)(given, scale)
    _assert_float32_image(estimate, high_y.shape)
    np.testing.assert_array_equal(given, low, err_msg=f"{name} changed its input")
    assert -0.1 <= estimate.min() and estimate.max() <= 1.1
    repeated = np.repeat(np.repeat(low, scale, axis=0), scale, axis=1)
    assert (evaluation.super_resolution_scores(high_y, estimate, scale)[0]
            >= evaluation.super_resolution_scores(high_y, repeated, scale)[0] - 1e-6)


@pytest.mark.parametrize("name", evaluation.SR_METHODS)
def test_an_upscaler_gives_the_same_output_twice(name):
    scale = SHIPPED_SR_SCALES[0]
    _, low = _sr_pair(scale)
    method = _method("sr", name, scale)
    _assert_same_twice(method(low, scale), method(low, scale))


@pytest.mark.parametrize("name, scale", SR_NETWORKS)
def test_an_sr_network_gives_the_same_image_tile_by_tile(name, scale):
    model = _shipped("sr", name, scale).load()
    _, low = _sr_pair(scale)
    assert 8 < min(low.shape), "the image must span several tiles"
    np.testing.assert_allclose(models.super_resolve(model, low, scale, tile_size=8),
                               _method("sr", name, scale)(low, scale), atol=1e-5)


@pytest.mark.parametrize("case", [*_bad_images(CLEAN), "scale 0"])
@pytest.mark.parametrize("name", evaluation.SR_METHODS)
def test_an_upscaler_refuses_bad_input(name, case):
    scale = SHIPPED_SR_SCALES[0]
    _, low = _sr_pair(scale)
    if case == "scale 0":
        image, given_scale, message = low, 0, r"scale must be at least 1"
    else:
        (image, message), given_scale = _bad_images(low)[case], scale
    with pytest.raises(ValueError, match=message):
        _method("sr", name, scale)(image, given_scale)


# --------------------------------------------------------------------------------------
# Inpainting: function(damaged, hole) -> filled, gray or RGB, zeros in the hole
# --------------------------------------------------------------------------------------


def _damaged(image: np.ndarray) -> np.ndarray:
    return image * (1.0 - (HOLE[..., None] if image.ndim == 3 else HOLE))


@pytest.mark.parametrize("name, image", INPAINTING_CASES)
def test_an_inpainter_fills_the_hole_in_range_and_keeps_the_known_pixels(name, image):
    clean = {"gray": CLEAN, "rgb": RGB}[image]
    damaged = _damaged(clean)
    given, hole = damaged.copy(), HOLE.copy()
    filled = _method("inpaint", name)(given, hole)
    _assert_float32_image(filled, clean.shape)
    np.testing.assert_array_equal(given, damaged, err_msg=f"{name} changed its input")
    np.testing.assert_array_equal(hole, HOLE, err_msg=f"{name} changed the hole")
    assert 0.0 <= filled.min() and filled.max() <= 1.0
    np.testing.assert_allclose(filled[~HOLE], clean[~HOLE], atol=1e-6, err_msg="known pixels changed")
    mean_colour = np.where(HOLE[..., None] if clean.ndim == 3 else HOLE, clean[~HOLE].mean(axis=0), clean)
    assert (evaluation.inpainting_scores(clean, filled, HOLE)["psnr_hole"]
            > evaluation.inpainting_scores(clean, mean_colour, HOLE)["psnr_hole"])


@pytest.mark.parametrize("name", evaluation.INPAINTING_METHODS)
def test_an_inpainter_gives_the_same_output_twice(name):
    method = _method("inpaint", name)
    damaged = _damaged(RGB)
    _assert_same_twice(method(damaged, HOLE), method(damaged, HOLE))


@pytest.mark.parametrize("name", INPAINTING_NETWORKS)
def test_an_inpainting_network_gives_nearly_the_same_image_tile_by_tile(name):
    model = _shipped("inpaint", name, None).load()
    damaged = _damaged(RGB)
    margin = models.inpainting_multiple(model)
    tile_size = max(16, margin)  # inpaint's smallest tile
    assert tile_size + 2 * margin < min(CLEAN.shape), "the image must span several tiles"
    tiled = models.inpaint(model, damaged, HOLE, tile_size=tile_size, margin=margin)
    whole = _method("inpaint", name)(damaged, HOLE)
    np.testing.assert_array_equal(tiled[~HOLE], whole[~HOLE])
    assert np.abs(tiled - whole)[HOLE].mean() < 0.03


#: ``{case: (bad hole, what the ValueError must say)}``.
BAD_HOLES = {
    "hole of another size": (HOLE[:20], r"hole must have the image's height and width"),
    "hole not binary": (HOLE * 0.5, r"hole must be binary"),
    "hole 3-D": (HOLE[..., None], r"hole must be a 2-D array"),
}


@pytest.mark.parametrize("case", [*_bad_images(CLEAN), *BAD_HOLES])
@pytest.mark.parametrize("name", evaluation.INPAINTING_METHODS)
def test_an_inpainter_refuses_bad_input(name, case):
    damaged = _damaged(RGB)
    if case in BAD_HOLES:
        image, (hole, message) = damaged, BAD_HOLES[case]
    else:
        (image, message), hole = _bad_images(damaged)[case], HOLE
    with pytest.raises(ValueError, match=message):
        _method("inpaint", name)(image, hole)
