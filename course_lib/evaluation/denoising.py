"""Gaussian denoising: the protocol, and the course's denoisers, classical and learned.

The protocol of the denoising literature: gray images in [0, 1]; noise
``N(0, (sigma/255)^2)`` added without clipping; the method's output clipped to
[0, 1] and rounded to 8 bits; PSNR (and SSIM) over the whole image. The noise of
image ``i`` at level ``sigma`` comes from the generator seeded with
``(seed, sigma, i)``, so every method sees exactly the same noisy images, on every run.

:data:`DENOISING_METHODS` names every method the course compares;
:func:`denoising_methods` turns names into functions for :func:`evaluate_denoisers`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from .. import metrics
from .._validation import check_image, check_integer, check_positive
from ..models.shipped import SHIPPED_DENOISER_SIGMAS, shipped_denoiser, shipped_unet_denoiser
from .results import Result, ResultsTable, quantize, run_method

__all__ = [
    "STANDARD_SIGMAS",
    "noisy_observation",
    "denoising_scores",
    "evaluate_denoisers",
    "classical_denoisers",
    "DENOISING_METHODS",
    "shipped_denoisers",
    "denoiser_function",
    "denoising_methods",
]

#: The noise levels (8-bit scale) the literature reports, and the course's default levels.
STANDARD_SIGMAS = (15, 25, 50)

#: Every denoising method the course compares: notebook 02's classical methods
#: (:func:`classical_denoisers`), then the shipped networks (:func:`shipped_denoisers`).
DENOISING_METHODS = ("noisy", "gaussian", "median", "nlm", "bm3d", "dncnn", "dncnn-blind", "unet")


def noisy_observation(clean, sigma: float, *, seed: int = 0, index: int = 0) -> np.ndarray:
    """The protocol's noisy image: ``clean + N(0, (sigma/255)^2)``, not clipped, seeded by (seed, sigma, index)."""
    clean = check_image(clean, "clean", require_unit_range=True)
    sigma = check_positive(sigma, "sigma", allow_zero=True)
    seed = check_integer(seed, "seed", minimum=0)
    index = check_integer(index, "index", minimum=0)
    rng = np.random.default_rng([seed, int(round(sigma * 1000)), index])
    return (clean.astype(np.float64) + rng.standard_normal(clean.shape) * sigma / 255.0).astype(np.float32)


def denoising_scores(clean, estimate) -> tuple[float, float]:
    """PSNR and SSIM of a denoiser's output under the protocol (output clipped and rounded to 8 bits)."""
    clean = check_image(clean, "clean")
    estimate = quantize(estimate)
    return metrics.psnr(clean, estimate), metrics.ssim(clean, estimate)


def evaluate_denoisers(
    methods: dict,
    images: dict,
    sigmas,
    *,
    seed: int = 0,
    keep_outputs: bool = False,
    progress: Callable[[str], None] | None = None,
):
    """Score denoising methods on the same noisy images under the standard protocol.

    Parameters
    ----------
    methods : dict
        ``{name: function(noisy, sigma) -> estimate}``. The name ``"noisy"`` with
        ``lambda noisy, sigma: noisy`` scores the input itself.
    images : dict
        ``{name: clean gray image}``, float in [0, 1].
    sigmas : sequence of float
        Noise levels on the 8-bit scale.
    seed : int
        Seed of the noise (see :func:`noisy_observation`).
    keep_outputs : bool
        Also return every output image, ``{(method, sigma, image): array}``.
    progress : callable, optional
        Called with a short message before each method runs on an image.

    Returns
    -------
    ResultsTable or (ResultsTable, dict)
    """
    if not methods:
        raise ValueError("methods is empty; expected at least one {name: function}")
    if not images:
        raise ValueError("images is empty; expected at least one {name: image}")
    table, outputs = ResultsTable(), {}
    for sigma in sigmas:
        sigma = check_positive(sigma, "sigma")
        for index, (image_name, clean) in enumerate(images.items()):
            clean = check_image(clean, f"images[{image_name!r}]", allow_color=False, require_unit_range=True)
            noisy = noisy_observation(clean, sigma, seed=seed, index=index)
            for method_name, method in methods.items():
                if progress is not None:
                    progress(f"sigma {sigma:g} | {image_name} | {method_name}")
                estimate, seconds = run_method(method_name, method, clean.shape, noisy, sigma)
                psnr_value, ssim_value = denoising_scores(clean, estimate)
                table.results.append(Result(method_name, sigma, image_name, psnr_value, ssim_value, seconds))
                if keep_outputs:
                    outputs[(method_name, sigma, image_name)] = quantize(estimate)
    return (table, outputs) if keep_outputs else table


def classical_denoisers() -> dict:
    """The classical methods of notebook 02, tuned per noise level, as ``{name: function(noisy, sigma)}``.

    - ``noisy``: the input itself (checked like every other method's input);
    - ``gaussian``: a Gaussian filter of standard deviation ``0.35 + sigma / 40`` pixels;
    - ``median``: a 3x3 median below sigma 30, 5x5 above;
    - ``nlm``: scikit-image's non-local means with ``h = 0.8 sigma`` (7x7 patches, 21x21 search);
    - ``bm3d``: BM3D with the true sigma.
    """
    from .. import filters

    return {
        "noisy": lambda noisy, sigma: check_image(noisy, "noisy"),
        "gaussian": lambda noisy, sigma: filters.gaussian_filter(noisy, 0.35 + sigma / 40.0),
        "median": lambda noisy, sigma: filters.median_filter(noisy, 3 if sigma < 30 else 5),
        "nlm": lambda noisy, sigma: filters.non_local_means(
            noisy, sigma=sigma, patch_size=7, patch_distance=10, h_factor=0.8, fast_mode=True),
        "bm3d": lambda noisy, sigma: filters.bm3d_denoise(noisy, sigma),
    }


def shipped_denoisers(names, sigma: float) -> dict:
    """``{name: ShippedModel}``: the shipped networks among `names` that take part at noise level `sigma`.

    - ``dncnn``: notebook 05's DnCNN trained for `sigma`, where there is one
      (:data:`course_lib.models.SHIPPED_DENOISER_SIGMAS`);
    - ``dncnn-blind``: its blind DnCNN, at every level;
    - ``unet``: the course's noise-map U-Net, told `sigma`, for every level in
      :data:`course_lib.models.SHIPPED_UNET_SIGMA_RANGE`.

    Each value's ``load()`` loads the model (see :mod:`course_lib.models.shipped`).
    """
    chosen = {}
    if "dncnn" in names and sigma in SHIPPED_DENOISER_SIGMAS:
        chosen["dncnn"] = shipped_denoiser(sigma)
    if "dncnn-blind" in names:
        chosen["dncnn-blind"] = shipped_denoiser("blind")
    if "unet" in names and shipped_unet_denoiser().serves(sigma):
        chosen["unet"] = shipped_unet_denoiser()
    return chosen


def denoiser_function(model, *, self_ensemble: bool = False):
    """``function(noisy, sigma)`` that denoises with `model`, telling it sigma if it takes a noise-level map."""
    from ..models import denoise, takes_noise_level

    if takes_noise_level(model):
        return lambda noisy, level: denoise(model, noisy, self_ensemble=self_ensemble, sigma=level)
    return lambda noisy, level: denoise(model, noisy, self_ensemble=self_ensemble)


def denoising_methods(names, sigma: float, *, extra_models=(), self_ensemble: bool = False) -> dict:
    """``{label: function(noisy, sigma)}`` for the chosen method names at one noise level.

    Parameters
    ----------
    names : sequence of str
        Names from :data:`DENOISING_METHODS`; a shipped network that does not take part
        at `sigma` is left out (see :func:`shipped_denoisers`).
    sigma : float
        The noise level on the 8-bit scale.
    extra_models : sequence of str or os.PathLike
        ``.keras`` denoisers of your own, labelled by their file name without suffix.
    self_ensemble : bool
        Also add every network with self-ensemble, as ``"<label>+x8"``.

    Returns
    -------
    dict
        Classical methods first, then the networks, in the order of `names` and `extra_models`.
    """
    from ..models import load_model

    classical = classical_denoisers()
    methods = {name: classical[name] for name in names if name in classical}
    networks = {label: shipped.load() for label, shipped in shipped_denoisers(names, sigma).items()}
    for path in extra_models:
        networks[Path(path).stem] = load_model(path)
    for label, model in networks.items():
        methods[label] = denoiser_function(model)
        if self_ensemble:
            methods[label + "+x8"] = denoiser_function(model, self_ensemble=True)
    return methods
