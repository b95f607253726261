"""What every protocol returns: one :class:`Result` per method, level and image, gathered in a
:class:`ResultsTable` that averages, prints and writes them; and :func:`quantize`, the 8-bit
rounding every protocol applies to a method's output before scoring it; :func:`run_method`, the
timed call of a method that every protocol makes."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .. import data
from .._validation import check_image

__all__ = ["quantize", "run_method", "Result", "ResultsTable"]


def run_method(name: str, method, expected_shape, *arguments) -> tuple[np.ndarray, float]:
    """Call ``method(*arguments)``; return its output as float32 and the seconds it took.

    Raises
    ------
    ValueError
        If the output's shape is not `expected_shape`, naming the method.
    """
    started = time.perf_counter()
    estimate = np.asarray(method(*arguments), dtype=np.float32)
    seconds = time.perf_counter() - started
    if estimate.shape != tuple(expected_shape):
        raise ValueError(f"method {name!r} returned shape {estimate.shape}; expected {tuple(expected_shape)}")
    return estimate, seconds


def quantize(image) -> np.ndarray:
    """Clip to [0, 1] and round to 8 bits, returned as float32 (what a saved PNG would hold)."""
    return data.to_float(data.to_uint8(check_image(image, "image")))


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
