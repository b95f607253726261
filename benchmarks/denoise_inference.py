"""How fast does a DnCNN denoise, and does a 12-megapixel photo fit in memory? Prints what it measured.

Run with::

    .venv/bin/python benchmarks/denoise_inference.py [--model FILE] [--height 3000 --width 4000]

Measures :func:`course_lib.models.denoise` (tiled inference) on a random gray image of the
given size: wall-clock seconds, megapixels per second, and the process's peak resident
memory before and after. Tiling keeps the memory bounded by the tile size, not the image
size (issue 3: a 4000x3000 image must not run out of memory). By default the shipped
sigma=25 model is used; without it, an untrained DnCNN-17 of the same size (the speed
does not depend on the weights).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

import course_lib


def peak_memory_megabytes() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a .keras denoiser (default: the shipped sigma=25 model)")
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--tile-size", type=int, default=256)
    arguments = parser.parse_args()
    course_lib.setup(seed=0, verbose=False)
    from course_lib import models

    if arguments.model:
        model, name = models.load_model(arguments.model), arguments.model
    elif models.shipped_denoiser_path(25).exists():
        model, name = models.load_shipped_denoiser(25), "shipped sigma=25 model"
    else:
        model, name = models.dncnn(batch_norm=False), "untrained DnCNN-17 (no shipped model found)"
    print(f"model: {name}: {models.describe_model(model)}")
    small = models.measure_throughput(model, (512, 512), tile_size=arguments.tile_size)
    print(f"512x512            : {small}")
    image = np.random.default_rng(0).random((arguments.height, arguments.width), dtype=np.float32)
    before = peak_memory_megabytes()
    started = time.perf_counter()
    result = models.denoise(model, image, tile_size=arguments.tile_size)
    seconds = time.perf_counter() - started
    megapixels = image.size / 1e6
    print(f"{arguments.width}x{arguments.height} gray: {megapixels:.1f} Mpx in {seconds:.1f} s = "
          f"{megapixels / seconds:.3f} Mpx/s, tile {arguments.tile_size}")
    print(f"peak memory        : {before:.0f} MB before, {peak_memory_megabytes():.0f} MB after "
          f"(the image and its result are {2 * image.nbytes / 1e6:.0f} MB)")
    assert result.shape == image.shape and np.isfinite(result).all()


if __name__ == "__main__":
    main()
