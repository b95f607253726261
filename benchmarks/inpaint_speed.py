"""How long the shipped inpainting U-Net takes to fill a 512x512 RGB photo, beside biharmonic inpainting.

Run with::

    python benchmarks/inpaint_speed.py [--repeats 5] [--size 512]

The photo is scikit-image's ``astronaut`` (512x512 RGB; resized by bicubic for
another ``--size``) with the course protocol's first hole (``evaluation.
inpainting_test_mask``, seed 0: free-form strokes over 10-25 % of the image). The
model is loaded once and warmed up by one fill (TensorFlow traces its graph on the
first call), as in a notebook or a widget; then ``models.inpaint`` (the network,
the composite with the known pixels; "U-Net": the default, the luma through the
network and the chroma by biharmonic inpainting; "U-Net, eager": the same with the
network called layer by layer instead of as one TensorFlow graph, as before the
evening of 2026-12-04; "U-Net, border 64": the same with
the image mirror-extended by 64 pixels instead of 16, as before 2026-12-04; "U-Net
RGB": ``chroma="network"``, the three channels through the network) and
scikit-image's biharmonic inpainting
(``evaluation.classical_inpainters()["biharmonic"]``) fill the same hole in turn,
``--repeats`` times each, so both see the same state of this shared, noisy
machine. It prints every time, the medians, their ratio, and the median against
issue 19's floor (2 seconds on the course's 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

FLOOR_SECONDS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="side of the RGB photo, in pixels")
    parser.add_argument("--repeats", type=int, default=5, help="timed fills by each method")
    arguments = parser.parse_args()
    if arguments.repeats < 1 or not 64 <= arguments.size <= 4096:
        parser.exit(2, "error: --repeats must be at least 1 and --size in [64, 4096]\n")

    # TensorFlow's own kernels, as `restore inpaint` and `evaluate inpaint` use (course_lib.cli.OWN_KERNEL_COMMANDS:
    # faster than oneDNN's for this U-Net); set TF_ENABLE_ONEDNN_OPTS=1 to time oneDNN's.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    from course_lib import data, degradations, evaluation, models
    from course_lib.models import inference

    photo = data.load_image("astronaut")
    if arguments.size != photo.shape[0]:
        photo = np.clip(degradations.imresize(photo, output_shape=(arguments.size, arguments.size)), 0, 1)
    hole = evaluation.inpainting_test_mask(photo.shape[:2], seed=0)
    damaged = photo * (1 - hole[..., None])
    network = models.load_shipped_inpainter()

    def eagerly(**options):  # the network called layer by layer, as models.inpaint did before 2026-12-04
        compiled, inference._graph_call = inference._graph_call, lambda model: model
        try:
            return models.inpaint(network, damaged, hole, **options)
        finally:
            inference._graph_call = compiled

    methods = {"U-Net": lambda: models.inpaint(network, damaged, hole),
               "U-Net, eager": eagerly,
               "U-Net, border 64": lambda: models.inpaint(network, damaged, hole, border=64),
               "U-Net RGB": lambda: models.inpaint(network, damaged, hole, chroma="network"),
               "biharmonic": lambda: evaluation.classical_inpainters()["biharmonic"](damaged, hole)}
    for name in methods:  # warm-up: the first call of each input shape traces the graph
        methods[name]()
    times = {name: [] for name in methods}
    for _ in range(arguments.repeats):
        for name, fill in methods.items():
            started = time.perf_counter()
            fill()
            times[name].append(time.perf_counter() - started)

    print(f"fill a {arguments.size}x{arguments.size} RGB photo, hole {hole.mean():.1%} of it, "
          f"{arguments.repeats} fills each, alternating, {os.cpu_count()} CPUs, model loaded and warmed up")
    for name, values in times.items():
        print(f"  {name:16s} median {np.median(values):6.2f} s (fills: {', '.join(f'{t:.2f}' for t in values)})")
    median = float(np.median(times["U-Net"]))
    print(f"U-Net / biharmonic median time: {median / np.median(times['biharmonic']):.2f}x")
    print(f"U-Net / U-Net, eager median time: {median / np.median(times['U-Net, eager']):.2f}x")
    print(f"U-Net median {median:.2f} s: {'within' if median < FLOOR_SECONDS else 'OVER'} the "
          f"{FLOOR_SECONDS:.0f}-second floor of issue 19")


if __name__ == "__main__":
    main()
