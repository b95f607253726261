"""Training an inpainting generator: configuration, its loss, and :func:`train_inpainting`.

The generator (:func:`course_lib.models.inpainting_unet`) is trained on the
reconstruction loss of Liu et al. (2018) restricted to its two pixel terms, an
L1 error inside the hole weighted 6 and outside it weighted 1:

.. math::

    L = 6 \\frac{\\sum |h \\odot (\\hat y - y)|}{C \\sum h}
        + \\frac{\\sum |(1 - h) \\odot (\\hat y - y)|}{C \\sum (1 - h)},

with ``h`` the hole (1 = missing), ``y`` the clean patch and ``C`` its channels.
The loop is :func:`course_lib.training.fit_resumable` (schedule, checkpoints,
exact resume, fine-tuning). The adversarial refinement of notebook 08
(:class:`course_lib.models.InpaintingGAN`) starts from a generator trained here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

import keras

from .._validation import check_in_range, check_integer, check_positive, check_choice
from ..models.precision import PRECISIONS
from .inpainting_patches import color_source, inpainting_dataset, inpainting_validation_pairs
from .loop import TrainingResult, fit_resumable
from .patches import ImageSource, bundled_source, check_patch_size_fits, fast_mode

__all__ = [
    "InpaintingTrainingConfig",
    "train_inpainting",
    "build_inpainting",
    "inpainting_l1_loss",
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


@keras.saving.register_keras_serializable(package="course_lib")
def hole_psnr_metric(y_true, y_pred):
    """PSNR in dB inside the hole only, of the composite (what ships), per image in [0, 1]."""
    clean, hole, y_pred = _split_target(y_true, y_pred)
    channels = keras.ops.cast(keras.ops.shape(clean)[-1], "float32")
    squared = keras.ops.square(keras.ops.clip(y_pred, 0.0, 1.0) - clean) * hole
    error = keras.ops.sum(squared, axis=(1, 2, 3)) / keras.ops.maximum(keras.ops.sum(hole, axis=(1, 2, 3)) * channels,
                                                                      1.0)
    return -10.0 * keras.ops.log(keras.ops.maximum(error, 1e-12)) / keras.ops.log(10.0)


def compile_inpainting(model, learning_rate: float) -> None:
    """Adam, :func:`inpainting_l1_loss`, and the PSNR inside the hole reported beside it."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=inpainting_l1_loss,
                  metrics=[hole_psnr_metric])


@dataclass(frozen=True)
class InpaintingTrainingConfig:
    """Everything that defines an inpainting training run.

    Attributes
    ----------
    width, levels, fill_iterations : int
        Of the U-Net (:func:`course_lib.models.inpainting_unet`).
    patch_size : int
        Side of the training patches; a multiple of ``2 ** (levels - 1)``.
    coverage : (float, float)
        Fraction of each patch the hole covers.
    max_width : float
        Largest brush width of the stroke holes, in pixels.
    batch_size, steps_per_epoch, epochs, learning_rate, final_learning_rate, schedule, scales, seed, precision :
        As in :class:`course_lib.training.DenoiserTrainingConfig`.
    """

    width: int = 32
    levels: int = 4
    fill_iterations: int = 16
    patch_size: int = 128
    coverage: tuple = (0.05, 0.35)
    max_width: float = 32.0
    batch_size: int = 16
    steps_per_epoch: int = 200
    epochs: int = 10
    learning_rate: float = 1e-3
    final_learning_rate: float = 1e-5
    schedule: str = "cosine"
    scales: tuple = (1.0, 0.9, 0.8, 0.7)
    seed: int = 0
    precision: str = "float32"

    def __post_init__(self):
        check_integer(self.width, "width", minimum=1)
        check_integer(self.levels, "levels", minimum=1, maximum=7)
        check_integer(self.fill_iterations, "fill_iterations", minimum=0)
        check_integer(self.patch_size, "patch_size", minimum=16)
        if self.patch_size % 2 ** (self.levels - 1):
            raise ValueError(f"patch_size must be a multiple of 2 ** (levels - 1) = {2 ** (self.levels - 1)}; "
                             f"got {self.patch_size}")
        if len(self.coverage) != 2:
            raise ValueError(f"coverage must be a (low, high) pair; got {self.coverage!r}")
        low = check_in_range(self.coverage[0], "coverage low", 0.0, 1.0)
        check_in_range(self.coverage[1], "coverage high", low, 1.0)
        check_positive(self.max_width, "max_width")
        check_integer(self.epochs, "epochs", minimum=1)
        check_integer(self.steps_per_epoch, "steps_per_epoch", minimum=1)
        check_integer(self.batch_size, "batch_size", minimum=1)
        check_positive(self.learning_rate, "learning_rate")
        check_positive(self.final_learning_rate, "final_learning_rate")
        check_choice(self.schedule, "schedule", ("cosine", "step", "constant"))
        check_choice(self.precision, "precision", PRECISIONS)
        object.__setattr__(self, "coverage", tuple(float(value) for value in self.coverage))
        object.__setattr__(self, "scales", tuple(float(value) for value in self.scales))
        object.__setattr__(self, "max_width", float(self.max_width))

    def shrunk_for_fast_mode(self) -> "InpaintingTrainingConfig":
        """The same run reduced to 2 epochs of 3 steps of 2 small patches (CI)."""
        side = max(32, 2 ** (self.levels - 1))
        return replace(self, epochs=min(self.epochs, 2), steps_per_epoch=min(self.steps_per_epoch, 3),
                       batch_size=min(self.batch_size, 2), patch_size=side, max_width=min(self.max_width, 8.0))

    def to_dict(self) -> dict:
        record = asdict(self)
        record["coverage"] = list(self.coverage)
        record["scales"] = list(self.scales)
        return record

    @classmethod
    def from_dict(cls, record: dict) -> "InpaintingTrainingConfig":
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in record.items() if key in known})


def build_inpainting(config: InpaintingTrainingConfig):
    """The untrained RGB U-Net a configuration describes."""
    from ..models import inpainting_unet

    return inpainting_unet(channels=3, width=config.width, levels=config.levels,
                           fill_iterations=config.fill_iterations, seed=config.seed)


def train_inpainting(
    config: InpaintingTrainingConfig,
    *,
    source: ImageSource | None = None,
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
    folder : str or os.PathLike, optional
        The folder `source` was made from, if any (so it can be read in colour).
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
    validation_data = None
    if validation:
        validation_data = inpainting_validation_pairs(source, patch_size=config.patch_size,
                                                      count=4 if fast_mode() else 16, coverage=config.coverage,
                                                      max_width=config.max_width)

    def make_dataset(run_config, start_epoch):
        return inpainting_dataset(
            source, patch_size=run_config.patch_size, batch_size=run_config.batch_size,
            steps_per_epoch=run_config.steps_per_epoch, epochs=run_config.epochs, start_epoch=start_epoch,
            seed=run_config.seed, coverage=run_config.coverage, max_width=run_config.max_width,
            scales=run_config.scales)

    return fit_resumable(
        config, build=build_inpainting, make_dataset=make_dataset, data_description=source.description,
        validation_data=validation_data, checkpoint_dir=checkpoint_dir, resume=resume,
        initial_weights=initial_weights, strategy=strategy, callbacks=callbacks, checkpoint_extra=checkpoint_extra,
        verbose=verbose, compile_model=compile_inpainting, replace_finished=replace_finished,
    )
