"""Super-resolution: the protocol, and the course's upscalers, interpolations and networks.

The protocol of the SR literature: the ground truth is the luma Y of BT.601 YCbCr
on the 8-bit scale, rounded, cropped to a multiple of the scale; the low-resolution
image is its MATLAB-style bicubic downscaling (antialiased), kept in floating point;
each method upscales it; the result is clipped to [0, 255] and rounded; PSNR and
SSIM are taken on Y with ``scale`` pixels removed at each border. As a check of the
protocol, bicubic x3 on ``astronaut`` gives 28.681 dB (x2: 31.702, x4: 26.844).

:data:`SR_METHODS` names every method the course compares; :func:`sr_methods` turns
names into functions for :func:`evaluate_super_resolution`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from .. import metrics
from .._validation import check_image, check_integer
from ..models.shipped import SHIPPED_SR_ARCHITECTURES, shipped_sr
from .results import Result, ResultsTable, run_method

__all__ = [
    "sr_ground_truth",
    "sr_low_resolution",
    "super_resolution_scores",
    "evaluate_super_resolution",
    "interpolation_upscalers",
    "SR_METHODS",
    "shipped_sr_models",
    "sr_methods",
]

#: Every upscaling method the course compares: the interpolations (:func:`interpolation_upscalers`),
#: then the shipped networks, each for every scale: ``edsr``, the course's efficient model, and
#: ``vdsr``, notebook 06's VDSR-style model (:func:`shipped_sr_models`).
SR_METHODS = ("nearest", "bilinear", "bicubic", *SHIPPED_SR_ARCHITECTURES)


def sr_ground_truth(image, scale: int) -> np.ndarray:
    """The protocol's ground truth: Y (8-bit scale, rounded) of an RGB or gray image, cropped to a multiple of `scale`.

    A gray image in [0, 1] is taken as R = G = B, so its Y is ``16 + 219 * image``.
    """
    from ..color import rgb_to_y
    from ..degradations import crop_to_multiple

    image = check_image(image, "image", require_unit_range=True)
    scale = check_integer(scale, "scale", minimum=1)
    return crop_to_multiple(np.round(rgb_to_y(image)), scale)


def sr_low_resolution(high_y, scale: int) -> np.ndarray:
    """The protocol's low-resolution input: MATLAB-style bicubic downscaling of the ground truth, as Y / 255."""
    from ..degradations import imresize

    high_y = np.asarray(high_y, dtype=np.float64)
    if high_y.ndim != 2 or high_y.shape[0] % scale or high_y.shape[1] % scale:
        raise ValueError(f"high_y must be a 2-D array with sides multiple of {scale}; got shape {high_y.shape}")
    low = imresize(high_y, output_shape=(high_y.shape[0] // scale, high_y.shape[1] // scale))
    return (low / 255.0).astype(np.float32)


def super_resolution_scores(high_y, estimate, scale: int) -> tuple[float, float]:
    """PSNR and SSIM on Y under the protocol: `estimate` (Y / 255) times 255, clipped, rounded, border cropped."""
    high_y = np.asarray(high_y, dtype=np.float64)
    estimate = np.asarray(estimate, dtype=np.float64)
    if estimate.shape != high_y.shape:
        raise ValueError(f"estimate must have the ground truth's shape {high_y.shape}; got {estimate.shape}")
    rounded = np.round(np.clip(estimate * 255.0, 0.0, 255.0))
    reference = metrics.crop_border(high_y, scale)
    rounded = metrics.crop_border(rounded, scale)
    error = float(np.mean((reference - rounded) ** 2))
    psnr_value = float("inf") if error == 0 else 10.0 * np.log10(255.0**2 / error)
    ssim_value = metrics.ssim(reference, rounded, data_range=255.0, gaussian_weights=True,
                              use_sample_covariance=False)
    return psnr_value, ssim_value


def interpolation_upscalers() -> dict:
    """Nearest, bilinear and bicubic upscaling as ``{name: function(low, scale) -> high}``.

    ``nearest`` repeats each pixel ``scale x scale`` times; ``bilinear`` is
    scikit-image's order-1 resize (pixel centres aligned, as MATLAB); ``bicubic``
    is the course's MATLAB-compatible :func:`course_lib.degradations.bicubic_upscale`.
    Each refuses a bad image or scale with a ValueError, as the networks do.
    """
    from skimage.transform import resize

    from ..degradations import bicubic_upscale

    def checked(low, scale):
        return check_image(low, "low_resolution"), check_integer(scale, "scale", minimum=1)

    def nearest(low, scale):
        low, scale = checked(low, scale)
        return np.repeat(np.repeat(low, scale, axis=0), scale, axis=1).astype(np.float32)

    def bilinear(low, scale):
        low, scale = checked(low, scale)
        shape = (low.shape[0] * scale, low.shape[1] * scale)
        return resize(low, shape, order=1, mode="symmetric", anti_aliasing=False).astype(np.float32)

    return {"nearest": nearest, "bilinear": bilinear, "bicubic": lambda low, scale: bicubic_upscale(low, scale)}


def evaluate_super_resolution(
    methods: dict,
    images: dict,
    scales,
    *,
    keep_outputs: bool = False,
    progress: Callable[[str], None] | None = None,
):
    """Score upscaling methods under the SR protocol (Y channel, border = scale).

    Parameters
    ----------
    methods : dict
        ``{name: function(low, scale) -> high}`` on one channel, Y / 255; a
        function may also be given per scale as ``{name: {scale: function}}``
        (a trained network exists for one scale only).
    images : dict
        ``{name: image}``, RGB or gray in [0, 1].
    scales : sequence of int
    keep_outputs : bool
        Also return ``{(method, scale, image): Y / 255 output}``.
    progress : callable, optional

    Returns
    -------
    ResultsTable or (ResultsTable, dict)
        With ``level_name="scale"``.
    """
    if not methods:
        raise ValueError("methods is empty; expected at least one {name: function}")
    if not images:
        raise ValueError("images is empty; expected at least one {name: image}")
    table, outputs = ResultsTable(level_name="scale"), {}
    for scale in scales:
        scale = check_integer(scale, "scale", minimum=2)
        for image_name, image in images.items():
            high_y = sr_ground_truth(image, scale)
            low = sr_low_resolution(high_y, scale)
            for method_name, method in methods.items():
                if isinstance(method, dict):
                    if scale not in method:
                        continue
                    method = method[scale]
                if progress is not None:
                    progress(f"scale {scale} | {image_name} | {method_name}")
                estimate, seconds = run_method(method_name, method, high_y.shape, low, scale)
                psnr_value, ssim_value = super_resolution_scores(high_y, estimate, scale)
                table.results.append(Result(method_name, scale, image_name, psnr_value, ssim_value, seconds))
                if keep_outputs:
                    outputs[(method_name, scale, image_name)] = np.clip(estimate, 0.0, 1.0)
    return (table, outputs) if keep_outputs else table


def shipped_sr_models(names, scales) -> dict:
    """``{name: {scale: ShippedModel}}``: the shipped networks among `names`, for each of `scales`.

    Each value's ``load()`` loads the model (see :mod:`course_lib.models.shipped`).
    """
    return {architecture: {scale: shipped_sr(scale, architecture) for scale in scales}
            for architecture in SHIPPED_SR_ARCHITECTURES if architecture in names}


def _recorded_scale(path) -> int | None:
    """The scale a model's provenance record says it was trained for, or None (no record, or none said)."""
    from ..models import read_provenance

    try:
        record = read_provenance(path)
    except (FileNotFoundError, ValueError):
        return None
    scale = record.get("scale") if isinstance(record, dict) else None
    return int(scale) if scale is not None else None


def sr_methods(names, scales, *, extra_models=()) -> dict:
    """``{label: function(low, scale)}`` or ``{label: {scale: function}}`` for the chosen methods.

    Parameters
    ----------
    names : sequence of str
        Names from :data:`SR_METHODS`.
    scales : sequence of int
        The scales the networks are loaded for.
    extra_models : sequence of str or os.PathLike
        ``.keras`` SR models of your own, labelled by their file name without suffix; each
        is used at the scale it upscales by (a network on the low-resolution image), else at
        the scale of its provenance record, else at every scale.
    """
    from ..models import load_model, output_scale, super_resolve, takes_low_resolution

    interpolations = interpolation_upscalers()
    methods = {name: interpolations[name] for name in names if name in interpolations}

    def network(model):
        return lambda low, scale: super_resolve(model, low, scale)

    for name, per_scale in shipped_sr_models(names, scales).items():
        methods[name] = {scale: network(shipped.load()) for scale, shipped in per_scale.items()}
    for path in extra_models:
        trained = _recorded_scale(path)
        model = load_model(path)
        if takes_low_resolution(model):
            methods[Path(path).stem] = {output_scale(model): network(model)}
        elif trained is not None:
            methods[Path(path).stem] = {trained: network(model)}
        else:
            methods[Path(path).stem] = {scale: network(model) for scale in scales}
    return methods
