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

import math
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from .._validation import check_choice, check_integer, check_positive
from .callbacks import EpochTimer, TrainingCheckpoint, psnr_metric
from .patches import ImageSource, bundled_source, denoising_dataset, fast_mode, validation_pairs

__all__ = ["DenoiserTrainingConfig", "TrainingResult", "learning_rate_at", "train_denoiser", "build_denoiser"]


@dataclass(frozen=True)
class DenoiserTrainingConfig:
    """Everything that defines a denoiser training run (stored in checkpoints and provenance).

    Attributes
    ----------
    sigma : float or (float, float)
        Noise level on the 8-bit scale, or a ``(low, high)`` range for a blind model.
    depth, width, batch_norm, residual, unshuffle :
        The architecture (see :func:`course_lib.models.dncnn`).
    patch_size, batch_size, steps_per_epoch, epochs : int
        Data per step and length of the run.
    learning_rate, final_learning_rate : float
        Adam's step size at the start and at the last epoch.
    schedule : {"cosine", "step", "constant"}
        How the step size goes from `learning_rate` to `final_learning_rate`:
        a half cosine, a drop by 10x for the last quarter of the epochs, or not at all.
    scales : tuple of float
        Rescaling augmentation of the training images.
    seed : int
        Seeds the weights, the patches and the noise.
    """

    sigma: object = 25.0
    depth: int = 17
    width: int = 64
    batch_norm: bool = True
    residual: bool = True
    unshuffle: int = 1
    patch_size: int = 64
    batch_size: int = 32
    steps_per_epoch: int = 200
    epochs: int = 10
    learning_rate: float = 1e-3
    final_learning_rate: float = 1e-5
    schedule: str = "cosine"
    scales: tuple = (1.0, 0.9, 0.8, 0.7)
    seed: int = 0

    def __post_init__(self):
        sigma = self.sigma
        if isinstance(sigma, (list, tuple)):
            object.__setattr__(self, "sigma", tuple(float(value) for value in sigma))
        else:
            object.__setattr__(self, "sigma", check_positive(sigma, "sigma"))
        object.__setattr__(self, "scales", tuple(float(value) for value in self.scales))
        check_integer(self.epochs, "epochs", minimum=1)
        check_integer(self.steps_per_epoch, "steps_per_epoch", minimum=1)
        check_integer(self.batch_size, "batch_size", minimum=1)
        check_integer(self.patch_size, "patch_size", minimum=8)
        check_positive(self.learning_rate, "learning_rate")
        check_positive(self.final_learning_rate, "final_learning_rate")
        check_choice(self.schedule, "schedule", ("cosine", "step", "constant"))
        if self.unshuffle > 1 and self.patch_size % self.unshuffle:
            raise ValueError(f"patch_size must be a multiple of unshuffle={self.unshuffle}; got {self.patch_size}")

    @property
    def blind(self) -> bool:
        return isinstance(self.sigma, tuple)

    def shrunk_for_fast_mode(self) -> "DenoiserTrainingConfig":
        """The same run, reduced to 2 epochs of 3 steps of 4 small patches (CI)."""
        patch = max(16, self.unshuffle * 8)
        return replace(self, epochs=min(self.epochs, 2), steps_per_epoch=min(self.steps_per_epoch, 3),
                       batch_size=min(self.batch_size, 4), patch_size=min(self.patch_size, patch))

    def to_dict(self) -> dict:
        record = asdict(self)
        record["sigma"] = list(self.sigma) if self.blind else self.sigma
        record["scales"] = list(self.scales)
        return record

    @classmethod
    def from_dict(cls, record: dict) -> "DenoiserTrainingConfig":
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in record.items() if key in known})


@dataclass
class TrainingResult:
    """What :func:`train_denoiser` returns."""

    model: object
    config: DenoiserTrainingConfig
    history: dict = field(default_factory=dict)
    seconds: float = 0.0
    epochs_run: int = 0
    resumed_from_epoch: int = 0

    @property
    def megapixels_seen(self) -> float:
        """Patch pixels processed over the whole run (all sessions)."""
        epochs = len(next(iter(self.history.values()), []))
        config = self.config
        return epochs * config.steps_per_epoch * config.batch_size * config.patch_size**2 / 1e6


def learning_rate_at(config: DenoiserTrainingConfig, epoch: int) -> float:
    """Adam's step size during `epoch` (0-based) under the configuration's schedule."""
    start, end, epochs = config.learning_rate, config.final_learning_rate, config.epochs
    if config.schedule == "constant" or epochs == 1:
        return start
    if config.schedule == "step":
        return start if epoch < math.ceil(0.75 * epochs) else start / 10
    progress = min(1.0, epoch / (epochs - 1))
    return end + 0.5 * (start - end) * (1 + math.cos(math.pi * progress))


def build_denoiser(config: DenoiserTrainingConfig):
    """The untrained network a configuration describes."""
    from ..models.denoisers import dncnn

    return dncnn(depth=config.depth, width=config.width, batch_norm=config.batch_norm,
                 residual=config.residual, unshuffle=config.unshuffle, seed=config.seed)


def _compile(model, config: DenoiserTrainingConfig) -> None:
    import keras

    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="mse", metrics=[psnr_metric])


def _architecture(config: DenoiserTrainingConfig) -> tuple:
    return config.depth, config.width, config.batch_norm, config.residual, config.unshuffle


def train_denoiser(
    config: DenoiserTrainingConfig,
    *,
    source: ImageSource | None = None,
    checkpoint_dir=None,
    resume: bool = False,
    initial_weights=None,
    strategy=None,
    callbacks=(),
    checkpoint_extra: dict | None = None,
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
    import contextlib

    from ..models.saving import load_model

    if not isinstance(config, DenoiserTrainingConfig):
        raise TypeError(f"config must be a DenoiserTrainingConfig; got {type(config).__name__}")
    if fast_mode():
        config = config.shrunk_for_fast_mode()
    source = source if source is not None else bundled_source("train")
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()

    start_epoch, history, seconds_before = 0, {}, 0.0
    state = TrainingCheckpoint.read_state(checkpoint_dir) if checkpoint_dir is not None else None
    if state is not None and not resume:
        raise FileExistsError(
            f"checkpoint_dir {str(checkpoint_dir)!r} holds a checkpoint of {state.get('epoch')} epoch(s); "
            "pass resume=True (--resume) to continue it, or choose another folder"
        )
    if resume and state is None:
        raise FileNotFoundError(f"resume=True but there is no checkpoint in {str(checkpoint_dir)!r}")
    with scope:
        if state is not None:
            saved = DenoiserTrainingConfig.from_dict(state["config"])
            if _architecture(saved) != _architecture(config) or saved.sigma != config.sigma:
                raise ValueError(
                    f"the checkpoint in {str(checkpoint_dir)!r} was trained with a different configuration "
                    f"({saved.to_dict()}); resume with the same options"
                )
            config = replace(saved, epochs=config.epochs)
            start_epoch, history = int(state["epoch"]), state.get("history", {})
            seconds_before = float(state.get("seconds", 0.0))
            if start_epoch >= config.epochs:
                raise ValueError(
                    f"the checkpoint has already completed {start_epoch} of {config.epochs} epochs; "
                    "raise epochs to train longer"
                )
            model = load_model(Path(checkpoint_dir) / state["checkpoint"], compile=True)
        else:
            model = build_denoiser(config)
            if initial_weights is not None:
                donor = load_model(initial_weights)
                try:
                    model.set_weights(donor.get_weights())
                except ValueError:
                    raise ValueError(
                        f"initial_weights {str(initial_weights)!r} has a different architecture "
                        f"({donor.count_params():,} parameters) from the configuration's "
                        f"({model.count_params():,})"
                    ) from None
            _compile(model, config)

    dataset = denoising_dataset(
        source, sigma=config.sigma, patch_size=config.patch_size, batch_size=config.batch_size,
        steps_per_epoch=config.steps_per_epoch, epochs=config.epochs, start_epoch=start_epoch,
        seed=config.seed, scales=config.scales,
    )
    import keras

    all_callbacks = [EpochTimer(), keras.callbacks.LearningRateScheduler(lambda epoch: learning_rate_at(config, epoch))]
    if checkpoint_dir is not None:
        record = {"config": config.to_dict(), "data": source.description, **(checkpoint_extra or {})}
        all_callbacks.append(TrainingCheckpoint(checkpoint_dir, state=record, history=history, seconds=seconds_before))
    all_callbacks.extend(callbacks)
    validation_data = None
    if validation:
        validation_data = validation_pairs(source, sigma=config.sigma, patch_size=config.patch_size,
                                           count=8 if fast_mode() else 32)
    started = time.perf_counter()
    fitted = model.fit(
        dataset, epochs=config.epochs, initial_epoch=start_epoch, steps_per_epoch=config.steps_per_epoch,
        validation_data=validation_data, callbacks=all_callbacks, verbose=verbose, shuffle=False,
    )
    seconds = time.perf_counter() - started
    merged = {key: list(values) for key, values in history.items()}
    for key, values in fitted.history.items():
        merged.setdefault(key, []).extend(float(value) for value in values)
    return TrainingResult(model=model, config=config, history=merged, seconds=seconds_before + seconds,
                          epochs_run=config.epochs - start_epoch, resumed_from_epoch=start_epoch)
