"""Where the inpainting network loses to biharmonic: in-hole PSNR by hole type, hole ratio, texture and depth.

The shipped inpainting U-Net (or ``--model``), biharmonic inpainting and the
pull-push harmonic fill (``evaluation.classical_inpainters()["harmonic"]``, the
smooth first guess the shipped network is given) fill the same holes in the
same images; each is compared with biharmonic. Each image gets, for every hole *kind* and every
*coverage* range, ``--holes`` seeded holes:

- ``thin strokes``: free-form strokes 3-8 pixels wide (``stroke_mask(max_width=8)``);
- ``protocol strokes``: the course protocol's brush, 11-32 pixels wide;
- ``wide blobs``: short strokes (at most 2 segments) as wide as a fifth of the
  image's smaller side;
- ``rectangles``: one to three axis-aligned rectangles (``rectangle_mask``);

with the hole covering 5-10 %, 10-25 % (the protocol's range) or 25-40 % of the
image. Every fill is scored as the protocol scores it (known pixels kept, clipped,
rounded to 8 bits; ``evaluation.inpainting_scores``). The per-hole PSNR in the hole
is averaged by hole kind and by coverage; the hole's pixels are also pooled (their
squared errors summed, then one PSNR) by two properties of each missing pixel:

- *texture*: the standard deviation of the ground truth's luma in the 9x9 window
  around it, :math:`\\sigma = \\sqrt{\\overline{x^2} - \\bar x^2}` (on the 8-bit
  scale: flat below 5, smooth 5-13, textured 13-25, edges and strong texture
  from 25);
- *depth*: its distance to the nearest known pixel (Euclidean, in pixels), since
  deep inside a wide hole there is nothing near to diffuse from.

It prints the tables, and writes ``where_it_loses.json`` (every hole and every
class), ``where_it_loses.csv`` (one row per hole), ``where_it_loses.md`` (the
tables) and ``where_it_loses.png`` (the four breakdowns as bars) to ``--out``.
Run, for example::

    python benchmarks/inpainting_where_it_loses.py --out docs/inpainting_where_it_loses

On the four bundled test images (up to 512x512, two of them RGB) with the
defaults, that is 24 holes per image, 96 in all, each filled by every method;
biharmonic dominates the time (it solves a sparse system per channel over every
missing pixel: seconds to tens of seconds for a 25-40 % hole in a 512x512 RGB
image). ``--testset DIR`` scores your own folder instead (Train400's held-out
images: ``--testset DIR --every 20``), ``--model`` another network (one trained
by ``inpainting_families.py`` or ``train inpaint``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np

KINDS = ("thin strokes", "protocol strokes", "wide blobs", "rectangles")
COVERAGES = ((0.05, 0.10), (0.10, 0.25), (0.25, 0.40))
#: Upper edges of the texture classes: the 9x9 standard deviation of the ground truth, on the 8-bit scale.
TEXTURE_CLASSES = (("flat (< 5)", 5.0), ("smooth (5-13)", 13.0), ("textured (13-25)", 25.0),
                   ("edges, strong texture (>= 25)", math.inf))
#: Upper edges of the depth classes: the distance of a missing pixel to the nearest known one, in pixels.
DEPTH_CLASSES = (("1-2 px", 2.0), ("2-4 px", 4.0), ("4-8 px", 8.0), ("8-16 px", 16.0), ("16+ px", math.inf))


def make_hole(kind: str, shape, coverage, rng) -> np.ndarray:
    """A boolean hole (True = missing) of `kind` covering a fraction of the image in `coverage`."""
    from course_lib.degradations import rectangle_mask, stroke_mask

    low, high = coverage
    if kind == "thin strokes":
        return stroke_mask(shape, max_width=8.0, coverage=coverage, seed=rng, max_attempts=5000)
    if kind == "protocol strokes":
        from course_lib.evaluation import INPAINTING_MAX_WIDTH

        return stroke_mask(shape, max_width=INPAINTING_MAX_WIDTH, coverage=coverage, seed=rng, max_attempts=2000)
    if kind == "wide blobs":
        width = max(8.0, 0.2 * min(shape[:2]))
        return stroke_mask(shape, max_width=width, max_vertices=2, coverage=coverage, seed=rng, max_attempts=2000)
    if kind == "rectangles":
        for _ in range(2000):
            count = int(rng.integers(1, 4))
            side_low, side_high = math.sqrt(low / count), min(1.0, math.sqrt(high / count) * 1.3)
            hole = rectangle_mask(shape, count=count, min_size=side_low, max_size=side_high, seed=rng)
            if low <= hole.mean() <= high:
                return hole
        raise ValueError(f"no rectangles covering {low:.0%}-{high:.0%} of a {shape[0]}x{shape[1]} image")
    raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")


def local_standard_deviation(image, size: int = 9) -> np.ndarray:
    """``sqrt(mean(x^2) - mean(x)^2)`` over the ``size x size`` window of each pixel of the luma, 8-bit scale."""
    from scipy.ndimage import uniform_filter

    from course_lib.color import rgb_to_gray

    luma = rgb_to_gray(image) if image.ndim == 3 else image
    luma = np.asarray(luma, dtype=np.float64) * 255.0
    mean = uniform_filter(luma, size, mode="reflect")
    square = uniform_filter(luma**2, size, mode="reflect")
    return np.sqrt(np.maximum(square - mean**2, 0.0))


def class_of(values, classes) -> np.ndarray:
    """The index of each value's class, classes given by their upper edges (exclusive)."""
    edges = np.array([edge for _, edge in classes[:-1]])
    return np.searchsorted(edges, values, side="right")


def psnr_of(squared_error_sum: float, count: int) -> float:
    return 10.0 * math.log10(count / squared_error_sum) if count and squared_error_sum > 0 else float("nan")


def analyse(images: dict, methods: dict, *, holes: int, seed: int, kinds=KINDS, coverages=COVERAGES,
            progress=print) -> dict:
    """Every hole's scores and the pooled squared errors per texture and depth class, per method."""
    from scipy.ndimage import distance_transform_edt

    from course_lib import evaluation

    rows = []
    pooled = {axis: {method: np.zeros((len(classes), 2)) for method in methods}
              for axis, classes in (("texture", TEXTURE_CLASSES), ("depth", DEPTH_CLASSES))}
    for image_index, (name, clean) in enumerate(images.items()):
        clean = np.asarray(clean, dtype=np.float32)
        texture = class_of(local_standard_deviation(clean), TEXTURE_CLASSES)
        for kind_index, kind in enumerate(kinds):
            for coverage_index, coverage in enumerate(coverages):
                for number in range(holes):
                    rng = np.random.default_rng([seed, image_index, kind_index, coverage_index, number])
                    hole = make_hole(kind, clean.shape[:2], coverage, rng)
                    selected = hole[..., None] if clean.ndim == 3 else hole
                    damaged = np.where(selected, 0.0, clean).astype(np.float32)
                    depth = class_of(distance_transform_edt(hole)[hole], DEPTH_CLASSES)
                    row = {"image": name, "kind": kind, "coverage_range": f"{coverage[0]:.0%}-{coverage[1]:.0%}",
                           "coverage": float(hole.mean()), "hole": number}
                    for method, fill in methods.items():
                        started = time.perf_counter()
                        estimate = np.asarray(fill(damaged.copy(), hole.copy()), dtype=np.float32)
                        seconds = time.perf_counter() - started
                        scores = evaluation.inpainting_scores(clean, estimate, hole)
                        row[f"{method} psnr_hole"] = scores["psnr_hole"]
                        row[f"{method} ssim_hole"] = scores["ssim_hole"]
                        row[f"{method} seconds"] = seconds
                        filled = evaluation.quantize(np.where(selected, estimate, clean))
                        error = (filled.astype(np.float64) - clean) ** 2
                        error = error.mean(axis=-1) if error.ndim == 3 else error  # per pixel, over channels
                        for axis, classes in (("texture", texture[hole]), ("depth", depth)):
                            table = pooled[axis][method]
                            np.add.at(table[:, 0], classes, error[hole])
                            np.add.at(table[:, 1], classes, 1)
                    rows.append(row)
                    progress(f"  {name} | {kind} | {row['coverage_range']} #{number}: " + ", ".join(
                        f"{method} {row[f'{method} psnr_hole']:.2f} dB" for method in methods))
    return {"rows": rows, "pooled": pooled}


def summarize(result: dict, methods, reference: str = "biharmonic") -> dict:
    """``{breakdown: [{"class", "count", method: PSNR, ..., "gain", "wins"}]}`` for the four breakdowns."""
    learned = [method for method in methods if method != reference]
    rows = result["rows"]
    tables = {}
    for axis, key, values in (("hole kind", "kind", list(dict.fromkeys(row["kind"] for row in rows))),
                              ("coverage", "coverage_range",
                               list(dict.fromkeys(row["coverage_range"] for row in rows)))):
        lines = []
        for value in values:
            chosen = [row for row in rows if row[key] == value]
            line = {"class": value, "count": len(chosen)}
            for method in methods:
                line[method] = float(np.mean([row[f"{method} psnr_hole"] for row in chosen]))
                line[f"{method} ssim"] = float(np.mean([row[f"{method} ssim_hole"] for row in chosen]))
            for method in learned:
                gains = [row[f"{method} psnr_hole"] - row[f"{reference} psnr_hole"] for row in chosen]
                line[f"{method} gain"] = float(np.mean(gains))
                line[f"{method} wins"] = float(np.mean([gain > 0 for gain in gains]))
            lines.append(line)
        tables[axis] = lines
    for axis, classes in (("texture", TEXTURE_CLASSES), ("depth", DEPTH_CLASSES)):
        lines = []
        for index, (label, _) in enumerate(classes):
            count = int(result["pooled"][axis][reference][index, 1])
            if not count:
                continue
            line = {"class": label, "count": count}
            for method in methods:
                line[method] = psnr_of(*result["pooled"][axis][method][index])
            for method in learned:
                line[f"{method} gain"] = line[method] - line[reference]
            lines.append(line)
        tables[f"{axis} under the hole (pixels pooled)" if axis == "texture" else "depth in the hole (pixels pooled)"] \
            = lines
    return tables


def format_tables(tables: dict, methods, reference: str = "biharmonic") -> str:
    learned = [method for method in methods if method != reference]
    blocks = []
    for axis, lines in tables.items():
        pooled = "pooled" in axis
        header = [axis, "pixels" if pooled else "holes"] + [f"{method} dB" for method in methods]
        header += [f"{method} - {reference}" for method in learned]
        if not pooled:
            header += [f"{method} SSIM" for method in methods] + [f"{method} wins" for method in learned]
        body = []
        for line in lines:
            cells = [line["class"], f"{line['count']:,}"] + [f"{line[method]:.2f}" for method in methods]
            cells += [f"{line[f'{method} gain']:+.2f}" for method in learned]
            if not pooled:
                cells += [f"{line[f'{method} ssim']:.3f}" for method in methods]
                cells += [f"{line[f'{method} wins']:.0%}" for method in learned]
            body.append(cells)
        blocks.append("\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                                + ["| " + " | ".join(cells) + " |" for cells in body]))
    return "\n\n".join(blocks)


def draw(tables: dict, methods, path: Path, title: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    for axis, (name, lines) in zip(axes.flat, tables.items()):
        positions = np.arange(len(lines))
        width = 0.8 / len(methods)
        for offset, method in enumerate(methods):
            values = [line[method] for line in lines]
            bars = axis.bar(positions + (offset - (len(methods) - 1) / 2) * width, values, width, label=method)
            axis.bar_label(bars, labels=[f"{value:.1f}" for value in values], fontsize=7)
        axis.set_xticks(positions, [line["class"] for line in lines], fontsize=8, rotation=12)
        axis.set_ylabel("PSNR in the hole (dB)")
        axis.set_title(name, fontsize=10)
        low = min(line[method] for line in lines for method in methods if math.isfinite(line[method]))
        axis.set_ylim(max(0.0, low - 4.0), None)
        axis.grid(axis="y", alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--testset", type=Path, help="a folder of images (default: the bundled test split)")
    parser.add_argument("--every", type=int, default=1,
                        help="score every Nth image of --testset only (20: Train400's held-out images)")
    parser.add_argument("--gray", action="store_true", help="score the images in gray")
    parser.add_argument("--model", type=Path, help="a .keras inpainting model (default: the shipped one)")
    parser.add_argument("--holes", type=int, default=2, help="holes per image, kind and coverage range")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS), metavar="KIND",
                        help=f"hole kinds, among {', '.join(repr(kind) for kind in KINDS)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="replace the results already in --out")
    arguments = parser.parse_args()
    if (arguments.out / "where_it_loses.json").exists() and not arguments.force:
        parser.exit(2, f"error: --out {str(arguments.out)!r} holds results already; add --force to replace them\n")
    if arguments.holes < 1 or arguments.every < 1:
        parser.exit(2, "error: --holes and --every must be at least 1\n")
    if arguments.model is not None and not arguments.model.exists():
        parser.exit(2, f"error: --model {str(arguments.model)!r} does not exist\n")

    from course_lib import data, evaluation

    if arguments.testset is None:
        images = data.load_split("test", gray=arguments.gray)
    else:
        from course_lib.training.patches import folder_source, holdout_split

        try:
            source = folder_source(arguments.testset)
            if arguments.every > 1:
                source = holdout_split(source, every=arguments.every)[1]
        except (FileNotFoundError, ValueError) as error:
            parser.exit(2, f"error: --testset: {error}\n")
        files = {path.name: path for path in data.list_image_files(arguments.testset)}
        images = {name: np.clip(data.read_image(files[name], gray=arguments.gray), 0.0, 1.0) for name in source.names}
    small = [name for name, image in images.items() if min(image.shape[:2]) < 32]
    if small:
        parser.exit(2, f"error: images smaller than 32x32 cannot take the holes: {', '.join(small)}\n")

    from course_lib.models import inpaint, load_model, load_shipped_inpainter

    model = load_shipped_inpainter() if arguments.model is None else load_model(arguments.model)
    label = "course model" if arguments.model is None else arguments.model.stem
    classical = evaluation.classical_inpainters()
    methods = {label: lambda damaged, hole: inpaint(model, damaged, hole),
               "harmonic": classical["harmonic"], "biharmonic": classical["biharmonic"]}
    started = time.perf_counter()
    result = analyse(images, methods, holes=arguments.holes, seed=arguments.seed, kinds=tuple(arguments.kinds))
    seconds = time.perf_counter() - started
    tables = summarize(result, list(methods))
    text = format_tables(tables, list(methods))
    print(text)
    out = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "command": "python benchmarks/" + Path(__file__).name + " " + " ".join(os.sys.argv[1:]),
        "model": str(arguments.model) if arguments.model else "data/inpainting_unet.keras (shipped)",
        "images": {name: list(image.shape) for name, image in images.items()},
        "scoring": "known pixels kept, output clipped and rounded to 8 bits (evaluation.inpainting_scores); "
                   "per-hole PSNR averaged by kind and coverage; texture and depth classes pool the hole's pixels",
        "texture_classes": [[label, edge] for label, edge in TEXTURE_CLASSES[:-1]],
        "depth_classes": [[label, edge] for label, edge in DEPTH_CLASSES[:-1]],
        "seconds": seconds,
        "tables": tables,
        "holes": result["rows"],
    }
    (out / "where_it_loses.json").write_text(json.dumps(record, indent=2) + "\n")
    keys = list(result["rows"][0])
    lines = [",".join(keys)] + [",".join(f"{row[key]:.4f}" if isinstance(row[key], float) else str(row[key])
                                         for key in keys) for row in result["rows"]]
    (out / "where_it_loses.csv").write_text("\n".join(lines) + "\n")
    (out / "where_it_loses.md").write_text(text + "\n")
    where = "the bundled test split" if arguments.testset is None else str(arguments.testset)
    draw(tables, list(methods), out / "where_it_loses.png",
         f"{label} vs biharmonic, PSNR in the hole ({len(images)} image(s) of {where}, {len(result['rows'])} holes)")
    print(f"wrote {out / 'where_it_loses.png'} and .json/.csv/.md ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
