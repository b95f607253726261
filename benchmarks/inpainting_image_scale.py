"""How the inpainting network's lead over biharmonic depends on the scale of the picture's pixels.

Run with::

    python benchmarks/inpainting_image_scale.py --testset DIR --every 20 --out DIR \\
        [--factors 1 2] [--model data/inpainting_unet.keras other.keras ...]

The same held-out photos (every ``--every``-th file of ``--testset`` in name order,
gray or RGB; Train400's 20 held-out photos with ``--every 20``) are enlarged by each
``--factors`` value (bicubic, ``degradations.imresize``), so the same scene is
seen with smoother pixels, as in a larger photo of it, and then scored under the
course's inpainting protocol (``evaluation.evaluate_inpainting``: 4 seeded free-form
holes per image covering 10-25 % of it, strokes up to 32 pixels wide *in the
enlarged image*, known pixels kept, outputs clipped and rounded to 8 bits, PSNR and
SSIM inside the hole), each model beside biharmonic inpainting and the pull-push
harmonic fill (``evaluation.classical_inpainters()``). The test split's
photos are 512x512 and smoother per pixel than Train400's 180x180 crops, which
is what the factors above 1 stand in for, without looking at the test split.

It prints one table per factor and writes ``image_scale.md`` and
``image_scale.json`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testset", type=Path, required=True, help="a folder of photos (e.g. Train400)")
    parser.add_argument("--every", type=int, default=20, help="score every Nth file, in name order")
    parser.add_argument("--factors", type=float, nargs="+", default=[1.0, 2.0], help="enlargements to score")
    parser.add_argument("--model", type=Path, nargs="+", help="inpainting .keras models (default: the shipped one)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the tables")
    arguments = parser.parse_args()
    if not arguments.testset.is_dir():
        parser.exit(2, f"error: --testset {str(arguments.testset)!r} is not a folder\n")
    if arguments.every < 1 or not all(0.25 <= factor <= 4 for factor in arguments.factors):
        parser.exit(2, "error: --every must be at least 1 and each of --factors in [0.25, 4]\n")
    if arguments.out.exists() and not arguments.out.is_dir():
        parser.exit(2, f"error: --out {str(arguments.out)!r} is a file; expected a folder\n")
    for path in arguments.model or []:
        if not path.is_file():
            parser.exit(2, f"error: --model {str(path)!r} does not exist\n")

    # TensorFlow's own kernels, as `evaluate inpaint` uses (course_lib.cli.OWN_KERNEL_COMMANDS).
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import numpy as np

    from course_lib import data, degradations, evaluation, models

    chosen = list(data.list_image_files(arguments.testset))[arguments.every - 1 :: arguments.every]  # as holdout_split
    if not chosen:
        parser.exit(2, f"error: --testset {str(arguments.testset)!r} has fewer than {arguments.every} images\n")
    photos = {path.name: data.read_image(path) for path in chosen}
    networks = ({str(path): models.load_model(path) for path in arguments.model} if arguments.model
                else {"data/inpainting_unet.keras": models.load_shipped_inpainter()})
    methods = dict(evaluation.classical_inpainters())  # biharmonic, and the pull-push harmonic fill
    for label, network in networks.items():
        methods[label] = (lambda network: lambda damaged, hole: models.inpaint(network, damaged, hole))(network)

    results, lines = {}, []
    for factor in arguments.factors:
        images = photos if factor == 1 else {
            name: np.clip(degradations.imresize(image, scale=factor), 0.0, 1.0).astype(np.float32)
            for name, image in photos.items()}
        started = time.perf_counter()
        table = evaluation.evaluate_inpainting(methods, images)
        seconds = time.perf_counter() - started
        shape = next(iter(images.values())).shape
        baseline = table.mean("biharmonic")
        results[str(factor)] = {
            "first_image_shape": list(shape), "seconds": round(seconds, 1),
            "methods": {method: {"psnr_hole": round(table.mean(method), 3),
                                 "ssim_hole": round(table.mean(method, key="ssim"), 4),
                                 "over_biharmonic_db": round(table.mean(method) - baseline, 3)}
                        for method in methods},
        }
        lines += [f"## enlarged {factor:g}x (first image {shape[1]}x{shape[0]}; {len(images)} images, {seconds:.0f} s)",
                  "", "| method | PSNR in hole | SSIM in hole | over biharmonic |", "|---|---|---|---|"]
        for method, row in results[str(factor)]["methods"].items():
            lines.append(f"| {method} | {row['psnr_hole']:.2f} dB | {row['ssim_hole']:.4f} | "
                         f"{row['over_biharmonic_db']:+.2f} dB |")
        lines.append("")
        print("\n".join(lines[-len(methods) - 5:]), flush=True)

    arguments.out.mkdir(parents=True, exist_ok=True)
    record = {
        "command": "python benchmarks/inpainting_image_scale.py " + " ".join(sys.argv[1:]),
        "images": [path.name for path in chosen],
        "protocol": evaluation.INPAINTING_PROTOCOL,
        "machine": {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count()},
        "results": results,
    }
    (arguments.out / "image_scale.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    (arguments.out / "image_scale.md").write_text(
        "# The inpainting network against biharmonic, on the same photos enlarged\n\n"
        f"`{record['command']}`\n\n" + "\n".join(lines), encoding="utf-8")
    print(f"wrote {arguments.out / 'image_scale.md'} and {arguments.out / 'image_scale.json'}")


if __name__ == "__main__":
    main()
