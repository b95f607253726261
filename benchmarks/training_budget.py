"""What the training benchmarks share: this CPU's matmul peak and a wall-clock training budget.

``denoiser_families.py``, ``sr_families.py`` and ``inpainting_families.py`` train each family for the same
minutes of wall clock, the learning rate following a half cosine over the budget,
and compare the multiply-adds of a training step with what a large matrix product
reaches in the same precision.
"""

from __future__ import annotations

import math
import time

import numpy as np

__all__ = ["matmul_peak", "budget_callback", "measure_families"]


def matmul_peak(precision: str, size: int = 3072, repeats: int = 8) -> float:
    """Multiply-adds per second of a large square matrix product in `precision` (the best of `repeats`)."""
    import tensorflow as tf

    dtype = tf.bfloat16 if precision == "bfloat16" else tf.float32
    a = tf.random.stateless_normal((size, size), seed=(1, 2), dtype=tf.float32)
    a = tf.cast(a, dtype)
    product = tf.function(lambda x: tf.matmul(x, x))
    product(a).numpy()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        product(a).numpy()
        times.append(time.perf_counter() - started)
    return size**3 / float(np.min(times))


def budget_callback(budget_seconds, learning_rate, final_learning_rate, checkpoints, evaluate):
    """A Keras callback: cosine learning rate over the wall-clock budget, stop at its end,
    evaluate at each fraction in `checkpoints` (time spent evaluating is not counted)."""
    import keras

    class Budget(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.curve, self.step_times, self.steps = [], [], 0
            self.excluded = 0.0
            self.pending = list(checkpoints)

        def elapsed(self):
            return time.perf_counter() - self.started - self.excluded

        def on_train_begin(self, logs=None):
            self.started = time.perf_counter()
            self.last = self.started

        def on_train_batch_begin(self, batch, logs=None):
            progress = min(1.0, self.elapsed() / budget_seconds)
            rate = final_learning_rate + 0.5 * (learning_rate - final_learning_rate) * (1 + math.cos(math.pi * progress))
            self.model.optimizer.learning_rate.assign(rate)

        def on_train_batch_end(self, batch, logs=None):
            now = time.perf_counter()
            self.step_times.append(now - self.last)
            self.steps += 1
            elapsed = self.elapsed()
            if self.pending and elapsed >= self.pending[0] * budget_seconds:
                self.pending.pop(0)
                paused = time.perf_counter()
                psnr = evaluate(self.model)
                self.curve.append({"minutes": elapsed / 60, "steps": self.steps, "validation_psnr": psnr,
                                   "loss": float(logs.get("loss", float("nan"))) if logs else None})
                print(f"    {elapsed / 60:6.2f} min  step {self.steps:6d}  validation {psnr:.3f} dB", flush=True)
                self.excluded += time.perf_counter() - paused
            if elapsed >= budget_seconds:
                self.model.stop_training = True
            self.last = time.perf_counter()

    return Budget()


def measure_families(results: dict, names, measure, write) -> None:
    """Measure each family in `names` and keep `results` written after every one.

    ``measure(name)`` returns the family's record; it gets the run's command and matmul
    peak from `results`, replaces an earlier record of the same family (``--update``) or
    is appended, and ``write(results)`` runs after each family, so an interrupted run
    keeps what it measured.
    """
    for name in names:
        record = measure(name)
        record["command"] = results["command"]
        record["matmul_multiply_adds_per_second"] = results["matmul_multiply_adds_per_second"]
        measured = [family["family"] for family in results["families"]]
        if name in measured:
            results["families"][measured.index(name)] = record
        else:
            results["families"].append(record)
        write(results)
