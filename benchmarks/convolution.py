"""Benchmark: course_lib.convolution.correlate2d against scipy.ndimage.correlate.

The course's correlation is written for reading ("shift and add", one NumPy
operation per kernel tap); the target is to stay within 5x of SciPy's C
implementation on a 512x512 float64 image with a 5x5 kernel.

Run it with::

    python benchmarks/convolution.py            # defaults: 512x512, 5x5, best of 7
    python benchmarks/convolution.py --size 1024 --kernel-size 7

It prints both times (best of `repeat` runs, each the mean of `number` calls)
and their ratio, and exits with status 1 if the ratio misses the target.
"""

from __future__ import annotations

import argparse
import platform
import sys
import timeit

import numpy as np
import scipy
from scipy import ndimage

from course_lib.convolution import correlate2d

TARGET_RATIO = 5.0


def best_time(function, *, number: int, repeat: int) -> float:
    """Best (smallest) mean time per call over `repeat` runs of `number` calls, in seconds."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="image side in pixels (default 512)")
    parser.add_argument("--kernel-size", type=int, default=5, help="kernel side (default 5)")
    parser.add_argument("--number", type=int, default=10, help="calls per timing run (default 10)")
    parser.add_argument("--repeat", type=int, default=7, help="timing runs; the best is kept (default 7)")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    image = rng.random((args.size, args.size))  # float64
    kernel = rng.random((args.kernel_size, args.kernel_size))
    kernel /= kernel.sum()

    ours = correlate2d(image, kernel, mode="reflect")
    reference = ndimage.correlate(image, kernel, mode="reflect")
    max_difference = float(np.abs(ours - reference).max())

    def run_ours():
        return correlate2d(image, kernel, mode="reflect")

    def run_scipy():
        return ndimage.correlate(image, kernel, mode="reflect")

    time_ours = best_time(run_ours, number=args.number, repeat=args.repeat)
    time_scipy = best_time(run_scipy, number=args.number, repeat=args.repeat)
    ratio = time_ours / time_scipy

    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
        f"{platform.machine()}"
    )
    print(
        f"image {args.size}x{args.size} float64, kernel {args.kernel_size}x{args.kernel_size}, "
        f"best of {args.repeat} runs x {args.number} calls"
    )
    print(f"course_lib.convolution.correlate2d : {time_ours * 1e3:8.3f} ms")
    print(f"scipy.ndimage.correlate            : {time_scipy * 1e3:8.3f} ms")
    print(f"ratio (course_lib / SciPy)         : {ratio:8.2f}x  (target: within {TARGET_RATIO:g}x)")
    print(f"max |difference|                   : {max_difference:.2e}")
    met = ratio <= TARGET_RATIO
    print("target met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
