"""What a CPU-minute buys in inpainting: U-Net families trained for the same wall-clock budget.

For each family (today's shipped recipe, the U-Net of partial convolutions with
``CloseHoles``; the same U-Net with fast Fourier convolution blocks at its coarsest
level; with dilated blocks there instead; and the Fourier one trained with a
frequency term in its loss) this script

1. measures the cost: parameters, multiply-adds per pixel of its convolutions,
   partial ones included (``inpainting_multiply_adds_per_pixel``; the course's
   ``multiply_adds_per_pixel`` does not see partial convolutions), and an
   estimate of what its FFTs add, which no convolution count includes;
2. times the training step inside ``fit`` and compares its arithmetic
   (3 x forward multiply-adds) with a large matrix product in the same precision,
   the most this CPU does per second;
3. trains it from scratch for ``--minutes`` of wall clock (scoring excluded), the
   learning rate following a half cosine over the budget, and scores the held-out
   images (every 20th image of ``--data``, never trained on) under the course's
   inpainting protocol at ``--points`` points along the way: seeded free-form
   holes covering 10-25% of each image (``--masks-per-image`` per image, 4 in the
   protocol), known pixels kept, output clipped and rounded to 8 bits, PSNR and
   SSIM inside the hole (``course_lib.evaluation.evaluate_inpainting``).
   Biharmonic inpainting on the same holes is the reference line.

All families train on the same patches with the same holes (the seed fixes them)
in RGB, gray images repeated into three channels, as ``train inpaint`` does.
It writes ``inpainting_families.json`` (everything), ``inpainting_families.csv``
(the curves), ``inpainting_families.md`` (the table) and
``inpainting_families.png`` (PSNR and SSIM in the hole against CPU-minutes) to
``--out``. Run, for example (Train400 from ``python -m course_lib download
train400 --out DIR``)::

    python benchmarks/inpainting_families.py --data DIR --minutes 15 --out docs/inpainting_families

Alone on the machine: the curves are only comparable if nothing else runs. The
wall time is about the families' budgets plus their scoring: the biharmonic
reference once (a few minutes for Train400's 20 held-out images x 4 holes), and
each point of each family (the 80 fills, about a minute). The first step of each
family, which builds its graph (about 4 s for the plain U-Net, 17 s with the FFC
blocks on 2 busy cores), counts in its budget, as in the other family
benchmarks; the record keeps it as ``first_step_seconds``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

import numpy as np

from training_budget import budget_callback, matmul_peak, measure_families

# bfloat16 without oneDNN is emulated and 30x slower; course_lib turns oneDNN off for bit-repeatable notebooks.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

FAMILIES = {
    # name: (configuration fields, what it is); a family with a frequency_loss and no weight of its own gets
    # --frequency-loss-weight
    "shipped": (dict(),
                "today's shipped recipe: U-Net of partial convolutions, 32-64-128-256 channels at 1, 1/2, 1/4, 1/8 "
                "resolution, CloseHoles (16 diffusion steps), L1 loss weighted 6 in the hole and 1 outside"),
    "ffc": (dict(bottleneck="ffc", bottleneck_blocks=4),
            "the same U-Net + 4 fast Fourier convolution residual blocks at 1/8 resolution (LaMa's spectral "
            "transform on 192 of the 256 channels): each block sees the whole image"),
    "dilated": (dict(bottleneck="dilated", bottleneck_blocks=2),
                "the same U-Net + 2 dilated residual blocks at 1/8 resolution (rates 2 and 4): about the FFC "
                "blocks' arithmetic, a receptive field 128 pixels wider"),
    "ffc_fft_loss": (dict(bottleneck="ffc", bottleneck_blocks=4, frequency_loss="fft"),
                     "the FFC U-Net trained on the L1 loss + --frequency-loss-weight x the L1 distance between "
                     "the FFT magnitudes of the hole's content in output and target"),
    "ssim_loss": (dict(frequency_loss="ssim", frequency_loss_weight=1.0),
                  "today's U-Net trained on the L1 loss + 1 x (1 - SSIM) of the composite, 7x7 windows, averaged "
                  "over the hole (the structure the protocol's SSIM scores)"),
    "gradient_loss": (dict(frequency_loss="gradient", frequency_loss_weight=2.0),
                      "today's U-Net trained on the L1 loss + 2 x the L1 distance between the horizontal and "
                      "vertical differences of composite and target, per hole pixel (edges and the hole's seam)"),
}


def held_out_images(source) -> dict:
    """The held-out images by name, as the inpainting protocol takes them."""
    return {name: source.loader(index) for index, name in enumerate(source.names)}


def protocol_scores(methods: dict, images: dict, masks_per_image: int) -> dict:
    """``{method: {"psnr_hole", "ssim_hole", "psnr_image", "ssim_image"}}``: means under the inpainting protocol."""
    from course_lib import evaluation

    table = evaluation.evaluate_inpainting(methods, images, seed=0, masks_per_image=masks_per_image)
    keys = {"psnr_hole": "psnr", "ssim_hole": "ssim", "psnr_image": "psnr_image", "ssim_image": "ssim_image",
            "seconds_per_image": "seconds"}
    return {method: {name: float(table.mean(method, key=key)) for name, key in keys.items()} for method in methods}


def model_scores(model, images: dict, masks_per_image: int) -> dict:
    """The protocol's scores of `model` as it would ship: rebuilt in float32 (the step may run in bfloat16)."""
    from course_lib.models import inpaint
    from course_lib.models.precision import model_precision, with_precision

    if model_precision(model) != "float32":
        model = with_precision(model, "float32")
    return protocol_scores({"model": lambda damaged, hole: inpaint(model, damaged, hole)}, images,
                           masks_per_image)["model"]


def family_config(name, arguments):
    from course_lib.training.inpainting_training import InpaintingTrainingConfig

    fields, _ = FAMILIES[name]
    if "frequency_loss" in fields and "frequency_loss_weight" not in fields:
        fields = {**fields, "frequency_loss_weight": arguments.frequency_loss_weight}
    return InpaintingTrainingConfig(
        patch_size=arguments.patch_size, batch_size=arguments.batch_size, steps_per_epoch=100, epochs=100_000,
        learning_rate=arguments.learning_rate, final_learning_rate=arguments.learning_rate / 100,
        schedule="constant", scales=tuple(arguments.scales), seed=arguments.seed, precision=arguments.precision,
        **fields)


def measure_family(name, arguments, training_source, images):
    import keras

    from course_lib.models.cost import TRAINING_COST_FACTOR
    from course_lib.models.inpainting import fourier_multiply_adds_per_pixel, inpainting_multiply_adds_per_pixel
    from course_lib.training.inpainting_training import build_inpainting, train_inpainting

    _, description = FAMILIES[name]
    config = family_config(name, arguments)
    model = build_inpainting(config)
    multiply_adds = inpainting_multiply_adds_per_pixel(model)
    fourier = fourier_multiply_adds_per_pixel(model)
    record = {"family": name, "description": description, "config": config.to_dict(), "model": model.name,
              "parameters": int(model.count_params()), "multiply_adds_per_pixel": multiply_adds,
              "fft_multiply_adds_per_pixel_estimate": fourier,
              "cost_note": "multiply-adds of the convolutions (partial ones included) per image pixel, read on a "
                           "256x256 input; the FFTs are not convolutions and are estimated apart "
                           "(1.25 log2(hw) per position and channel of each transform)"}
    print(f"{name}: {description}\n  {record['parameters']:,} parameters, {multiply_adds / 1e3:.0f} K multiply-adds "
          f"per pixel (+ about {fourier:.0f} in FFTs)", flush=True)
    del model
    keras.backend.clear_session()

    points = []

    def evaluate(model):
        scores = model_scores(model, images, arguments.masks_per_image)
        points.append(scores)
        return scores["psnr_hole"]

    budget = budget_callback(arguments.minutes * 60, config.learning_rate, config.final_learning_rate,
                             [index / arguments.points for index in range(1, arguments.points + 1)], evaluate)
    started = time.perf_counter()
    train_inpainting(config, source=training_source, validation=False, callbacks=[budget], verbose=0)
    wall = time.perf_counter() - started
    curve = []
    for point, scores in zip(budget.curve, points):
        curve.append({"minutes": point["minutes"], "steps": point["steps"], "loss": point["loss"], **scores})
    pixels_per_step = config.batch_size * config.patch_size**2
    step_multiply_adds = TRAINING_COST_FACTOR * multiply_adds * pixels_per_step
    fit_step = float(np.median(budget.step_times[5:])) if len(budget.step_times) > 10 else float("nan")
    record.update({
        "curve": curve,
        "wall_seconds": wall,
        "steps": budget.steps,
        "step_seconds_in_fit": fit_step,
        "first_step_seconds": float(budget.step_times[0]) if budget.step_times else float("nan"),
        "step_multiply_adds": step_multiply_adds,
        "multiply_adds_per_second_in_fit": step_multiply_adds / fit_step,
        "patch_megapixels_seen": budget.steps * pixels_per_step / 1e6,
    })
    keras.backend.clear_session()
    return record


def _final(family, key):
    return family["curve"][-1][key] if family["curve"] else float("nan")


def write_outputs(results, out: Path):
    out.mkdir(parents=True, exist_ok=True)
    (out / "inpainting_families.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["family,minutes,steps,psnr_hole,ssim_hole,psnr_image,ssim_image"]
    for family in results["families"]:
        for point in family["curve"]:
            lines.append(f"{family['family']},{point['minutes']:.3f},{point['steps']},{point['psnr_hole']:.4f},"
                         f"{point['ssim_hole']:.5f},{point['psnr_image']:.4f},{point['ssim_image']:.5f}")
    (out / "inpainting_families.csv").write_text("\n".join(lines) + "\n")
    reference = results["biharmonic"]
    table = ["| family | parameters | multiply-adds per pixel (+ FFTs) | steps in budget | patch Mpx seen | "
             "step s (in fit) | of matmul peak (in fit) | PSNR in hole at end | SSIM in hole at end | "
             "PSNR in hole over biharmonic |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for family in results["families"]:
        peak = family.get("matmul_multiply_adds_per_second") or results["matmul_multiply_adds_per_second"]
        psnr = _final(family, "psnr_hole")
        table.append(
            f"| {family['family']} | {family['parameters']:,} | {family['multiply_adds_per_pixel'] / 1e3:.0f} K "
            f"(+ {family['fft_multiply_adds_per_pixel_estimate']:.0f}) | {family['steps']} | "
            f"{family['patch_megapixels_seen']:.0f} | {family['step_seconds_in_fit']:.3f} | "
            f"{family['multiply_adds_per_second_in_fit'] / peak:.0%} | {psnr:.2f} dB | "
            f"{_final(family, 'ssim_hole'):.4f} | {psnr - reference['psnr_hole']:+.2f} dB |")
    table.append(f"| *biharmonic, on the same holes* | | | | | | | *{reference['psnr_hole']:.2f} dB* | "
                 f"*{reference['ssim_hole']:.4f}* | |")
    (out / "inpainting_families.md").write_text("\n".join(table) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for axis, key, label in ((axes[0], "psnr_hole", "PSNR in the hole (dB)"),
                             (axes[1], "ssim_hole", "SSIM in the hole")):
        for family in results["families"]:
            axis.plot([point["minutes"] for point in family["curve"]], [point[key] for point in family["curve"]],
                      marker="o", markersize=3,
                      label=f"{family['family']} ({family['multiply_adds_per_pixel'] / 1e3:.0f} K MAC/px)")
        value = reference[key]
        axis.axhline(value, color="gray", linestyle="dashed", linewidth=1)
        axis.annotate(f"biharmonic {value:.3f}" if key == "ssim_hole" else f"biharmonic {value:.2f} dB",
                      (0.01, value), xycoords=("axes fraction", "data"), textcoords="offset points", xytext=(0, 3),
                      fontsize=8, color="dimgray")
        axis.set_xlabel("training wall-clock minutes on 2 CPU cores")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.suptitle("What a CPU-minute buys in inpainting (held-out images, protocol holes 10-25%)")
    figure.tight_layout()
    figure.savefig(out / "inpainting_families.png", dpi=120)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of training images (Train400)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--families", nargs="+", default=list(FAMILIES), choices=list(FAMILIES))
    parser.add_argument("--minutes", type=float, default=15.0, help="training wall clock per family")
    parser.add_argument("--points", type=int, default=6, help="validation points along the budget")
    parser.add_argument("--masks-per-image", type=int, default=4,
                        help="protocol holes per held-out image (4 in the course's protocol)")
    parser.add_argument("--patch-size", type=int, default=128, help="side of the training patches")
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 0.9, 0.8],
                        help="rescalings of the training images (Train400's 180x180 images give 128x128 patches "
                             "down to 0.8, not at train inpaint's 0.7)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--frequency-loss-weight", type=float, default=10.0,
                        help="weight of the frequency term in the families that have one (10: about a quarter of "
                             "the loss for a biharmonic-like fill, whose L1 term is near 0.4 and FFT term near 0.012)")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="bfloat16")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--matmul-size", type=int, default=3072,
                        help="side of the square matrices whose product measures the peak")
    parser.add_argument("--force", action="store_true", help="replace the results already in --out")
    parser.add_argument("--update", action="store_true",
                        help="measure only --families again and keep the other families' results in --out")
    arguments = parser.parse_args()
    existing = arguments.out / "inpainting_families.json"
    if arguments.update and not existing.exists():
        parser.exit(2, f"error: --update needs results in --out; {str(existing)!r} does not exist\n")
    if existing.exists() and not (arguments.force or arguments.update):
        parser.exit(2, f"error: --out {str(arguments.out)!r} holds results already; add --force to replace them "
                       "or --update to measure some families again\n")
    if not arguments.minutes > 0 or arguments.points < 1 or arguments.masks_per_image < 1:
        parser.exit(2, "error: --minutes must be positive, --points and --masks-per-image at least 1\n")
    if not (math.isfinite(arguments.frequency_loss_weight) and arguments.frequency_loss_weight >= 0):
        parser.exit(2, "error: --frequency-loss-weight must be a finite number >= 0\n")
    if arguments.patch_size % 8 or arguments.patch_size < 16:
        parser.exit(2, f"error: --patch-size must be a multiple of 8 (the U-Net's 4 levels) and at least 16; "
                       f"got {arguments.patch_size}\n")

    from course_lib.training.inpainting_patches import hole_bank
    from course_lib.training.patches import check_patch_size_fits, folder_source, holdout_split, preloaded

    try:
        training_source, validation_source = holdout_split(folder_source(arguments.data), every=20)
        check_patch_size_fits(training_source, arguments.patch_size, arguments.scales)
    except (FileNotFoundError, ValueError) as error:
        parser.exit(2, f"error: --data: {error}\n")
    training_source = preloaded(training_source)
    images = held_out_images(validation_source)
    command = "python benchmarks/" + Path(__file__).name + " " + " ".join(os.sys.argv[1:])

    # The bank of training holes is drawn once per run and cached: draw it before any budget starts.
    config = family_config("shipped", arguments)
    started = time.perf_counter()
    hole_bank(config.patch_size, count=min(config.steps_per_epoch * config.batch_size, 2000), seed=config.seed,
              coverage=tuple(config.coverage), max_width=config.max_width)
    bank_seconds = time.perf_counter() - started
    from course_lib import evaluation

    started = time.perf_counter()
    biharmonic = protocol_scores(evaluation.classical_inpainters(), images, arguments.masks_per_image)["biharmonic"]
    results = {
        "command": command,
        "machine": {"processor": platform.processor() or platform.machine(), "cpus": os.cpu_count()},
        "training_images": len(training_source), "validation_images": len(validation_source),
        "validation": f"every 20th image of the folder, whole, under the course's inpainting protocol "
                      f"(evaluation.evaluate_inpainting, seed 0): {arguments.masks_per_image} free-form stroke "
                      f"hole(s) per image, each covering {evaluation.INPAINTING_COVERAGE[0]:.0%}-"
                      f"{evaluation.INPAINTING_COVERAGE[1]:.0%} of it (brush up to "
                      f"{evaluation.INPAINTING_MAX_WIDTH:g} px); scores averaged over the holes; known pixels kept; "
                      "output clipped and rounded to 8 bits; PSNR/SSIM inside the hole and over the whole image",
        "biharmonic": biharmonic,
        "biharmonic_seconds": time.perf_counter() - started,
        "hole_bank_seconds": bank_seconds,
        "matmul_multiply_adds_per_second": matmul_peak(arguments.precision, size=arguments.matmul_size),
        "precision": arguments.precision,
        "families": [],
    }
    print(f"matmul peak ({arguments.precision}): {results['matmul_multiply_adds_per_second'] / 1e9:.1f} G "
          f"multiply-adds/s; biharmonic on the held-out images: {biharmonic['psnr_hole']:.2f} dB, SSIM "
          f"{biharmonic['ssim_hole']:.4f} in the hole", flush=True)
    if arguments.update:
        previous = json.loads(existing.read_text())
        if previous.get("precision") != arguments.precision:
            parser.exit(2, "error: --update: --precision must match the results in --out\n")
        for family in previous["families"]:
            family.setdefault("command", previous["command"])
            family.setdefault("matmul_multiply_adds_per_second", previous["matmul_multiply_adds_per_second"])
        results["families"] = previous["families"]
    measure_families(results, arguments.families,
                     lambda name: measure_family(name, arguments, training_source, images),
                     lambda measured: write_outputs(measured, arguments.out))
    print((arguments.out / "inpainting_families.md").read_text())


if __name__ == "__main__":
    main()
