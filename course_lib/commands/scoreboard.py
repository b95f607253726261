"""``evaluate all``: the course scoreboard, every task's methods on the same test images.

It runs the protocols of ``evaluate denoise``, ``evaluate sr`` and ``evaluate
inpaint`` with their default methods (the shipped models included) and gathers
the means in one :class:`course_lib.scoreboard.Scoreboard`: a table (text and
Markdown), CSV, JSON and one figure of quality against cost.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .common import HelpFormatter

__all__ = ["add_evaluate_all", "build_scoreboard", "TASKS"]

#: The tasks the scoreboard can run.
TASKS = ("denoise", "sr", "inpaint")


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
    parser.add_argument("--sigma", type=float, nargs="+", default=[15, 25, 50],
                        help="denoising noise levels on the 8-bit scale, each in (0, 255]")
    parser.add_argument("--scale", type=int, nargs="+", choices=(2, 3, 4), default=[2, 3, 4],
                        help="super-resolution scales")
    parser.add_argument("--masks-per-image", type=int, default=4, help="inpainting holes per image")
    parser.add_argument("--crop", type=int,
                        help="use the central CROP x CROP pixels of each image (a quick look; not the protocol)")
    parser.add_argument("--out", type=Path, default=Path("outputs/scoreboard"), help="folder for the results")
    parser.add_argument("--force", action="store_true", help="overwrite an earlier scoreboard in --out")
    parser.set_defaults(handler=run_evaluate_all)


def _central_crop(images: dict, size: int | None) -> dict:
    if size is None:
        return images
    if size < 16:
        raise ValueError(f"--crop must be at least 16 pixels; got {size}")
    cropped = {}
    for name, image in images.items():
        height, width = image.shape[:2]
        if size > min(height, width):
            raise ValueError(f"--crop {size} is larger than image {name!r} ({height}x{width})")
        top, left = (height - size) // 2, (width - size) // 2
        cropped[name] = np.ascontiguousarray(image[top:top + size, left:left + size])
    return cropped


def build_scoreboard(*, testset=None, tasks=TASKS, sigmas=(15, 25, 50), scales=(2, 3, 4), masks_per_image: int = 4,
                     crop: int | None = None, progress=None):
    """Run the chosen tasks on the test images and return a :class:`course_lib.scoreboard.Scoreboard`.

    Parameters
    ----------
    testset : str or os.PathLike, optional
        A folder of clean images (default: the bundled test split).
    tasks : sequence of {"denoise", "sr", "inpaint"}
    sigmas : sequence of float
        Noise levels of the denoising task (notebook 05's DnCNN joins where one exists for that sigma,
        the noise-map U-Net up to sigma 75).
    scales : sequence of {2, 3, 4}
    masks_per_image : int
        Inpainting holes per image.
    crop : int, optional
        Score the central ``crop x crop`` pixels of each image only (quick; not the protocol).
    progress : callable, optional
        Called with a short message before each method runs.
    """
    from .. import evaluation
    from ..models import (SHIPPED_DENOISER_SIGMAS, SHIPPED_UNET_SIGMA_RANGE, load_shipped_denoiser, load_shipped_sr,
                          load_shipped_unet_denoiser)
    from ..scoreboard import Scoreboard
    from .common import load_test_images
    from .denoising import DENOISING_METHODS, denoising_methods
    from .inpainting import inpainting_methods, load_inpainting_model
    from .super_resolution import sr_methods

    unknown = [task for task in tasks if task not in TASKS]
    if unknown or not tasks:
        raise ValueError(f"tasks must be a non-empty selection of {TASKS}; got {list(tasks)!r}")
    for sigma in sigmas:
        if not 0 < sigma <= 255:
            raise ValueError(f"sigmas must be in (0, 255]; got {sigma:g}")
    board = Scoreboard(testset=str(testset) if testset is not None else "the bundled test split")
    if crop is not None:
        board.testset += f", central {crop}x{crop} crops (a quick look, not the protocol)"
    if "denoise" in tasks:
        images = _central_crop(load_test_images(testset, gray=True), crop)
        for sigma in sigmas:
            methods = denoising_methods(DENOISING_METHODS, sigma)
            table = evaluation.evaluate_denoisers(methods, images, [sigma], progress=progress)
            parameters = {"dncnn-blind": load_shipped_denoiser("blind").count_params()}
            if sigma in SHIPPED_DENOISER_SIGMAS:
                parameters["dncnn"] = load_shipped_denoiser(sigma).count_params()
            if sigma <= SHIPPED_UNET_SIGMA_RANGE[1]:
                parameters["unet"] = load_shipped_unet_denoiser().count_params()
            board.add_table(f"denoise sigma={sigma:g}", table, level=sigma, parameters=parameters,
                            kinds={"noisy": "reference", "dncnn": "learned", "dncnn-blind": "learned",
                                   "unet": "learned"})
        board.notes.append("denoise: gray images, Gaussian noise of the given sigma (8-bit scale), PSNR/SSIM over "
                           "the image")
    if "sr" in tasks:
        images = _central_crop(load_test_images(testset), crop)
        methods = sr_methods(("nearest", "bilinear", "bicubic", "edsr", "vdsr"), list(scales))
        table = evaluation.evaluate_super_resolution(methods, images, list(scales), progress=progress)
        for scale in scales:
            board.add_table(f"super-resolution x{scale}", table, level=scale,
                            kinds={"nearest": "reference", "edsr": "learned", "vdsr": "learned"},
                            parameters={architecture: load_shipped_sr(scale, architecture).count_params()
                                        for architecture in ("edsr", "vdsr")})
        board.notes.append("super-resolution: bicubic downscaling, PSNR/SSIM on Y with a border of `scale` pixels")
    if "inpaint" in tasks:
        images = _central_crop(load_test_images(testset), crop)
        table = evaluation.evaluate_inpainting(inpainting_methods(("biharmonic", "shipped")), images,
                                               masks_per_image=masks_per_image, progress=progress)
        board.add_table("inpainting", table, kinds={"course model": "learned"},
                        parameters={"course model": load_inpainting_model()[0].count_params()})
        board.notes.append(f"inpainting: {masks_per_image} seeded free-form hole{'s' if masks_per_image > 1 else ''} per image, "
                           "each covering 10-25% of it, "
                           "PSNR/SSIM inside the hole")
    return board


def run_evaluate_all(arguments) -> int:
    import matplotlib

    matplotlib.use("Agg")

    from .input_checks import check_folder_path, check_sigma

    check_sigma(arguments.sigma)
    check_folder_path(arguments.out, "--out")
    results = arguments.out / "scoreboard.json"
    if results.exists() and not arguments.force:
        raise FileExistsError(f"a scoreboard exists in {str(arguments.out)!r}; add --force to replace it")
    if arguments.masks_per_image < 1:
        raise ValueError(f"--masks-per-image must be at least 1; got {arguments.masks_per_image}")
    board = build_scoreboard(
        testset=arguments.testset, tasks=arguments.tasks, sigmas=arguments.sigma, scales=arguments.scale,
        masks_per_image=arguments.masks_per_image, crop=arguments.crop,
        progress=lambda message: print(f"  {message}", file=sys.stderr, flush=True))
    print(board.format())
    written = board.write(arguments.out)
    print("wrote " + ", ".join(str(path) for path in written))
    return 0
