"""Keras pieces for training: a PSNR metric, atomic checkpoints, and a live plot for notebooks.

- :func:`psnr_metric` reports PSNR during ``fit`` next to the loss;
- :class:`TrainingCheckpoint` saves the model (with its optimizer state) and a
  small JSON record after every epoch, atomically, so an interruption loses at
  most the epoch in progress and ``resume`` continues where it stopped;
- :class:`LiveTrainingPlot` redraws the loss and PSNR curves in a notebook
  after each epoch;
- :class:`EpochTimer` adds each epoch's wall-clock seconds to the history.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import keras

from .._files import write_text_atomically

__all__ = ["psnr_metric", "TrainingCheckpoint", "LiveTrainingPlot", "EpochTimer", "write_json_atomically"]


@keras.saving.register_keras_serializable(package="course_lib")
def psnr_metric(y_true, y_pred):
    """PSNR in dB for images in [0, 1], per image, averaged over the batch by Keras.

    ``PSNR = 10 log10(1 / MSE)`` with the MSE over each image's pixels and channels.
    """
    # A bfloat16 network's output is cast up: PSNR in float32 whatever the network computes in.
    y_true, y_pred = keras.ops.cast(y_true, "float32"), keras.ops.cast(y_pred, "float32")
    error = keras.ops.mean(keras.ops.square(y_true - y_pred), axis=(1, 2, 3))
    return -10.0 * keras.ops.log(keras.ops.maximum(error, 1e-12)) / keras.ops.log(10.0)


def write_json_atomically(path, record: dict) -> Path:
    """Write `record` as indented JSON through a temporary file and a rename
    (:func:`course_lib._files.write_text_atomically`); parent folders are created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomically(path, json.dumps(record, indent=2, sort_keys=False) + "\n")


class EpochTimer(keras.callbacks.Callback):
    """Adds ``seconds`` (wall clock of the epoch) to the logs, so it lands in the history."""

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["seconds"] = time.perf_counter() - self._started


class TrainingCheckpoint(keras.callbacks.Callback):
    """Save ``checkpoint-epochNNNN.keras`` and ``state.json`` in a folder after every epoch.

    Parameters
    ----------
    folder : str or os.PathLike
        Where checkpoints go. ``state.json`` names the newest complete
        checkpoint; older checkpoint files are removed once a newer one is safely
        written, so the folder holds one model.
    state : dict
        Extra fields stored in ``state.json`` (the training configuration, the
        data); the callback adds ``epoch`` (epochs completed), ``history``,
        ``seconds`` (training time so far, across resumed runs) and ``checkpoint``.
    history : dict, optional
        History of earlier runs (when resuming), extended epoch by epoch.
    seconds : float
        Training time of earlier runs.

    Notes
    -----
    The model file is written first (to a temporary name, then renamed), the
    JSON record second (the same way), and only then is the previous model
    deleted. Whenever the process dies, ``state.json`` points to a complete
    model whose epoch count it states correctly.
    """

    STATE_FILE = "state.json"

    def __init__(self, folder, *, state: dict | None = None, history: dict | None = None, seconds: float = 0.0):
        super().__init__()
        self.folder = Path(folder)
        self.state = dict(state or {})
        self.history = {key: list(values) for key, values in (history or {}).items()}
        self.seconds_before = float(seconds)
        self._started = None

    def on_train_begin(self, logs=None):
        self._started = time.perf_counter()
        self.folder.mkdir(parents=True, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        from ..models.saving import save_model

        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        name = f"checkpoint-epoch{epoch + 1:04d}.keras"
        save_model(self.model, self.folder / name, overwrite=True, include_optimizer=True)
        previous = self.read_state(self.folder)
        record = {
            **self.state,
            "epoch": epoch + 1,
            "checkpoint": name,
            "seconds": self.seconds_before + (time.perf_counter() - self._started),
            "history": self.history,
        }
        write_json_atomically(self.folder / self.STATE_FILE, record)
        if previous and previous.get("checkpoint") not in (None, name):
            stale = self.folder / previous["checkpoint"]
            if stale.exists():
                stale.unlink()

    @classmethod
    def read_state(cls, folder) -> dict | None:
        """The newest ``state.json`` in `folder`, or None when there is no checkpoint."""
        path = Path(folder) / cls.STATE_FILE
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"checkpoint record {str(path)!r} is corrupt: {error}") from None


class LiveTrainingPlot(keras.callbacks.Callback):
    """Redraw the training curves in a notebook cell after every epoch.

    Parameters
    ----------
    keys : sequence of str
        History keys to draw, one panel each (default: loss and PSNR, with their
        validation versions when present).
    title : str
        Figure title.
    every : int
        Redraw every `every` epochs (and always after the last).

    Outside a notebook (no IPython display) it collects the history and draws nothing.
    """

    def __init__(self, keys=("loss", "psnr_metric"), *, title: str = "training", every: int = 1):
        super().__init__()
        self.keys = tuple(keys)
        self.title = title
        self.every = max(1, int(every))
        self.history: dict = {}
        self._handle = None

    def on_train_begin(self, logs=None):
        self.history = {}
        self._total_epochs = (self.params or {}).get("epochs")

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        last = self._total_epochs is not None and epoch + 1 >= self._total_epochs
        if (epoch + 1) % self.every == 0 or last:
            self.draw()

    def figure(self):
        """The current curves as a matplotlib figure (also usable after training)."""
        import matplotlib.pyplot as plt

        from ..viz import plot_training_curves

        panels = [key for key in self.keys if key in self.history]
        figure, axes = plt.subplots(1, max(1, len(panels)), figsize=(4.5 * max(1, len(panels)), 3.0), squeeze=False)
        for axis, key in zip(axes[0], panels):
            keys = [key] + ([f"val_{key}"] if f"val_{key}" in self.history else [])
            label = "PSNR (dB)" if "psnr" in key else key
            plot_training_curves({k: self.history[k] for k in keys}, ax=axis, title=label)
        figure.suptitle(self.title)
        figure.tight_layout()
        return figure

    def draw(self):
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:  # pragma: no cover - IPython ships with the course
            return
        if get_ipython() is None:
            return
        import matplotlib.pyplot as plt

        figure = self.figure()
        if self._handle is None:
            self._handle = display(figure, display_id=True)
        else:
            self._handle.update(figure)
        plt.close(figure)
