"""A learned denoiser against BM3D on a 512x512 gray image: time and PSNR, side by side in one run.

Run with::

    python benchmarks/denoiser_vs_bm3d.py [--model FILE] [--sigma 25] [--repeats 5]

The image is scikit-image's ``camera`` (512x512, gray) with Gaussian noise of
``--sigma`` (the course's protocol: ``evaluation.noisy_observation``, seed 0). The
two methods run in turn, ``--repeats`` times each after one warm-up call each,
so both see the same state of this (shared, noisy) machine; the script prints
every time, the medians and their ratio, and the PSNR of each output (clipped and
rounded to 8 bits). By default the course's shipped denoiser is used (the noise-map
U-Net, ``data/unet_gray_noise_map.keras``); any model with a noise-level map is told
``--sigma``. ``--model data/dncnn_gray_sigma25.keras`` times notebook 05's DnCNN.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import course_lib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a .keras denoiser (default: the shipped noise-map U-Net)")
    parser.add_argument("--sigma", type=float, default=25.0, help="noise level on the 8-bit scale")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each method")
    arguments = parser.parse_args()
    if arguments.repeats < 1 or not 0 < arguments.sigma <= 100:
        parser.exit(2, "error: --repeats must be at least 1 and --sigma in (0, 100]\n")
    course_lib.setup(seed=0, verbose=False)
    from course_lib import data, evaluation, filters, metrics, models

    if arguments.model:
        model, name = models.load_model(arguments.model), arguments.model
    else:
        model, name = models.load_shipped_unet_denoiser(), "the shipped noise-map U-Net"
    clean = data.load_image("camera")
    assert clean.shape == (512, 512), clean.shape
    noisy = evaluation.noisy_observation(clean, arguments.sigma, seed=0).astype(np.float32)
    map_model = models.takes_noise_level(model)

    methods = {
        "model": lambda: models.denoise(model, noisy, sigma=arguments.sigma) if map_model
        else models.denoise(model, noisy),
        "BM3D": lambda: filters.bm3d_denoise(noisy, arguments.sigma),
    }
    outputs = {label: method() for label, method in methods.items()}  # warm-up (graph building, caches)
    times = {label: [] for label in methods}
    for _ in range(arguments.repeats):
        for label, method in methods.items():
            started = time.perf_counter()
            method()
            times[label].append(time.perf_counter() - started)
    print(f"model: {name}: {models.describe_model(model)}")
    print(f"camera 512x512 gray, sigma {arguments.sigma:g}, {arguments.repeats} runs each, alternating")
    for label in methods:
        result = np.round(np.clip(outputs[label], 0, 1) * 255) / 255
        print(f"  {label:6s} median {np.median(times[label]):7.3f} s  "
              f"(runs: {', '.join(f'{value:.3f}' for value in times[label])})  "
              f"PSNR {metrics.psnr(clean, result):.2f} dB")
    ratio = np.median(times["BM3D"]) / np.median(times["model"])
    print(f"BM3D / model median time: {ratio:.1f}x")


if __name__ == "__main__":
    main()
