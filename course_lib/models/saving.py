"""Saving and loading models safely, and the trained models the course ships in ``data/``.

A ``.keras`` file is a zip archive of the model's configuration and weights.
:func:`load_model` always loads in Keras' *safe mode*, which refuses any file
whose configuration would run stored Python code (a ``Lambda`` layer with a
pickled function), so a model downloaded from somewhere cannot execute anything
when it is loaded. Every problem (missing file, wrong suffix, not a zip, cut off,
a layer Keras does not know) becomes one ``FileNotFoundError`` or ``ValueError``
that names the file, instead of a long traceback from inside Keras.

:func:`save_model` writes atomically: to a temporary file in the same folder,
then renamed, so an interrupted save never leaves a half-written model behind.

The shipped models live in the repository's ``data/`` folder, each with a
provenance record (``.json``) beside it: the command that trained it, the data,
the time it took, the machine, and its PSNR on the bundled test split. The gray
denoisers are of two kinds: notebook 05's DnCNNs (one per noise level and a blind
one, trained on the 13 images of the bundled train split), and the course's best
denoiser, a residual U-Net told the noise level by a noise-level map, trained on
Train400 for every level from 0 to 75.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from .._validation import check_choice

__all__ = [
    "save_model",
    "load_model",
    "DATA_FOLDER",
    "SHIPPED_DENOISER_SIGMAS",
    "shipped_denoiser_path",
    "load_shipped_denoiser",
    "SHIPPED_UNET_SIGMA_RANGE",
    "shipped_unet_denoiser_path",
    "load_shipped_unet_denoiser",
    "read_provenance",
    "SHIPPED_SR_SCALES",
    "SHIPPED_SR_ARCHITECTURES",
    "shipped_sr_path",
    "load_shipped_sr",
    "shipped_inpainter_path",
    "load_shipped_inpainter",
]

#: Environment variable naming another folder of shipped models (same file names), e.g. your own.
DATA_FOLDER_VARIABLE = "COURSE_LIB_DATA"

#: The repository's folder of shipped weights and small data.
DATA_FOLDER = Path(__file__).resolve().parents[2] / "data"


def _data_folder() -> Path:
    override = os.environ.get(DATA_FOLDER_VARIABLE, "").strip()
    return Path(override) if override else DATA_FOLDER

#: Noise levels (on the 8-bit scale) with a shipped non-blind denoiser; "blind" covers 0-55.
SHIPPED_DENOISER_SIGMAS = (15, 25, 50)


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
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
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
    import keras

    from . import layers  # noqa: F401 - registers the course's layers with Keras

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
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except Exception as error:  # Keras raises many types; the learner needs one clear line
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if "safe_mode" in str(error) or "Lambda" in str(error):
            message = "it contains a Lambda layer with stored Python code, which safe mode refuses to run"
        raise ValueError(f"model file {str(path)!r} could not be loaded: {message[:300]}") from None


def shipped_denoiser_path(sigma=25) -> Path:
    """The ``data/`` file of the shipped gray denoiser for `sigma` (15, 25, 50) or ``"blind"``.

    Set the environment variable ``COURSE_LIB_DATA`` to a folder to use the models
    (same file names) from there instead.
    """
    if isinstance(sigma, float) and sigma.is_integer():
        sigma = int(sigma)  # 25.0 from a command line or a computation is the sigma=25 model
    check_choice(sigma, "sigma", SHIPPED_DENOISER_SIGMAS + ("blind",))
    name = "dncnn_gray_blind.keras" if sigma == "blind" else f"dncnn_gray_sigma{sigma}.keras"
    return _data_folder() / name


def _load_shipped(path: Path, train_command: str):
    """Load a shipped model, or say how to get it back when it is missing."""
    if not path.exists():
        raise FileNotFoundError(
            f"the shipped model {path.name} is missing from {path.parent}; train it with "
            f"`{train_command}` or restore the course's data/ folder"
        )
    return load_model(path)


def load_shipped_denoiser(sigma=25):
    """Load notebook 05's trained gray DnCNN for `sigma` (15, 25 or 50) or ``"blind"`` (0-55)."""
    return _load_shipped(shipped_denoiser_path(sigma), "python -m course_lib train dncnn")


#: The noise levels (8-bit scale) the shipped noise-map U-Net was trained on, both ends included.
SHIPPED_UNET_SIGMA_RANGE = (0.0, 75.0)


def shipped_unet_denoiser_path() -> Path:
    """The ``data/`` file of the course's best gray denoiser, the noise-map U-Net.

    A residual U-Net (:func:`course_lib.models.residual_unet`) that takes the noisy image and a
    noise-level map, trained on Train400 for every sigma in :data:`SHIPPED_UNET_SIGMA_RANGE`; one
    model for every level. Denoise with ``denoise(model, noisy, sigma=...)``.
    """
    return _data_folder() / "unet_gray_noise_map.keras"


def load_shipped_unet_denoiser():
    """Load the course's best gray denoiser (a noise-map U-Net; give :func:`denoise` the sigma)."""
    return _load_shipped(shipped_unet_denoiser_path(), "python -m course_lib train denoiser --architecture unet")


#: Scales with a shipped super-resolution model.
SHIPPED_SR_SCALES = (2, 3, 4)

#: The shipped super-resolution networks: ``"edsr"``, the course's efficient model (residual
#: blocks on the low-resolution image, :func:`course_lib.models.edsr`), and ``"vdsr"``, notebook
#: 06's VDSR-style model (:func:`course_lib.models.vdsr` on the pixel-unshuffled bicubic image).
SHIPPED_SR_ARCHITECTURES = ("edsr", "vdsr")

_SHIPPED_SR_TRAINING = {
    "edsr": "python -m course_lib train sr --arch edsr --width 32 --blocks 7 --scale {scale}",
    "vdsr": "python -m course_lib train sr --arch vdsr --unshuffle --scale {scale}",
}


def shipped_sr_path(scale: int = 3, architecture: str = "edsr") -> Path:
    """The ``data/`` file of the shipped super-resolution model for `scale` (2, 3 or 4).

    `architecture` is ``"edsr"`` (the default: the course's best and cheapest SR model,
    ``sr_edsr_x{scale}.keras``) or ``"vdsr"`` (notebook 06's VDSR-style model, ``sr_x{scale}.keras``).
    """
    check_choice(scale, "scale", SHIPPED_SR_SCALES)
    check_choice(architecture, "architecture", SHIPPED_SR_ARCHITECTURES)
    return _data_folder() / (f"sr_edsr_x{scale}.keras" if architecture == "edsr" else f"sr_x{scale}.keras")


def load_shipped_sr(scale: int = 3, architecture: str = "edsr"):
    """Load a trained super-resolution model (luma, Y / 255) for `scale`: the EDSR-style one by default."""
    return _load_shipped(shipped_sr_path(scale, architecture),
                         _SHIPPED_SR_TRAINING[architecture].format(scale=scale))


def shipped_inpainter_path() -> Path:
    """The ``data/`` file of the shipped inpainting generator (RGB; gray images are handled too)."""
    return _data_folder() / "inpainting_unet.keras"


def load_shipped_inpainter():
    """Load the course's trained inpainting generator: ``[damaged, hole] -> image``."""
    return _load_shipped(shipped_inpainter_path(), "python -m course_lib train inpaint")


def read_provenance(model_path) -> dict:
    """The provenance record (``.json`` beside a model file): how the model was trained and scored."""
    record = Path(model_path).with_suffix(".json")
    if not record.exists():
        raise FileNotFoundError(f"no provenance record {str(record)!r} beside the model")
    try:
        return json.loads(record.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"provenance record {str(record)!r} is not valid JSON: {error}") from None
