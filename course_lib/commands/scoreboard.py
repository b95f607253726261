"""``evaluate all``: the course scoreboard, every task's methods on the same test images.

It runs :func:`course_lib.scoreboard.build_scoreboard` (the protocols of ``evaluate
denoise``, ``evaluate sr`` and ``evaluate inpaint`` with their default methods, the
shipped models included) on the images of ``--testset``, checked as every ``evaluate``
command checks them, prints the table and writes it (text and Markdown), CSV, JSON and
one figure of quality against cost.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..evaluation import STANDARD_SIGMAS
from ..models.shipped import SHIPPED_SR_SCALES
from ..scoreboard import TASKS
from .common import HelpFormatter

__all__ = ["add_evaluate_all"]


def add_evaluate_all(commands) -> None:
    parser = commands.add_parser(
        "all", help="the course scoreboard: every task's methods on the same images",
        description="Run every task's evaluation (denoising at each --sigma, super-resolution at each --scale, "
                    "inpainting with --masks-per-image seeded holes per image) with its classical and learned "
                    "methods on the same test images, and write one table (text and Markdown), CSV, JSON and a "
                    "figure of mean PSNR against seconds per image. Compare methods within a task: each task has "
                    "its own protocol.",
        formatter_class=HelpFormatter)
    parser.add_argument("--testset", type=Path, help="a folder of clean images (default: the bundled test split)")
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS), help="tasks to run")
    parser.add_argument("--sigma", type=float, nargs="+", default=list(STANDARD_SIGMAS),
                        help="denoising noise levels on the 8-bit scale, each in (0, 255]")
    parser.add_argument("--scale", type=int, nargs="+", choices=SHIPPED_SR_SCALES, default=list(SHIPPED_SR_SCALES),
                        help="super-resolution scales")
    parser.add_argument("--masks-per-image", type=int, default=4, help="inpainting holes per image")
    parser.add_argument("--crop", type=int,
                        help="use the central CROP x CROP pixels of each image (a quick look; not the protocol)")
    parser.add_argument("--out", type=Path, default=Path("outputs/scoreboard"), help="folder for the results")
    parser.add_argument("--force", action="store_true", help="overwrite an earlier scoreboard in --out")
    parser.set_defaults(handler=run_evaluate_all)


def _check_crop(images: dict, size: int | None) -> dict:
    """Refuse a --crop larger than an image (the scoreboard then crops them)."""
    for name, image in images.items():
        height, width = image.shape[:2]
        if size is not None and size > min(height, width):
            raise ValueError(f"--crop {size} is larger than image {name!r} ({height}x{width})")
    return images


def run_evaluate_all(arguments) -> int:
    import matplotlib

    matplotlib.use("Agg")

    from ..scoreboard import build_scoreboard
    from .common import load_test_images
    from .input_checks import check_folder_path, check_sigma

    check_sigma(arguments.sigma)
    check_folder_path(arguments.out, "--out")
    results = arguments.out / "scoreboard.json"
    if results.exists() and not arguments.force:
        raise FileExistsError(f"a scoreboard exists in {str(arguments.out)!r}; add --force to replace it")
    if arguments.masks_per_image < 1:
        raise ValueError(f"--masks-per-image must be at least 1; got {arguments.masks_per_image}")
    if arguments.crop is not None and arguments.crop < 16:
        raise ValueError(f"--crop must be at least 16 pixels; got {arguments.crop}")
    board = build_scoreboard(
        testset=arguments.testset, tasks=arguments.tasks, sigmas=arguments.sigma, scales=arguments.scale,
        masks_per_image=arguments.masks_per_image, crop=arguments.crop,
        progress=lambda message: print(f"  {message}", file=sys.stderr, flush=True),
        load_images=lambda testset, gray: _check_crop(load_test_images(testset, gray=gray), arguments.crop))
    print(board.format())
    written = board.write(arguments.out)
    print("wrote " + ", ".join(str(path) for path in written))
    return 0
