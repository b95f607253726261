"""Training the course's networks: denoisers, super-resolution and inpainting networks.

Each task has its patch pipeline, its configuration (a :class:`TrainingConfig`
with the task's own fields) and its ``train_*`` function; all three share one
resumable training loop, its checkpoints and its callbacks. Self-supervised
denoising (Noise2Noise, Noise2Void) is here too.

This subpackage sits above :mod:`course_lib.models` (it builds and fits them) and
below the command line. Importing it imports Keras.

- :mod:`.patches`: the image sources every task reads (bundled split or your folder,
  a held-out validation split), the denoisers' seeded streamed patch generator and
  ``tf.data`` pipeline that adds noise on the fly, the CI fast mode;
- :mod:`.callbacks`: a PSNR metric, atomic checkpoints, a live plot, epoch timing;
- :mod:`.config`: :class:`TrainingConfig`, the fields every run shares (length, batch,
  patch size, learning-rate schedule, seed, precision), their checks and their record;
- :mod:`.loop`: the shared training loop (schedule, checkpoints, exact resume,
  fine-tuning, ``tf.distribute``);
- :mod:`.denoiser_training`: the denoiser's configuration and :func:`train_denoiser`;
- :mod:`.sr_patches`, :mod:`.super_resolution_training`: aligned low-/high-resolution
  luma patches and :func:`train_super_resolution`;
- :mod:`.inpainting_patches`, :mod:`.inpainting_training`: colour patches with random
  holes, the hole-weighted L1 loss (and its optional frequency term) and :func:`train_inpainting`;
- :mod:`.self_supervised`: Noise2Noise pairs, Noise2Void blind spots and masked loss, and
  :func:`train_self_supervised` (supervised, Noise2Noise or Noise2Void on the same patches).
"""

from .config import TrainingConfig
from .callbacks import EpochTimer, LiveTrainingPlot, TrainingCheckpoint, psnr_metric, write_json_atomically
from .denoiser_training import DenoiserTrainingConfig, build_denoiser, train_denoiser
from .sr_patches import luma_from_gray, sr_patch_generator, sr_validation_pairs, super_resolution_dataset
from .super_resolution_training import (
    SuperResolutionTrainingConfig,
    build_super_resolution,
    train_super_resolution,
)
from .inpainting_patches import (
    color_source,
    inpainting_dataset,
    inpainting_patch_generator,
    inpainting_validation_pairs,
    hole_bank,
    training_hole,
)
from .inpainting_training import (
    InpaintingTrainingConfig,
    build_inpainting,
    compile_inpainting,
    hole_psnr_metric,
    inpainting_l1_loss,
    train_inpainting,
)
from .loop import (
    CheckpointFinishedError,
    CheckpointMismatchError,
    LOSSES,
    TrainingResult,
    compile_for_training,
    fit_resumable,
    learning_rate_at,
)
from .self_supervised import (
    SELF_SUPERVISED_METHODS,
    SelfSupervisedRun,
    blind_spot_masking,
    masked_mse,
    masked_mse_loss,
    noise2noise_pairs,
    replace_blind_spots,
    train_self_supervised,
    training_pairs,
)
from .patches import (
    FAST_MODE_VARIABLE,
    ImageSource,
    bundled_source,
    check_patch_size_fits,
    denoising_dataset,
    fast_mode,
    folder_source,
    holdout_split,
    preloaded,
    patch_generator,
    validation_pairs,
)

__all__ = [
    "InpaintingTrainingConfig",
    "train_inpainting",
    "build_inpainting",
    "compile_inpainting",
    "inpainting_l1_loss",
    "hole_psnr_metric",
    "color_source",
    "training_hole",
    "hole_bank",
    "inpainting_patch_generator",
    "inpainting_dataset",
    "inpainting_validation_pairs",
    "SuperResolutionTrainingConfig",
    "train_super_resolution",
    "build_super_resolution",
    "super_resolution_dataset",
    "sr_patch_generator",
    "sr_validation_pairs",
    "luma_from_gray",
    "TrainingConfig",
    "DenoiserTrainingConfig",
    "TrainingResult",
    "train_denoiser",
    "build_denoiser",
    "learning_rate_at",
    "fit_resumable",
    "CheckpointMismatchError",
    "CheckpointFinishedError",
    "compile_for_training",
    "LOSSES",
    "ImageSource",
    "bundled_source",
    "folder_source",
    "holdout_split",
    "preloaded",
    "patch_generator",
    "check_patch_size_fits",
    "denoising_dataset",
    "validation_pairs",
    "fast_mode",
    "FAST_MODE_VARIABLE",
    "psnr_metric",
    "TrainingCheckpoint",
    "LiveTrainingPlot",
    "EpochTimer",
    "write_json_atomically",
    "SELF_SUPERVISED_METHODS",
    "noise2noise_pairs",
    "replace_blind_spots",
    "blind_spot_masking",
    "masked_mse",
    "masked_mse_loss",
    "training_pairs",
    "SelfSupervisedRun",
    "train_self_supervised",
]
