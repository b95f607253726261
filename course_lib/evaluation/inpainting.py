"""Inpainting: the protocol, and the course's inpainters, classical and learned.

Each image gets four seeded free-form holes in turn (strokes covering 10-25% of it;
one hole per image is too noisy a sample on a small test split); every method fills
the same damaged images; the known pixels are kept, the result clipped and rounded
to 8 bits, and PSNR/SSIM are taken inside the hole (what the method made) and over
the whole image (what the user sees).

:data:`INPAINTING_METHODS` names every method the course compares;
:func:`inpainting_methods` turns names into functions for :func:`evaluate_inpainting`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .. import metrics
from .._validation import check_image, check_integer, check_mask
from ..models.shipped import shipped_inpainter
from .results import Result, ResultsTable, quantize, run_method

__all__ = [
    "INPAINTING_COVERAGE",
    "INPAINTING_MAX_WIDTH",
    "INPAINTING_MASKS_PER_IMAGE",
    "INPAINTING_PROTOCOL",
    "inpainting_test_mask",
    "inpainting_scores",
    "classical_inpainters",
    "InpaintingResult",
    "InpaintingTable",
    "evaluate_inpainting",
    "INPAINTING_METHODS",
    "shipped_inpainters",
    "inpainting_methods",
]

#: Every inpainting method the course compares: the classical ones (:func:`classical_inpainters`),
#: and ``shipped``, the course's network (labelled ``"course model"`` in the tables; :func:`shipped_inpainters`).
INPAINTING_METHODS = ("biharmonic", "harmonic", "shipped")

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
    from ..degradations import stroke_mask

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
    """``{name: function(damaged, hole) -> filled}``: the classical baselines.

    ``biharmonic`` is scikit-image's ``inpaint_biharmonic``; ``harmonic`` is the
    course's pull-push harmonic fill (:func:`course_lib.models.pyramid_fill`), the
    smooth fill the shipped network is given as a first guess.

    Each checks its input as :func:`course_lib.models.inpaint` does (a ValueError for a bad
    image or a hole that is not a binary mask of the image's height and width).
    """
    from skimage.restoration import inpaint_biharmonic

    def biharmonic(damaged, hole):
        damaged = check_image(damaged, "image")
        hole = check_mask(hole, "hole", shape=damaged.shape)
        return inpaint_biharmonic(damaged, hole, channel_axis=-1 if damaged.ndim == 3 else None).astype(np.float32)

    def harmonic(damaged, hole):
        from ..models import pyramid_fill

        damaged = check_image(damaged, "image")
        hole = check_mask(hole, "hole", shape=damaged.shape)
        return pyramid_fill(damaged, hole)

    return {"biharmonic": biharmonic, "harmonic": harmonic}


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
                estimate, seconds = run_method(method_name, method, clean.shape, damaged.copy(), hole.copy())
                scores = inpainting_scores(clean, estimate, hole)
                table.results.append(InpaintingResult(
                    method_name, float(hole.mean()), image_name, scores["psnr_hole"], scores["ssim_hole"], seconds,
                    psnr_image=scores["psnr"], ssim_image=scores["ssim"], mask=number))
                if keep_outputs and number == 0:
                    selected = hole[..., None] if clean.ndim == 3 else hole
                    outputs[(method_name, image_name)] = quantize(np.where(selected, estimate, clean))
    return (table, outputs, holes) if keep_outputs else table


def shipped_inpainters(names) -> dict:
    """``{label: ShippedModel}``: the shipped networks among `names` (``shipped``, labelled ``"course model"``).

    Each value's ``load()`` loads the model (see :mod:`course_lib.models.shipped`).
    """
    return {"course model": shipped_inpainter()} if "shipped" in names else {}


def inpainting_methods(names, *, extra_models=()) -> dict:
    """``{label: function(damaged, hole)}`` for the chosen methods and extra models.

    Parameters
    ----------
    names : sequence of str
        Names from :data:`INPAINTING_METHODS`; ``shipped`` is labelled ``"course model"``.
    extra_models : sequence of str or os.PathLike, or dict
        ``.keras`` inpainting models of your own, labelled by their file name without
        suffix, or ``{label: model}`` of models already loaded.
    """
    from ..models import inpaint, load_model

    methods = {name: function for name, function in classical_inpainters().items() if name in names}

    def network(model):
        return lambda damaged, hole: inpaint(model, damaged, hole)

    for label, shipped in shipped_inpainters(names).items():
        methods[label] = network(shipped.load())
    if not isinstance(extra_models, dict):
        extra_models = {Path(path).stem: load_model(path) for path in extra_models}
    for label, model in extra_models.items():
        methods[label] = network(model)
    return methods
