"""Training a super-resolution network: configuration and :func:`train_super_resolution`.

The loop itself (schedule, checkpoints, resume, fine-tuning, scale-out) is
:func:`course_lib.training.fit_resumable`; this module says what to build and
which patches to feed it. ``python -m course_lib train sr`` calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .._validation import check_choice, check_integer
from .config import TrainingConfig
from .loop import LOSSES, TrainingResult, compile_for_training, fit_resumable
from .patches import ImageSource, bundled_source, check_patch_size_fits, fast_mode
from .sr_patches import sr_validation_pairs, super_resolution_dataset

__all__ = ["SuperResolutionTrainingConfig", "train_super_resolution", "build_super_resolution"]

_ARCHITECTURES = ("srcnn", "espcn", "vdsr", "edsr")
_EDSR_BLOCKS = ("plain", "wide")  # course_lib.models.EDSR_BLOCKS, without importing Keras


@dataclass(frozen=True)
class SuperResolutionTrainingConfig(TrainingConfig):
    """Everything that defines a super-resolution training run.

    Attributes
    ----------
    architecture : {"srcnn", "espcn", "vdsr", "edsr"}
    scale : {2, 3, 4}
    depth : int
        For ``"vdsr"`` only: convolution layers.
    width : int
        For ``"vdsr"`` and ``"edsr"``: channels of the hidden layers.
    blocks : int
        For ``"edsr"`` only: residual blocks at low resolution.
    block : {"plain", "wide"}
        For ``"edsr"`` only: EDSR's block or WDSR-B's wide-activation block (the same
        arithmetic; see :func:`course_lib.models.edsr`).
    unshuffle : bool
        For ``"vdsr"`` only: run the convolutions at low resolution (pixel
        unshuffle by `scale`), ``scale^2`` times cheaper.
    patch_size : int
        Side of the high-resolution training patches (a multiple of `scale`, at least ``4 * scale``).
    loss : {"mse", "l1"}
        The per-pixel loss minimized (see :func:`course_lib.training.compile_for_training`):
        the mean squared error PSNR measures, or the mean absolute error EDSR trains with.
    batch_size, steps_per_epoch, epochs, learning_rate, final_learning_rate, schedule, scales, seed, precision :
        As in :class:`course_lib.training.TrainingConfig`.
    """

    architecture: str = "vdsr"
    scale: int = 3
    depth: int = 20
    width: int = 64
    blocks: int = 6
    unshuffle: bool = False
    patch_size: int = 48
    block: str = "plain"
    loss: str = "mse"

    _record_order: ClassVar[tuple] = ("architecture", "scale", "depth", "width", "blocks", "unshuffle")

    def __post_init__(self):
        check_choice(self.architecture, "architecture", _ARCHITECTURES)
        check_choice(self.scale, "scale", (2, 3, 4))
        check_integer(self.depth, "depth", minimum=2)
        check_integer(self.width, "width", minimum=1)
        check_integer(self.blocks, "blocks", minimum=0)
        check_choice(self.block, "block", _EDSR_BLOCKS)
        check_choice(self.loss, "loss", LOSSES)
        super().__post_init__()
        if self.patch_size % self.scale:
            raise ValueError(f"patch_size must be a multiple of scale={self.scale}; got {self.patch_size}")
        object.__setattr__(self, "unshuffle", bool(self.unshuffle))

    def _smallest_patch_size(self) -> int:
        return self.scale * 4

    @property
    def low_resolution_input(self) -> bool:
        """ESPCN and EDSR take the low-resolution image; SRCNN and VDSR its bicubic upscaling."""
        return self.architecture in ("espcn", "edsr")

    def shrunk_for_fast_mode(self) -> "SuperResolutionTrainingConfig":
        """The same run reduced to 2 epochs of 3 steps of 4 small patches (CI)."""
        return self._shrunk(batch_size=4, patch_size=self.scale * 8)


def build_super_resolution(config: SuperResolutionTrainingConfig):
    """The untrained network a configuration describes."""
    from ..models import edsr, espcn, srcnn, vdsr

    if config.architecture == "srcnn":
        return srcnn(seed=config.seed)
    if config.architecture == "espcn":
        return espcn(config.scale, seed=config.seed)
    if config.architecture == "edsr":
        return edsr(config.scale, blocks=config.blocks, width=config.width, block=config.block, seed=config.seed)
    return vdsr(depth=config.depth, width=config.width, unshuffle=config.scale if config.unshuffle else 1,
                seed=config.seed)


#: Layers whose weights' shape depends on the scale, by architecture: when `initial_weights`
#: come from another scale they start fresh and every other layer is copied (EDSR's x3 and x4
#: start from its x2 body, as in Lim et al. 2017).
SCALE_DEPENDENT_LAYERS = {"edsr": ("tail",)}

#: Layers a network may have beyond its `initial_weights`, by architecture (a regular
#: expression on the layer names): a deeper EDSR-style network may start from a shallower
#: one of the same width, its first blocks copied and the extra ones fresh. Their last
#: convolution starts near zero, so the deeper network starts as about the shallower one.
ADDED_LAYERS = {"edsr": r"block_\d+_"}


def train_super_resolution(
    config: SuperResolutionTrainingConfig,
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
    """Train an SR network on luma patches; checkpoint every epoch; resume after an interruption.

    The arguments are those of :func:`course_lib.training.train_denoiser` (a
    `validation_source` of held-out images gives the validation patches); the
    training pairs come from :func:`course_lib.training.sr_patches.super_resolution_dataset`.
    """
    if not isinstance(config, SuperResolutionTrainingConfig):
        raise TypeError(f"config must be a SuperResolutionTrainingConfig; got {type(config).__name__}")
    if fast_mode():
        config = config.shrunk_for_fast_mode()
    source = source if source is not None else bundled_source("train")
    check_patch_size_fits(source, config.patch_size, config.scales)  # before any model is built
    validation_data = None
    if validation:
        validation_data = sr_validation_pairs(validation_source if validation_source is not None else source,
                                              scale=config.scale, patch_size=config.patch_size,
                                              low_resolution_input=config.low_resolution_input,
                                              count=8 if fast_mode() else 32)

    def make_dataset(run_config, start_epoch):
        return super_resolution_dataset(
            source, scale=run_config.scale, low_resolution_input=run_config.low_resolution_input,
            patch_size=run_config.patch_size, batch_size=run_config.batch_size,
            steps_per_epoch=run_config.steps_per_epoch, epochs=run_config.epochs, start_epoch=start_epoch,
            seed=run_config.seed, scales=run_config.scales,
        )

    return fit_resumable(
        config, build=build_super_resolution, make_dataset=make_dataset,
        data_description=source.description + " (luma Y / 255)" + (
            f"; validation patches from {validation_source.description}" if validation_source is not None else ""),
        validation_data=validation_data,
        checkpoint_dir=checkpoint_dir, resume=resume, initial_weights=initial_weights, strategy=strategy,
        callbacks=callbacks, checkpoint_extra=checkpoint_extra, verbose=verbose, replace_finished=replace_finished,
        reshaped_layers=SCALE_DEPENDENT_LAYERS.get(config.architecture, ()),
        added_layers=ADDED_LAYERS.get(config.architecture),
        compile_model=lambda model, learning_rate: compile_for_training(model, learning_rate, loss=config.loss),
    )
