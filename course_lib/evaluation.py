"""Evaluation protocols: scoring restoration methods on the same images the same way.

Gaussian denoising follows the protocol of the denoising literature (see the
course's COURSE.md): gray images in [0, 1]; noise ``N(0, (sigma/255)^2)`` added
without clipping; the method's output clipped to [0, 1] and rounded to 8 bits;
PSNR (and SSIM) over the whole image. The noise of image ``i`` at level
``sigma`` comes from the generator seeded with ``(seed, sigma, i)``, so every
method sees exactly the same noisy images, on every run.

:func:`evaluate_denoisers` runs a set of methods over a set of images and noise
levels and returns a :class:`ResultsTable`, which prints as a table, averages
per method and level, and writes CSV and JSON.

Super-resolution follows the protocol of the SR literature: the ground truth is
the luma Y of BT.601 YCbCr on the 8-bit scale, rounded, cropped to a multiple of
the scale; the low-resolution image is its MATLAB-style bicubic downscaling
(antialiased), kept in floating point; each method upscales it; the result is
clipped to [0, 255] and rounded; PSNR and SSIM are taken on Y with ``scale``
pixels removed at each border. :func:`evaluate_super_resolution` does this for a
set of methods, images and scales. As a check of the protocol, bicubic x3 on
``astronaut`` gives 28.681 dB (x2: 31.702, x4: 26.844).

Inpainting: each image gets four seeded free-form holes in turn (strokes covering
10-25% of it; one hole per image is too noisy a sample on a small test split);
every method fills the same damaged images; the known pixels are kept, the
result clipped and rounded to 8 bits, and PSNR/SSIM are taken inside the hole
(what the method made) and over the whole image (what the user sees).
:func:`evaluate_inpainting` does this for a set of methods and images.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import data, metrics
from ._validation import check_image, check_integer, check_positive

__all__ = [
    "noisy_observation",
    "quantize",
    "denoising_scores",
    "Result",
    "ResultsTable",
    "evaluate_denoisers",
    "classical_denoisers",
    "sr_ground_truth",
    "sr_low_resolution",
    "super_resolution_scores",
    "evaluate_super_resolution",
    "interpolation_upscalers",
    "INPAINTING_COVERAGE",
    "INPAINTING_MAX_WIDTH",
    "INPAINTING_PROTOCOL",
    "inpainting_test_mask",
    "inpainting_scores",
    "classical_inpainters",
    "InpaintingResult",
    "InpaintingTable",
    "evaluate_inpainting",
]


def noisy_observation(clean, sigma: float, *, seed: int = 0, index: int = 0) -> np.ndarray:
    """The protocol's noisy image: ``clean + N(0, (sigma/255)^2)``, not clipped, seeded by (seed, sigma, index)."""
    clean = check_image(clean, "clean", require_unit_range=True)
    sigma = check_positive(sigma, "sigma", allow_zero=True)
    seed = check_integer(seed, "seed", minimum=0)
    index = check_integer(index, "index", minimum=0)
    rng = np.random.default_rng([seed, int(round(sigma * 1000)), index])
    return (clean.astype(np.float64) + rng.standard_normal(clean.shape) * sigma / 255.0).astype(np.float32)


def quantize(image) -> np.ndarray:
    """Clip to [0, 1] and round to 8 bits, returned as float32 (what a saved PNG would hold)."""
    return data.to_float(data.to_uint8(check_image(image, "image")))


def denoising_scores(clean, estimate) -> tuple[float, float]:
    """PSNR and SSIM of a denoiser's output under the protocol (output clipped and rounded to 8 bits)."""
    clean = check_image(clean, "clean")
    estimate = quantize(estimate)
    return metrics.psnr(clean, estimate), metrics.ssim(clean, estimate)


@dataclass(frozen=True)
class Result:
    """One method on one image at one level (the noise sigma, or the SR scale)."""

    method: str
    level: float
    image: str
    psnr: float
    ssim: float
    seconds: float

    @property
    def sigma(self) -> float:
        """The level, for denoising results."""
        return self.level

    @property
    def scale(self) -> float:
        """The level, for super-resolution results."""
        return self.level


@dataclass
class ResultsTable:
    """Rows of :class:`Result`, with averages, a printed table, and CSV/JSON output.

    `level_name` says what the level of each row is: ``"sigma"`` (denoising) or
    ``"scale"`` (super-resolution); it heads the printed blocks and the CSV column.
    """

    results: list = field(default_factory=list)
    level_name: str = "sigma"

    def methods(self) -> list[str]:
        return list(dict.fromkeys(result.method for result in self.results))

    def levels(self) -> list[float]:
        return list(dict.fromkeys(result.level for result in self.results))

    sigmas = levels
    scales = levels

    def images(self) -> list[str]:
        return list(dict.fromkeys(result.image for result in self.results))

    def _has(self, method: str, level: float) -> bool:
        return any(result.method == method and result.level == level for result in self.results)

    def mean(self, method: str, level: float, key: str = "psnr") -> float:
        """Average of `key` ("psnr", "ssim" or "seconds") over the images."""
        values = [getattr(result, key) for result in self.results if result.method == method and result.level == level]
        if not values:
            raise ValueError(f"no results for method {method!r} at {self.level_name} {level:g}")
        return float(np.mean(values))

    def value(self, method: str, level: float, image: str, key: str = "psnr") -> float:
        for result in self.results:
            if (result.method, result.level, result.image) == (method, level, image):
                return float(getattr(result, key))
        raise ValueError(f"no result for method {method!r}, {self.level_name} {level:g}, image {image!r}")

    def format(self, *, per_image: bool = True) -> str:
        """A plain-text table per level: one row per method, PSNR (dB) per image, mean PSNR/SSIM, seconds."""
        images = self.images() if per_image else []
        lines = []
        for level in self.levels():
            header = ["method"] + images + ["mean PSNR", "mean SSIM", "s/image"]
            rows = []
            for method in self.methods():
                if not self._has(method, level):
                    continue
                cells = [method] + [f"{self.value(method, level, image):.2f}" for image in images]
                cells += [f"{self.mean(method, level):.2f}", f"{self.mean(method, level, 'ssim'):.4f}",
                          f"{self.mean(method, level, 'seconds'):.2f}"]
                rows.append(cells)
            widths = [max(len(str(row[column])) for row in [header] + rows) for column in range(len(header))]
            lines.append(f"{self.level_name} = {level:g}")
            lines.append("  ".join(text.ljust(width) for text, width in zip(header, widths)))
            lines.extend("  ".join(text.ljust(width) for text, width in zip(row, widths)) for row in rows)
            lines.append("")
        return "\n".join(lines).rstrip()

    def __str__(self) -> str:
        return self.format()

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["method", self.level_name, "image", "psnr", "ssim", "seconds"])
        for result in self.results:
            writer.writerow([result.method, f"{result.level:g}", result.image, f"{result.psnr:.4f}",
                             f"{result.ssim:.5f}", f"{result.seconds:.4f}"])
        return buffer.getvalue()

    def to_dict(self) -> dict:
        means = {
            method: {f"{level:g}": {"psnr": self.mean(method, level), "ssim": self.mean(method, level, "ssim"),
                                    "seconds": self.mean(method, level, "seconds")}
                     for level in self.levels() if self._has(method, level)}
            for method in self.methods()
        }
        rows = []
        for result in self.results:
            row = asdict(result)
            row[self.level_name] = row.pop("level")
            rows.append(row)
        return {"level": self.level_name, "results": rows, "means": means}

    def write(self, folder, *, stem: str = "results") -> list[Path]:
        """Write ``<stem>.csv`` and ``<stem>.json`` into `folder`; returns the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path, json_path = folder / f"{stem}.csv", folder / f"{stem}.json"
        csv_path.write_text(self.to_csv(), encoding="utf-8")
        json_path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return [csv_path, json_path]


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
                started = time.perf_counter()
                estimate = np.asarray(method(noisy, sigma), dtype=np.float32)
                seconds = time.perf_counter() - started
                if estimate.shape != clean.shape:
                    raise ValueError(f"method {method_name!r} returned shape {estimate.shape}; expected {clean.shape}")
                psnr_value, ssim_value = denoising_scores(clean, estimate)
                table.results.append(Result(method_name, sigma, image_name, psnr_value, ssim_value, seconds))
                if keep_outputs:
                    outputs[(method_name, sigma, image_name)] = quantize(estimate)
    return (table, outputs) if keep_outputs else table


def classical_denoisers() -> dict:
    """The classical methods of notebook 02, tuned per noise level, as ``{name: function(noisy, sigma)}``.

    - ``noisy``: the input itself;
    - ``gaussian``: a Gaussian filter of standard deviation ``0.35 + sigma / 40`` pixels;
    - ``median``: a 3x3 median below sigma 30, 5x5 above;
    - ``nlm``: scikit-image's non-local means with ``h = 0.8 sigma`` (7x7 patches, 21x21 search);
    - ``bm3d``: BM3D with the true sigma.
    """
    from . import filters

    return {
        "noisy": lambda noisy, sigma: noisy,
        "gaussian": lambda noisy, sigma: filters.gaussian_filter(noisy, 0.35 + sigma / 40.0),
        "median": lambda noisy, sigma: filters.median_filter(noisy, 3 if sigma < 30 else 5),
        "nlm": lambda noisy, sigma: filters.non_local_means(
            noisy, sigma=sigma, patch_size=7, patch_distance=10, h_factor=0.8, fast_mode=True),
        "bm3d": lambda noisy, sigma: filters.bm3d_denoise(noisy, sigma),
    }


# --------------------------------------------------------------------------------------
# Super-resolution
# --------------------------------------------------------------------------------------


def sr_ground_truth(image, scale: int) -> np.ndarray:
    """The protocol's ground truth: Y (8-bit scale, rounded) of an RGB or gray image, cropped to a multiple of `scale`.

    A gray image in [0, 1] is taken as R = G = B, so its Y is ``16 + 219 * image``.
    """
    from .color import rgb_to_y
    from .degradations import crop_to_multiple

    image = check_image(image, "image", require_unit_range=True)
    scale = check_integer(scale, "scale", minimum=1)
    return crop_to_multiple(np.round(rgb_to_y(image)), scale)


def sr_low_resolution(high_y, scale: int) -> np.ndarray:
    """The protocol's low-resolution input: MATLAB-style bicubic downscaling of the ground truth, as Y / 255."""
    from .degradations import imresize

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
    """
    from skimage.transform import resize

    from .degradations import bicubic_upscale

    def nearest(low, scale):
        return np.repeat(np.repeat(low, scale, axis=0), scale, axis=1)

    def bilinear(low, scale):
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
                started = time.perf_counter()
                estimate = np.asarray(method(low, scale), dtype=np.float32)
                seconds = time.perf_counter() - started
                if estimate.shape != high_y.shape:
                    raise ValueError(f"method {method_name!r} returned shape {estimate.shape}; "
                                     f"expected {high_y.shape}")
                psnr_value, ssim_value = super_resolution_scores(high_y, estimate, scale)
                table.results.append(Result(method_name, scale, image_name, psnr_value, ssim_value, seconds))
                if keep_outputs:
                    outputs[(method_name, scale, image_name)] = np.clip(estimate, 0.0, 1.0)
    return (table, outputs) if keep_outputs else table


# --------------------------------------------------------------------------------------
# Inpainting
# --------------------------------------------------------------------------------------

#: The protocol's holes: free-form strokes covering this fraction of each image ...
INPAINTING_COVERAGE = (0.10, 0.25)
#: ... drawn with brushes from a third of this width up to it, in pixels.
INPAINTING_MAX_WIDTH = 32.0
#: Holes per image: one mask per image on a handful of images is too noisy to compare methods
#: (on the 4 test images, an earlier model's lead over biharmonic ranged from -0.9 to +1.0 dB between seeds).
INPAINTING_MASKS_PER_IMAGE = 4


def inpainting_test_mask(shape, *, seed: int = 0, index: int = 0, coverage=INPAINTING_COVERAGE,
                         max_width: float = INPAINTING_MAX_WIDTH) -> np.ndarray:
    """The protocol's hole for image `index`: free-form strokes, seeded by ``(seed, index)``.

    Parameters
    ----------
    shape : tuple of int
        The image's shape.
    seed, index : int
        Every method sees the same hole on the same image, on every run.
    coverage : (float, float)
        The hole covers between ``coverage[0]`` and ``coverage[1]`` of the image
        (10-25% by default: the "medium" masks of the literature).
    max_width : float
        Largest brush width in pixels (strokes are ``max_width / 3`` to ``max_width`` wide).

    Returns
    -------
    numpy.ndarray
        Boolean ``(H, W)``, True = missing.
    """
    from .degradations import stroke_mask

    seed = check_integer(seed, "seed", minimum=0)
    index = check_integer(index, "index", minimum=0)
    low, high = float(coverage[0]), float(coverage[1])
    if not 0 <= low < high <= 1:
        raise ValueError(f"coverage must be (low, high) with 0 <= low < high <= 1; got {coverage!r}")
    rng = np.random.default_rng([seed, 25, index])
    # Strokes are added until the hole reaches the lower bound, so aim at a target drawn across the range.
    target = rng.uniform(low, low + 0.8 * (high - low))
    return stroke_mask(shape, coverage=(target, high), max_width=max_width, seed=rng, max_attempts=1000)


def inpainting_scores(clean, estimate, hole) -> dict:
    """PSNR and SSIM inside the hole and over the whole image, of the composite, clipped and rounded.

    The known pixels are taken from `clean` (the composite every method returns),
    so a method is judged on what it filled; the result is clipped to [0, 1] and
    rounded to 8 bits, as a saved image would be.

    Returns
    -------
    dict
        ``{"psnr_hole", "ssim_hole", "psnr", "ssim"}`` (dB and SSIM).
    """
    clean = check_image(clean, "clean", require_unit_range=True)
    hole = np.asarray(hole, dtype=bool)
    estimate = check_image(estimate, "estimate")
    if estimate.shape != clean.shape:
        raise ValueError(f"estimate has shape {estimate.shape}; expected the clean image's {clean.shape}")
    selected = hole[..., None] if clean.ndim == 3 else hole
    filled = quantize(np.where(selected, estimate, clean))
    return {
        "psnr_hole": metrics.psnr_in_mask(clean, filled, hole),
        "ssim_hole": metrics.ssim_in_mask(clean, filled, hole),
        "psnr": metrics.psnr(clean, filled),
        "ssim": metrics.ssim(clean, filled),
    }


def classical_inpainters() -> dict:
    """``{name: function(damaged, hole) -> filled}``: the classical baselines (scikit-image's biharmonic)."""
    from skimage.restoration import inpaint_biharmonic

    def biharmonic(damaged, hole):
        return inpaint_biharmonic(damaged, hole, channel_axis=-1 if damaged.ndim == 3 else None).astype(np.float32)

    return {"biharmonic": biharmonic}


@dataclass(frozen=True)
class InpaintingResult(Result):
    """One method on one image: ``psnr``/``ssim`` inside the hole, ``psnr_image``/``ssim_image`` overall.

    ``level`` is the fraction of the image the hole covers; ``mask`` numbers the
    image's holes (0, 1, ...).
    """

    psnr_image: float = float("nan")
    ssim_image: float = float("nan")
    mask: int = 0


@dataclass
class InpaintingTable(ResultsTable):
    """:class:`ResultsTable` for inpainting: hole and whole-image scores, one block for all images."""

    level_name: str = "coverage"

    def mean(self, method: str, level=None, key: str = "psnr") -> float:
        """Average of `key` ("psnr"/"ssim" in the hole, "psnr_image", "ssim_image", "seconds", "level")."""
        values = [getattr(result, key) for result in self.results if result.method == method]
        if not values:
            raise ValueError(f"no results for method {method!r}")
        return float(np.mean(values))

    def value(self, method: str, level=None, image: str = "", key: str = "psnr", mask: int | None = None) -> float:
        """`key` of `method` on `image`, averaged over the image's holes (or on hole number `mask` only)."""
        values = [getattr(result, key) for result in self.results
                  if (result.method, result.image) == (method, image) and mask in (None, result.mask)]
        if not values:
            raise ValueError(f"no result for method {method!r} on image {image!r}"
                             + (f" with hole {mask}" if mask is not None else ""))
        return float(np.mean(values))

    def masks_per_image(self) -> int:
        """The most holes any image was scored with."""
        return max((result.mask + 1 for result in self.results), default=0)

    def format(self, *, per_image: bool = True) -> str:
        """One row per method: PSNR in the hole per image, then the means in the hole and overall."""
        images = self.images() if per_image else []
        header = (["method"] + [f"{image} (hole)" for image in images]
                  + ["PSNR hole", "SSIM hole", "PSNR image", "SSIM image", "s/image"])
        rows = []
        for method in self.methods():
            rows.append([method] + [f"{self.value(method, image=image):.2f}" for image in images] + [
                f"{self.mean(method):.2f}", f"{self.mean(method, key='ssim'):.4f}",
                f"{self.mean(method, key='psnr_image'):.2f}", f"{self.mean(method, key='ssim_image'):.4f}",
                f"{self.mean(method, key='seconds'):.2f}"])
        widths = [max(len(str(row[column])) for row in [header] + rows) for column in range(len(header))]
        coverages = [result.level for result in self.results]
        count = self.masks_per_image()
        lines = [f"{count} hole{'s' if count > 1 else ''} per image, covering {min(coverages):.1%}-{max(coverages):.1%} "
                 f"of it (PSNR in dB, averaged over the holes)" if coverages else "no results"]
        lines.append("  ".join(text.ljust(width) for text, width in zip(header, widths)))
        lines.extend("  ".join(text.ljust(width) for text, width in zip(row, widths)) for row in rows)
        return "\n".join(lines)

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["method", "image", "mask", "coverage", "psnr_hole", "ssim_hole", "psnr_image", "ssim_image",
                         "seconds"])
        for result in self.results:
            writer.writerow([result.method, result.image, result.mask, f"{result.level:.4f}", f"{result.psnr:.4f}",
                             f"{result.ssim:.5f}", f"{result.psnr_image:.4f}", f"{result.ssim_image:.5f}",
                             f"{result.seconds:.4f}"])
        return buffer.getvalue()

    def to_dict(self) -> dict:
        keys = {"psnr_hole": "psnr", "ssim_hole": "ssim", "psnr_image": "psnr_image", "ssim_image": "ssim_image",
                "seconds": "seconds"}
        means = {method: {name: self.mean(method, key=key) for name, key in keys.items()} for method in self.methods()}
        rows = []
        for result in self.results:
            row = asdict(result)
            row["coverage"] = row.pop("level")
            row["psnr_hole"], row["ssim_hole"] = row.pop("psnr"), row.pop("ssim")
            rows.append(row)
        return {"protocol": INPAINTING_PROTOCOL, "results": rows, "means": means}


#: The inpainting protocol in one sentence (for tables and provenance records).
INPAINTING_PROTOCOL = (
    f"bundled test split (RGB where the image is RGB); {INPAINTING_MASKS_PER_IMAGE} free-form stroke holes per "
    f"image, each covering {INPAINTING_COVERAGE[0]:.0%}-{INPAINTING_COVERAGE[1]:.0%} of it (brush up to "
    f"{INPAINTING_MAX_WIDTH:g} px; hole k of image i seeded by (seed + k, i)); scores averaged over the holes; "
    "known pixels kept; output clipped and rounded to 8 bits; PSNR/SSIM inside the "
    "hole and over the whole image"
)


def evaluate_inpainting(
    methods: dict,
    images: dict,
    *,
    seed: int = 0,
    masks: dict | None = None,
    masks_per_image: int = INPAINTING_MASKS_PER_IMAGE,
    keep_outputs: bool = False,
    progress: Callable[[str], None] | None = None,
):
    """Score inpainting methods on the same images with the same holes.

    Parameters
    ----------
    methods : dict
        ``{name: function(damaged, hole) -> filled}``; `damaged` has zeros in the
        hole, `hole` is boolean ``(H, W)`` (True = missing).
    images : dict
        ``{name: image}``, gray or RGB in [0, 1].
    seed : int
        Seeds the holes: hole ``k`` of image ``i`` is
        ``inpainting_test_mask(shape, seed=seed + k, index=i)``.
    masks : dict, optional
        ``{name: hole}`` to use instead of the protocol's holes (that image then
        gets this one hole).
    masks_per_image : int
        Holes per image; every score is kept, and the table's means average them.
    keep_outputs : bool
        Also return ``{(method, image): composite}`` and ``{image: hole}`` for each
        image's first hole.
    progress : callable, optional

    Returns
    -------
    InpaintingTable or (InpaintingTable, dict, dict)
    """
    if not methods:
        raise ValueError("methods is empty; expected at least one {name: function}")
    if not images:
        raise ValueError("images is empty; expected at least one {name: image}")
    masks_per_image = check_integer(masks_per_image, "masks_per_image", minimum=1)
    table, outputs, holes = InpaintingTable(), {}, {}
    for index, (image_name, image) in enumerate(images.items()):
        clean = check_image(image, f"images[{image_name!r}]", require_unit_range=True).astype(np.float32)
        if masks is not None and image_name in masks:
            from ._validation import check_mask

            image_holes = [check_mask(masks[image_name], f"masks[{image_name!r}]", shape=clean.shape)]
        else:
            image_holes = [inpainting_test_mask(clean.shape[:2], seed=seed + number, index=index)
                           for number in range(masks_per_image)]
        holes[image_name] = image_holes[0]
        for number, hole in enumerate(image_holes):
            damaged = clean * (1.0 - (hole[..., None] if clean.ndim == 3 else hole))
            for method_name, method in methods.items():
                if progress is not None:
                    progress(f"{image_name} (hole {number + 1}/{len(image_holes)}) | {method_name}")
                started = time.perf_counter()
                estimate = np.asarray(method(damaged.copy(), hole.copy()), dtype=np.float32)
                seconds = time.perf_counter() - started
                if estimate.shape != clean.shape:
                    raise ValueError(f"method {method_name!r} returned shape {estimate.shape}; expected {clean.shape}")
                scores = inpainting_scores(clean, estimate, hole)
                table.results.append(InpaintingResult(
                    method_name, float(hole.mean()), image_name, scores["psnr_hole"], scores["ssim_hole"], seconds,
                    psnr_image=scores["psnr"], ssim_image=scores["ssim"], mask=number))
                if keep_outputs and number == 0:
                    selected = hole[..., None] if clean.ndim == 3 else hole
                    outputs[(method_name, image_name)] = quantize(np.where(selected, estimate, clean))
    return (table, outputs, holes) if keep_outputs else table
