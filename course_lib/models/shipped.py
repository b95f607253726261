"""The trained models the course ships in ``data/``: one table, and which model serves which request.

:data:`SHIPPED_MODELS` lists every shipped model once: its file, its task, the noise
level, noise-level range or scale it was trained for, and its architecture. The
constants (:data:`SHIPPED_DENOISER_SIGMAS`, :data:`SHIPPED_SR_SCALES`, ...), the paths,
the loaders and the choosers (:func:`shipped_denoiser_for`) all read it, and so do
the command line's help texts and messages, the notebooks and the tests.

Each model has a provenance record (``.json``) beside it: the command that trained
it, the data, the time it took, the machine, and its PSNR on the bundled test
split (:func:`course_lib.models.read_provenance`). The gray denoisers are of two
kinds: notebook 05's DnCNNs (one per noise level and a blind one, trained on the
13 images of the bundled train split), and the course's best denoiser, a residual
U-Net told the noise level by a noise-level map, trained on Train400 for every level
from 0 to 75. The super-resolution models are the course's EDSR-style networks (the
default) and notebook 06's VDSR-style ones, for each scale.

This module does not import Keras until a model is loaded, so the command line
can read the table while it builds its parsers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .._validation import check_choice

__all__ = [
    "ShippedModel",
    "SHIPPED_MODELS",
    "DATA_FOLDER",
    "DATA_FOLDER_VARIABLE",
    "SHIPPED_DENOISER_SIGMAS",
    "SHIPPED_BLIND_SIGMA_RANGE",
    "SHIPPED_UNET_SIGMA_RANGE",
    "SHIPPED_SR_SCALES",
    "SHIPPED_SR_ARCHITECTURES",
    "shipped_denoiser",
    "shipped_denoiser_path",
    "load_shipped_denoiser",
    "shipped_unet_denoiser",
    "shipped_unet_denoiser_path",
    "load_shipped_unet_denoiser",
    "shipped_denoiser_for",
    "shipped_sr",
    "shipped_sr_path",
    "load_shipped_sr",
    "shipped_inpainter",
    "shipped_inpainter_path",
    "load_shipped_inpainter",
]

#: Environment variable naming another folder of shipped models (same file names), e.g. your own.
DATA_FOLDER_VARIABLE = "COURSE_LIB_DATA"

#: The repository's folder of shipped weights and small data.
DATA_FOLDER = Path(__file__).resolve().parents[2] / "data"

#: Architectures that are told the noise level by a noise-level map (one model for a range of levels).
_NOISE_MAP_ARCHITECTURES = ("unet", "ffdnet")


def _data_folder() -> Path:
    override = os.environ.get(DATA_FOLDER_VARIABLE, "").strip()
    return Path(override) if override else DATA_FOLDER


@dataclass(frozen=True)
class ShippedModel:
    """One trained model in ``data/``.

    Attributes
    ----------
    file : str
        Its file name in ``data/`` (or in the folder ``COURSE_LIB_DATA`` names).
    task : {"denoise", "sr", "inpaint"}
        What it does, as its provenance record and the command line say.
    architecture : str
        ``"dncnn"``, ``"unet"`` (a residual U-Net with a noise-level map), ``"edsr"``,
        ``"vdsr"`` or ``"inpainting_unet"``.
    name : str
        How messages call it, e.g. ``"blind DnCNN"`` or ``"EDSR-style model"``.
    train_command : str
        The command that trains one like it (``{scale}`` is filled in).
    sigma : float, optional
        The one noise level (8-bit scale) a non-blind denoiser was trained for.
    sigma_range : (float, float), optional
        The noise levels a blind or noise-map denoiser was trained on, both ends included.
    scale : int, optional
        The upscaling factor of a super-resolution model.
    """

    file: str
    task: str
    architecture: str
    name: str
    train_command: str
    sigma: float | None = None
    sigma_range: tuple[float, float] | None = None
    scale: int | None = None

    @property
    def path(self) -> Path:
        """Where the file is: ``data/`` or the folder ``COURSE_LIB_DATA`` names."""
        return _data_folder() / self.file

    @property
    def takes_noise_level(self) -> bool:
        """Whether it is told the noise level (a noise-level map as its second input)."""
        return self.architecture in _NOISE_MAP_ARCHITECTURES

    def serves(self, sigma: float) -> bool:
        """Whether this denoiser was trained for noise level `sigma` (its own level, or within its range)."""
        if self.sigma_range is not None:
            return self.sigma_range[0] <= sigma <= self.sigma_range[1]
        return self.sigma is not None and sigma == self.sigma

    def describe(self, sigma: float | None = None) -> str:
        """A phrase for messages, e.g. ``"the shipped noise-map U-Net, told sigma=25"``."""
        if self.scale is not None:
            return f"the shipped x{self.scale} {self.name}"
        if self.takes_noise_level and sigma is not None:
            return f"the shipped {self.name}, told sigma={sigma:g}"
        if self.sigma_range is not None:
            return f"the shipped {self.name} (sigma {self.sigma_range[0]:g}-{self.sigma_range[1]:g})"
        if self.sigma is not None:
            return f"the shipped {self.name} for sigma {self.sigma:g}"
        return f"the shipped {self.name}"

    def load(self):
        """Load the model (safe mode), or say how to get it back when the file is missing."""
        from .saving import load_model

        path = self.path
        if not path.exists():
            command = self.train_command.format(scale=self.scale)
            raise FileNotFoundError(
                f"the shipped model {path.name} is missing from {path.parent}; train it with "
                f"`{command}` or restore the course's data/ folder"
            )
        return load_model(path)


_DNCNN_TRAINING = "python -m course_lib train dncnn"
_SR_TRAINING = {
    "edsr": "python -m course_lib train sr --arch edsr --width 32 --blocks 7 --scale {scale}",
    "vdsr": "python -m course_lib train sr --arch vdsr --unshuffle --scale {scale}",
}
_SR_NAMES = {"edsr": "EDSR-style model", "vdsr": "VDSR-style model"}

#: Every model the course ships: notebook 05's DnCNNs (per level, and blind), the noise-map U-Net
#: (the course's best denoiser), the EDSR-style (the default) and VDSR-style super-resolution models
#: for each scale, and the inpainting U-Net.
SHIPPED_MODELS = (
    *(ShippedModel(f"dncnn_gray_sigma{sigma}.keras", "denoise", "dncnn", "DnCNN", _DNCNN_TRAINING, sigma=sigma)
      for sigma in (15, 25, 50)),
    ShippedModel("dncnn_gray_blind.keras", "denoise", "dncnn", "blind DnCNN", _DNCNN_TRAINING,
                 sigma_range=(0.0, 55.0)),
    ShippedModel("unet_gray_noise_map.keras", "denoise", "unet", "noise-map U-Net",
                 "python -m course_lib train denoiser --architecture unet", sigma_range=(0.0, 75.0)),
    *(ShippedModel(f"sr_edsr_x{scale}.keras" if architecture == "edsr" else f"sr_x{scale}.keras", "sr",
                   architecture, _SR_NAMES[architecture], _SR_TRAINING[architecture], scale=scale)
      for architecture in ("edsr", "vdsr") for scale in (2, 3, 4)),
    ShippedModel("inpainting_unet.keras", "inpaint", "inpainting_unet", "inpainting model",
                 "python -m course_lib train inpaint"),
)


def _only(**fields) -> ShippedModel:
    """The one entry of the table whose attributes equal `fields`."""
    found = [model for model in SHIPPED_MODELS
             if all(getattr(model, key) == value for key, value in fields.items())]
    if len(found) != 1:
        raise LookupError(f"{len(found)} shipped models have {fields}; expected exactly one")
    return found[0]


_DNCNNS = tuple(model for model in SHIPPED_MODELS if model.architecture == "dncnn" and model.sigma is not None)

#: Noise levels (on the 8-bit scale) with a shipped non-blind denoiser (notebook 05's DnCNNs).
SHIPPED_DENOISER_SIGMAS = tuple(int(model.sigma) for model in _DNCNNS)

#: The noise levels (8-bit scale) the shipped blind DnCNN was trained on, both ends included.
SHIPPED_BLIND_SIGMA_RANGE = _only(architecture="dncnn", sigma=None).sigma_range

#: The noise levels (8-bit scale) the shipped noise-map U-Net was trained on, both ends included.
SHIPPED_UNET_SIGMA_RANGE = _only(architecture="unet").sigma_range

#: Scales with a shipped super-resolution model.
SHIPPED_SR_SCALES = tuple(sorted({model.scale for model in SHIPPED_MODELS if model.task == "sr"}))

#: The shipped super-resolution networks: ``"edsr"``, the course's efficient model (residual
#: blocks on the low-resolution image, :func:`course_lib.models.edsr`; the default), and ``"vdsr"``,
#: notebook 06's VDSR-style model (:func:`course_lib.models.vdsr` on the pixel-unshuffled bicubic image).
SHIPPED_SR_ARCHITECTURES = tuple(dict.fromkeys(model.architecture for model in SHIPPED_MODELS if model.task == "sr"))


# --------------------------------------------------------------------------------------
# Denoisers
# --------------------------------------------------------------------------------------


def shipped_denoiser(sigma=25) -> ShippedModel:
    """Notebook 05's shipped DnCNN for `sigma` (one of :data:`SHIPPED_DENOISER_SIGMAS`) or ``"blind"``."""
    if isinstance(sigma, float) and sigma.is_integer():
        sigma = int(sigma)  # 25.0 from a command line or a computation is the sigma=25 model
    check_choice(sigma, "sigma", SHIPPED_DENOISER_SIGMAS + ("blind",))
    if sigma == "blind":
        return _only(architecture="dncnn", sigma=None)
    return _only(architecture="dncnn", sigma=sigma)


def shipped_denoiser_path(sigma=25) -> Path:
    """The ``data/`` file of the shipped gray DnCNN for `sigma` (15, 25, 50) or ``"blind"``.

    Set the environment variable ``COURSE_LIB_DATA`` to a folder to use the models
    (same file names) from there instead.
    """
    return shipped_denoiser(sigma).path


def load_shipped_denoiser(sigma=25):
    """Load notebook 05's trained gray DnCNN for `sigma` (15, 25 or 50) or ``"blind"`` (0-55)."""
    return shipped_denoiser(sigma).load()


def shipped_unet_denoiser() -> ShippedModel:
    """The course's best gray denoiser, the noise-map U-Net (every sigma in :data:`SHIPPED_UNET_SIGMA_RANGE`)."""
    return _only(architecture="unet")


def shipped_unet_denoiser_path() -> Path:
    """The ``data/`` file of the course's best gray denoiser, the noise-map U-Net.

    A residual U-Net (:func:`course_lib.models.residual_unet`) that takes the noisy image and a
    noise-level map, trained on Train400 for every sigma in :data:`SHIPPED_UNET_SIGMA_RANGE`; one
    model for every level. Denoise with ``denoise(model, noisy, sigma=...)``.
    """
    return shipped_unet_denoiser().path


def load_shipped_unet_denoiser():
    """Load the course's best gray denoiser (a noise-map U-Net; give :func:`denoise` the sigma)."""
    return shipped_unet_denoiser().load()


def shipped_denoiser_for(sigma=None, *, blind: bool = False) -> ShippedModel:
    """The shipped denoiser to use for noise level `sigma`, or for an unknown level.

    Parameters
    ----------
    sigma : float, optional
        The noise level on the 8-bit scale.
    blind : bool
        The level is unknown: the blind DnCNN (trained on :data:`SHIPPED_BLIND_SIGMA_RANGE`).

    Returns
    -------
    ShippedModel
        The noise-map U-Net for any sigma in :data:`SHIPPED_UNET_SIGMA_RANGE` (told the level,
        it beats the DnCNN trained for that very level), or the blind DnCNN.

    Raises
    ------
    ValueError
        If neither `sigma` nor `blind` is given, or no shipped model knows `sigma`.
    """
    if blind:
        return shipped_denoiser("blind")
    if sigma is None:
        raise ValueError("give sigma (the noise level) or blind=True")
    unet = shipped_unet_denoiser()
    if unet.serves(sigma):
        return unet
    low, high = SHIPPED_UNET_SIGMA_RANGE
    raise ValueError(f"no shipped denoiser knows sigma {sigma:g}; the {unet.name} covers {low:g}-{high:g}")


# --------------------------------------------------------------------------------------
# Super-resolution and inpainting
# --------------------------------------------------------------------------------------


def shipped_sr(scale: int = 3, architecture: str = "edsr") -> ShippedModel:
    """The shipped super-resolution model for `scale`: the EDSR-style one unless `architecture` is ``"vdsr"``."""
    check_choice(scale, "scale", SHIPPED_SR_SCALES)
    check_choice(architecture, "architecture", SHIPPED_SR_ARCHITECTURES)
    return _only(task="sr", architecture=architecture, scale=scale)


def shipped_sr_path(scale: int = 3, architecture: str = "edsr") -> Path:
    """The ``data/`` file of the shipped super-resolution model for `scale` (2, 3 or 4).

    `architecture` is ``"edsr"`` (the default: the course's best and cheapest SR model,
    ``sr_edsr_x{scale}.keras``) or ``"vdsr"`` (notebook 06's VDSR-style model, ``sr_x{scale}.keras``).
    """
    return shipped_sr(scale, architecture).path


def load_shipped_sr(scale: int = 3, architecture: str = "edsr"):
    """Load a trained super-resolution model (luma, Y / 255) for `scale`: the EDSR-style one by default."""
    return shipped_sr(scale, architecture).load()


def shipped_inpainter() -> ShippedModel:
    """The shipped inpainting generator (RGB; gray images are handled too)."""
    return _only(task="inpaint")


def shipped_inpainter_path() -> Path:
    """The ``data/`` file of the shipped inpainting generator (RGB; gray images are handled too)."""
    return shipped_inpainter().path


def load_shipped_inpainter():
    """Load the course's trained inpainting generator: ``[damaged, hole] -> image``."""
    return shipped_inpainter().load()
