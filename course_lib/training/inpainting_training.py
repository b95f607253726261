"""Training an inpainting generator: configuration, its loss, and :func:`train_inpainting`.

The generator (:func:`course_lib.models.inpainting_unet`) is trained on the
reconstruction loss of Liu et al. (2018) restricted to its two pixel terms, an
L1 error inside the hole weighted 6 and outside it weighted 1:

.. math::

    L = 6 \\frac{\\sum |h \\odot (\\hat y - y)|}{C \\sum h}
        + \\frac{\\sum |(1 - h) \\odot (\\hat y - y)|}{C \\sum (1 - h)},

with ``h`` the hole (1 = missing), ``y`` the clean patch and ``C`` its channels.

An L1 loss is minimized by the median of what could be in the hole, which, where
the context does not say, is a blur. :class:`InpaintingLoss` can add a
*frequency term* that a blur pays for, weighted by ``frequency_loss_weight``
:math:`\\lambda`:

- ``"fft"``: the L1 distance between the magnitudes of the orthonormal 2-D FFTs
  :math:`\\mathcal F` of what the output and the target hold in the hole,
  :math:`\\lambda \\, \\mathrm{mean}_{u, v, c} \\big| |\\mathcal F (h \\odot \\hat y)|
  - |\\mathcal F (h \\odot y)| \\big|`. A blurred fill lacks the high frequencies'
  energy and pays; a texture filled in a little off its true position changes
  mostly the phases, which the magnitudes do not see, so the term does not ask
  for a position the context cannot give;
- ``"gradient"``: the L1 distance between horizontal and vertical differences
  of the composite :math:`\\tilde y = h \\odot \\hat y + (1 - h) \\odot y` and of
  the target, :math:`\\lambda \\sum |\\nabla \\tilde y - \\nabla y| / (C \\sum h)`
  (normalized like the hole term; only differences that touch the hole count):
  edges across the hole and at its border, sharp as in the target;
- ``"ssim"``: a *structure* term rather than a frequency one, the mean over
  the hole's pixels of :math:`1 - \\mathrm{SSIM}` between the composite and the
  target, the SSIM map of Wang et al. (2004) on 7x7 uniform windows with the
  sample covariance (scikit-image's defaults, the map that
  :func:`course_lib.metrics.ssim_in_mask` averages to score the hole):
  :math:`\\mathrm{SSIM} = \\frac{(2 \\mu_x \\mu_y + c_1)(2 \\sigma_{xy} + c_2)}
  {(\\mu_x^2 + \\mu_y^2 + c_1)(\\sigma_x^2 + \\sigma_y^2 + c_2)}`,
  :math:`c_1 = 0.01^2, c_2 = 0.03^2`. It pays for local contrast and
  correlation that a fill lacks, and for a seam at the hole's border.

With :math:`\\lambda = 0` (the default) the loss is exactly the L1 loss above.
The PSNR in the hole (:func:`hole_psnr_metric`) is reported beside it in every
case, so a term that trades PSNR for sharpness shows what it costs.

The loop is :func:`course_lib.training.fit_resumable` (schedule, checkpoints,
exact resume, fine-tuning). The adversarial refinement of notebook 08
(:class:`course_lib.models.InpaintingGAN`) starts from a generator trained here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar

import keras

from .._validation import check_in_range, check_integer, check_positive, check_choice
from ..models.inpainting import BOTTLENECKS, real_fft2d
from .config import TrainingConfig
from .inpainting_patches import color_source, inpainting_dataset, inpainting_validation_pairs
from .loop import TrainingResult, fit_resumable
from .patches import ImageSource, bundled_source, check_patch_size_fits, fast_mode

__all__ = [
    "InpaintingTrainingConfig",
    "train_inpainting",
    "build_inpainting",
    "inpainting_l1_loss",
    "fourier_magnitude_l1",
    "gradient_l1",
    "ssim_dissimilarity",
    "InpaintingLoss",
    "FREQUENCY_LOSSES",
    "hole_psnr_metric",
    "compile_inpainting",
    "HOLE_WEIGHT",
    "VALID_WEIGHT",
]

#: Weights of the L1 error inside and outside the hole (Liu et al. 2018).
HOLE_WEIGHT, VALID_WEIGHT = 6.0, 1.0


def _split_target(y_true, y_pred):
    y_true = keras.ops.cast(y_true, "float32")
    y_pred = keras.ops.cast(y_pred, "float32")
    channels = keras.ops.shape(y_pred)[-1]
    return y_true[..., :channels], y_true[..., channels:], y_pred


@keras.saving.register_keras_serializable(package="course_lib")
def inpainting_l1_loss(y_true, y_pred):
    """``6 * L1(hole) + L1(valid)``, per image; `y_true` is ``concat(clean, hole)`` on the channel axis."""
    clean, hole, y_pred = _split_target(y_true, y_pred)
    error = keras.ops.abs(y_pred - clean)
    channels = keras.ops.cast(keras.ops.shape(clean)[-1], "float32")
    axes = (1, 2, 3)
    in_hole = keras.ops.sum(error * hole, axis=axes) / keras.ops.maximum(keras.ops.sum(hole, axis=axes) * channels, 1.0)
    valid = 1.0 - hole
    outside = keras.ops.sum(error * valid, axis=axes) / keras.ops.maximum(keras.ops.sum(valid, axis=axes) * channels,
                                                                          1.0)
    return HOLE_WEIGHT * in_hole + VALID_WEIGHT * outside


def _composite_and_clean(y_true, y_pred):
    clean, hole, y_pred = _split_target(y_true, y_pred)
    return hole * y_pred + (1.0 - hole) * clean, clean, hole


@keras.saving.register_keras_serializable(package="course_lib")
def fourier_magnitude_l1(y_true, y_pred):
    """Per image, ``mean over (u, v, c) of | |F(hole * output)| - |F(hole * clean)| |``, ``F`` the orthonormal 2-D FFT.

    Only what lies in the hole counts; a shift of its content changes the phases,
    not the magnitudes. `y_true` is ``concat(clean, hole)`` on the channel axis.
    """
    clean, hole, y_pred = _split_target(y_true, y_pred)

    def magnitude(images):
        real, imag = real_fft2d(images * hole)
        return keras.ops.sqrt(keras.ops.square(real) + keras.ops.square(imag) + 1e-12)

    return keras.ops.mean(keras.ops.abs(magnitude(y_pred) - magnitude(clean)), axis=(1, 2, 3))


@keras.saving.register_keras_serializable(package="course_lib")
def gradient_l1(y_true, y_pred):
    """Per image, ``sum |grad(composite) - grad(clean)| / (C * sum(hole))`` over horizontal and vertical differences.

    Only differences that touch the hole can be non-zero (the composite is the
    target elsewhere); the normalization is the hole term's of :func:`inpainting_l1_loss`.
    """
    filled, clean, hole = _composite_and_clean(y_true, y_pred)
    error = filled - clean
    across = keras.ops.abs(error[:, :, 1:] - error[:, :, :-1])
    down = keras.ops.abs(error[:, 1:] - error[:, :-1])
    channels = keras.ops.cast(keras.ops.shape(clean)[-1], "float32")
    total = keras.ops.sum(across, axis=(1, 2, 3)) + keras.ops.sum(down, axis=(1, 2, 3))
    return total / keras.ops.maximum(keras.ops.sum(hole, axis=(1, 2, 3)) * channels, 1.0)


#: Side of the uniform window of :func:`ssim_dissimilarity` (scikit-image's default).
SSIM_WINDOW = 7


@keras.saving.register_keras_serializable(package="course_lib")
def ssim_dissimilarity(y_true, y_pred):
    """Per image, the mean over the hole's pixels (and channels) of ``1 - SSIM(composite, clean)``.

    The SSIM map is computed on 7x7 uniform windows with the sample covariance
    (scikit-image's defaults) from the composite, the output with the known
    pixels put back; only windows that fit in the patch count, so a hole pixel
    closer than 3 pixels to the patch's edge is not scored. Inside the patch it
    is the map :func:`course_lib.metrics.ssim_in_mask` averages. `y_true` is
    ``concat(clean, hole)`` on the channel axis.
    """
    filled, clean, hole = _composite_and_clean(y_true, y_pred)
    count = SSIM_WINDOW * SSIM_WINDOW
    sample = count / (count - 1)

    def window_mean(images):
        return keras.ops.average_pool(images, SSIM_WINDOW, strides=1, padding="valid")

    mean_filled, mean_clean = window_mean(filled), window_mean(clean)
    variance_filled = sample * (window_mean(filled * filled) - mean_filled * mean_filled)
    variance_clean = sample * (window_mean(clean * clean) - mean_clean * mean_clean)
    covariance = sample * (window_mean(filled * clean) - mean_filled * mean_clean)
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    similarity = ((2 * mean_filled * mean_clean + c1) * (2 * covariance + c2)
                  / ((mean_filled * mean_filled + mean_clean * mean_clean + c1) * (variance_filled + variance_clean + c2)))
    radius = SSIM_WINDOW // 2
    centres = hole[:, radius:-radius, radius:-radius]
    channels = keras.ops.cast(keras.ops.shape(clean)[-1], "float32")
    return (keras.ops.sum((1.0 - similarity) * centres, axis=(1, 2, 3))
            / keras.ops.maximum(keras.ops.sum(centres, axis=(1, 2, 3)) * channels, 1.0))


#: The terms :class:`InpaintingLoss` can add to :func:`inpainting_l1_loss` (two frequency terms, one structure term).
FREQUENCY_LOSSES = {"fft": fourier_magnitude_l1, "gradient": gradient_l1, "ssim": ssim_dissimilarity}


@keras.saving.register_keras_serializable(package="course_lib")
class InpaintingLoss(keras.losses.Loss):
    """:func:`inpainting_l1_loss` plus ``frequency_loss_weight`` times a frequency term.

    Parameters
    ----------
    frequency_loss : {"fft", "gradient", "ssim"}
        :func:`fourier_magnitude_l1`, :func:`gradient_l1` or
        :func:`ssim_dissimilarity` (see the module's documentation for the formulas).
    frequency_loss_weight : float
        Its weight (0: the L1 loss alone).
    """

    def __init__(self, frequency_loss: str = "fft", frequency_loss_weight: float = 0.0, name: str = "inpainting_loss",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.frequency_loss = check_choice(frequency_loss, "frequency_loss", tuple(FREQUENCY_LOSSES))
        self.frequency_loss_weight = check_positive(frequency_loss_weight, "frequency_loss_weight", allow_zero=True)

    def call(self, y_true, y_pred):
        loss = inpainting_l1_loss(y_true, y_pred)
        if self.frequency_loss_weight:
            loss = loss + self.frequency_loss_weight * FREQUENCY_LOSSES[self.frequency_loss](y_true, y_pred)
        return loss

    def get_config(self):
        return {**super().get_config(), "frequency_loss": self.frequency_loss,
                "frequency_loss_weight": self.frequency_loss_weight}


@keras.saving.register_keras_serializable(package="course_lib")
def hole_psnr_metric(y_true, y_pred):
    """PSNR in dB inside the hole only, of the composite (what ships), per image in [0, 1]."""
    clean, hole, y_pred = _split_target(y_true, y_pred)
    channels = keras.ops.cast(keras.ops.shape(clean)[-1], "float32")
    squared = keras.ops.square(keras.ops.clip(y_pred, 0.0, 1.0) - clean) * hole
    error = keras.ops.sum(squared, axis=(1, 2, 3)) / keras.ops.maximum(keras.ops.sum(hole, axis=(1, 2, 3)) * channels,
                                                                      1.0)
    return -10.0 * keras.ops.log(keras.ops.maximum(error, 1e-12)) / keras.ops.log(10.0)


def compile_inpainting(model, learning_rate: float, *, frequency_loss: str = "fft",
                       frequency_loss_weight: float = 0.0) -> None:
    """Adam, :func:`inpainting_l1_loss` (plus a frequency term when its weight is not 0, see
    :class:`InpaintingLoss`), and the PSNR inside the hole reported beside it."""
    if frequency_loss_weight:
        loss = InpaintingLoss(frequency_loss=frequency_loss, frequency_loss_weight=frequency_loss_weight)
    else:
        loss = inpainting_l1_loss  # exactly the first version's loss, as its checkpoints were compiled
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=[hole_psnr_metric])


@dataclass(frozen=True)
class InpaintingTrainingConfig(TrainingConfig):
    """Everything that defines an inpainting training run.

    Attributes
    ----------
    width, levels, fill_iterations : int
        Of the U-Net (:func:`course_lib.models.inpainting_unet`).
    bottleneck : {"none", "ffc", "dilated"}
        Residual blocks at the U-Net's coarsest level (:func:`~course_lib.models.inpainting_unet`);
        "none" is the first version's network.
    bottleneck_blocks : int
        How many (ignored with ``bottleneck="none"``).
    image_fill : bool
        Give the decoder a smooth fill of the image (:class:`course_lib.models.PyramidFill`);
        False is the first version's network.
    patch_size : int
        Side of the training patches; at least 16 and a multiple of ``2 ** (levels - 1)``.
    coverage : (float, float)
        Fraction of each patch the hole covers.
    max_width : float
        Largest brush width of the stroke holes, in pixels.
    batch_size, steps_per_epoch, epochs, learning_rate, final_learning_rate, schedule, scales, seed, precision :
        As in :class:`course_lib.training.TrainingConfig`.
    frequency_loss : {"fft", "gradient", "ssim"}
        The frequency (or structure) term of :class:`InpaintingLoss`.
    frequency_loss_weight : float
        Its weight; 0 (the default) trains on the L1 loss alone, as the first version did.

    Notes
    -----
    A record written before a field existed (a provenance record or a
    checkpoint's ``state.json``) is read with that field's default, which is
    what those runs did: no bottleneck and the L1 loss alone. Such a checkpoint
    therefore resumes under a configuration that leaves the new fields at their
    defaults.
    """

    width: int = 32
    levels: int = 4
    fill_iterations: int = 16
    patch_size: int = 128
    coverage: tuple = (0.05, 0.35)
    max_width: float = 32.0
    batch_size: int = 16
    bottleneck: str = "none"
    bottleneck_blocks: int = 2
    frequency_loss: str = "fft"
    frequency_loss_weight: float = 0.0
    image_fill: bool = False

    _record_order: ClassVar[tuple] = ("width", "levels", "fill_iterations", "patch_size", "coverage", "max_width")

    def __post_init__(self):
        check_integer(self.width, "width", minimum=1)
        check_integer(self.levels, "levels", minimum=1, maximum=7)
        check_integer(self.fill_iterations, "fill_iterations", minimum=0)
        if len(self.coverage) != 2:
            raise ValueError(f"coverage must be a (low, high) pair; got {self.coverage!r}")
        low = check_in_range(self.coverage[0], "coverage low", 0.0, 1.0)
        check_in_range(self.coverage[1], "coverage high", low, 1.0)
        check_positive(self.max_width, "max_width")
        super().__post_init__()
        if self.patch_size % 2 ** (self.levels - 1):
            raise ValueError(f"patch_size must be a multiple of 2 ** (levels - 1) = {2 ** (self.levels - 1)}; "
                             f"got {self.patch_size}")
        check_choice(self.bottleneck, "bottleneck", BOTTLENECKS)
        check_integer(self.bottleneck_blocks, "bottleneck_blocks", minimum=1)
        if not isinstance(self.image_fill, bool):
            raise ValueError(f"image_fill must be True or False; got {self.image_fill!r}")
        check_choice(self.frequency_loss, "frequency_loss", tuple(FREQUENCY_LOSSES))
        check_positive(self.frequency_loss_weight, "frequency_loss_weight", allow_zero=True)
        object.__setattr__(self, "frequency_loss_weight", float(self.frequency_loss_weight))
        object.__setattr__(self, "coverage", tuple(float(value) for value in self.coverage))
        object.__setattr__(self, "max_width", float(self.max_width))

    def _smallest_patch_size(self) -> int:
        return 16

    def shrunk_for_fast_mode(self) -> "InpaintingTrainingConfig":
        """The same run reduced to 2 epochs of 3 steps of 2 small patches (CI)."""
        return self._shrunk(batch_size=2, patch_size=max(32, 2 ** (self.levels - 1)),
                            max_width=min(self.max_width, 8.0))


def build_inpainting(config: InpaintingTrainingConfig):
    """The untrained RGB U-Net a configuration describes."""
    from ..models import inpainting_unet

    return inpainting_unet(channels=3, width=config.width, levels=config.levels,
                           fill_iterations=config.fill_iterations, bottleneck=config.bottleneck,
                           bottleneck_blocks=config.bottleneck_blocks, image_fill=config.image_fill,
                           seed=config.seed)


#: Layers a network may have beyond its `initial_weights` (a regular expression on the names): the
#: residual blocks of a bottleneck, whose last convolution starts at zero, and the convolutions of the
#: image fill, which start at zero too, so a U-Net given either and started from the same U-Net without
#: them computes exactly what that one did.
ADDED_LAYERS = r"bottleneck_\d+_|image_fill_"


def train_inpainting(
    config: InpaintingTrainingConfig,
    *,
    source: ImageSource | None = None,
    validation_source: ImageSource | None = None,
    folder=None,
    checkpoint_dir=None,
    resume: bool = False,
    initial_weights=None,
    strategy=None,
    callbacks=(),
    checkpoint_extra: dict | None = None,
    replace_finished: bool = False,
    validation: bool = True,
    verbose: int = 1,
) -> TrainingResult:
    """Train an RGB inpainting U-Net on patches with random holes; checkpoint every epoch; resume.

    Parameters
    ----------
    config : InpaintingTrainingConfig
    source : ImageSource, optional
        Training images (default: the bundled training split); loaded in colour
        (:func:`course_lib.training.color_source`).
    validation_source : ImageSource, optional
        Held-out images (:func:`course_lib.training.holdout_split`) that give
        the validation patches; without it they come from the training images.
    folder : str or os.PathLike, optional
        The folder `source` (and `validation_source`) were made from, if any, so
        that they can be read in colour.
    checkpoint_dir, resume, initial_weights, strategy, callbacks, checkpoint_extra, validation, verbose :
        As in :func:`course_lib.training.train_denoiser`.
    replace_finished : bool
        As in :func:`course_lib.training.train_denoiser`.
    """
    if not isinstance(config, InpaintingTrainingConfig):
        raise TypeError(f"config must be an InpaintingTrainingConfig; got {type(config).__name__}")
    if fast_mode():
        config = config.shrunk_for_fast_mode()
    source = color_source(source if source is not None else bundled_source("train"), folder=folder)
    check_patch_size_fits(source, config.patch_size, config.scales)  # before any model is built
    if validation_source is not None:
        validation_source = color_source(validation_source, folder=folder)
    validation_data = None
    if validation:
        validation_data = inpainting_validation_pairs(validation_source if validation_source is not None else source,
                                                      patch_size=config.patch_size,
                                                      count=4 if fast_mode() else 16, coverage=config.coverage,
                                                      max_width=config.max_width)

    def make_dataset(run_config, start_epoch):
        return inpainting_dataset(
            source, patch_size=run_config.patch_size, batch_size=run_config.batch_size,
            steps_per_epoch=run_config.steps_per_epoch, epochs=run_config.epochs, start_epoch=start_epoch,
            seed=run_config.seed, coverage=run_config.coverage, max_width=run_config.max_width,
            scales=run_config.scales)

    return fit_resumable(
        config, build=build_inpainting, make_dataset=make_dataset,
        data_description=source.description + (
            f"; validation patches from {validation_source.description}" if validation_source is not None else ""),
        validation_data=validation_data, checkpoint_dir=checkpoint_dir, resume=resume,
        initial_weights=initial_weights, strategy=strategy, callbacks=callbacks, checkpoint_extra=checkpoint_extra,
        verbose=verbose, replace_finished=replace_finished, added_layers=ADDED_LAYERS,
        compile_model=functools.partial(compile_inpainting, frequency_loss=config.frequency_loss,
                                        frequency_loss_weight=config.frequency_loss_weight),
    )
