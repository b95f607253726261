"""Saving and loading models safely, and reading their provenance records.

A ``.keras`` file is a zip archive of the model's configuration and weights.
:func:`load_model` always loads in Keras' *safe mode*, which refuses any file
whose configuration would run stored Python code (a ``Lambda`` layer with a
pickled function), so a model downloaded from somewhere cannot execute anything
when it is loaded. Every problem (missing file, wrong suffix, not a zip, cut off,
a layer Keras does not know) becomes one ``FileNotFoundError`` or ``ValueError``
that names the file, instead of a long traceback from inside Keras.

:func:`save_model` writes atomically (:func:`course_lib._files.atomic_write`): to a
temporary file in the same folder, then renamed, so an interrupted save never
leaves a half-written model behind.

The trained models the course ships in ``data/`` are listed in
:mod:`course_lib.models.shipped`.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from .._files import atomic_write
from ..environment import import_tensorflow_quietly

__all__ = ["save_model", "load_model", "read_provenance"]


def save_model(model, path, *, overwrite: bool = False, include_optimizer: bool = False) -> Path:
    """Save a Keras model to a ``.keras`` file, atomically.

    Parameters
    ----------
    model : keras.Model
    path : str or os.PathLike
        Destination ending in ``.keras``; parent folders are created.
    overwrite : bool
        Replace an existing file (without it, an existing file is an error).
    include_optimizer : bool
        Also store the optimizer's state (Adam's two moment estimates per weight:
        the file triples in size). Checkpoints need it to resume training exactly;
        a finished model does not. Without it the model is also rebuilt to compute
        in float32 (see :mod:`course_lib.models.precision`), whatever it was trained in.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    from .precision import model_precision, with_precision

    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"path must end with .keras; got {str(path)!r}")
    if path.exists() and not overwrite:
        raise FileExistsError(f"path {str(path)!r} exists; pass overwrite=True (or --force) to replace it")
    if not include_optimizer and (getattr(model, "optimizer", None) is not None or model_precision(model) != "float32"):
        # The same network rebuilt from its configuration, in float32, is not compiled, so it
        # carries no optimizer (keras.models.clone_model would copy the compiled state along).
        model = with_precision(model, "float32")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, keep_suffix=True) as temporary:  # Keras saves only to a name ending in .keras
        model.save(temporary)
    return path


def load_model(path, *, compile: bool = False):
    """Load a ``.keras`` model in safe mode, with errors that name the file.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_model` or ``keras.Model.save``.
    compile : bool
        Restore the optimizer and loss too (needed only to continue training).

    Returns
    -------
    keras.Model

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If it is not a ``.keras`` file, is corrupt or truncated, or needs code
        that safe mode refuses to run.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"model file {str(path)!r} does not exist")
    if path.is_dir():
        raise ValueError(f"model file {str(path)!r} is a folder; expected a .keras file")
    if path.suffix != ".keras":
        raise ValueError(f"model file {str(path)!r} must be a .keras file (Keras 3 format)")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"model file {str(path)!r} is corrupt: not a .keras (zip) archive")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            broken = archive.testzip()
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"model file {str(path)!r} is corrupt: {error}") from None
    if broken is not None:
        raise ValueError(f"model file {str(path)!r} is corrupt: member {broken!r} fails its checksum")
    if "config.json" not in names:
        raise ValueError(f"model file {str(path)!r} is not a Keras model (no config.json inside)")
    # The first model loaded often imports TensorFlow, whose C++ start-up lines (absl's preface,
    # the oneDNN notice) would land in the middle of a command's or a notebook's output.
    import_tensorflow_quietly()
    import keras

    from . import inpainting, layers  # noqa: F401 - register the course's layers with Keras

    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except Exception as error:  # Keras raises many types; the learner needs one clear line
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if "safe_mode" in str(error) or "Lambda" in str(error):
            message = "it contains a Lambda layer with stored Python code, which safe mode refuses to run"
        raise ValueError(f"model file {str(path)!r} could not be loaded: {message[:300]}") from None


def read_provenance(model_path) -> dict:
    """The provenance record (``.json`` beside a model file): how the model was trained and scored."""
    record = Path(model_path).with_suffix(".json")
    if not record.exists():
        raise FileNotFoundError(f"no provenance record {str(record)!r} beside the model")
    try:
        return json.loads(record.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"provenance record {str(record)!r} is not valid JSON: {error}") from None
