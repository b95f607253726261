"""How to fill the colour of an RGB photo with the shipped inpainting U-Net, on colour photos outside the test split.

Run with::

    python benchmarks/inpainting_colour.py --out DIR [--model data/inpainting_unet.keras]

``models.inpaint`` can give an RGB image to the network whole (``chroma="network"``) or fill
its luma with the network, as a gray image, and its two chroma planes by biharmonic
inpainting (``chroma="biharmonic"``). The course's model learned mostly from gray photos
(Train400), and colour changes slowly across a photo, which is what biharmonic
continuation is good at. This script scores both, with biharmonic inpainting of the RGB
image as the baseline, under the course's inpainting protocol
(``evaluation.evaluate_inpainting``: 4 seeded free-form holes per image covering 10-25%
of it, known pixels kept, outputs clipped and rounded to 8 bits, PSNR and SSIM inside
the hole), on two sets that are not the test split:

- ``extra``: the colour images of the bundled "extra" split (Hubble deep field, retina),
  which no model trained on;
- ``train``: the colour photos of the bundled train split, which the shipped model trained
  on in RGB: a comparison biased towards ``chroma="network"``.

It writes ``inpainting_colour.md`` (the tables) and ``inpainting_colour.json`` to ``--out``.
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
    parser.add_argument("--out", type=Path, required=True, help="folder for the tables")
    parser.add_argument("--model", type=Path, help="an inpainting .keras model (default: the shipped one)")
    arguments = parser.parse_args()
    if arguments.out.exists() and not arguments.out.is_dir():
        parser.exit(2, f"error: --out {str(arguments.out)!r} is a file; expected a folder\n")

    from course_lib import data, evaluation, models

    model = models.load_model(arguments.model) if arguments.model else models.load_shipped_inpainter()
    methods = {
        "biharmonic (RGB)": evaluation.classical_inpainters()["biharmonic"],
        'network, chroma="network"': lambda damaged, hole: models.inpaint(model, damaged, hole, chroma="network"),
        'network, chroma="biharmonic"': lambda damaged, hole: models.inpaint(model, damaged, hole,
                                                                           chroma="biharmonic"),
    }
    results, lines = {}, []
    for split in ("extra", "train"):
        images = {name: data.load_image(name) for name in data.list_images(split=split)}
        images = {name: image for name, image in images.items() if image.ndim == 3}
        started = time.perf_counter()
        table = evaluation.evaluate_inpainting(methods, images)
        seconds = time.perf_counter() - started
        results[split] = {
            "images": {name: list(image.shape) for name, image in images.items()},
            "seconds": round(seconds, 1),
            "methods": {method: {"psnr_hole": round(table.mean(method), 3),
                                 "ssim_hole": round(table.mean(method, key="ssim"), 4),
                                 "psnr_hole_per_image": {name: round(table.value(method, image=name), 3)
                                                         for name in images}}
                        for method in methods},
        }
        sizes = ", ".join(f"{name} {shape[1]}x{shape[0]}" for name, shape in results[split]["images"].items())
        lines += [f"## {split}: {sizes}",
                  "", "| method | " + " | ".join(images) + " | PSNR in hole | SSIM in hole |",
                  "|---" * (len(images) + 3) + "|"]
        for method, row in results[split]["methods"].items():
            lines.append(f"| {method} | " + " | ".join(f"{value:.2f}" for value in row["psnr_hole_per_image"].values())
                         + f" | {row['psnr_hole']:.2f} dB | {row['ssim_hole']:.4f} |")
        lines += ["", f"({seconds:.0f} s)", ""]
        print("\n".join(lines[-len(methods) - 6:]), flush=True)
    arguments.out.mkdir(parents=True, exist_ok=True)
    record = {
        "command": "python benchmarks/inpainting_colour.py " + " ".join(sys.argv[1:]),
        "model": str(arguments.model or "data/inpainting_unet.keras"),
        "protocol": evaluation.INPAINTING_PROTOCOL,
        "machine": {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count()},
        "results": results,
    }
    (arguments.out / "inpainting_colour.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    (arguments.out / "inpainting_colour.md").write_text(
        "# Filling the colour: the network on RGB, or on the luma with biharmonic chroma\n\n"
        f"`{record['command']}`\n\nPSNR in the hole per image (dB), then the means.\n\n" + "\n".join(lines),
        encoding="utf-8")
    print(f"wrote {arguments.out / 'inpainting_colour.md'} and {arguments.out / 'inpainting_colour.json'}")


if __name__ == "__main__":
    main()
