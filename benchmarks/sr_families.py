"""What a CPU-minute buys in super-resolution: SR families trained for the same wall-clock budget.

For each family (today's VDSR-style recipe, which runs 20 layers of 64 channels on
the pixel-unshuffled bicubic upscaling, and EDSR-style networks that compute on
the low-resolution image itself) this script

1. measures the cost: parameters, multiply-adds per *output* pixel, receptive field;
2. measures the training step's time inside ``fit`` and compares its arithmetic
   (3 x forward multiply-adds) with a large matrix product in the same precision;
3. trains it from scratch for ``--minutes`` of wall clock (validation excluded),
   the learning rate following a half cosine over the budget, and scores the
   held-out images (every 20th image of ``--data``, never trained on) under the
   course's SR protocol (Y, MATLAB bicubic degradation, border = scale, output
   clipped and rounded) at ``--points`` points along the way.

It writes ``sr_families.json`` (everything), ``sr_families.csv`` (the curves),
``sr_families.md`` (the table) and ``sr_families.png`` (PSNR against CPU-minutes)
to ``--out``. Run, for example (Train400 from ``python -m course_lib download
train400 --out DIR``)::

    python benchmarks/sr_families.py --data DIR --scale 3 --minutes 10 --out docs/sr_families

Alone on the machine: the curves are only comparable if nothing else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from training_budget import budget_callback, matmul_peak, measure_families

# bfloat16 without oneDNN is emulated and 30x slower; course_lib turns oneDNN off for bit-repeatable notebooks.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

FAMILIES = {
    # name: (configuration fields, what it is)
    "vdsr": (dict(architecture="vdsr", depth=20, width=64, unshuffle=True),
             "today's shipped recipe: 20 layers of 64 channels on the pixel-unshuffled bicubic upscaling"),
    "edsr": (dict(architecture="edsr", width=64, blocks=6),
             "EDSR-style: 6 residual blocks of 64 channels on the low-resolution image"),
    "edsr_32x7": (dict(architecture="edsr", width=32, blocks=7),
                  "EDSR-style: 7 residual blocks of 32 channels (a fifth of the VDSR recipe's arithmetic)"),
    "edsr_48x3": (dict(architecture="edsr", width=48, blocks=3),
                  "EDSR-style: 3 residual blocks of 48 channels (a fifth of the VDSR recipe's arithmetic)"),
    "edsr_24x12": (dict(architecture="edsr", width=24, blocks=12),
                   "EDSR-style: 12 residual blocks of 24 channels (deeper and narrower, the same arithmetic as 32x7)"),
    "wide_32x7": (dict(architecture="edsr", width=32, blocks=7, block="wide"),
                  "WDSR-B-style: 7 wide-activation blocks of 32 channels (ReLU on 192, the same arithmetic as 32x7)"),
    "edsr_32x7_l1": (dict(architecture="edsr", width=32, blocks=7, loss="l1"),
                     "edsr_32x7 trained on the mean absolute error (L1) instead of the mean squared error, as EDSR"),
}


def held_out_images(source) -> dict:
    """The held-out images by name, as the SR protocol takes them."""
    return {name: source.loader(index) for index, name in enumerate(source.names)}


def protocol_psnr(model, images: dict, scale: int) -> float:
    """Mean PSNR (Y, border = scale) of `model` on `images` under the course's SR protocol."""
    from course_lib import evaluation
    from course_lib.models import super_resolve

    table = evaluation.evaluate_super_resolution(
        {"model": lambda low, level: super_resolve(model, low, level)}, images, [scale])
    return float(table.mean("model", scale))


def bicubic_psnr(images: dict, scale: int) -> float:
    from course_lib import evaluation

    table = evaluation.evaluate_super_resolution(
        {"bicubic": evaluation.interpolation_upscalers()["bicubic"]}, images, [scale])
    return float(table.mean("bicubic", scale))


def measure_family(name, arguments, training_source, images):
    import keras

    from course_lib.models import receptive_field
    from course_lib.models.cost import TRAINING_COST_FACTOR, multiply_adds_per_pixel
    from course_lib.training import SuperResolutionTrainingConfig, train_super_resolution
    from course_lib.training.super_resolution_training import build_super_resolution

    fields, description = FAMILIES[name]
    config = SuperResolutionTrainingConfig(
        scale=arguments.scale, patch_size=arguments.patch_size, batch_size=arguments.batch_size,
        steps_per_epoch=100, epochs=100_000, learning_rate=arguments.learning_rate,
        final_learning_rate=arguments.learning_rate / 100, schedule="constant", seed=arguments.seed,
        precision=arguments.precision, **fields)
    model = build_super_resolution(config)
    # multiply_adds_per_pixel counts per pixel of the model's input: the low-resolution image or
    # the bicubic upscaling; per output pixel divides the first by scale^2.
    per_input_pixel = multiply_adds_per_pixel(model)
    per_output_pixel = per_input_pixel / arguments.scale**2 if config.low_resolution_input else per_input_pixel
    record = {"family": name, "description": description, "config": config.to_dict(),
              "parameters": int(model.count_params()), "multiply_adds_per_output_pixel": per_output_pixel,
              "receptive_field_input_pixels": receptive_field(model),
              "input": "low-resolution image" if config.low_resolution_input else "bicubic upscaling"}
    print(f"{name}: {description}\n  {record['parameters']:,} parameters, {per_output_pixel / 1e3:.0f} K "
          f"multiply-adds per output pixel", flush=True)
    del model
    keras.backend.clear_session()

    budget = budget_callback(arguments.minutes * 60, config.learning_rate, config.final_learning_rate,
                             [index / arguments.points for index in range(1, arguments.points + 1)],
                             lambda model: protocol_psnr(model, images, arguments.scale))
    started = time.perf_counter()
    train_super_resolution(config, source=training_source, validation=False, callbacks=[budget], verbose=0)
    output_pixels_per_step = config.batch_size * config.patch_size**2
    step_multiply_adds = TRAINING_COST_FACTOR * per_output_pixel * output_pixels_per_step
    fit_step = float(np.median(budget.step_times[5:])) if len(budget.step_times) > 10 else float("nan")
    record.update({
        "curve": budget.curve,
        "wall_seconds": time.perf_counter() - started,
        "steps": budget.steps,
        "step_seconds_in_fit": fit_step,
        "multiply_adds_per_second_in_fit": step_multiply_adds / fit_step,
        "output_megapixels_seen": budget.steps * output_pixels_per_step / 1e6,
    })
    keras.backend.clear_session()
    return record


def write_outputs(results, out: Path):
    out.mkdir(parents=True, exist_ok=True)
    (out / "sr_families.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["family,minutes,steps,validation_psnr"]
    for family in results["families"]:
        for point in family["curve"]:
            lines.append(f"{family['family']},{point['minutes']:.3f},{point['steps']},{point['validation_psnr']:.4f}")
    (out / "sr_families.csv").write_text("\n".join(lines) + "\n")
    table = ["| family | parameters | multiply-adds per output pixel | steps in budget | output Mpx seen | "
             "step s (in fit) | of matmul peak (in fit) | validation PSNR (Y) at end |",
             "|---|---|---|---|---|---|---|---|"]
    for family in results["families"]:
        final = family["curve"][-1]["validation_psnr"] if family["curve"] else float("nan")
        peak = family.get("matmul_multiply_adds_per_second") or results["matmul_multiply_adds_per_second"]
        table.append(
            f"| {family['family']} | {family['parameters']:,} | {family['multiply_adds_per_output_pixel'] / 1e3:.0f} K | "
            f"{family['steps']} | {family['output_megapixels_seen']:.0f} | {family['step_seconds_in_fit']:.3f} | "
            f"{family['multiply_adds_per_second_in_fit'] / peak:.0%} | {final:.2f} dB |")
    table.append(f"| *bicubic, for scale* | | | | | | | *{results['bicubic_psnr']:.2f} dB* |")
    (out / "sr_families.md").write_text("\n".join(table) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4.2))
    for family in results["families"]:
        axis.plot([point["minutes"] for point in family["curve"]],
                  [point["validation_psnr"] for point in family["curve"]], marker="o", markersize=3,
                  label=f"{family['family']} ({family['multiply_adds_per_output_pixel'] / 1e3:.0f} K MAC per output px)")
    axis.axhline(results["bicubic_psnr"], color="gray", linestyle="dashed", linewidth=1)
    axis.annotate(f"bicubic {results['bicubic_psnr']:.2f} dB", (0.01, results["bicubic_psnr"]),
                  xycoords=("axes fraction", "data"), textcoords="offset points", xytext=(0, 3), fontsize=8,
                  color="dimgray")
    axis.set_xlabel("training wall-clock minutes on 2 CPU cores")
    axis.set_ylabel(f"validation PSNR (Y), x{results['scale']} (dB)")
    axis.set_title("What a CPU-minute buys in super-resolution (held-out images)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out / "sr_families.png", dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of training images (Train400)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--families", nargs="+", default=["vdsr", "edsr", "edsr_32x7"], choices=sorted(FAMILIES))
    parser.add_argument("--scale", type=int, choices=[2, 3, 4], default=3)
    parser.add_argument("--minutes", type=float, default=10.0, help="training wall clock per family")
    parser.add_argument("--points", type=int, default=10, help="validation points along the budget")
    parser.add_argument("--patch-size", type=int, default=96, help="side of the high-resolution patches")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="bfloat16")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="replace the results already in --out")
    parser.add_argument("--update", action="store_true",
                        help="measure only --families again and keep the other families' results in --out")
    arguments = parser.parse_args()
    existing = arguments.out / "sr_families.json"
    if arguments.update and not existing.exists():
        parser.exit(2, f"error: --update needs results in --out; {str(existing)!r} does not exist\n")
    if existing.exists() and not (arguments.force or arguments.update):
        parser.exit(2, f"error: --out {str(arguments.out)!r} holds results already; add --force to replace them "
                       "or --update to measure some families again\n")
    if arguments.minutes <= 0 or arguments.points < 1:
        parser.exit(2, "error: --minutes must be positive and --points at least 1\n")
    if arguments.patch_size % arguments.scale or arguments.patch_size < 8 * arguments.scale:
        parser.exit(2, f"error: --patch-size must be a multiple of --scale {arguments.scale} and at least "
                       f"{8 * arguments.scale}; got {arguments.patch_size}\n")

    from course_lib.training.patches import folder_source, holdout_split, preloaded

    try:
        training_source, validation_source = holdout_split(folder_source(arguments.data), every=20)
    except (FileNotFoundError, ValueError) as error:
        parser.exit(2, f"error: --data: {error}\n")
    training_source = preloaded(training_source)
    images = held_out_images(validation_source)
    command = "python benchmarks/" + Path(__file__).name + " " + " ".join(os.sys.argv[1:])
    results = {
        "command": command,
        "machine": {"processor": platform.processor() or platform.machine(), "cpus": os.cpu_count()},
        "scale": arguments.scale,
        "training_images": len(training_source), "validation_images": len(validation_source),
        "validation": "every 20th image of the folder, whole, under the course's SR protocol "
                      "(evaluation.evaluate_super_resolution: Y, MATLAB bicubic degradation, border = scale)",
        "bicubic_psnr": bicubic_psnr(images, arguments.scale),
        "matmul_multiply_adds_per_second": matmul_peak(arguments.precision),
        "precision": arguments.precision,
        "families": [],
    }
    print(f"matmul peak ({arguments.precision}): {results['matmul_multiply_adds_per_second'] / 1e9:.1f} G "
          f"multiply-adds/s; bicubic on the held-out images: {results['bicubic_psnr']:.2f} dB", flush=True)
    if arguments.update:
        previous = json.loads(existing.read_text())
        if previous.get("scale") != arguments.scale or previous.get("precision") != arguments.precision:
            parser.exit(2, "error: --update: --scale and --precision must match the results in --out\n")
        for family in previous["families"]:
            family.setdefault("command", previous["command"])
            family.setdefault("matmul_multiply_adds_per_second", previous["matmul_multiply_adds_per_second"])
        results["families"] = previous["families"]
    measure_families(results, arguments.families,
                     lambda name: measure_family(name, arguments, training_source, images),
                     lambda measured: write_outputs(measured, arguments.out))
    print((arguments.out / "sr_families.md").read_text())


if __name__ == "__main__":
    main()
