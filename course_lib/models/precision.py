"""Training in bfloat16 on CPUs that have it, and shipping every model in float32.

A *mixed* precision network keeps its weights in float32 and computes in a
16-bit format. ``bfloat16`` has float32's 8-bit exponent (so no loss scaling is
needed) and an 8-bit significand: a relative rounding error of at most
:math:`2^{-9} \\approx 0.2\\%` per value, far below the errors a denoiser makes
(:math:`\\sigma = 25` noise is about 10% of the range). Recent Intel Xeons (AMX)
multiply bfloat16 matrices in hardware, and there a DnCNN training step ran about
five times faster than in float32. Most laptops emulate bfloat16 and would be
*slower*, so finished models are always rebuilt in float32
(:func:`with_precision`) before they are saved.
"""

from __future__ import annotations

import contextlib

import keras

from .._validation import check_choice

__all__ = ["PRECISIONS", "precision_scope", "model_precision", "with_precision"]

#: The computation precisions a model can be built and trained in.
PRECISIONS = ("float32", "bfloat16")

_POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16"}


@contextlib.contextmanager
def precision_scope(precision: str):
    """Build layers in `precision` inside the ``with`` block (Keras' global dtype policy).

    Parameters
    ----------
    precision : {"float32", "bfloat16"}
        ``"bfloat16"`` is Keras' ``mixed_bfloat16`` policy: float32 weights,
        bfloat16 computation.
    """
    check_choice(precision, "precision", PRECISIONS)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(_POLICIES[precision])
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def model_precision(model) -> str:
    """``"bfloat16"`` if any layer of `model` computes in bfloat16, else ``"float32"``."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    return "bfloat16" if any(layer.compute_dtype == "bfloat16" for layer in model.layers) else "float32"


def _with_policy(config, policy: str):
    """A copy of a model configuration with every layer's dtype policy set to `policy`."""
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy" and isinstance(config.get("config"), dict):
            return {**config, "config": {**config["config"], "name": policy}}
        return {key: _with_policy(value, policy) for key, value in config.items()}
    if isinstance(config, list):
        return [_with_policy(value, policy) for value in config]
    return config


def with_precision(model, precision: str = "float32"):
    """The same network with the same weights, computing in `precision` (uncompiled).

    Parameters
    ----------
    model : keras.Model
        A functional model (every course model is one).
    precision : {"float32", "bfloat16"}

    Returns
    -------
    keras.Model
        A new model; `model` is unchanged. Weights are float32 in both precisions,
        so they are copied exactly.
    """
    check_choice(precision, "precision", PRECISIONS)
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    rebuilt = keras.Model.from_config(_with_policy(model.get_config(), _POLICIES[precision]))
    rebuilt.set_weights(model.get_weights())
    return rebuilt
