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
    """One method on one image at one noise level."""

    method: str
    sigma: float
    image: str
    psnr: float
    ssim: float
    seconds: float


@dataclass
class ResultsTable:
    """Rows of :class:`Result`, with averages, a printed table, and CSV/JSON output."""

    results: list = field(default_factory=list)

    def methods(self) -> list[str]:
        return list(dict.fromkeys(result.method for result in self.results))

    def sigmas(self) -> list[float]:
        return list(dict.fromkeys(result.sigma for result in self.results))

    def images(self) -> list[str]:
        return list(dict.fromkeys(result.image for result in self.results))

    def mean(self, method: str, sigma: float, key: str = "psnr") -> float:
        """Average of `key` ("psnr", "ssim" or "seconds") over the images."""
        values = [getattr(result, key) for result in self.results if result.method == method and result.sigma == sigma]
        if not values:
            raise ValueError(f"no results for method {method!r} at sigma {sigma}")
        return float(np.mean(values))

    def value(self, method: str, sigma: float, image: str, key: str = "psnr") -> float:
        for result in self.results:
            if (result.method, result.sigma, result.image) == (method, sigma, image):
                return float(getattr(result, key))
        raise ValueError(f"no result for method {method!r}, sigma {sigma}, image {image!r}")

    def format(self, *, per_image: bool = True) -> str:
        """A plain-text table: one row per method, PSNR (dB) / SSIM per image and their mean, per sigma."""
        images = self.images() if per_image else []
        lines = []
        for sigma in self.sigmas():
            header = ["method"] + images + ["mean PSNR", "mean SSIM", "s/image"]
            rows = []
            for method in self.methods():
                if not any(r.method == method and r.sigma == sigma for r in self.results):
                    continue
                cells = [method] + [f"{self.value(method, sigma, image):.2f}" for image in images]
                cells += [f"{self.mean(method, sigma):.2f}", f"{self.mean(method, sigma, 'ssim'):.4f}",
                          f"{self.mean(method, sigma, 'seconds'):.2f}"]
                rows.append(cells)
            widths = [max(len(str(row[column])) for row in [header] + rows) for column in range(len(header))]
            lines.append(f"sigma = {sigma:g}")
            lines.append("  ".join(text.ljust(width) for text, width in zip(header, widths)))
            lines.extend("  ".join(text.ljust(width) for text, width in zip(row, widths)) for row in rows)
            lines.append("")
        return "\n".join(lines).rstrip()

    def __str__(self) -> str:
        return self.format()

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["method", "sigma", "image", "psnr", "ssim", "seconds"])
        for result in self.results:
            writer.writerow([result.method, f"{result.sigma:g}", result.image, f"{result.psnr:.4f}",
                             f"{result.ssim:.5f}", f"{result.seconds:.4f}"])
        return buffer.getvalue()

    def to_dict(self) -> dict:
        means = {
            method: {f"{sigma:g}": {"psnr": self.mean(method, sigma), "ssim": self.mean(method, sigma, "ssim"),
                                    "seconds": self.mean(method, sigma, "seconds")}
                     for sigma in self.sigmas() if any(r.method == method and r.sigma == sigma for r in self.results)}
            for method in self.methods()
        }
        return {"results": [asdict(result) for result in self.results], "means": means}

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
