"""What every training run is configured by: :class:`TrainingConfig`.

The denoiser, super-resolution and inpainting trainers each describe a run by a
frozen dataclass that extends :class:`TrainingConfig` with its own fields (the
architecture, the noise level, the scale, the holes). The fields they share are
here, with their checks and the record a run is written down as: a checkpoint's
``state.json`` and a provenance record hold ``config.to_dict()``, and
``from_dict`` reads it back, so a checkpoint can be resumed and a model's
provenance read by a later version of the library.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import ClassVar

from .._validation import check_choice, check_integer, check_positive
from ..models.precision import PRECISIONS

__all__ = ["TrainingConfig", "SCHEDULES"]

#: How the learning rate may go from its start to its final value
#: (see :func:`course_lib.training.learning_rate_at`).
SCHEDULES = ("cosine", "step", "constant")


@dataclass(frozen=True)
class TrainingConfig:
    """The fields of a training run that do not depend on the task.

    A task's configuration extends this class with its own fields and checks
    them in its ``__post_init__`` before calling this one's.

    Attributes
    ----------
    patch_size : int
        Side of the training patches, in pixels (of the target, for super-resolution).
    batch_size : int
        Patches per step (the global batch under a ``tf.distribute`` strategy).
    steps_per_epoch, epochs : int
        Length of the run: ``epochs * steps_per_epoch * batch_size`` patches in all.
    learning_rate, final_learning_rate : float
        Adam's step size :math:`\\eta_0` at the start and :math:`\\eta_1` at the last epoch.
    schedule : {"cosine", "step", "constant"}
        How the step size goes from `learning_rate` to `final_learning_rate` over
        the epochs :math:`e = 0, \\dots, E - 1`: a half cosine,
        :math:`\\eta_1 + (\\eta_0 - \\eta_1) (1 + \\cos(\\pi e / (E - 1))) / 2`; a drop
        by 10x for the last quarter of the epochs; or not at all.
    scales : tuple of float
        Rescaling augmentation: each training image is also used resized by these factors.
    seed : int
        Seeds the weights, the patches and the noise or holes: epoch ``e`` of a
        run always sees the same data, so a resumed run is the uninterrupted one.
    precision : {"float32", "bfloat16"}
        What the network computes in while it trains (see
        :mod:`course_lib.models.precision`); saved models are float32 either way.
        May change when a checkpoint is resumed.

    Notes
    -----
    :meth:`to_dict` writes tuples as lists (JSON has no tuples) and :meth:`from_dict`
    ignores keys that are not fields and gives missing fields their defaults, so a
    record written before a field existed reads as the run it was.
    """

    patch_size: int = 64
    batch_size: int = 32
    steps_per_epoch: int = 200
    epochs: int = 10
    learning_rate: float = 1e-3
    final_learning_rate: float = 1e-5
    schedule: str = "cosine"
    scales: tuple = (1.0, 0.9, 0.8, 0.7)
    seed: int = 0
    precision: str = "float32"

    #: The fields :meth:`to_dict` writes first; the others follow in declaration order (these
    #: shared fields first, then the task's). A task lists the fields that came before the
    #: shared ones when its configuration did not yet extend this class, so that its
    #: records (``state.json``, provenance) are written as they were, byte for byte.
    _record_order: ClassVar[tuple] = ()

    def __post_init__(self):
        check_integer(self.epochs, "epochs", minimum=1)
        check_integer(self.steps_per_epoch, "steps_per_epoch", minimum=1)
        check_integer(self.batch_size, "batch_size", minimum=1)
        check_integer(self.patch_size, "patch_size", minimum=self._smallest_patch_size())
        check_positive(self.learning_rate, "learning_rate")
        check_positive(self.final_learning_rate, "final_learning_rate")
        check_choice(self.schedule, "schedule", SCHEDULES)
        check_choice(self.precision, "precision", PRECISIONS)
        object.__setattr__(self, "scales", tuple(float(value) for value in self.scales))

    def _smallest_patch_size(self) -> int:
        """The smallest `patch_size` the task accepts."""
        return 8

    def _shrunk(self, *, batch_size: int, **changes) -> "TrainingConfig":
        """The same run cut to 2 epochs of 3 steps of at most `batch_size` patches, with `changes` (CI)."""
        return replace(self, epochs=min(self.epochs, 2), steps_per_epoch=min(self.steps_per_epoch, 3),
                       batch_size=min(self.batch_size, batch_size), **changes)

    def to_dict(self) -> dict:
        """The run as a JSON-ready record: every field, tuples as lists."""
        names = [item.name for item in fields(self)]
        ordered = [name for name in self._record_order if name in names]
        ordered += [name for name in names if name not in ordered]
        values = {name: getattr(self, name) for name in ordered}
        return {name: list(value) if isinstance(value, tuple) else value for name, value in values.items()}

    @classmethod
    def from_dict(cls, record: dict):
        """The configuration a :meth:`to_dict` record describes (unknown keys are ignored)."""
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in record.items() if key in known})
