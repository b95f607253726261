"""`restore sr` on a 1024x1024 RGB photo at x3: the EDSR-style model against the VDSR-style one.

Run with::

    python benchmarks/sr_restore.py [--scale 3] [--repeats 3] [--size 1024]

The photo is scikit-image's ``astronaut`` (512x512 RGB) upscaled to ``--size`` by
bicubic (the wheels hold no larger photo; the content does not change the time).
Each run is the whole command, ``python -m course_lib restore sr photo.png --scale
S --model M --out DIR``, in a fresh process: loading TensorFlow and the model,
reading the PNG, the network on the luma in tiles, bicubic on the colour channels,
writing the PNG. The two models run in turn, ``--repeats`` times each, so both see
the same state of this (shared, noisy) machine; the script prints every wall time,
each process's peak resident memory (``ru_maxrss`` of the child), the medians and
the ratio, and the two outputs' PSNR against each other (they should differ only
in detail). Models: ``data/sr_edsr_x{S}.keras`` and ``data/sr_x{S}.keras``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def run_once(photo: Path, scale: int, model: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one ``restore sr`` process."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "course_lib", "restore", "sr", str(photo), "--scale", str(scale), "--model",
         str(model), "--out", str(out), "--force"], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"error: restore sr with {model.name} failed:\n{completed.stderr[-2000:]}")
    # RUSAGE_CHILDREN's maxrss is the largest child so far (KiB on Linux): each run has its own
    # measurement process (`measure`), so one model's peak cannot hide the other's.
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measure(photo: Path, scale: int, model: Path, out: Path) -> tuple[float, float]:
    """`run_once` in a separate Python process, so its peak memory is its own."""
    completed = subprocess.run(
        [sys.executable, __file__, "--one", str(model), "--photo", str(photo), "--scale", str(scale),
         "--out-folder", str(out)], capture_output=True, text=True, cwd=ROOT)
    if completed.returncode != 0:
        sys.exit(completed.stderr.strip() or completed.stdout.strip())
    seconds, megabytes = completed.stdout.split()
    return float(seconds), float(megabytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, choices=[2, 3, 4], default=3)
    parser.add_argument("--size", type=int, default=1024, help="side of the input photo, in pixels")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each model")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--photo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out-folder", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one is not None:  # a measurement process
        seconds, megabytes = run_once(arguments.photo, arguments.scale, arguments.one, arguments.out_folder)
        print(seconds, megabytes)
        return
    if arguments.repeats < 1 or not 64 <= arguments.size <= 4096:
        parser.exit(2, "error: --repeats must be at least 1 and --size in [64, 4096]\n")

    from course_lib import data, degradations, metrics, models

    shipped = {"EDSR-style": models.shipped_sr_path(arguments.scale, "edsr"),
               "VDSR-style": models.shipped_sr_path(arguments.scale, "vdsr")}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        astronaut = data.load_image("astronaut")
        photo = np.clip(degradations.imresize(astronaut, output_shape=(arguments.size, arguments.size)), 0, 1)
        data.write_image(folder / "photo.png", photo)
        times = {label: [] for label in shipped}
        peaks = {label: [] for label in shipped}
        for _ in range(arguments.repeats):
            for label, path in shipped.items():
                seconds, megabytes = measure(folder / "photo.png", arguments.scale, path, folder / label)
                times[label].append(seconds)
                peaks[label].append(megabytes)
        outputs = {label: data.read_image(folder / label / "photo.png") for label in shipped}

    side = arguments.size * arguments.scale
    print(f"restore sr, {arguments.size}x{arguments.size} RGB PNG -> {side}x{side} (x{arguments.scale}), "
          f"{arguments.repeats} runs each, alternating, {os.cpu_count()} CPUs; whole command in a fresh process")
    for label, path in shipped.items():
        model = models.load_model(path)
        print(f"  {label}: {path.name}, {model.count_params():,} parameters, "
              f"{models.multiply_adds_per_output_pixel(model) / 1000:.0f} K multiply-adds per output pixel")
        print(f"    median {np.median(times[label]):6.2f} s (runs: {', '.join(f'{t:.2f}' for t in times[label])}), "
              f"peak memory median {np.median(peaks[label]):,.0f} MiB "
              f"(runs: {', '.join(f'{m:,.0f}' for m in peaks[label])})")
    ratio = np.median(times["VDSR-style"]) / np.median(times["EDSR-style"])
    print(f"VDSR-style / EDSR-style median time: {ratio:.2f}x; memory: "
          f"{np.median(peaks['VDSR-style']) / np.median(peaks['EDSR-style']):.2f}x")
    print(f"PSNR between the two outputs (RGB): {metrics.psnr(outputs['VDSR-style'], outputs['EDSR-style']):.1f} dB")


if __name__ == "__main__":
    main()
