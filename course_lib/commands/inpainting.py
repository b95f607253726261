"""The inpainting commands: ``train inpaint``, ``restore inpaint`` and ``evaluate inpaint``.

Each ``add_...`` function builds one command's parser (its options, their help and
their choices) under the subcommands that :func:`course_lib.cli.build_parser` gives
it; each ``run_...`` function takes the parsed arguments, checks them, calls the
library (the task's methods and protocol are in :mod:`course_lib.evaluation`) and
prints, and returns an exit status. :func:`course_lib.cli.main` turns ``ValueError`` /
``FileNotFoundError`` / ``FileExistsError`` into one ``error:`` line.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from ..evaluation import INPAINTING_METHODS
from .common import HelpFormatter, add_training_options, expand_inputs, output_paths, run_training
from .input_checks import (CLEAN_RANGE_HELP, MASK_HELP, check_folder_path, check_model_record, check_not_inputs,
                           read_input_image)

__all__ = ["add_train_inpaint", "add_restore_inpaint", "add_evaluate_inpaint", "read_hole_mask"]


# --------------------------------------------------------------------------------------
# train inpaint
# --------------------------------------------------------------------------------------


def add_train_inpaint(commands) -> None:
    parser = commands.add_parser(
        "inpaint", help="train the inpainting U-Net (partial convolutions)",
        description="Train an RGB U-Net of partial convolutions to fill holes, on patches of the bundled training "
                    "images (or your folder) with random free-form strokes, rectangles and scratches, using an L1 "
                    "loss weighted 6 inside the hole and 1 outside (plus, with --frequency-loss-weight, a term that "
                    "a blurred fill pays for). --bottleneck adds residual blocks at the coarsest level that see "
                    "farther for little arithmetic; with --init-from a U-Net without one, it starts as exactly that U-Net "
                    "(the blocks start at zero). A checkpoint is written after every epoch; "
                    "--resume continues an interrupted run exactly. At the end the model is saved to --out, scored "
                    "on the bundled test split next to biharmonic inpainting, and a provenance record (.json) is "
                    "written beside it. " + CLEAN_RANGE_HELP,
        formatter_class=HelpFormatter)
    add_training_options(parser, epochs=20, steps_per_epoch=200, batch_size=16, patch_size=128)
    parser.add_argument("--width", type=int, default=32, help="channels at the U-Net's first level")
    parser.add_argument("--levels", type=int, default=4, help="resolution levels of the U-Net")
    parser.add_argument("--fill-iterations", type=int, default=16,
                        help="diffusion steps that fill what the encoder left open at the coarsest level (0: the "
                             "mean of the valid features)")
    parser.add_argument("--coverage", type=float, nargs=2, default=[0.05, 0.35], metavar=("LOW", "HIGH"),
                        help="fraction of each training patch the hole covers")
    parser.add_argument("--max-width", type=float, default=32.0, help="widest brush stroke of the holes, in pixels")
    parser.add_argument("--bottleneck", default="none", metavar="{" + ",".join(BOTTLENECK_CHOICES) + "}",
                        help="residual blocks at the coarsest level, after the hole is closed: none (the first "
                             "version), ffc (fast Fourier convolutions, as in LaMa: one block sees the whole image) "
                             "or dilated (dilated 3x3 convolutions)")
    parser.add_argument("--bottleneck-blocks", type=int, default=2, help="how many blocks --bottleneck adds")
    parser.add_argument("--image-fill", action="store_true",
                        help="give the decoder a smooth fill of the image's own pixels (pull-push and diffusion, "
                             "no weights) at every level; its convolutions start at zero, so with --init-from a "
                             "U-Net without it, it starts as exactly that U-Net")
    parser.add_argument("--frequency-loss", default="fft", metavar="{" + ",".join(FREQUENCY_LOSS_CHOICES) + "}",
                        help="the term --frequency-loss-weight adds: fft (L1 between the magnitudes of the 2-D "
                             "FFTs of what output and target hold in the hole) or gradient (L1 between the "
                             "horizontal and vertical differences of target and output with the known pixels put "
                             "back, per hole pixel) or ssim (1 - SSIM on 7x7 windows, averaged over the hole)")
    parser.add_argument("--frequency-loss-weight", type=float, default=0.0,
                        help="weight of --frequency-loss beside the L1 loss (0: the L1 loss alone, as before)")
    parser.add_argument("--validation-every", type=int, default=20, metavar="N",
                        help="with --data: hold out every Nth image (in name order) for validation, scored at the "
                             "end under the inpainting protocol next to biharmonic; 0 keeps them all")
    parser.set_defaults(handler=run_train_inpaint)


#: The values of --bottleneck and --frequency-loss (course_lib.models.inpainting.BOTTLENECKS and
#: course_lib.training.inpainting_training.FREQUENCY_LOSSES, spelled here so that bad values fail before
#: TensorFlow is imported; tests/test_inpainting_training_options.py checks that they agree).
BOTTLENECK_CHOICES = ("none", "ffc", "dilated")
FREQUENCY_LOSS_CHOICES = ("fft", "gradient", "ssim")


def check_train_inpaint_options(arguments) -> None:
    """One clear ValueError for a bad --bottleneck, --bottleneck-blocks, --frequency-loss(-weight)."""
    import math

    for option, value, choices in (("--bottleneck", arguments.bottleneck, BOTTLENECK_CHOICES),
                                   ("--frequency-loss", arguments.frequency_loss, FREQUENCY_LOSS_CHOICES)):
        if value not in choices:
            raise ValueError(f"{option} must be one of {', '.join(repr(choice) for choice in choices)}; "
                             f"got {value!r}")
    if arguments.validation_every < 0 or arguments.validation_every == 1:
        raise ValueError(f"--validation-every must be 0 (no hold-out) or at least 2; got {arguments.validation_every}")
    if arguments.bottleneck_blocks < 1:
        raise ValueError(f"--bottleneck-blocks must be at least 1; got {arguments.bottleneck_blocks}")
    weight = arguments.frequency_loss_weight
    if not math.isfinite(weight) or weight < 0:
        raise ValueError(f"--frequency-loss-weight must be a finite number >= 0; got {weight:g}")


def run_train_inpaint(arguments) -> int:
    check_train_inpaint_options(arguments)

    def make_config():
        from ..training import InpaintingTrainingConfig

        return InpaintingTrainingConfig(
            width=arguments.width, levels=arguments.levels, fill_iterations=arguments.fill_iterations,
            patch_size=arguments.patch_size,
            coverage=tuple(arguments.coverage), max_width=arguments.max_width, scales=tuple(arguments.scales),
            batch_size=arguments.batch_size, steps_per_epoch=arguments.steps_per_epoch, epochs=arguments.epochs,
            learning_rate=arguments.learning_rate, final_learning_rate=arguments.final_learning_rate,
            schedule=arguments.schedule, seed=arguments.seed, precision=arguments.precision,
            bottleneck=arguments.bottleneck, bottleneck_blocks=arguments.bottleneck_blocks,
            image_fill=arguments.image_fill, frequency_loss=arguments.frequency_loss,
            frequency_loss_weight=arguments.frequency_loss_weight,
        )

    def train(config, **options):
        from ..training import train_inpainting  # imports TensorFlow: only after run_training configured it

        return train_inpainting(config, folder=arguments.data, **options)

    return run_training(
        arguments, make_config=make_config, train=train,
        task="inpainting (hole filling) of RGB and gray images",
        describe_run="inpainting U-Net", record_fields={"input": "[damaged image, hole mask (1 = missing)]"},
        score_on_test_split=_score_on_test_split, command_task="inpaint",
        validation_every=arguments.validation_every if arguments.data else 0,
        score_on_validation=lambda model, source: _score_on_images(
            model, {name: source.loader(index) for index, name in enumerate(source.names)},
            "held-out validation images"),
    )


def _score_on_test_split(model) -> dict:
    from .. import data

    return _score_on_images(model, data.load_split("test"), "test split")


def _score_on_images(model, images: dict, label: str) -> dict:
    from .. import evaluation
    from ..models import inpaint

    methods = {**evaluation.classical_inpainters(), "model": lambda damaged, hole: inpaint(model, damaged, hole)}
    table = evaluation.evaluate_inpainting(methods, images)

    def per_image(method, key="psnr"):
        return ({name: round(table.value(method, image=name, key=key), 3) for name in images}
                | {"mean": round(table.mean(method, key=key), 3)})

    return {
        "summary": [f"{label}: mean PSNR in the hole {table.mean('model'):.2f} dB "
                    f"(biharmonic {table.mean('biharmonic'):.2f} dB); whole image {table.mean('model', key='psnr_image'):.2f} dB "
                    f"(biharmonic {table.mean('biharmonic', key='psnr_image'):.2f} dB)",
                    f"{label}: the pull-push harmonic fill alone, {table.mean('harmonic'):.2f} dB in the hole"],
        "protocol": evaluation.INPAINTING_PROTOCOL,
        "psnr_hole": per_image("model"),
        "biharmonic_psnr_hole": per_image("biharmonic"),
        "psnr_image": per_image("model", "psnr_image"),
        "biharmonic_psnr_image": per_image("biharmonic", "psnr_image"),
        "ssim_hole": round(table.mean("model", key="ssim"), 4),
        "biharmonic_ssim_hole": round(table.mean("biharmonic", key="ssim"), 4),
        "harmonic_psnr_hole": per_image("harmonic"),
        "harmonic_ssim_hole": round(table.mean("harmonic", key="ssim"), 4),
    }


# --------------------------------------------------------------------------------------
# restore inpaint
# --------------------------------------------------------------------------------------


def add_restore_inpaint(commands) -> None:
    parser = commands.add_parser(
        "inpaint", help="fill the holes of image files or .npy arrays",
        description="Fill the holes of images (PNG, JPEG, BMP, TIFF; gray or RGB) or .npy float arrays in [0, 1]. "
                    "Give one mask per input, in the same order, with the input's height and width: white (or 1, "
                    "or True) marks a missing pixel. " + MASK_HELP + " The known pixels are returned unchanged. "
                    "Each output goes to OUT under the input's file name and format (.npy in, float32 .npy out; "
                    "images out as 8-bit). By default the shipped model is used; a --model of your own must be an "
                    "inpainting model (its provenance record, the .json beside it, is checked when there is one). "
                    + CLEAN_RANGE_HELP,
        formatter_class=HelpFormatter)
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="image files or .npy files")
    parser.add_argument("--mask", nargs="+", type=Path, required=True, metavar="MASK",
                        help="one binary mask per INPUT (image or .npy; black/0 = known, white/1 = missing)")
    parser.add_argument("--out", type=Path, required=True,
                        help="output folder (not the inputs' or masks' folder: they are never replaced)")
    parser.add_argument("--model", type=Path, help="a .keras inpainting model of your own ([damaged, hole] -> image)")
    parser.add_argument("--method", choices=["model", "biharmonic", "harmonic"], default="model",
                        help="the course's network, scikit-image's biharmonic inpainting, or the course's "
                             "pull-push harmonic fill (the smooth first guess the network is given)")
    parser.add_argument("--force", action="store_true", help="overwrite existing outputs")
    parser.set_defaults(handler=run_restore_inpaint)


def _binary(array: np.ndarray, path: Path, *, image: bool) -> np.ndarray:
    """`array` as booleans (True = missing) if it holds two levels only, else a ValueError (the one mask rule)."""
    if array.dtype == bool:
        return array
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"--mask {str(path)!r} has dtype {array.dtype}; expected a binary mask (0/1 or booleans)")
    if image:  # read as floats in [0, 1]: black 0, white 1 (up to the rounding of a colour-to-gray conversion)
        white, black = np.abs(array - 1.0) < 0.5 / 255, np.abs(array) < 0.5 / 255
    else:
        top = 255 if np.issubdtype(array.dtype, np.integer) and array.size and array.max() == 255 else 1
        white, black = array == top, array == 0
    gray = ~(white | black)
    if gray.any():
        example = float(array[gray].flat[0])
        levels = "black and white pixels" if image else "0 and 1 (or 0 and 255, or booleans)"
        raise ValueError(
            f"--mask {str(path)!r} is not binary: {gray.mean():.1%} of its pixels are neither "
            f"{'black nor white' if image else '0 nor 1'} (e.g. {example:g}); a mask must hold {levels} only: "
            "threshold it, e.g. np.save('mask.npy', mask > 0.5)"
        )
    return white


def read_hole_mask(path, shape) -> np.ndarray:
    """A hole mask from a file, binary whatever its format: an image of black (known) and white
    (missing) pixels only, or a ``.npy`` array of 0/1 (0/255 integers, booleans); its height and
    width must be `shape`'s. A mask with other values is refused, never thresholded."""
    from .. import data
    from .._validation import check_mask

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"--mask {str(path)!r} does not exist")
    if path.suffix.lower() == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except Exception as error:
            raise ValueError(f"--mask {str(path)!r} is not a readable .npy array: {error}") from None
    else:
        array = data.read_image(path, gray=True)
    if np.ndim(array) == 2 and array.size:
        array = _binary(np.asarray(array), path, image=path.suffix.lower() != ".npy")
    if np.ndim(array) != 2 or tuple(np.shape(array)) != tuple(shape[:2]):
        raise ValueError(f"--mask {str(path)!r} has shape {np.shape(array)}; it must be 2-D with its image's "
                         f"height and width {tuple(shape[:2])}")
    return check_mask(array, f"--mask {path.name!r}", shape=shape)


def _load_inpainting_model(model_path=None):
    """The model ``restore inpaint`` uses (--model, or the shipped one), and its description."""
    from ..models import load_model, shipped_inpainter
    from ..models import check_inpainting_model

    if model_path is None:
        shipped = shipped_inpainter()
        return shipped.load(), shipped.describe()
    if Path(model_path).exists():
        check_model_record(model_path, task="inpaint")
    model = load_model(model_path)
    try:
        check_inpainting_model(model)
    except ValueError:
        raise ValueError(f"--model {str(model_path)!r} is not an inpainting model: it takes "
                         f"{[tuple(item.shape) for item in model.inputs]}; expected [damaged (N, H, W, 1 or 3), "
                         "hole (N, H, W, 1)]") from None
    return model, f"model {str(model_path)!r}"


def run_restore_inpaint(arguments) -> int:
    from .. import data, evaluation

    files = expand_inputs(arguments.inputs)
    if len(arguments.mask) != len(files):
        raise ValueError(f"give one --mask per INPUT: {len(files)} input image(s) but {len(arguments.mask)} mask(s)")
    outputs = output_paths(files, arguments.out, force=arguments.force)
    check_not_inputs(outputs, arguments.mask, option="--out")
    images = [read_input_image(path) for path in files]  # read everything first: a bad file stops before any work
    holes = [read_hole_mask(mask, image.shape) for mask, image in zip(arguments.mask, images)]
    if arguments.method in ("biharmonic", "harmonic"):
        fill = evaluation.classical_inpainters()[arguments.method]
        description = {"biharmonic": "biharmonic inpainting",
                       "harmonic": "the pull-push harmonic fill"}[arguments.method]
    else:
        model, description = _load_inpainting_model(arguments.model)
        from ..models import inpaint  # imported after the checks: it loads TensorFlow

        def fill(damaged, hole):
            return inpaint(model, damaged, hole)

    print(f"filling {len(files)} image(s) with {description}")
    for path, image, hole, output in zip(files, images, holes, outputs):
        started = time.perf_counter()
        selected = hole[..., None] if image.ndim == 3 else hole
        damaged = np.where(selected, 0.0, np.clip(image, 0.0, 1.0)).astype(np.float32)
        filled = np.where(selected, np.clip(fill(damaged, hole), 0.0, 1.0), image).astype(np.float32)
        seconds = time.perf_counter() - started
        data.write_image(output, filled, overwrite=arguments.force)
        print(f"{path} -> {output}  ({hole.mean():.1%} of the pixels filled, {seconds:.2f} s)")
    return 0


# --------------------------------------------------------------------------------------
# evaluate inpaint
# --------------------------------------------------------------------------------------

def add_evaluate_inpaint(commands) -> None:
    parser = commands.add_parser(
        "inpaint", help="compare inpainting methods on the test split (or your folder)",
        description="Score inpainting methods on the same images with the same seeded free-form holes (4 per "
                    "image by default, strokes covering 10-25%% of it; scores averaged over the holes): known pixels kept, outputs clipped and rounded to 8 bits, "
                    "PSNR/SSIM inside the hole and over the whole image. Prints a table and writes CSV, JSON and a "
                    "figure. The holes need images of at least 32x32 pixels. --testset: " + CLEAN_RANGE_HELP,
        formatter_class=HelpFormatter)
    parser.add_argument("--testset", type=Path, help="a folder of images (default: the bundled test split)")
    parser.add_argument("--methods", nargs="+", choices=INPAINTING_METHODS, default=list(INPAINTING_METHODS),
                        help="methods to compare (biharmonic: scikit-image's; harmonic: the course's pull-push "
                             "fill, the first guess the shipped model is given; shipped: the course's model)")
    parser.add_argument("--model", type=Path, nargs="*", default=[], help="extra .keras inpainting models")
    parser.add_argument("--seed", type=int, default=0, help="seeds the holes")
    parser.add_argument("--masks-per-image", type=int, default=4,
                        help="holes per image (hole k of image i is seeded by (seed + k, i)); scores are averaged")
    parser.add_argument("--out", type=Path, default=Path("outputs/evaluate-inpaint"), help="folder for the results")
    parser.add_argument("--force", action="store_true", help="overwrite earlier results in --out")
    parser.set_defaults(handler=run_evaluate_inpaint)


def run_evaluate_inpaint(arguments) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .. import evaluation, viz
    from .common import load_images_to_score

    check_folder_path(arguments.out, "--out")
    results_files = [arguments.out / "inpaint.csv", arguments.out / "inpaint.json"]
    if any(path.exists() for path in results_files) and not arguments.force:
        raise FileExistsError(f"results exist in {str(arguments.out)!r}; add --force to replace them")
    for path in arguments.model:
        if not Path(path).exists():
            raise FileNotFoundError(f"--model {str(path)!r} does not exist")
    images = load_images_to_score(arguments.testset, minimum_size=32, why="the seeded free-form holes")
    extra_models = {Path(path).stem: _load_inpainting_model(path)[0] for path in arguments.model}
    methods = evaluation.inpainting_methods(arguments.methods, extra_models=extra_models)
    table, outputs, holes = evaluation.evaluate_inpainting(
        methods, images, seed=arguments.seed, masks_per_image=arguments.masks_per_image, keep_outputs=True,
        progress=lambda message: print(f"  {message}", file=sys.stderr, flush=True))
    print(table.format())
    written = table.write(arguments.out, stem="inpaint")
    first = next(iter(images))
    hole = holes[first]
    damaged = images[first] * (1.0 - (hole[..., None] if images[first].ndim == 3 else hole))
    shown = {"ground truth": images[first], f"damaged ({hole.mean():.0%} missing)": damaged}
    for label in table.methods():
        shown[f"{label} ({table.value(label, image=first, mask=0):.2f} dB in the hole)"] = outputs[(label, first)]
    figure = viz.show_images(shown, metrics=False, columns=4, suptitle=f"{first}: inpainting")
    path = arguments.out / "inpaint.png"
    figure.savefig(path, dpi=90)
    written.append(path)
    print("wrote " + ", ".join(str(path) for path in written))
    return 0
