"""The denoising commands: ``train dncnn``, ``restore denoise`` and ``evaluate denoise``.

Each ``add_...`` function builds one command's parser (its options, their help and
their choices) under the subcommands that :func:`course_lib.cli.build_parser` gives
it; each ``run_...`` function takes the parsed arguments, checks them, calls the
library (the task's methods and protocol are in :mod:`course_lib.evaluation`) and
prints, and returns an exit status. :func:`course_lib.cli.main` turns ``ValueError`` /
``FileNotFoundError`` / ``FileExistsError`` into one ``error:`` line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ..evaluation import DENOISING_METHODS, STANDARD_SIGMAS, denoiser_function
from ..models.shipped import SHIPPED_BLIND_SIGMA_RANGE, SHIPPED_UNET_SIGMA_RANGE
from .common import (HelpFormatter, add_training_options, expand_inputs, output_paths, prefer_fast_cpu_kernels,
                     run_training)
from .input_checks import (CLEAN_RANGE_HELP, NOISY_RANGE_HELP, check_blind_range, check_folder_path,
                           check_model_record, check_sigma, read_input_image)

__all__ = ["add_train_dncnn", "add_restore_denoise", "add_evaluate_denoise"]


# --------------------------------------------------------------------------------------
# train dncnn
# --------------------------------------------------------------------------------------


def add_train_dncnn(commands) -> None:
    parser = commands.add_parser(
        "dncnn", aliases=["denoiser"], help="train a gray Gaussian denoiser (DnCNN, FFDNet or a residual U-Net)",
        description="Train a denoiser on the bundled training images (or your folder, such as Train400 from "
                    "`download train400`) with Gaussian noise added on the fly. With --data, every 20th image "
                    "is held out (--validation-every) and the model is scored on those images, which training "
                    "never sees. A checkpoint is written after every epoch; --resume continues an interrupted "
                    "run exactly. At the end the model is saved to --out, scored on the bundled test split, "
                    "and a provenance record (.json) is written beside it. " + CLEAN_RANGE_HELP,
        formatter_class=HelpFormatter)
    noise = parser.add_mutually_exclusive_group(required=True)
    noise.add_argument("--sigma", type=float, help="noise level on the 8-bit scale, in (0, 255] (non-blind model)")
    noise.add_argument("--blind", type=float, nargs=2, metavar=("LOW", "HIGH"),
                       help="train one model for every noise level in [LOW, HIGH], 0 <= LOW < HIGH <= 255 (for "
                            "ffdnet and unet, which are told the level by their noise-level map, the range they "
                            "serve)")
    add_training_options(parser, epochs=40, steps_per_epoch=500, batch_size=32, patch_size=40)
    parser.add_argument("--architecture", choices=["dncnn", "ffdnet", "unet"], default="dncnn",
                        help="dncnn: full-resolution 3x3 convolutions; ffdnet: the same at half resolution after a "
                             "pixel unshuffle, with a noise-level map as a second input (one model for every "
                             "sigma); unet: residual blocks at full, 1/2, 1/4 and 1/8 resolution, with a "
                             "noise-level map")
    parser.add_argument("--depth", type=int, help="convolution layers (dncnn: default 17; ffdnet: 15)")
    parser.add_argument("--width", type=int, default=64, help="channels of the hidden layers (dncnn, ffdnet)")
    parser.add_argument("--widths", type=int, nargs="+", default=[32, 64, 128, 256],
                        help="unet: channels at each resolution, full resolution first")
    parser.add_argument("--blocks", type=int, default=1, help="unet: residual blocks per level")
    parser.add_argument("--unshuffle", type=int, default=1, choices=[1, 2, 4],
                        help="dncnn: work at 1/UNSHUFFLE resolution (without a noise-level map)")
    parser.add_argument("--plain", action="store_true", help="predict the clean image instead of the noise")
    parser.add_argument("--batch-norm", action=argparse.BooleanOptionalAction, default=False,
                        help="dncnn: BatchNorm after every hidden convolution, as in the paper (each step about "
                             "1.5x slower on a CPU, and no better within a few hours of training in our tests)")
    parser.add_argument("--validation-every", type=int, default=20, metavar="N",
                        help="with --data: hold out every Nth image (in name order) for validation; 0 keeps them all")
    parser.set_defaults(handler=run_train_dncnn)


def run_train_dncnn(arguments) -> int:
    if arguments.blind:
        check_blind_range(*arguments.blind)
    else:
        check_sigma(arguments.sigma)
    sigma = tuple(arguments.blind) if arguments.blind else arguments.sigma
    depth = arguments.depth if arguments.depth is not None else (15 if arguments.architecture == "ffdnet" else 17)
    if arguments.architecture != "dncnn" and (arguments.unshuffle != 1 or arguments.batch_norm):
        raise ValueError(f"--unshuffle and --batch-norm are for --architecture dncnn; "
                         f"{arguments.architecture} has its own layout")
    if arguments.validation_every < 0 or arguments.validation_every == 1:
        raise ValueError(f"--validation-every must be 0 (no hold-out) or at least 2; got {arguments.validation_every}")
    if any(width < 1 for width in arguments.widths):
        raise ValueError(f"--widths must be positive channel counts; got {arguments.widths}")

    def make_config():
        from ..training import DenoiserTrainingConfig

        return DenoiserTrainingConfig(
            sigma=sigma, architecture=arguments.architecture, depth=depth, width=arguments.width,
            batch_norm=arguments.batch_norm, residual=not arguments.plain, unshuffle=arguments.unshuffle,
            widths=tuple(arguments.widths), blocks=arguments.blocks, patch_size=arguments.patch_size,
            batch_size=arguments.batch_size, steps_per_epoch=arguments.steps_per_epoch, epochs=arguments.epochs,
            learning_rate=arguments.learning_rate, final_learning_rate=arguments.final_learning_rate,
            precision=arguments.precision, scales=tuple(arguments.scales),
            schedule=arguments.schedule, seed=arguments.seed,
        )

    def train(config, **options):
        from ..training import train_denoiser  # imports TensorFlow: only after run_training has configured it

        return train_denoiser(config, **options)

    levels = list(STANDARD_SIGMAS) if arguments.blind else [sigma]
    return run_training(
        arguments, make_config=make_config, train=train, task="Gaussian denoising of gray images",
        describe_run=f"blind {sigma}" if arguments.blind else f"sigma {sigma}",
        record_fields={"sigma": list(sigma) if arguments.blind else sigma},
        score_on_test_split=lambda model: _score_on_test_split(model, sigma, blind=bool(arguments.blind)),
        validation_every=arguments.validation_every if arguments.data else 0,
        score_on_validation=lambda model, source: _score_on_images(
            model, _load_source_images(source), levels, "held-out validation images"),
        command_task="denoise",
    )


def _load_source_images(source) -> dict:
    return {name: source.loader(index) for index, name in enumerate(source.names)}


def _score_on_images(model, images: dict, levels, label: str) -> dict:
    from .. import evaluation

    table = evaluation.evaluate_denoisers({"model": denoiser_function(model)}, images, levels)
    return {
        "summary": [f"{label}, sigma {level:g}: mean PSNR {table.mean('model', level):.2f} dB"
                    for level in table.sigmas()],
        "protocol": "gray; noise N(0, (sigma/255)^2) unclipped, seed 0; output clipped "
                    "and rounded to 8 bits; PSNR over the whole image",
        "images": len(images),
        "psnr": {f"{level:g}": {**{name: round(table.value("model", level, name), 3) for name in images},
                                "mean": round(table.mean("model", level), 3)} for level in table.sigmas()},
        "ssim": {f"{level:g}": round(table.mean("model", level, "ssim"), 4) for level in table.sigmas()},
    }


def _score_on_test_split(model, sigma, *, blind: bool) -> dict:
    from .. import data

    levels = list(STANDARD_SIGMAS) if blind else [sigma]
    record = _score_on_images(model, data.load_split("test", gray=True), levels, "test split")
    record["protocol"] = "bundled test split, " + record["protocol"]
    return record


# --------------------------------------------------------------------------------------
# restore denoise
# --------------------------------------------------------------------------------------


def add_restore_denoise(commands) -> None:
    parser = commands.add_parser(
        "denoise", help="denoise image files or .npy arrays",
        description="Denoise images (PNG, JPEG, BMP, TIFF; gray or RGB) or .npy float arrays, or folders of "
                    "them. Each output goes to OUT under the input's file name and format (.npy in, float32 "
                    ".npy out, clipped to [0, 1]; images out as 8-bit). RGB images are denoised one channel at "
                    "a time by the gray model. By default --sigma uses the course's shipped noise-map U-Net, told "
                    f"the level (any sigma in (0, {SHIPPED_UNET_SIGMA_RANGE[1]:g}]), and --blind the shipped blind "
                    f"DnCNN (sigma {SHIPPED_BLIND_SIGMA_RANGE[0]:g}-{SHIPPED_BLIND_SIGMA_RANGE[1]:g}); a --model "
                    "of your own must be a denoiser (its provenance record, the .json beside it, is checked when "
                    "there is one). " + NOISY_RANGE_HELP,
        formatter_class=HelpFormatter)
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="image files, .npy files or folders")
    level = parser.add_mutually_exclusive_group()
    level.add_argument("--sigma", type=float,
                       help=f"noise level on the 8-bit scale, in (0, 255] (the shipped U-Net takes up to "
                            f"{SHIPPED_UNET_SIGMA_RANGE[1]:g})")
    level.add_argument("--blind", action="store_true", help="use the shipped blind DnCNN (noise level unknown)")
    parser.add_argument("--out", type=Path, required=True,
                        help="output folder (not the inputs' folder: inputs are never replaced)")
    parser.add_argument("--model", type=Path, help="a .keras denoiser of your own instead of the shipped one")
    parser.add_argument("--self-ensemble", action="store_true", help="average over 8 rotations/flips (8x slower)")
    parser.add_argument("--tile-size", type=int, default=512, help="tile side in pixels (bounds the memory)")
    parser.add_argument("--force", action="store_true", help="overwrite existing outputs")
    parser.set_defaults(handler=run_restore_denoise)


def _load_denoiser(sigma, *, blind: bool, model_path):
    """The model ``restore denoise`` uses (--model, or the shipped one for --sigma or --blind), and its description."""
    from ..models import load_model, shipped_denoiser_for

    if model_path is not None:
        return load_model(model_path), f"model {str(model_path)!r}"
    if not blind:
        if sigma is None:
            raise ValueError("give --sigma (the noise level), --blind, or --model FILE")
        check_sigma(sigma)
    try:
        shipped = shipped_denoiser_for(sigma, blind=blind)
    except ValueError:
        raise ValueError(
            f"--sigma {sigma:g} is above the levels the shipped models know (the U-Net up to "
            f"{SHIPPED_UNET_SIGMA_RANGE[1]:g}); train one with `python -m course_lib train denoiser --sigma ...` "
            "and pass it with --model"
        ) from None
    return shipped.load(), shipped.describe(sigma)


def _check_model_fits(model) -> None:
    shape = tuple(model.inputs[0].shape)
    if not (len(shape) == 4 and len(model.inputs) <= 2 and model.output_shape == shape):
        raise ValueError(
            f"--model maps {model.input_shape} to {model.output_shape}; a denoiser must map (N, H, W, C) "
            "images (and, for a noise-map model, a noise-level map) to images of the same shape"
        )


def _noise_level_option(model, sigma) -> dict:
    """``{"sigma": sigma}`` for a model that takes a noise-level map (which then needs --sigma), else ``{}``."""
    from ..models import takes_noise_level

    if not takes_noise_level(model):
        return {}
    if sigma is None:
        raise ValueError("--sigma is needed: this model takes the noise level as an input (a noise-level map)")
    return {"sigma": sigma}


def run_restore_denoise(arguments) -> int:
    import time

    prefer_fast_cpu_kernels(deterministic=False)  # oneDNN: the U-Net denoises 1.6x faster (benchmarks/)
    from .. import data

    if arguments.sigma is not None:
        check_sigma(arguments.sigma)
    files = expand_inputs(arguments.inputs)
    outputs = output_paths(files, arguments.out, force=arguments.force)
    # read all first: a bad file stops before any work
    images = [read_input_image(path, noisy=True) for path in files]
    if arguments.model is not None:
        check_model_record(arguments.model, task="denoise")
    model, description = _load_denoiser(arguments.sigma, blind=arguments.blind, model_path=arguments.model)
    _check_model_fits(model)
    level_option = _noise_level_option(model, arguments.sigma)
    from ..models import denoise  # imported after the checks: it loads TensorFlow

    print(f"denoising {len(files)} image(s) with {description}")
    for path, image, output in zip(files, images, outputs):
        started = time.perf_counter()
        restored = denoise(model, image, tile_size=arguments.tile_size, self_ensemble=arguments.self_ensemble,
                           **level_option)
        seconds = time.perf_counter() - started
        data.write_image(output, np.clip(restored, 0.0, 1.0), overwrite=arguments.force)
        megapixels = image.shape[0] * image.shape[1] / 1e6
        print(f"{path} -> {output}  ({image.shape[1]}x{image.shape[0]}, {seconds:.2f} s, "
              f"{megapixels / seconds:.2f} Mpx/s)")
    return 0


# --------------------------------------------------------------------------------------
# evaluate denoise
# --------------------------------------------------------------------------------------

def add_evaluate_denoise(commands) -> None:
    parser = commands.add_parser(
        "denoise", help="compare denoisers on the test split (or your folder)",
        description="Score denoisers under the standard protocol (gray images; noise added without "
                    "clipping, seed 0; outputs clipped and rounded to 8 bits; PSNR/SSIM over the whole image, "
                    "so every image needs at least 7x7 pixels). Prints a table and writes CSV, JSON and one figure "
                    "per noise level. Each --model must be a denoiser (its provenance record is checked when "
                    "there is one). --testset: " + CLEAN_RANGE_HELP,
        formatter_class=HelpFormatter)
    parser.add_argument("--testset", type=Path, help="a folder of clean images (default: the bundled test split)")
    parser.add_argument("--sigma", type=float, nargs="+", default=list(STANDARD_SIGMAS),
                        help="noise levels on the 8-bit scale, each in (0, 255]")
    parser.add_argument("--methods", nargs="+", choices=DENOISING_METHODS, default=list(DENOISING_METHODS),
                        help="methods to compare (dncnn: notebook 05's shipped DnCNN for the sigma, where there "
                             "is one; dncnn-blind: its blind one; unet: the course's noise-map U-Net, told the sigma)")
    parser.add_argument("--model", type=Path, nargs="*", default=[], help="extra .keras denoisers to include")
    parser.add_argument("--self-ensemble", action="store_true", help="also score the CNNs with self-ensemble")
    parser.add_argument("--seed", type=int, default=0, help="seed of the noise")
    parser.add_argument("--out", type=Path, default=Path("outputs/evaluate-denoise"), help="folder for the results")
    parser.add_argument("--force", action="store_true", help="overwrite earlier results in --out")
    parser.set_defaults(handler=run_evaluate_denoise)


def run_evaluate_denoise(arguments) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .. import evaluation, viz
    from .common import load_images_to_score

    check_sigma(arguments.sigma)
    check_folder_path(arguments.out, "--out")
    results_files = [arguments.out / "denoise.csv", arguments.out / "denoise.json"]
    if any(path.exists() for path in results_files) and not arguments.force:
        raise FileExistsError(f"results exist in {str(arguments.out)!r}; add --force to replace them")
    for path in arguments.model:
        if not Path(path).exists():
            raise FileNotFoundError(f"--model {str(path)!r} does not exist")
        check_model_record(path, task="denoise")
    images = load_images_to_score(arguments.testset, gray=True)
    table = evaluation.ResultsTable()
    figures = []
    for sigma in arguments.sigma:
        methods = evaluation.denoising_methods(arguments.methods, sigma, extra_models=arguments.model,
                                    self_ensemble=arguments.self_ensemble)
        partial, outputs = evaluation.evaluate_denoisers(
            methods, images, [sigma], seed=arguments.seed, keep_outputs=True,
            progress=lambda message: print(f"  {message}", file=sys.stderr, flush=True))
        table.results.extend(partial.results)
        first = next(iter(images))
        shown = {f"{label} ({partial.value(label, sigma, first):.2f} dB)": outputs[(label, sigma, first)]
                 for label in methods}
        height, width = images[first].shape
        box = (height // 3, width // 3, max(8, height // 5), max(8, width // 5))
        figure = viz.show_images({"clean": images[first], **shown}, zoom_box=box, metrics=False, columns=4,
                                 suptitle=f"{first}, sigma = {sigma:g} (PSNR of the whole image)")
        figures.append((sigma, figure))
    print(table.format())
    written = table.write(arguments.out, stem="denoise")
    for sigma, figure in figures:
        path = arguments.out / f"denoise_sigma{sigma:g}.png"
        figure.savefig(path, dpi=90)
        written.append(path)
    print("wrote " + ", ".join(str(path) for path in written))
    return 0
