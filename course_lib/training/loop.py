"""The training loop every course model shares: schedule, checkpoints, resume, fine-tuning, scale-out.

:func:`fit_resumable` is task-agnostic. A task (denoising, super-resolution,
inpainting) gives it a configuration and two functions: one that builds the
untrained network and one that makes the ``tf.data`` pipeline from a start
epoch (and, if the defaults do not fit, how to compile the network and whether
a saved configuration is the same run). Everything else is here, once:

- Adam with a per-epoch learning-rate schedule (:func:`learning_rate_at`);
- an atomic checkpoint after every epoch (:class:`~.callbacks.TrainingCheckpoint`),
  and exact resumption: the data of epoch ``e`` depend only on the seed and ``e``,
  and the checkpoint carries the optimizer state;
- starting from another model's weights (fine-tuning);
- building and training under a ``tf.distribute`` strategy.

A configuration is a :class:`~.config.TrainingConfig` (its fields ``epochs``,
``steps_per_epoch``, ``batch_size``, ``patch_size``, ``learning_rate``,
``final_learning_rate``, ``schedule``, ``precision`` and its methods ``to_dict`` /
``from_dict`` are what the loop uses) extended with the task's own fields.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .._validation import check_choice
from .callbacks import EpochTimer, TrainingCheckpoint, psnr_metric

__all__ = ["TrainingResult", "learning_rate_at", "fit_resumable", "compile_for_training", "LOSSES",
           "RESUMABLE_CHANGES", "CheckpointMismatchError", "CheckpointFinishedError"]


class CheckpointMismatchError(ValueError):
    """A checkpoint cannot be continued: it was trained with other settings.

    Attributes
    ----------
    folder : pathlib.Path
        The checkpoint folder.
    differences : dict
        ``{field: (value in the checkpoint, value asked for)}`` for every
        configuration field that differs (and may not change on resume).
    """

    def __init__(self, message: str, *, folder, differences: dict):
        super().__init__(message)
        self.folder = Path(folder)
        self.differences = dict(differences)


class CheckpointFinishedError(ValueError):
    """A checkpoint has already run all its epochs, so resuming it would train nothing.

    Attributes
    ----------
    folder : pathlib.Path
    epoch : int
        Epochs the checkpoint completed.
    epochs : int
        Epochs the resumed run asks for.
    """

    def __init__(self, message: str, *, folder, epoch: int, epochs: int):
        super().__init__(message)
        self.folder = Path(folder)
        self.epoch = int(epoch)
        self.epochs = int(epochs)


@dataclass
class TrainingResult:
    """What a training run returns: the model, the configuration used, the history, the time."""

    model: object
    config: object
    history: dict = field(default_factory=dict)
    seconds: float = 0.0
    epochs_run: int = 0
    resumed_from_epoch: int = 0

    @property
    def megapixels_seen(self) -> float:
        """Training patch pixels processed over the whole run (all sessions)."""
        epochs = len(next(iter(self.history.values()), []))
        config = self.config
        return epochs * config.steps_per_epoch * config.batch_size * config.patch_size**2 / 1e6


def learning_rate_at(config, epoch: int) -> float:
    """Adam's step size during `epoch` (0-based) under the configuration's schedule.

    ``"cosine"``: ``end + (start - end) (1 + cos(pi e / (E - 1))) / 2``, from
    `learning_rate` at the first epoch to `final_learning_rate` at the last;
    ``"step"``: `learning_rate`, divided by 10 for the last quarter of the epochs;
    ``"constant"``: `learning_rate` throughout.
    """
    start, end, epochs = config.learning_rate, config.final_learning_rate, config.epochs
    if config.schedule == "constant" or epochs == 1:
        return start
    if config.schedule == "step":
        return start if epoch < math.ceil(0.75 * epochs) else start / 10
    progress = min(1.0, epoch / (epochs - 1))
    return end + 0.5 * (start - end) * (1 + math.cos(math.pi * progress))


#: The per-pixel losses a run may minimize (:func:`compile_for_training`).
LOSSES = ("mse", "l1")


def compile_for_training(model, learning_rate: float, loss: str = "mse") -> None:
    """Adam, a per-pixel loss, and PSNR reported beside the loss.

    `loss` is ``"mse"``, the mean squared error :math:`\\frac{1}{N}\\sum_i (\\hat y_i - y_i)^2`
    that PSNR measures, or ``"l1"``, the mean absolute error
    :math:`\\frac{1}{N}\\sum_i |\\hat y_i - y_i|`, which EDSR and its successors train
    super-resolution with: its gradient does not shrink with the error, so small
    errors on edges keep being corrected late in training.
    """
    import keras

    check_choice(loss, "loss", LOSSES)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="mean_absolute_error" if loss == "l1" else "mse", metrics=[psnr_metric])


def _load_initial_weights(model, initial_weights, reshaped_layers=(), added_layers=None) -> None:
    """Copy `initial_weights`' weights into `model`, layer by layer.

    The same architecture copies whole. Otherwise layers are matched by name: every
    layer of `model` that has weights must find its namesake in the donor with the
    same weight shapes, except

    - the layers named in `reshaped_layers` (a super-resolution network's output
      convolution, whose shape depends on the scale), which keep their fresh
      initialization when their shapes differ, and
    - the layers whose names match the regular expression `added_layers` and that the
      donor lacks (the extra residual blocks of a deeper network started from a
      shallower one), which keep their fresh initialization too.

    Every layer of the donor must be used. Anything else is a different architecture
    and raises ``ValueError``.
    """
    from ..models.saving import load_model

    donor = load_model(initial_weights)
    try:
        model.set_weights(donor.get_weights())
        return
    except ValueError:
        pass
    donor_layers = {layer.name: layer for layer in donor.layers if layer.weights}
    mismatched, fresh, added = [], [], []
    for layer in model.layers:
        if not layer.weights:
            continue
        namesake = donor_layers.get(layer.name)
        if namesake is None and added_layers is not None and re.match(added_layers, layer.name):
            added.append(layer.name)
            continue
        same_shapes = namesake is not None and [tuple(weight.shape) for weight in namesake.weights] == [
            tuple(weight.shape) for weight in layer.weights]
        if same_shapes:
            continue
        (fresh if namesake is not None and layer.name in reshaped_layers else mismatched).append(layer.name)
    unused = set(donor_layers) - {layer.name for layer in model.layers if layer.weights}
    if mismatched or unused:
        raise ValueError(
            f"initial_weights {str(initial_weights)!r} has a different architecture "
            f"({donor.count_params():,} parameters) from the configuration's ({model.count_params():,})"
        )
    for layer in model.layers:
        if layer.weights and layer.name not in fresh and layer.name not in added:
            layer.set_weights(donor_layers[layer.name].get_weights())
    if fresh:
        print(f"note: started from {str(initial_weights)!r}; layer(s) {', '.join(fresh)} start fresh "
              "(their shape depends on the scale)", flush=True)
    if added:
        print(f"note: started from {str(initial_weights)!r}; the {len(added)} layer(s) it lacks "
              f"({', '.join(added)}) start fresh", flush=True)


#: What may change when a checkpoint is continued: the length of the run, its learning-rate
#: schedule, and the precision it computes in.
RESUMABLE_CHANGES = ("epochs", "learning_rate", "final_learning_rate", "schedule", "precision")


def _with_schedule_of(saved, config):
    """`saved` with what `config` may change (:data:`RESUMABLE_CHANGES`): length, schedule, precision."""
    return replace(saved, **{name: getattr(config, name) for name in RESUMABLE_CHANGES})


def _in_precision_with_optimizer_state(model, precision: str, compile_model: Callable = compile_for_training):
    """`model` rebuilt to compute in `precision`, compiled, with its optimizer's state copied.

    Weights and Adam's moment estimates are float32 in every precision, so a run
    continued in another precision carries on from exactly the same state.
    """
    import keras

    from ..models.precision import with_precision

    rebuilt = with_precision(model, precision)
    compile_model(rebuilt, float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
    rebuilt.optimizer.build(rebuilt.trainable_variables)
    old, new = model.optimizer.variables, rebuilt.optimizer.variables
    if len(old) != len(new) or any(tuple(a.shape) != tuple(b.shape) for a, b in zip(old, new)):
        raise RuntimeError("the optimizer's state does not match the rebuilt model")  # a library bug, not bad input
    for target, value in zip(new, old):
        target.assign(value)
    return rebuilt


def _same_but_schedule(saved, config) -> bool:
    """A checkpoint may be continued when everything but :data:`RESUMABLE_CHANGES` agrees
    (the data, the noise or scale, the architecture and the seed)."""
    return _with_schedule_of(saved, config) == config


def _differences(saved, config) -> dict:
    """``{field: (saved value, asked-for value)}`` for the fields that may not change on resume."""
    saved_fields, asked_fields = saved.to_dict(), config.to_dict()
    return {name: (saved_fields.get(name), asked_fields.get(name))
            for name in sorted(set(saved_fields) | set(asked_fields))
            if name not in RESUMABLE_CHANGES and saved_fields.get(name) != asked_fields.get(name)}


def _is_finished(state: dict) -> bool:
    """Whether a checkpoint's run completed all the epochs it was asked for."""
    epochs = (state.get("config") or {}).get("epochs")
    return epochs is not None and int(state.get("epoch", 0)) >= int(epochs)


def _remove_stale_temporaries(folder) -> list:
    """Delete the temporary files a killed run left in a checkpoint folder (``.NAME.PID.tmp...``).

    A model or record is written to a temporary name and then renamed; a process
    killed in between leaves the temporary behind. Files of a process that is
    still running are kept.
    """
    import os
    import re

    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        match = re.fullmatch(r"\..+\.(\d+)\.tmp(\.keras)?", path.name)
        if match is None or not path.is_file():
            continue
        pid = int(match.group(1))
        if pid != os.getpid():
            try:
                os.kill(pid, 0)
                continue  # that process is alive: its file is in use
            except ProcessLookupError:
                pass
            except (PermissionError, OverflowError):
                continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def fit_resumable(
    config,
    *,
    build: Callable,
    make_dataset: Callable,
    data_description: str,
    same_run: Callable | None = None,
    validation_data=None,
    checkpoint_dir=None,
    resume: bool = False,
    initial_weights=None,
    strategy=None,
    callbacks=(),
    checkpoint_extra: dict | None = None,
    verbose: int = 1,
    compile_model: Callable = compile_for_training,
    reshaped_layers: tuple = (),
    added_layers: str | None = None,
    replace_finished: bool = False,
) -> TrainingResult:
    """Train ``build(config)`` on ``make_dataset(config, start_epoch)``, checkpointing every epoch.

    Parameters
    ----------
    config : TrainingConfig
        The run's configuration, of the task's subclass (see the module documentation).
    build : callable
        ``build(config) -> keras.Model``, untrained.
    make_dataset : callable
        ``make_dataset(config, start_epoch) -> tf.data.Dataset`` covering epochs
        ``start_epoch .. config.epochs - 1``.
    data_description : str
        What the training data are, for the checkpoint record.
    same_run : callable, optional
        ``same_run(saved_config, config) -> bool``: may the checkpoint of
        `saved_config` be continued with `config`? Default: when everything but
        the number of epochs and the learning-rate schedule agrees (a run can be
        lengthened, or its schedule changed, when it is resumed).
    validation_data : tuple, optional
        ``(inputs, targets)`` scored after every epoch.
    checkpoint_dir, resume, initial_weights, strategy, callbacks, checkpoint_extra, verbose :
        As in :func:`course_lib.training.train_denoiser`.
    compile_model : callable
        ``compile_model(model, learning_rate)``: the optimizer, loss and metrics
        (default :func:`compile_for_training`: Adam, mean squared error, PSNR).
    replace_finished : bool
        Without `resume`, start a new run in a `checkpoint_dir` whose checkpoint
        is of a *finished* run (all its epochs done), replacing that checkpoint
        epoch by epoch. An unfinished run's checkpoint is never replaced.
    reshaped_layers : tuple of str
        Layers that may differ in shape from `initial_weights`' namesakes and then
        start fresh (a super-resolution network's output layer, when starting x3 from
        x2 weights); every other layer must match.
    added_layers : str, optional
        A regular expression: layers of the model whose names match it and that
        `initial_weights` lacks start fresh (a deeper EDSR-style network started from
        a shallower one's weights, its extra blocks near the identity).

    Returns
    -------
    TrainingResult

    Raises
    ------
    FileExistsError
        If `checkpoint_dir` holds a checkpoint and `resume` is False (unless it is
        a finished run and `replace_finished` is True).
    FileNotFoundError
        If `resume` is True and there is no checkpoint.
    CheckpointMismatchError
        If the checkpoint was trained with other settings than `config`.
    CheckpointFinishedError
        If the checkpoint has already run `config.epochs` epochs.
    """
    import keras

    from ..models.precision import model_precision, precision_scope
    from ..models.saving import load_model

    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    start_epoch, history, seconds_before = 0, {}, 0.0
    state = TrainingCheckpoint.read_state(checkpoint_dir) if checkpoint_dir is not None else None
    if state is not None and not resume:
        if replace_finished and _is_finished(state):
            state = None  # a new run; TrainingCheckpoint replaces the finished one's files epoch by epoch
        else:
            raise FileExistsError(
                f"checkpoint_dir {str(checkpoint_dir)!r} holds a checkpoint of {state.get('epoch')} epoch(s); "
                "pass resume=True to continue it, or choose another folder"
            )
    if resume and state is None:
        raise FileNotFoundError(f"resume=True but there is no checkpoint in {str(checkpoint_dir)!r}")
    if checkpoint_dir is not None:
        _remove_stale_temporaries(checkpoint_dir)
    with scope:
        if state is not None:
            saved = type(config).from_dict(state["config"])
            if not (same_run or _same_but_schedule)(saved, config):
                differences = _differences(saved, config)
                listed = "; ".join(f"{name}: {before!r} in the checkpoint, {after!r} now"
                                   for name, (before, after) in differences.items())
                raise CheckpointMismatchError(
                    f"the checkpoint in {str(checkpoint_dir)!r} was trained with other settings "
                    f"({listed or 'see its state.json'}); resume with the same ones",
                    folder=checkpoint_dir, differences=differences,
                )
            config = _with_schedule_of(saved, config)
            start_epoch, history = int(state["epoch"]), state.get("history", {})
            seconds_before = float(state.get("seconds", 0.0))
            if start_epoch >= config.epochs:
                raise CheckpointFinishedError(
                    f"the checkpoint in {str(checkpoint_dir)!r} has already completed {start_epoch} of "
                    f"{config.epochs} epochs; raise epochs to train longer",
                    folder=checkpoint_dir, epoch=start_epoch, epochs=config.epochs,
                )
            model = load_model(Path(checkpoint_dir) / state["checkpoint"], compile=True)
            if model_precision(model) != config.precision:
                model = _in_precision_with_optimizer_state(model, config.precision, compile_model)
        else:
            with precision_scope(config.precision):
                model = build(config)
            if initial_weights is not None:
                _load_initial_weights(model, initial_weights, reshaped_layers, added_layers)
            compile_model(model, config.learning_rate)

    dataset = make_dataset(config, start_epoch)
    run_config = config
    all_callbacks = [EpochTimer(),
                     keras.callbacks.LearningRateScheduler(lambda epoch: learning_rate_at(run_config, epoch))]
    if checkpoint_dir is not None:
        record = {"config": config.to_dict(), "data": data_description, **(checkpoint_extra or {})}
        all_callbacks.append(TrainingCheckpoint(checkpoint_dir, state=record, history=history, seconds=seconds_before))
    all_callbacks.extend(callbacks)
    started = time.perf_counter()
    try:
        fitted = model.fit(
            dataset, epochs=config.epochs, initial_epoch=start_epoch, steps_per_epoch=config.steps_per_epoch,
            validation_data=validation_data, callbacks=all_callbacks, verbose=verbose, shuffle=False,
        )
    finally:
        if checkpoint_dir is not None:
            _remove_stale_temporaries(checkpoint_dir)
    seconds = time.perf_counter() - started
    merged = {key: list(values) for key, values in history.items()}
    for key, values in fitted.history.items():
        merged.setdefault(key, []).extend(float(value) for value in values)
    return TrainingResult(model=model, config=config, history=merged, seconds=seconds_before + seconds,
                          epochs_run=config.epochs - start_epoch, resumed_from_epoch=start_epoch)
