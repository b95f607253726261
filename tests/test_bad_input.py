"""Every public function that takes an image rejects bad images with an error naming the argument.

One table, one test: each entry calls a function with a bad image in the place of its image
argument (the other arguments valid). The same bad images go to all of them, so a new function
added to the table is held to the same standard.
"""

import numpy as np
import pytest

from course_lib import (color, convolution, data, degradations, enhancement, evaluation, filters, frequency, metrics,
                        models, viz, widgets)

GOOD = np.full((24, 24), 0.5, dtype=np.float32)
KERNEL = np.ones((3, 3)) / 9
MASK = np.zeros((24, 24), bool)
MASK[5:10, 5:10] = True
TINY_MODEL = models.dncnn(depth=2, width=2)

BAD_IMAGES = {
    "uint8": (np.zeros((24, 24), np.uint8), r"integer dtype uint8"),
    "RGBA": (np.zeros((24, 24, 4), np.float32), r"4 channels \(RGBA"),
    "NaN": (np.full((24, 24), np.nan, np.float32), r"NaN"),
    "empty": (np.zeros((0, 24), np.float32), r"empty|at least"),
    "1-D": (np.zeros(24, np.float32), r"must be a gray image|must be|shape"),
    "None": (None, r"None"),
}

# function name -> (argument name the error must mention, call taking the bad image)
CALLS = {
    "color.to_gray": ("image", lambda bad: color.to_gray(bad)),
    "color.rgb_to_y": ("image", lambda bad: color.rgb_to_y(bad)),
    "data.to_uint8": ("image", lambda bad: data.to_uint8(bad)),
    "data.sample_patches": ("images", lambda bad: data.sample_patches([bad], 4, 2)),
    "degradations.add_gaussian_noise": ("image", lambda bad: degradations.add_gaussian_noise(bad, 25, seed=0)),
    "degradations.add_poisson_noise": ("image", lambda bad: degradations.add_poisson_noise(bad, 10, seed=0)),
    "degradations.add_salt_and_pepper": ("image", lambda bad: degradations.add_salt_and_pepper(bad, 0.1, seed=0)),
    "degradations.estimate_sigma": ("image", lambda bad: degradations.estimate_sigma(bad)),
    "degradations.blur": ("image", lambda bad: degradations.blur(bad, KERNEL)),
    "degradations.gaussian_blur": ("image", lambda bad: degradations.gaussian_blur(bad, 1.0)),
    "degradations.motion_blur": ("image", lambda bad: degradations.motion_blur(bad, 5)),
    "degradations.imresize": ("image", lambda bad: degradations.imresize(bad, 0.5)),
    "degradations.bicubic_downscale": ("image", lambda bad: degradations.bicubic_downscale(bad, 2)),
    "degradations.apply_mask": ("image", lambda bad: degradations.apply_mask(bad, MASK)),
    "degradations.GaussianNoise": ("image", lambda bad: degradations.GaussianNoise(10)(bad, seed=0)),
    "metrics.mse": ("reference", lambda bad: metrics.mse(bad, GOOD)),
    "metrics.psnr (estimate)": ("estimate", lambda bad: metrics.psnr(GOOD, bad)),
    "metrics.ssim": ("reference", lambda bad: metrics.ssim(bad, GOOD)),
    "metrics.crop_border": ("image", lambda bad: metrics.crop_border(bad, 2)),
    "metrics.psnr_y": ("reference", lambda bad: metrics.psnr_y(bad, GOOD)),
    "metrics.psnr_in_mask": ("reference", lambda bad: metrics.psnr_in_mask(bad, GOOD, MASK)),
    "convolution.correlate2d": ("image", lambda bad: convolution.correlate2d(bad, KERNEL)),
    "convolution.convolve2d": ("image", lambda bad: convolution.convolve2d(bad, KERNEL)),
    "filters.box_filter": ("image", lambda bad: filters.box_filter(bad, 3)),
    "filters.gaussian_filter": ("image", lambda bad: filters.gaussian_filter(bad, 1.0)),
    "filters.median_filter": ("image", lambda bad: filters.median_filter(bad, 3)),
    "filters.bilateral_filter": ("image", lambda bad: filters.bilateral_filter(bad, sigma_spatial=1, sigma_color=0.1)),
    "filters.non_local_means": ("image", lambda bad: filters.non_local_means(bad, sigma=10)),
    "filters.bm3d_denoise": ("image", lambda bad: filters.bm3d_denoise(bad, 10)),
    "frequency.spectrum": ("image", lambda bad: frequency.spectrum(bad)),
    "frequency.wiener_deconvolve": ("image", lambda bad: frequency.wiener_deconvolve(bad, KERNEL, balance=0.01)),
    "frequency.gaussian_lowpass": ("image", lambda bad: frequency.gaussian_lowpass(bad, 0.1)),
    "enhancement.histogram": ("image", lambda bad: enhancement.histogram(bad)),
    "enhancement.equalize_histogram": ("image", lambda bad: enhancement.equalize_histogram(bad)),
    "enhancement.clahe": ("image", lambda bad: enhancement.clahe(bad)),
    "enhancement.gamma_correct": ("image", lambda bad: enhancement.gamma_correct(bad, 0.5)),
    "enhancement.contrast_stretch": ("image", lambda bad: enhancement.contrast_stretch(bad)),
    "enhancement.unsharp_mask": ("image", lambda bad: enhancement.unsharp_mask(bad)),
    "viz.show_images": ("images", lambda bad: viz.show_images({"x": bad})),
    "viz.plot_histogram": ("image", lambda bad: viz.plot_histogram(bad)),
    "widgets.compose_swipe_frame": ("before", lambda bad: widgets.compose_swipe_frame(bad, GOOD, 0.5)),
    "widgets.SwipeComparison": ("after", lambda bad: widgets.SwipeComparison(GOOD, bad)),
    "widgets.ParameterExplorer": ("image", lambda bad: widgets.ParameterExplorer(
        filters.gaussian_filter, bad, {"sigma": (0.5, 2.0, 0.5)})),
    "widgets.NoiseLevelExplorer": ("clean", lambda bad: widgets.NoiseLevelExplorer(
        bad, {"identity": lambda noisy, sigma: noisy})),
    "models.apply_model": ("image", lambda bad: models.apply_model(TINY_MODEL, bad)),
    "models.denoise": ("noisy", lambda bad: models.denoise(TINY_MODEL, bad)),
    "evaluation.noisy_observation": ("clean", lambda bad: evaluation.noisy_observation(bad, 25)),
    "evaluation.denoising_scores": ("clean", lambda bad: evaluation.denoising_scores(bad, GOOD)),
    "evaluation.quantize": ("image", lambda bad: evaluation.quantize(bad)),
}


@pytest.mark.parametrize("bad_name", list(BAD_IMAGES))
@pytest.mark.parametrize("function_name", list(CALLS))
def test_bad_image_gives_a_clear_error_naming_the_argument(function_name, bad_name):
    argument, call = CALLS[function_name]
    bad, pattern = BAD_IMAGES[bad_name]
    with pytest.raises((ValueError, TypeError)) as raised:
        call(bad)
    message = str(raised.value)
    assert argument in message, f"{function_name}: the message does not name {argument!r}: {message}"
    assert __import__("re").search(pattern, message), f"{function_name} with {bad_name}: {message}"


def test_good_image_passes_every_call():
    """The table itself is right: with a good image, every call succeeds."""
    for function_name, (_, call) in CALLS.items():
        call(GOOD)


def test_functions_needing_unit_range_reject_out_of_range_values():
    out_of_range = GOOD + 0.8
    for call in (enhancement.equalize_histogram, enhancement.clahe, lambda image: enhancement.gamma_correct(image, 2)):
        with pytest.raises(ValueError, match=r"image has values in \[1.3, 1.3\]; expected values in \[0, 1\]"):
            call(out_of_range)


def test_missing_files_name_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.png"):
        data.read_image(tmp_path / "missing.png")
    with pytest.raises(FileNotFoundError, match="folder"):
        data.load_folder(tmp_path / "no_folder")
