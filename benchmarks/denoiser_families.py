"""What a CPU-minute buys: denoiser families trained for the same wall-clock budget on the same data.

For each family (full-resolution DnCNN, FFDNet with a noise-level map, a small
residual U-Net with a noise-level map) this script

1. measures the cost: parameters, multiply-adds per pixel, receptive field;
2. measures the throughput of a training step three ways, side by side: the
   input pipeline alone (batches per second it can make), the step alone on a
   batch already in memory, and both together as ``fit`` runs them; and compares
   the step's arithmetic (3 x forward multiply-adds) with a large matrix product in
   the same precision, the most this CPU does per second;
3. trains it from scratch for ``--minutes`` of wall clock (validation excluded),
   the learning rate following a half cosine over the budget, and scores the
   held-out validation images (every 20th image of the folder, never trained on)
   at sigma 25 at a dozen points along the way.

It writes ``families.json`` (everything), ``families.csv`` (the curves),
``families.md`` (the table) and ``families.png`` (PSNR against CPU-minutes) to
``--out``.

Run, for example (Train400 from ``python -m course_lib download train400 --out DIR``)::

    python benchmarks/denoiser_families.py --data DIR --minutes 12 --out docs/denoiser_families

Alone on the machine: the curves are only comparable if nothing else runs.
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

# TensorFlow's oneDNN kernels: off by default in course_lib (bit-repeatable notebooks), but bfloat16
# without them is emulated and 30x slower. Like `train --precision bfloat16`, a benchmark wants them on.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

FAMILIES = {
    # name: (configuration fields, what it is)
    "dncnn": (dict(architecture="dncnn", depth=17, width=64, batch_norm=False, unshuffle=1),
              "DnCNN-S without BatchNorm: 17 layers of 64 channels at full resolution"),
    "ffdnet": (dict(architecture="ffdnet", depth=15, width=64),
               "FFDNet: 15 layers of 64 channels at half resolution, noise-level map"),
    "unet": (dict(architecture="unet", widths=(32, 64, 128, 256), blocks=1),
             "residual U-Net: 32-64-128-256 channels at 1, 1/2, 1/4, 1/8 resolution, 1 block per level, noise-level map"),
    "unet2": (dict(architecture="unet", widths=(32, 64, 128, 256), blocks=2),
              "residual U-Net, 2 blocks per level"),
}


def validation_set(source, sigma: float, multiple: int, seed: int = 0):
    """The held-out images with fixed noise, reflect-padded to a common size that `multiple` divides."""
    images = [source.loader(index) for index in range(len(source))]
    side = max(max(image.shape) for image in images)
    side = -(-side // multiple) * multiple
    rng = np.random.default_rng(seed)
    noisy, clean, shapes = [], [], []
    for image in images:
        noise = rng.standard_normal(image.shape).astype(np.float32) * sigma / 255.0
        rows, columns = side - image.shape[0], side - image.shape[1]
        noisy.append(np.pad(image + noise, ((0, rows), (0, columns)), mode="reflect"))
        clean.append(image)
        shapes.append(image.shape)
    return np.stack(noisy)[..., None].astype(np.float32), clean, shapes


def validation_psnr(model, validation, sigma: float, noise_map: bool) -> float:
    """Mean PSNR (clipped, rounded to 8 bits) over the held-out images."""
    noisy, clean, shapes = validation
    inputs = [noisy, np.full(noisy.shape, sigma / 255.0, np.float32)] if noise_map else noisy
    estimate = np.asarray(model.predict(inputs, batch_size=4, verbose=0), dtype=np.float32)[..., 0]
    scores = []
    for index, (height, width) in enumerate(shapes):
        result = np.round(np.clip(estimate[index, :height, :width], 0, 1) * 255) / 255
        error = np.mean((result.astype(np.float64) - clean[index]) ** 2)
        scores.append(10 * math.log10(1.0 / error))
    return float(np.mean(scores))


def reference_psnrs(validation, sigma: float) -> dict:
    """The noisy input's and BM3D's mean PSNR on the same held-out images and noise, for scale."""
    from course_lib.filters import bm3d_denoise

    noisy, clean, shapes = validation
    scores = {"noisy input": [], "BM3D": []}
    for index, (height, width) in enumerate(shapes):
        observed = noisy[index, :height, :width, 0]
        for name, estimate in (("noisy input", observed), ("BM3D", bm3d_denoise(observed, sigma))):
            result = np.round(np.clip(estimate, 0, 1) * 255) / 255
            error = np.mean((result.astype(np.float64) - clean[index]) ** 2)
            scores[name].append(10 * math.log10(1.0 / error))
    return {name: float(np.mean(values)) for name, values in scores.items()}


def measure_family(name, arguments, training_source, validation_source):
    import keras
    import tensorflow as tf

    from course_lib.models import receptive_field
    from course_lib.models.cost import TRAINING_COST_FACTOR, multiply_adds_per_pixel
    from course_lib.models.precision import precision_scope
    from course_lib.training import DenoiserTrainingConfig, train_denoiser
    from course_lib.training.denoiser_training import build_denoiser
    from course_lib.training.loop import compile_for_training
    from course_lib.training.patches import denoising_dataset

    fields, description = FAMILIES[name]
    config = DenoiserTrainingConfig(
        sigma=arguments.sigma, patch_size=arguments.patch_size, batch_size=arguments.batch_size,
        steps_per_epoch=100, epochs=100_000, learning_rate=arguments.learning_rate,
        final_learning_rate=arguments.learning_rate / 100, schedule="constant", seed=arguments.seed,
        precision=arguments.precision, **fields)
    float_model = build_denoiser(config)
    multiply_adds = multiply_adds_per_pixel(float_model)
    record = {"family": name, "description": description, "config": config.to_dict(),
              "parameters": int(float_model.count_params()), "multiply_adds_per_pixel": multiply_adds,
              "receptive_field": receptive_field(float_model)}
    print(f"{name}: {description}\n  {record['parameters']:,} parameters, {multiply_adds / 1e3:.0f} K "
          f"multiply-adds per pixel, receptive field {record['receptive_field']} px", flush=True)

    # Throughput, three ways.
    pixels_per_step = config.batch_size * config.patch_size**2
    step_multiply_adds = TRAINING_COST_FACTOR * multiply_adds * pixels_per_step
    dataset = denoising_dataset(training_source, sigma=config.sigma, patch_size=config.patch_size,
                                batch_size=config.batch_size, steps_per_epoch=100, epochs=3, seed=99,
                                scales=config.scales, noise_map=config.noise_map)
    iterator = iter(dataset)
    batch = next(iterator)
    started = time.perf_counter()
    pipeline_batches = 0
    for _ in iterator:
        pipeline_batches += 1
        if time.perf_counter() - started > 15:
            break
    pipeline_seconds = (time.perf_counter() - started) / max(1, pipeline_batches)
    del iterator, dataset
    batch = tf.nest.map_structure(lambda tensor: np.asarray(tensor), batch)
    with precision_scope(config.precision):
        model = build_denoiser(config)
    compile_for_training(model, config.learning_rate)
    inputs, targets = batch
    model.train_on_batch(inputs, targets)
    times = []
    for _ in range(20):
        started = time.perf_counter()
        model.train_on_batch(inputs, targets)
        times.append(time.perf_counter() - started)
    step_seconds = float(np.median(times))
    record["throughput"] = {
        "pixels_per_step": pixels_per_step,
        "step_multiply_adds": step_multiply_adds,
        "pipeline_seconds_per_batch": pipeline_seconds,
        "step_seconds_in_memory": step_seconds,
        "multiply_adds_per_second_in_memory": step_multiply_adds / step_seconds,
    }
    del model
    keras.backend.clear_session()

    # Train for the budget.
    validation = validation_set(validation_source, arguments.sigma, config.size_multiple)
    budget = budget_callback(arguments.minutes * 60, config.learning_rate, config.final_learning_rate,
                             [index / arguments.points for index in range(1, arguments.points + 1)],
                             lambda model: validation_psnr(model, validation, arguments.sigma, config.noise_map))
    started = time.perf_counter()
    train_denoiser(config, source=training_source, validation=False, callbacks=[budget], verbose=0)
    wall = time.perf_counter() - started
    fit_step = float(np.median(budget.step_times[5:])) if len(budget.step_times) > 10 else float("nan")
    record["throughput"].update({
        "step_seconds_in_fit": fit_step,
        "multiply_adds_per_second_in_fit": step_multiply_adds / fit_step,
        "steps": budget.steps,
    })
    record["curve"] = budget.curve
    record["wall_seconds"] = wall
    record["patch_megapixels_seen"] = budget.steps * pixels_per_step / 1e6
    keras.backend.clear_session()
    return record


def family_peak(results, family) -> float:
    """The matmul peak measured in the same run as `family` (runs may be updated family by family)."""
    return family.get("matmul_multiply_adds_per_second", results["matmul_multiply_adds_per_second"])


def write_outputs(results, out: Path):
    out.mkdir(parents=True, exist_ok=True)
    (out / "families.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["family,minutes,steps,validation_psnr"]
    for family in results["families"]:
        for point in family["curve"]:
            lines.append(f"{family['family']},{point['minutes']:.3f},{point['steps']},{point['validation_psnr']:.4f}")
    (out / "families.csv").write_text("\n".join(lines) + "\n")
    table = ["| family | parameters | multiply-adds per pixel | receptive field | steps in budget | patch Mpx seen | "
             "pipeline s/batch | step s (in memory) | step s (in fit) | fraction of matmul peak (in fit) | "
             "validation PSNR at end |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for family in results["families"]:
        throughput = family["throughput"]
        final = family["curve"][-1]["validation_psnr"] if family["curve"] else float("nan")
        table.append(
            f"| {family['family']} | {family['parameters']:,} | {family['multiply_adds_per_pixel'] / 1e3:.0f} K | "
            f"{family['receptive_field']} px | {throughput['steps']} | {family['patch_megapixels_seen']:.0f} | "
            f"{throughput['pipeline_seconds_per_batch']:.3f} | {throughput['step_seconds_in_memory']:.3f} | "
            f"{throughput['step_seconds_in_fit']:.3f} | "
            f"{throughput['multiply_adds_per_second_in_fit'] / family_peak(results, family):.0%} | {final:.2f} dB |")
    (out / "families.md").write_text("\n".join(table) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4.2))
    for family in results["families"]:
        minutes = [point["minutes"] for point in family["curve"]]
        psnr = [point["validation_psnr"] for point in family["curve"]]
        axis.plot(minutes, psnr, marker="o", markersize=3,
                  label=f"{family['family']} ({family['multiply_adds_per_pixel'] / 1e3:.0f} K MAC/px)")
    if "BM3D" in results.get("references", {}):  # the noisy input's PSNR is in the table: far below, it would squash the plot
        name, value = "BM3D", results["references"]["BM3D"]
        axis.axhline(value, color="gray", linestyle="dashed", linewidth=1)
        axis.annotate(f"{name} {value:.2f} dB", (0.01, value), xycoords=("axes fraction", "data"),
                      textcoords="offset points", xytext=(0, 3), fontsize=8, color="dimgray")
    axis.set_xlabel("training wall-clock minutes on 2 CPU cores")
    axis.set_ylabel(f"validation PSNR, sigma {results['sigma']:g} (dB)")
    axis.set_title("What a CPU-minute buys (held-out Train400 images)")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(out / "families.png", dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of training images (Train400)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--families", nargs="*", default=["dncnn", "ffdnet", "unet"], choices=sorted(FAMILIES))
    parser.add_argument("--minutes", type=float, default=12.0, help="training wall clock per family")
    parser.add_argument("--points", type=int, default=12, help="validation points along the budget")
    parser.add_argument("--sigma", type=float, default=25.0)
    parser.add_argument("--patch-size", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="bfloat16")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="replace the results already in --out")
    parser.add_argument("--update", action="store_true",
                        help="measure only --families again and keep the other families' results in --out "
                             "(same data and settings; each family records the command that measured it)")
    arguments = parser.parse_args()
    existing = arguments.out / "families.json"
    if arguments.update and not existing.exists():
        parser.exit(2, f"error: --update needs results in --out; {str(existing)!r} does not exist\n")
    if existing.exists() and not (arguments.force or arguments.update):
        parser.exit(2, f"error: --out {str(arguments.out)!r} holds results already; add --force to replace them "
                       "or --update to measure some families again\n")
    if not arguments.families and not arguments.update:
        parser.exit(2, "error: --families needs at least one family (none only with --update, to add the references)\n")
    if arguments.minutes <= 0 or arguments.points < 1:
        parser.exit(2, "error: --minutes must be positive and --points at least 1\n")

    from course_lib.training.patches import folder_source, holdout_split, preloaded

    try:
        training_source, validation_source = holdout_split(folder_source(arguments.data), every=20)
    except (FileNotFoundError, ValueError) as error:
        parser.exit(2, f"error: --data: {error}\n")
    training_source = preloaded(training_source)
    command = "python benchmarks/" + Path(__file__).name + " " + " ".join(os.sys.argv[1:])
    results = {
        "command": command,
        "machine": {"processor": platform.processor() or platform.machine(), "cpus": os.cpu_count()},
        "sigma": arguments.sigma,
        "training_images": len(training_source), "validation_images": len(validation_source),
        "validation": "every 20th image of the folder, whole images, noise seed 0, output clipped and rounded to 8 bits",
        "matmul_multiply_adds_per_second": matmul_peak(arguments.precision) if arguments.families else None,
        "precision": arguments.precision,
        "families": [],
    }
    if arguments.families:
        print(f"matmul peak ({arguments.precision}): "
              f"{results['matmul_multiply_adds_per_second'] / 1e9:.1f} G multiply-adds/s", flush=True)
    if arguments.update:
        previous = json.loads(existing.read_text())
        if previous.get("sigma") != arguments.sigma or previous.get("precision") != arguments.precision:
            parser.exit(2, "error: --update: --sigma and --precision must match the results in --out "
                           f"(sigma {previous.get('sigma')}, {previous.get('precision')})\n")
        for family in previous["families"]:
            family.setdefault("command", previous["command"])
            family.setdefault("matmul_multiply_adds_per_second", previous["matmul_multiply_adds_per_second"])
        results["families"] = previous["families"]
        if results["matmul_multiply_adds_per_second"] is None:
            results["matmul_multiply_adds_per_second"] = previous["matmul_multiply_adds_per_second"]
            results["command"] = previous["command"]
        if "references" in previous:
            results["references"] = previous["references"]
    if "references" not in results:
        validation = validation_set(validation_source, arguments.sigma, multiple=8)
        results["references"] = reference_psnrs(validation, arguments.sigma)
        print("references on the held-out images: " + ", ".join(
            f"{name} {value:.2f} dB" for name, value in results["references"].items()), flush=True)
    measure_families(results, arguments.families,
                     lambda name: measure_family(name, arguments, training_source, validation_source),
                     lambda measured: write_outputs(measured, arguments.out))
    write_outputs(results, arguments.out)
    print((arguments.out / "families.md").read_text())


if __name__ == "__main__":
    main()
