"""What every command shares: inputs, outputs that are never overwritten by accident,
the training options, and one training run with its checkpoint and provenance record.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import math
import os
import platform
import shlex
import sys
import warnings
from pathlib import Path
from typing import Callable

from ..data import IMAGE_KINDS
from ..environment import _is_tensorflow_noise, import_tensorflow_quietly  # noqa: F401  (re-exported)
from .input_checks import (check_file_path, check_folder_path, check_image_size, check_model_record,
                           check_not_inputs, check_training_folder, read_input_image)

__all__ = [
    "HelpFormatter",
    "prefer_fast_cpu_kernels",
    "configure_threads",
    "machine_description",
    "expand_inputs",
    "check_outputs_free",
    "output_paths",
    "import_tensorflow_quietly",
    "add_training_options",
    "run_training",
]


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` that shows an option's default only when it has a real one, and never splits a word.

    argparse's own formatter appends "(default: None)" to every option, even to
    flags and to options whose help already says what happens without them, and
    breaks a URL or a commit hash that is longer than a line in two.
    """

    def _get_help_string(self, action):
        text = action.help or ""
        no_default = action.default is None or action.default is False or action.default in ([], argparse.SUPPRESS)
        if no_default or "default" in text:
            return text
        return super()._get_help_string(action)

    def _fill_text(self, text, width, indent):
        # argparse's default breaks words longer than a line (a URL, a commit hash) in two;
        # a reader copies them, so they go whole on a line of their own.
        import textwrap

        text = self._whitespace_matcher.sub(" ", text).strip()
        return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False)


def prefer_fast_cpu_kernels(deterministic: bool) -> None:
    """Choose TensorFlow's CPU kernels before it is imported: oneDNN's, or with `deterministic` its own.

    oneDNN's kernels (which ``import course_lib`` asks for) train about twice as fast on a
    CPU and repeat exactly on the same machine; TensorFlow's own
    (``TF_ENABLE_ONEDNN_OPTS=0``) also repeat across core counts. A value the user set in
    the environment is always respected.
    """
    from ..environment import choose_cpu_kernels

    problem = choose_cpu_kernels(not deterministic, who="the command")
    if problem:
        warnings.warn(problem, RuntimeWarning, stacklevel=2)


def configure_threads(threads: int | None) -> None:
    """Give TensorFlow `threads` CPU threads (default: every core)."""
    import tensorflow as tf

    threads = threads or os.cpu_count() or 1
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(min(threads, 2))
    except RuntimeError:  # pragma: no cover - runtime already started
        pass


def _processor_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _onednn_enabled() -> bool | None:
    """Whether this TensorFlow runs its oneDNN kernels (what it does, not what was asked for)."""
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:  # pragma: no cover - a TensorFlow without the probe
        return None
    return bool(_pywrap_util_port.IsMklEnabled())


def _known_dataset(folder) -> str | None:
    """A sentence naming the pinned data set `folder` holds (and how to get it, and any images added to it),
    or None."""
    from ..downloads import DATASETS, extra_images, identify_dataset

    name = identify_dataset(folder, allow_extra=True) if folder is not None else None
    if name is None:
        return None
    sentence = (f"{DATASETS[name].name}: {DATASETS[name].description} (every file's SHA-256 matched; get it with "
                f"`python -m course_lib download {name} --out DIR`)")
    added = extra_images(folder, name)
    if added:
        sentence += f"; plus {len(added)} other image{'s' if len(added) > 1 else ''}: {', '.join(added)}"
    return sentence


def machine_description() -> dict:
    """Where a model was trained: OS, CPU, core count, Python and library versions."""
    import keras
    import tensorflow as tf

    return {
        "system": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "processor": _processor_name(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "onednn": _onednn_enabled(),
    }


def expand_inputs(inputs) -> list[Path]:
    """Image files from a list of files and folders (folders contribute their image files)."""
    from .. import data

    files = []
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise FileNotFoundError(f"INPUT {str(path)!r} does not exist")
        if path.is_dir():
            files.extend(data.list_image_files(path))
        elif path.suffix.lower() not in data.IMAGE_SUFFIXES:
            raise ValueError(f"INPUT {str(path)!r} is not an image ({', '.join(data.IMAGE_SUFFIXES)})")
        else:
            files.append(path)
    return files


def load_test_images(testset=None, *, gray: bool = False) -> dict:
    """The clean images an ``evaluate`` command scores: the bundled test split, or a folder.

    Parameters
    ----------
    testset : str or os.PathLike, optional
        A folder of images (``--testset``); ``None`` means the bundled test split.
    gray : bool
        Convert colour images to gray (the denoising protocol) instead of keeping RGB.

    Returns
    -------
    dict
        ``{name: float image in [0, 1]}``. A folder's float arrays must follow
        :data:`~.input_checks.CLEAN_RANGE_HELP` (an array on the 8-bit scale is
        refused); a small overshoot is clipped into [0, 1].
    """
    from .. import data

    if testset is None:
        return data.load_split("test", gray=gray)
    try:
        files = data.list_image_files(testset)
    except (FileNotFoundError, ValueError) as error:
        raise type(error)(f"--testset: {error}") from None
    return {path.stem: read_input_image(path, option="--testset", gray=gray) for path in files}


def load_images_to_score(testset=None, *, gray: bool = False, minimum_size: int = 7, why: str = "SSIM's window"):
    """:func:`load_test_images`, refusing images too small to be scored (an SSIM window is 7x7)."""
    images = load_test_images(testset, gray=gray)
    check_image_size(images, minimum_size, why=why)
    return images


def check_outputs_free(paths, force: bool) -> None:
    """Refuse, before any work, to replace existing outputs unless `force`; refuse colliding names."""
    paths = list(paths)
    if len(set(paths)) != len(paths):
        raise ValueError("two INPUT files have the same name; their outputs would collide in --out")
    existing = [str(path) for path in paths if Path(path).exists()]
    if existing and not force:
        raise FileExistsError(f"{len(existing)} output(s) exist already, e.g. {existing[0]!r}; add --force to replace")


def output_paths(files, out_folder, *, force: bool) -> list[Path]:
    """Where a ``restore`` command writes each input: ``OUT/<input's name>``, checked before any work.

    Refuses an `out_folder` that is a file (or cannot be created), an output that
    is one of the inputs (even with `force`: inputs are never replaced), two
    inputs with the same name, and existing outputs without `force`.
    """
    check_folder_path(out_folder, "--out")
    outputs = [Path(out_folder) / Path(path).name for path in files]
    check_not_inputs(outputs, files)
    check_outputs_free(outputs, force)
    return outputs


def add_training_options(parser, *, epochs: int, steps_per_epoch: int, batch_size: int, patch_size: int,
                         learning_rate: float = 1e-3) -> None:
    """The options every ``train`` command has (data, length, schedule, checkpoints, resume)."""
    parser.add_argument("--out", type=Path, required=True, help="the trained model (.keras)")
    images = parser.add_mutually_exclusive_group()
    images.add_argument("--data", type=Path, help="a folder of your own training images (default: bundled train split)")
    images.add_argument("--kind", choices=IMAGE_KINDS,
                        help="train only on the bundled train split's images of this kind (e.g. photo)")
    parser.add_argument("--epochs", type=int, default=epochs, help="passes of --steps-per-epoch steps")
    parser.add_argument("--steps-per-epoch", type=int, default=steps_per_epoch,
                        help="steps between checkpoints and validation")
    parser.add_argument("--batch-size", type=int, default=batch_size, help="patches per step")
    parser.add_argument("--patch-size", type=int, default=patch_size, help="side of the training patches, in pixels")
    parser.add_argument("--learning-rate", type=float, default=learning_rate, help="Adam's starting learning rate")
    parser.add_argument("--final-learning-rate", type=float, default=1e-5,
                        help="the learning rate the schedule ends at")
    parser.add_argument("--schedule", choices=["cosine", "step", "constant"], default="cosine",
                        help="how the learning rate decays")
    parser.add_argument("--scales", type=float, nargs="+", default=list(TRAINING_SCALES), metavar="FACTOR",
                        help="each group of training images is resized by one of these factors, drawn at random, "
                             "before patches are cut (above 1: smoother pixels, as in a larger photo of the same "
                             "scene; each factor in (0, 4])")
    parser.add_argument("--seed", type=int, default=0, help="seeds the weights, the patches and the noise")
    parser.add_argument("--init-from", type=Path, help="start from this model's weights (fine-tuning)")
    parser.add_argument("--checkpoint-dir", type=Path,
                        help="checkpoint folder (default: OUT's name with .checkpoint, beside it)")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    parser.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    parser.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    parser.add_argument("--deterministic", action="store_true",
                        help="turn TensorFlow's oneDNN kernels off (repeatable across core counts, about 2x slower)")
    parser.add_argument("--skip-test", action="store_true", help="do not score the model on the test split")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                        help="what the network computes in while training: bfloat16 was about 5x faster on a "
                             "Xeon with AMX, but is slower on CPUs without bfloat16 hardware; the saved model "
                             "is float32 either way, and a resumed run may switch")


#: The default of --scales: course_lib.training.TrainingConfig's, spelled here so that --help does not import
#: TensorFlow (tests/test_training_config.py checks that they agree).
TRAINING_SCALES = (1.0, 0.9, 0.8, 0.7)


def check_training_scales(scales) -> None:
    """One clear ValueError for a --scales factor outside (0, 4]."""
    bad = [factor for factor in scales if not (math.isfinite(factor) and 0 < factor <= 4)]
    if bad:
        raise ValueError(f"--scales must be factors in (0, 4]; got {bad[0]:g}")


#: Training sets up to this size are loaded once and kept in memory (Train400 is 13 Mpx, 52 MB as float32).
_PRELOAD_MEGAPIXELS = 64.0


def _checkpoint_folder(arguments) -> Path:
    if arguments.checkpoint_dir is not None:
        return arguments.checkpoint_dir
    return arguments.out.with_name(arguments.out.stem + ".checkpoint")


def _check_checkpoint_folder(folder: Path, arguments) -> bool:
    """Refuse, before training, a checkpoint folder that --resume / --force cannot use as asked.

    Returns
    -------
    bool
        True when the folder holds a *finished* run that ``--force`` (without
        ``--resume``) may replace: the new run overwrites it epoch by epoch.
    """
    import json

    state_path = folder / "state.json"  # TrainingCheckpoint.STATE_FILE, read without importing TensorFlow
    if not state_path.is_file():
        if arguments.resume:
            raise FileNotFoundError(f"--resume: there is no checkpoint in {str(folder)!r} (no state.json); leave out "
                                    "--resume to start training, or give the run's --checkpoint-dir")
        return False
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        done, planned = int(state["epoch"]), int(state["config"]["epochs"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"the checkpoint record {str(state_path)!r} is corrupt ({error}); move the folder away "
                         "or give another --checkpoint-dir") from None
    if arguments.resume:
        return False
    if done < planned:
        raise FileExistsError(
            f"the checkpoint folder {str(folder)!r} holds an unfinished run ({done} of {planned} epochs); add "
            "--resume to continue it, or give another --checkpoint-dir (--force does not discard it)"
        )
    if not arguments.force:
        raise FileExistsError(
            f"the checkpoint folder {str(folder)!r} holds a finished run of {done} epochs; add --resume with a "
            "larger --epochs to train it longer, or --force to train again from scratch (replacing it)"
        )
    print(f"note: the finished run's checkpoint in {folder} ({done} epochs) is replaced as the new run proceeds",
          flush=True)
    return True


#: Configuration fields whose command-line option is not ``--field-name``.
_OPTION_NAMES = {"sigma": "--sigma / --blind", "residual": "--plain", "batch_norm": "--batch-norm"}


def _mismatch_message(error, option_names: dict) -> str:
    """A checkpoint that cannot be resumed, explained in command-line options."""
    names = {**_OPTION_NAMES, **option_names}
    parts = []
    for field, (saved, asked) in error.differences.items():
        option = names.get(field, "--" + field.replace("_", "-"))
        parts.append(f"{option} was {saved!r} there and is {asked!r} now")
    if not parts:
        return f"--resume: the checkpoint in {str(error.folder)!r} was trained with other options; resume with them"
    return (f"--resume: the checkpoint in {str(error.folder)!r} was trained with other options: {'; '.join(parts)}; "
            "resume with the same ones (only --epochs, --learning-rate, --final-learning-rate, --schedule and "
            "--precision may change)")


@contextlib.contextmanager
def _interrupted_by_sigterm():
    """Turn SIGTERM (``kill``, a scheduler's stop) into KeyboardInterrupt while training, so that the
    temporary file of a checkpoint being written is removed and the command says it was interrupted."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signal_number, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _training_record_of(model_path) -> dict | None:
    """How the model at `model_path` was trained, from the provenance record beside it (if any),
    so that a fine-tuned model's record tells its whole history."""
    from ..models.saving import read_provenance

    if model_path is None:
        return None
    try:
        record = read_provenance(model_path)
    except (FileNotFoundError, ValueError):  # a model of your own, without a record
        return None
    training = record.get("training", {})
    carried = {key: training.get(key) for key in ("invocations", "config", "initial_weights", "initial_weights_training",
                                                  "epochs", "seconds", "patch_megapixels_seen")}
    carried["history"] = record.get("history")  # the earlier run's curves, so they can be drawn end to end
    return carried


def _last_psnr(history: dict, *, validation: bool):
    """The last epoch's PSNR metric (``psnr_metric``, or a task's own such as ``hole_psnr_metric``)."""
    for key, values in history.items():
        if key.endswith("psnr_metric") and key.startswith("val_") == validation and values:
            return values[-1]
    return None


def run_training(
    arguments,
    *,
    make_config: Callable,
    train: Callable,
    task: str,
    describe_run: str,
    record_fields: dict,
    score_on_test_split: Callable | None,
    validation_every: int = 0,
    score_on_validation: Callable | None = None,
    command_task: str | None = None,
    scale: int | None = None,
    option_names: dict | None = None,
) -> int:
    """One ``train`` command: checks, checkpointed training, the model, its provenance record.

    Parameters
    ----------
    arguments : argparse.Namespace
        With the options of :func:`add_training_options` (and ``argv``).
    make_config : callable
        ``make_config() -> configuration``, called after TensorFlow is configured.
    train : callable
        ``train(config, **options) -> TrainingResult`` (``train_denoiser``, ...).
    task : str
        What the model does, for the record ("Gaussian denoising of gray images").
    describe_run : str
        A few words for the first line printed ("sigma 25").
    record_fields : dict
        Extra top-level fields of the provenance record (``{"sigma": 25}``).
    score_on_test_split : callable, optional
        ``score(model) -> dict`` with a ``"summary"`` list of lines to print;
        stored as the record's ``test_split``.
    validation_every : int
        Hold every Nth image of the training images out of training
        (:func:`course_lib.training.holdout_split`); 0 holds none out. The
        training function then gets them as ``validation_source``.
    score_on_validation : callable, optional
        ``score(model, validation_source) -> dict`` like `score_on_test_split`,
        stored as the record's ``validation``.
    command_task : {"denoise", "sr", "inpaint"}, optional
        What the command trains, to check an ``--init-from`` model's provenance record.
    scale : int, optional
        The upscaling factor an ``--init-from`` model must have (None: any scale).

    option_names : dict, optional
        ``{configuration field: command-line option}`` where the option is not
        the field's name spelled ``--field-name``, so that a checkpoint that
        cannot be resumed is explained in options (``{"architecture": "--arch"}``).

    Notes
    -----
    Everything the run will write is checked before TensorFlow is imported:
    ``--out`` (a ``.keras`` file name in a folder that can be created; an
    existing file only with ``--force``), the checkpoint folder (a folder; one
    holding an unfinished run only with ``--resume``; one holding a finished run
    with ``--resume`` or ``--force``), the ``.npy`` arrays of ``--data`` and the
    provenance of ``--init-from``.
    """
    if arguments.out.suffix != ".keras":
        raise ValueError(f"--out must end with .keras; got {str(arguments.out)!r}")
    check_training_scales(arguments.scales)
    check_file_path(arguments.out, "--out", force=arguments.force)
    record_path = arguments.out.with_suffix(".json")
    if record_path.is_dir():
        raise ValueError(f"--out {str(arguments.out)!r}: its provenance record {str(record_path)!r} would "
                         "replace a folder; choose another --out")
    folder = _checkpoint_folder(arguments)
    check_folder_path(folder, f"the checkpoint folder {str(folder)!r} (--checkpoint-dir)")
    if arguments.data:
        check_training_folder(arguments.data)
    if arguments.init_from is not None:
        if not arguments.init_from.exists():
            raise FileNotFoundError(f"--init-from {str(arguments.init_from)!r} does not exist")
        if command_task is not None:
            check_model_record(arguments.init_from, task=command_task, scale=scale, option="--init-from")
    replace_finished = _check_checkpoint_folder(folder, arguments)
    prefer_fast_cpu_kernels(arguments.deterministic)
    import_tensorflow_quietly()
    from .. import training
    from ..models import describe_model, load_model, save_model

    configure_threads(arguments.threads)
    config = make_config()
    if arguments.data:
        source = training.folder_source(arguments.data)
    else:
        source = training.bundled_source("train", kind=arguments.kind)
    validation_source = None
    if validation_every and len(source) < validation_every:
        print(f"note: {len(source)} images, fewer than --validation-every {validation_every}: none held out "
              "for validation", flush=True)
    elif validation_every:
        source, validation_source = training.holdout_split(source, every=validation_every)
    if source.megapixels <= _PRELOAD_MEGAPIXELS:
        source = training.preloaded(source)
    if arguments.init_from is not None:
        load_model(arguments.init_from)  # fails early, with a clear message, if the file is bad
    invocation = {
        "command": "python -m course_lib " + shlex.join(arguments.argv),
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_description(),
    }
    previous = training.TrainingCheckpoint.read_state(folder) if arguments.resume else None
    invocations = (previous or {}).get("invocations", []) + [invocation]
    print(f"training {describe_run} on {len(source)} images ({source.megapixels:.1f} Mpx); "
          f"checkpoints in {folder}", flush=True)
    if validation_source is not None:
        print(f"holding out {len(validation_source)} images for validation: {', '.join(validation_source.names)}",
              flush=True)
    options = {"validation_source": validation_source} if validation_source is not None else {}
    if replace_finished:
        options["replace_finished"] = True
    try:
        with _interrupted_by_sigterm():
            result = train(
                config, source=source, checkpoint_dir=folder, resume=arguments.resume, **options,
                initial_weights=arguments.init_from, verbose=1 if sys.stdout.isatty() else 2,
                checkpoint_extra={"invocations": invocations},
            )
    except training.CheckpointMismatchError as error:
        raise ValueError(_mismatch_message(error, option_names or {})) from None
    except training.CheckpointFinishedError as error:
        raise ValueError(
            f"--resume: the checkpoint in {str(error.folder)!r} has already run {error.epoch} epochs and --epochs "
            f"asks for {error.epochs}; give a larger --epochs to train longer (or leave out --resume and add "
            "--force to train again from scratch)"
        ) from None
    model = result.model
    print(describe_model(model))
    save_model(model, arguments.out, overwrite=arguments.force)
    model = load_model(arguments.out)  # score exactly what ships: float32, whatever the training computed in
    record = {
        "model": arguments.out.name,
        "architecture": describe_model(model),
        "parameters": int(model.count_params()),
        "task": task,
        **record_fields,
        "training": {
            "invocations": invocations,
            "config": result.config.to_dict(),
            "initial_weights": str(arguments.init_from) if arguments.init_from else None,
            "initial_weights_training": _training_record_of(arguments.init_from),
            "data": source.description,
            "dataset": _known_dataset(arguments.data),
            "data_megapixels": round(source.megapixels, 3),
            "validation_data": validation_source.description if validation_source is not None else None,
            "epochs": len(result.history.get("loss", [])),
            "seconds": round(result.seconds, 1),
            "patch_megapixels_seen": round(result.megapixels_seen, 1),
            "final_train_psnr": _last_psnr(result.history, validation=False),
            "final_validation_psnr": _last_psnr(result.history, validation=True),
            "fast_mode": training.fast_mode(),
        },
        "history": result.history,
    }
    if validation_source is not None and score_on_validation is not None:
        record["validation"] = score_on_validation(model, validation_source)
        for line in record["validation"].get("summary", []):
            print(line)
    if score_on_test_split is not None and not arguments.skip_test:
        record["test_split"] = score_on_test_split(model)
        for line in record["test_split"].get("summary", []):
            print(line)
    training.write_json_atomically(arguments.out.with_suffix(".json"), record)
    print(f"wrote {arguments.out} and {arguments.out.with_suffix('.json')} "
          f"({result.seconds / 60:.1f} min of training)")
    return 0
