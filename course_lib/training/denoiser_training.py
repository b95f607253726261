"""Training a denoiser end to end: configuration, learning-rate schedule, checkpoints, resume.

:func:`train_denoiser` is what ``python -m course_lib train dncnn`` and the
notebooks call. It builds the network (or continues from a checkpoint or from
another model's weights), streams noisy/clean patch pairs from
:mod:`course_lib.training.patches`, and runs ``keras.Model.fit`` with a
learning-rate schedule, an atomic checkpoint after every epoch, and any extra
callbacks (a live plot in a notebook).

Resuming is exact: epoch ``e`` always sees the same patches and noise, and the
checkpoint carries the optimizer's state, so a run interrupted after epoch 7 and
resumed gives the model an uninterrupted run would have (up to floating-point
reduction order).

With ``COURSE_LIB_FAST=1`` in the environment every run shrinks to 2 epochs of
3 small steps, for CI and smoke tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .._validation import check_choice, check_positive
from .config import TrainingConfig
from .loop import TrainingResult, fit_resumable, learning_rate_at
from .patches import ImageSource, bundled_source, check_patch_size_fits, denoising_dataset, fast_mode, validation_pairs

#: The denoiser families :class:`DenoiserTrainingConfig` can build.
DENOISER_ARCHITECTURES = ("dncnn", "ffdnet", "unet")
#: The families that take a noise-level map as a second input.
NOISE_MAP_ARCHITECTURES = ("ffdnet", "unet")

__all__ = ["DENOISER_ARCHITECTURES", "NOISE_MAP_ARCHITECTURES", "DenoiserTrainingConfig", "TrainingResult", "learning_rate_at", "train_denoiser", "build_denoiser"]


@dataclass(frozen=True)
class DenoiserTrainingConfig(TrainingConfig):
    """Everything that defines a denoiser training run (stored in checkpoints and provenance).

    Attributes
    ----------
    sigma : float or (float, float)
        Noise level on the 8-bit scale, or a ``(low, high)`` range for a blind model
        (or, for a noise-map architecture, the range one model learns to serve).
    architecture : {"dncnn", "ffdnet", "unet"}
        The family: :func:`course_lib.models.dncnn` (full resolution, or
        pixel-unshuffled with `unshuffle`), :func:`course_lib.models.ffdnet` or
        :func:`course_lib.models.residual_unet`. The last two take a noise-level
        map as a second input.
    depth, width, batch_norm, residual, unshuffle :
        The architecture (see :func:`course_lib.models.dncnn`); `depth`, `width`
        and `residual` also shape FFDNet.
    widths, blocks :
        The U-Net's channels per level and residual blocks per level
        (see :func:`course_lib.models.residual_unet`).
    patch_size, batch_size, steps_per_epoch, epochs, learning_rate, final_learning_rate, schedule, scales, seed, precision :
        As in :class:`course_lib.training.TrainingConfig`; `patch_size` is at
        least 8 and a multiple of :attr:`size_multiple`.
    """

    sigma: object = 25.0
    architecture: str = "dncnn"
    depth: int = 17
    width: int = 64
    batch_norm: bool = True
    residual: bool = True
    unshuffle: int = 1
    widths: tuple = (32, 64, 128, 256)
    blocks: int = 1

    _record_order: ClassVar[tuple] = (
        "sigma", "architecture", "depth", "width", "batch_norm", "residual", "unshuffle", "widths", "blocks")

    def __post_init__(self):
        sigma = self.sigma
        if isinstance(sigma, (list, tuple)):
            object.__setattr__(self, "sigma", tuple(float(value) for value in sigma))
        else:
            object.__setattr__(self, "sigma", check_positive(sigma, "sigma"))
        object.__setattr__(self, "widths", tuple(int(value) for value in self.widths))
        check_choice(self.architecture, "architecture", DENOISER_ARCHITECTURES)
        super().__post_init__()
        multiple = self.size_multiple
        if self.patch_size % multiple:
            raise ValueError(f"patch_size must be a multiple of {multiple} for this architecture; "
                             f"got {self.patch_size}")

    @property
    def noise_map(self) -> bool:
        """True when the network takes a noise-level map as a second input."""
        return self.architecture in NOISE_MAP_ARCHITECTURES

    @property
    def size_multiple(self) -> int:
        """What patch sides must be multiples of."""
        if self.architecture == "ffdnet":
            return 2
        if self.architecture == "unet":
            return 2 ** (len(self.widths) - 1)
        return self.unshuffle

    @property
    def blind(self) -> bool:
        return isinstance(self.sigma, tuple)

    def shrunk_for_fast_mode(self) -> "DenoiserTrainingConfig":
        """The same run, reduced to 2 epochs of 3 steps of 4 small patches (CI)."""
        return self._shrunk(batch_size=4, patch_size=min(self.patch_size, max(16, self.size_multiple * 8)))


def build_denoiser(config: DenoiserTrainingConfig):
    """The untrained network a configuration describes."""
    from ..models.denoisers import dncnn
    from ..models.noise_map_denoisers import ffdnet, residual_unet

    if config.architecture == "ffdnet":
        return ffdnet(depth=config.depth, width=config.width, residual=config.residual, seed=config.seed)
    if config.architecture == "unet":
        return residual_unet(widths=config.widths, blocks=config.blocks, residual=config.residual, seed=config.seed)
    return dncnn(depth=config.depth, width=config.width, batch_norm=config.batch_norm,
                 residual=config.residual, unshuffle=config.unshuffle, seed=config.seed)



def train_denoiser(
    config: DenoiserTrainingConfig,
    *,
    source: ImageSource | None = None,
    validation_source: ImageSource | None = None,
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
    """Train a denoiser; checkpoint every epoch; resume after an interruption.

    Parameters
    ----------
    config : DenoiserTrainingConfig
        What to train. Under ``COURSE_LIB_FAST=1`` it is shrunk first.
    source : ImageSource, optional
        Training images. Default: the bundled training split
        (:func:`course_lib.training.patches.bundled_source`).
    validation_source : ImageSource, optional
        Images that training never sees, to cut the validation patches from
        (:func:`course_lib.training.patches.holdout_split`). Default: the training
        images themselves (the patches then measure the fit, not generalization).
    checkpoint_dir : str or os.PathLike, optional
        Folder for the per-epoch checkpoint. Without it nothing is saved.
    resume : bool
        Continue from the checkpoint in `checkpoint_dir`. Without it an existing
        checkpoint there is an error (so no work is overwritten by accident).
    initial_weights : str or os.PathLike, optional
        A ``.keras`` model of the same architecture to start from (fine-tuning,
        for example a sigma=15 model started from the sigma=25 one).
    strategy : tf.distribute.Strategy, optional
        Build and train the model under this strategy (for example
        ``tf.distribute.MirroredStrategy()`` over several GPUs or CPU devices);
        `batch_size` is then the global batch, split across the replicas.
    callbacks : sequence of keras.callbacks.Callback
        Extra callbacks (a :class:`LiveTrainingPlot` in a notebook).
    checkpoint_extra : dict, optional
        More fields for the checkpoint's ``state.json`` (the command line keeps
        the list of commands that trained the model there).
    replace_finished : bool
        Without `resume`, start over in a `checkpoint_dir` whose checkpoint is of
        a finished run (all its epochs done), replacing it epoch by epoch; an
        unfinished run's checkpoint is still an error.
    validation : bool
        Report loss and PSNR on 32 fixed validation patches after each epoch.
    verbose : int
        Keras' progress output: 0 silent, 1 progress bar, 2 one line per epoch.

    Returns
    -------
    TrainingResult
        The trained model, the configuration actually used, the per-epoch
        history (of all sessions when resumed) and the training time.
    """
    if not isinstance(config, DenoiserTrainingConfig):
        raise TypeError(f"config must be a DenoiserTrainingConfig; got {type(config).__name__}")
    if fast_mode():
        config = config.shrunk_for_fast_mode()
    source = source if source is not None else bundled_source("train")
    check_patch_size_fits(source, config.patch_size, config.scales)  # before any model is built
    validation_data = None
    if validation:
        validation_data = validation_pairs(validation_source if validation_source is not None else source,
                                           sigma=config.sigma, patch_size=config.patch_size,
                                           count=8 if fast_mode() else 32, noise_map=config.noise_map)

    def make_dataset(run_config, start_epoch):
        return denoising_dataset(
            source, sigma=run_config.sigma, patch_size=run_config.patch_size, batch_size=run_config.batch_size,
            steps_per_epoch=run_config.steps_per_epoch, epochs=run_config.epochs, start_epoch=start_epoch,
            seed=run_config.seed, scales=run_config.scales, noise_map=run_config.noise_map,
        )

    return fit_resumable(
        config, build=build_denoiser, make_dataset=make_dataset,
        data_description=source.description + (
            f"; validation patches from {validation_source.description}" if validation_source is not None else ""),
        validation_data=validation_data, checkpoint_dir=checkpoint_dir,
        resume=resume, initial_weights=initial_weights, strategy=strategy, callbacks=callbacks,
        checkpoint_extra=checkpoint_extra, verbose=verbose, replace_finished=replace_finished,
    )
