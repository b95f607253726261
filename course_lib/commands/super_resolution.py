"""The super-resolution commands: ``train sr``, ``restore sr`` and ``evaluate sr``.

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
import time
from pathlib import Path

import numpy as np

from ..evaluation import SR_METHODS
from ..models.shipped import SHIPPED_SR_SCALES
from .common import HelpFormatter, add_training_options, expand_inputs, output_paths, run_training
from .input_checks import CLEAN_RANGE_HELP, check_folder_path, check_model_record, read_input_image

__all__ = ["add_train_sr", "add_restore_sr", "add_evaluate_sr"]

#: The scales the networks are built for (course_lib.models.SR_SCALES, spelled here so that --help does not
#: import TensorFlow; tests/test_shipped_model_table.py checks that they agree).
TRAINING_SCALES = (2, 3, 4)


# --------------------------------------------------------------------------------------
# train sr
# --------------------------------------------------------------------------------------


def add_train_sr(commands) -> None:
    parser = commands.add_parser(
        "sr", help="train a super-resolution network (SRCNN, ESPCN, VDSR- or EDSR-style)",
        description="Train a super-resolution network on the luma (Y) of the bundled training images (or your "
                    "folder), with low-resolution inputs made by the course's MATLAB-compatible bicubic. A "
                    "checkpoint is written after every epoch; --resume continues an interrupted run exactly. At the "
                    "end the model is saved to --out, scored on the bundled test split under the SR protocol "
                    "(Y, border = scale) next to bicubic, and a provenance record (.json) is written beside it. "
                    "An edsr may --init-from an edsr of another scale (every layer but the last is copied) or with fewer "
                    "blocks of the same width (its blocks are copied; the extra ones start near the identity). "
                    + CLEAN_RANGE_HELP,
        formatter_class=HelpFormatter)
    parser.add_argument("--arch", choices=["srcnn", "espcn", "vdsr", "edsr"], default="vdsr",
                        help="the network (edsr: residual blocks at low resolution, the cheapest per output pixel)")
    parser.add_argument("--scale", type=int, choices=TRAINING_SCALES, required=True, help="upscaling factor")
    add_training_options(parser, epochs=30, steps_per_epoch=400, batch_size=32, patch_size=48)
    parser.add_argument("--depth", type=int, default=20, help="vdsr: convolution layers")
    parser.add_argument("--width", type=int, default=64, help="vdsr, edsr: channels of the hidden layers")
    parser.add_argument("--blocks", type=int, default=6, help="edsr: residual blocks")
    parser.add_argument("--block", choices=["plain", "wide"], default="plain",
                        help="edsr: the residual block (wide: WDSR-B's wide activation, 1x1 convolutions around one "
                             "3x3, about the same multiply-adds)")
    parser.add_argument("--unshuffle", action=argparse.BooleanOptionalAction, default=False,
                        help="vdsr: run the convolutions at low resolution (scale^2 times cheaper)")
    parser.add_argument("--loss", choices=["mse", "l1"], default="mse",
                        help="the per-pixel loss: mse (what PSNR measures) or l1 (the mean absolute error, as EDSR)")
    parser.add_argument("--validation-every", type=int, default=20, metavar="N",
                        help="with --data: hold out every Nth image (in name order) for validation; 0 keeps them all")
    parser.set_defaults(handler=run_train_sr)


def run_train_sr(arguments) -> int:
    if arguments.validation_every < 0 or arguments.validation_every == 1:
        raise ValueError(f"--validation-every must be 0 (no hold-out) or at least 2; got {arguments.validation_every}")
    if arguments.blocks < 0:
        raise ValueError(f"--blocks must be 0 or more; got {arguments.blocks}")

    def make_config():
        from ..training import SuperResolutionTrainingConfig

        return SuperResolutionTrainingConfig(
            architecture=arguments.arch, scale=arguments.scale, depth=arguments.depth, width=arguments.width,
            blocks=arguments.blocks, block=arguments.block, unshuffle=arguments.unshuffle, loss=arguments.loss,
            patch_size=arguments.patch_size, batch_size=arguments.batch_size,
            steps_per_epoch=arguments.steps_per_epoch, epochs=arguments.epochs,
            learning_rate=arguments.learning_rate, final_learning_rate=arguments.final_learning_rate,
            precision=arguments.precision, scales=tuple(arguments.scales),
            schedule=arguments.schedule, seed=arguments.seed,
        )

    def train(config, **options):
        from ..training import train_super_resolution  # imports TensorFlow: only after run_training configured it

        return train_super_resolution(config, **options)

    return run_training(
        arguments, make_config=make_config, train=train,
        task="single-image super-resolution of the luma (Y / 255)",
        describe_run=f"{arguments.arch} x{arguments.scale}",
        record_fields={"scale": arguments.scale, "input": "low-resolution image"
                       if arguments.arch in ("espcn", "edsr") else "bicubic upscaling"},
        score_on_test_split=lambda model: _score_on_test_split(model, arguments.scale),
        validation_every=arguments.validation_every if arguments.data else 0,
        score_on_validation=lambda model, source: _score_on_images(
            model, arguments.scale, {name: source.loader(index) for index, name in enumerate(source.names)},
            "held-out validation images"),
        # an edsr may start from another scale's edsr: only its last layer depends on the scale
        command_task="sr", scale=None if arguments.arch == "edsr" else arguments.scale,
        option_names={"architecture": "--arch"},
    )


def _score_on_test_split(model, scale: int) -> dict:
    from .. import data

    return _score_on_images(model, scale, data.load_split("test"), "test split")


def _score_on_images(model, scale: int, images: dict, label: str) -> dict:
    from .. import evaluation
    from ..models import super_resolve

    methods = {"bicubic": evaluation.interpolation_upscalers()["bicubic"],
               "model": lambda low, level: super_resolve(model, low, level)}
    table = evaluation.evaluate_super_resolution(methods, images, [scale])
    return {
        "summary": [f"{label}, x{scale}: mean PSNR (Y) {table.mean('model', scale):.2f} dB "
                    f"(bicubic {table.mean('bicubic', scale):.2f} dB)"],
        "protocol": f"{label}; Y of BT.601 YCbCr (rounded, 8-bit), cropped to a multiple of the scale, "
                    "MATLAB-style bicubic downscaling; output clipped and rounded; PSNR/SSIM on Y, border = scale",
        "psnr": {name: round(table.value("model", scale, name), 3) for name in images}
        | {"mean": round(table.mean("model", scale), 3)},
        "bicubic_psnr": {name: round(table.value("bicubic", scale, name), 3) for name in images}
        | {"mean": round(table.mean("bicubic", scale), 3)},
        "ssim": round(table.mean("model", scale, "ssim"), 4),
    }


# --------------------------------------------------------------------------------------
# restore sr
# --------------------------------------------------------------------------------------


def add_restore_sr(commands) -> None:
    parser = commands.add_parser(
        "sr", help="upscale image files or .npy arrays",
        description="Upscale images (PNG, JPEG, BMP, TIFF; gray or RGB) or .npy float arrays in [0, 1], or folders "
                    "of them, SCALE times. RGB images: the luma Y is upscaled by the network and the colour "
                    "channels by bicubic, as in the literature; gray images and .npy arrays are treated as Y. Each "
                    "output goes to OUT under the input's file name and format (.npy in, float32 .npy out; images "
                    "out as 8-bit). By default the course's EDSR-style model for --scale is used; a --model of "
                    "your own must be an SR model for --scale (its provenance record, the .json beside it, is "
                    "checked when there is one). " + CLEAN_RANGE_HELP,
        formatter_class=HelpFormatter)
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="image files, .npy files or folders")
    parser.add_argument("--scale", type=int, choices=SHIPPED_SR_SCALES, required=True, help="upscaling factor")
    parser.add_argument("--out", type=Path, required=True,
                        help="output folder (not the inputs' folder: inputs are never replaced)")
    parser.add_argument("--model", type=Path, help="a .keras SR model of your own (trained for --scale)")
    parser.add_argument("--tile-size", type=int, default=256, help="tile side in input pixels (bounds the memory)")
    parser.add_argument("--force", action="store_true", help="overwrite existing outputs")
    parser.set_defaults(handler=run_restore_sr)


def _load_sr_model(scale: int, model_path=None):
    """The model ``restore sr`` uses for `scale` (--model, or the shipped one), and its description."""
    from ..models import load_model, output_scale, shipped_sr, takes_low_resolution

    if model_path is None:
        shipped = shipped_sr(scale)
        return shipped.load(), shipped.describe()
    if Path(model_path).exists():
        check_model_record(model_path, task="sr", scale=scale)
    model = load_model(model_path)
    shape = model.input_shape
    if not (isinstance(shape, tuple) and len(shape) == 4 and shape[-1] == 1 and model.output_shape[-1] == 1):
        raise ValueError(f"--model maps {model.input_shape} to {model.output_shape}; an SR model must map "
                         "(N, H, W, 1) luma images to (N, H', W', 1)")
    if takes_low_resolution(model) and output_scale(model) != scale:
        raise ValueError(f"--model upscales {output_scale(model)} times, but --scale is {scale}")
    return model, f"model {str(model_path)!r}"


def run_restore_sr(arguments) -> int:
    from .. import data

    files = expand_inputs(arguments.inputs)
    outputs = output_paths(files, arguments.out, force=arguments.force)
    images = [read_input_image(path) for path in files]  # read all first: a bad file stops before any work
    model, description = _load_sr_model(arguments.scale, arguments.model)
    from ..models import super_resolve  # imported after the checks: it loads TensorFlow

    print(f"upscaling {len(files)} image(s) x{arguments.scale} with {description}")
    for path, image, output in zip(files, images, outputs):
        started = time.perf_counter()
        upscaled = super_resolve(model, image, arguments.scale, tile_size=arguments.tile_size)
        seconds = time.perf_counter() - started
        data.write_image(output, np.clip(upscaled, 0.0, 1.0), overwrite=arguments.force)
        megapixels = upscaled.shape[0] * upscaled.shape[1] / 1e6
        print(f"{path} -> {output}  ({image.shape[1]}x{image.shape[0]} -> {upscaled.shape[1]}x{upscaled.shape[0]}, "
              f"{seconds:.2f} s, {megapixels / seconds:.2f} output Mpx/s)")
    return 0


# --------------------------------------------------------------------------------------
# evaluate sr
# --------------------------------------------------------------------------------------

def add_evaluate_sr(commands) -> None:
    parser = commands.add_parser(
        "sr", help="compare upscaling methods on the test split (or your folder)",
        description="Score upscaling methods under the SR protocol (Y of BT.601 YCbCr, rounded; MATLAB-style "
                    "bicubic downscaling; outputs clipped and rounded; PSNR/SSIM on Y with a border of SCALE "
                    "pixels removed, so an image needs at least " + _smallest_sides() + "). Prints a "
                    "table and writes CSV, JSON and one figure per scale with zoomed insets on the same crop. A "
                    "--model with a provenance record is used at its scale only. --testset: " + CLEAN_RANGE_HELP,
        formatter_class=HelpFormatter)
    parser.add_argument("--testset", type=Path, help="a folder of high-resolution images (default: the bundled test split)")
    parser.add_argument("--scale", type=int, nargs="+", choices=SHIPPED_SR_SCALES, default=list(SHIPPED_SR_SCALES),
                        help="scales")
    parser.add_argument("--methods", nargs="+", choices=SR_METHODS, default=list(SR_METHODS),
                        help="methods to compare (edsr, vdsr: the course's shipped models for each scale)")
    parser.add_argument("--model", type=Path, nargs="*", default=[],
                        help="extra .keras SR models (each is used at the scale of its record, or at every scale "
                             "it can do)")
    parser.add_argument("--out", type=Path, default=Path("outputs/evaluate-sr"), help="folder for the results")
    parser.add_argument("--force", action="store_true", help="overwrite earlier results in --out")
    parser.set_defaults(handler=run_evaluate_sr)


def _smallest_side(scale: int) -> int:
    """The smallest image side the SR protocol can score at `scale`: cropped to a multiple of the
    scale, with `scale` pixels of border removed on each side, 7 pixels must remain (SSIM's window)."""
    return -(-(2 * scale + 7) // scale) * scale


def _smallest_sides() -> str:
    """The smallest image side at each shipped scale, as in "12, 15 or 16 pixels a side at x2, x3, x4"."""
    sides = [str(_smallest_side(scale)) for scale in SHIPPED_SR_SCALES]
    sides = ", ".join(sides[:-1]) + " or " + sides[-1] if len(sides) > 1 else sides[0]
    return f"{sides} pixels a side at " + ", ".join(f"x{scale}" for scale in SHIPPED_SR_SCALES)


def run_evaluate_sr(arguments) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .. import evaluation, viz
    from .common import load_images_to_score

    check_folder_path(arguments.out, "--out")
    results_files = [arguments.out / "sr.csv", arguments.out / "sr.json"]
    if any(path.exists() for path in results_files) and not arguments.force:
        raise FileExistsError(f"results exist in {str(arguments.out)!r}; add --force to replace them")
    for path in arguments.model:
        if not Path(path).exists():
            raise FileNotFoundError(f"--model {str(path)!r} does not exist")
    largest = max(arguments.scale)
    images = load_images_to_score(arguments.testset, minimum_size=_smallest_side(largest),
                                  why=f"x{largest} with a border of {largest} pixels and SSIM's 7x7 window")
    for path in arguments.model:  # before the shipped models are loaded: a wrong model stops at once
        record = check_model_record(path, task="sr")
        trained = int(record["scale"]) if record is not None and record.get("scale") is not None else None
        if trained is not None and trained not in arguments.scale:
            raise ValueError(f"--model {str(path)!r} upscales x{trained} (its record says scale {trained}), "
                             f"but --scale is {' '.join(str(scale) for scale in arguments.scale)}; add {trained}")
    methods = evaluation.sr_methods(arguments.methods, arguments.scale, extra_models=arguments.model)
    table, outputs = evaluation.evaluate_super_resolution(
        methods, images, arguments.scale, keep_outputs=True,
        progress=lambda message: print(f"  {message}", file=sys.stderr, flush=True))
    print(table.format())
    written = table.write(arguments.out, stem="sr")
    first = next(iter(images))
    for scale in arguments.scale:
        truth = evaluation.sr_ground_truth(images[first], scale) / 255.0
        shown = {"ground truth (Y)": truth}
        for label in table.methods():
            if (label, scale, first) in outputs:
                shown[f"{label} ({table.value(label, scale, first):.2f} dB)"] = outputs[(label, scale, first)]
        height, width = truth.shape
        box = (height // 3, width // 3, max(8, height // 6), max(8, width // 6))
        figure = viz.show_images(shown, zoom_box=box, metrics=False, columns=4,
                                 suptitle=f"{first}, x{scale} (PSNR on Y, border {scale})")
        path = arguments.out / f"sr_x{scale}.png"
        figure.savefig(path, dpi=90)
        written.append(path)
    print("wrote " + ", ".join(str(path) for path in written))
    return 0
