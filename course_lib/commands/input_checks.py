"""What a command checks before it does any work: the values of its input arrays, the
model it was given, the folders and files it will write, and the noise level.

Each check raises :class:`ValueError` (or :class:`FileNotFoundError`) with a message
that names the option and says what was expected; :mod:`course_lib.cli` prints it as
one ``error:`` line. Nothing here imports TensorFlow.

The value rule for float arrays (``.npy`` inputs, the only files whose values can
leave [0, 1]) is stated once, in :data:`CLEAN_RANGE_HELP` and
:data:`NOISY_RANGE_HELP`, and shown in the ``--help`` of every command that reads them.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

__all__ = [
    "CLEAN_RANGE_SLACK",
    "NOISY_RANGE_SLACK",
    "CLEAN_RANGE_HELP",
    "NOISY_RANGE_HELP",
    "MASK_HELP",
    "check_value_range",
    "read_input_image",
    "check_training_folder",
    "check_model_record",
    "check_folder_path",
    "check_file_path",
    "check_not_inputs",
    "check_sigma",
    "check_blind_range",
    "check_image_size",
]

#: A clean image may leave [0, 1] by this much (resampling overshoot); it is clipped.
CLEAN_RANGE_SLACK = 0.05
#: A noisy image may leave [0, 1] by this much: unclipped Gaussian noise of sigma 50
#: (0.2 on the [0, 1] scale) goes further only beyond 5 standard deviations.
NOISY_RANGE_SLACK = 1.0

CLEAN_RANGE_HELP = (f"A float .npy must hold values in [0, 1] (up to {CLEAN_RANGE_SLACK:g} outside is clipped); an "
                    "array on the 8-bit scale [0, 255] is refused: divide it by 255 (integer uint8 .npy arrays "
                    "are scaled for you).")
NOISY_RANGE_HELP = ("A float .npy must hold values in [0, 1], except that a noisy input may leave it by up to "
                    f"{NOISY_RANGE_SLACK:g} (unclipped noise of sigma 50 goes further only beyond 5 standard "
                    "deviations), i.e. lie in [-1, 2]; an array on the 8-bit scale [0, 255] is refused: divide it "
                    "by 255 (integer uint8 .npy arrays are scaled for you).")
MASK_HELP = ("A mask must be binary, PNG and .npy alike: an image of black (known) and white (missing) pixels "
             "only, or a .npy of 0/1 (or 0/255 integers, or booleans); a mask with gray levels (antialiased "
             "edges, JPEG) is refused, so threshold it yourself, e.g. np.save('mask.npy', mask > 0.5).")

_TASK_NAMES = {"denoise": "a denoising", "sr": "a super-resolution", "inpaint": "an inpainting"}


def check_value_range(image: np.ndarray, path, *, option: str = "INPUT", noisy: bool = False) -> np.ndarray:
    """Refuse an image whose values are far outside [0, 1]; clip a clean one's small overshoot.

    Parameters
    ----------
    image : numpy.ndarray
        A float image as read from `path`.
    path : str or os.PathLike
        Where it came from (for the message).
    option : str
        The option or argument it was given as (``"INPUT"``, ``"--testset"``).
    noisy : bool
        The image is a noisy observation: it may leave [0, 1] by up to
        :data:`NOISY_RANGE_SLACK` and is returned unclipped. A clean image may
        leave it by :data:`CLEAN_RANGE_SLACK` and is clipped into [0, 1].

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If a value lies further outside [0, 1] than the slack, which almost
        always means an array on the 8-bit scale.
    """
    slack = NOISY_RANGE_SLACK if noisy else CLEAN_RANGE_SLACK
    low, high = float(np.min(image)), float(np.max(image))
    if low < -slack or high > 1.0 + slack:
        allowed = f"[{-slack:g}, {1 + slack:g}] for a noisy input" if noisy else "[0, 1]"
        raise ValueError(
            f"{option} {str(path)!r} holds values in [{low:.4g}, {high:.4g}]; expected floats in {allowed}: "
            "divide an array on the 8-bit scale [0, 255] by 255"
        )
    return image if noisy else np.clip(image, 0.0, 1.0)


def read_input_image(path, *, option: str = "INPUT", noisy: bool = False, gray: bool = False) -> np.ndarray:
    """:func:`course_lib.data.read_image` with the value rule of :func:`check_value_range`."""
    from .. import data

    try:
        image = data.read_image(path, gray=gray)
    except ValueError as error:
        raise ValueError(f"{option} {str(path)!r}: {error}") from None
    return check_value_range(image, path, option=option, noisy=noisy)


def check_training_folder(folder, *, option: str = "--data") -> None:
    """Check every ``.npy`` of a training folder before training: its shape and its values.

    Image files are checked by the training data source itself (their headers);
    a ``.npy`` can hold any shape and any values, so each one is read once here.
    """
    from .. import data

    folder = Path(folder)
    try:
        files = data.list_image_files(folder)
    except (FileNotFoundError, ValueError) as error:
        raise type(error)(f"{option}: {error}") from None
    for path in files:
        if path.suffix.lower() == ".npy":
            read_input_image(path, option=option)


def _record_task(record: dict) -> str | None:
    text = str(record.get("task", "")).lower()
    if "denois" in text:
        return "denoise"
    if "super-resolution" in text or "super resolution" in text:
        return "sr"
    if "inpaint" in text:
        return "inpaint"
    return None


def check_model_record(model_path, *, task: str, scale: int | None = None, option: str = "--model",
                       report=print) -> dict | None:
    """Refuse a model whose provenance record says it does another task or scale.

    Parameters
    ----------
    model_path : str or os.PathLike
        A ``.keras`` file; its record is the ``.json`` beside it (written by every
        ``train`` command and shipped with every model in ``data/``).
    task : {"denoise", "sr", "inpaint"}
        What the command does.
    scale : int, optional
        The upscaling factor the command needs (super-resolution).
    option : str
        The option the model was given as, for the messages.
    report : callable
        Called with a one-line note when the model has no usable record (then
        nothing can be checked, which the user should know).

    Returns
    -------
    dict or None
        The record, or None when there is none.

    Raises
    ------
    ValueError
        If the record's ``task`` or ``scale`` differs from `task` or `scale`.
    """
    path = Path(model_path)
    record_path = path.with_suffix(".json")
    if not record_path.is_file():
        report(f"note: {option} {str(path)!r} has no provenance record ({record_path.name}) beside it, so its "
               f"task{' and scale' if scale is not None else ''} cannot be checked")
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        report(f"note: the provenance record {str(record_path)!r} cannot be read ({error}); the task of "
               f"{option} {str(path)!r} is not checked")
        return None
    if not isinstance(record, dict):
        report(f"note: the provenance record {str(record_path)!r} is not a JSON object; not checked")
        return None
    found = _record_task(record)
    if found is None:
        report(f"note: the provenance record of {option} {str(path)!r} does not say what task it does "
               f"(task {record.get('task')!r}); not checked")
        return record
    if found != task:
        raise ValueError(
            f"{option} {str(path)!r} is {_TASK_NAMES[found]} model (its record says task "
            f"{record.get('task')!r}); this command needs {_TASK_NAMES[task]} model"
        )
    recorded_scale = record.get("scale")
    if scale is not None and recorded_scale is not None and int(recorded_scale) != int(scale):
        raise ValueError(
            f"{option} {str(path)!r} upscales x{int(recorded_scale)} (its record says scale "
            f"{recorded_scale}), but --scale is {scale}: give --scale {int(recorded_scale)} or a x{scale} model"
        )
    return record


def _first_existing(path: Path) -> Path:
    current = path
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def check_folder_path(folder, option: str) -> Path:
    """Refuse a folder to write in that is a file, lies under a file, or cannot be written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{option} {str(folder)!r} is a file; expected a folder (outputs are written into it)")
    existing = _first_existing(folder)
    if not existing.is_dir():
        raise ValueError(f"{option} {str(folder)!r} cannot be created: {str(existing)!r} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {str(folder)!r} cannot be written: no write permission in {str(existing)!r}")
    return folder


def check_file_path(path, option: str, *, force: bool) -> Path:
    """Refuse a file to write that is a folder, lies under a file, or exists (without `force`)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{option} {str(path)!r} is a folder; expected a file name")
    existing = _first_existing(path.parent)
    if not existing.is_dir():
        raise ValueError(f"{option} {str(path)!r} cannot be created: {str(existing)!r} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {str(path)!r} cannot be written: no write permission in {str(existing)!r}")
    if path.exists() and not force:
        raise FileExistsError(f"{option} {str(path)!r} exists; add --force to replace it")
    return path


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except OSError:
        return False


def check_not_inputs(outputs, inputs, *, option: str = "--out") -> None:
    """Refuse outputs that would replace one of the inputs (even with --force: inputs are never replaced)."""
    inputs = [Path(path) for path in inputs]
    resolved = {path.resolve() for path in inputs}
    for output in outputs:
        output = Path(output)
        if output.resolve() in resolved or any(_same_file(output, path) for path in inputs):
            raise ValueError(
                f"{option} would write {str(output)!r}, which is one of the inputs; inputs are never replaced "
                f"(not even with --force): choose another {option} folder"
            )


def check_sigma(values, option: str = "--sigma") -> None:
    """The one rule for a noise level given on the command line: in (0, 255] on the 8-bit scale."""
    for value in values if isinstance(values, (list, tuple)) else [values]:
        if not (math.isfinite(value) and 0 < value <= 255):
            raise ValueError(f"{option} must be in (0, 255] on the 8-bit scale; got {value:g}")


def check_blind_range(low: float, high: float, option: str = "--blind") -> None:
    """A range of noise levels: 0 <= LOW < HIGH <= 255 on the 8-bit scale."""
    if not (math.isfinite(low) and math.isfinite(high) and 0 <= low < high <= 255):
        raise ValueError(f"{option} LOW HIGH must satisfy 0 <= LOW < HIGH <= 255 on the 8-bit scale; "
                         f"got {low:g} {high:g}")


def check_image_size(images: dict, minimum: int, *, option: str = "--testset", why: str) -> None:
    """Refuse images smaller than `minimum` x `minimum` pixels, naming the first and the reason."""
    for name, image in images.items():
        height, width = image.shape[:2]
        if min(height, width) < minimum:
            raise ValueError(f"{option} image {name!r} is {width}x{height} pixels; {why} needs at least "
                             f"{minimum}x{minimum}")
