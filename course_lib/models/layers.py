"""Small Keras layers the course's networks share: pixel unshuffle and pixel shuffle.

Pixel unshuffle (``space_to_depth``) folds every ``factor x factor`` block of
pixels into the channel axis: ``(H, W, C) -> (H / f, W / f, f * f * C)``. Pixel
shuffle (``depth_to_space``, the *sub-pixel convolution* of ESPCN) is its exact
inverse. Both only move numbers around, so they cost nothing to learn, and they
let a network do its work at a lower resolution:

- FFDNet-style denoisers unshuffle the noisy image by 2 and run their
  convolutions on a quarter of the pixels, which is four times cheaper and
  doubles the receptive field for the same depth;
- ESPCN-style super-resolution networks compute ``f * f`` channels at low
  resolution and shuffle them into an image ``f`` times larger.

They are written with ``keras.ops.reshape`` and ``keras.ops.transpose`` only, so
they do not depend on a Keras or TensorFlow version that happens to ship such a
layer, and they are registered with Keras so that a saved model that contains
them loads in safe mode (no Python code is stored in the file).
"""

from __future__ import annotations

import keras
from keras import ops

from .._validation import check_integer

__all__ = ["space_to_depth", "depth_to_space", "PixelUnshuffle", "PixelShuffle"]


def space_to_depth(images, factor: int):
    """Fold each ``factor x factor`` block of pixels into the channels.

    Parameters
    ----------
    images : tensor or numpy.ndarray
        A batch ``(N, H, W, C)``; `H` and `W` must be multiples of `factor`.
    factor : int
        Block size (2 halves the resolution).

    Returns
    -------
    tensor
        ``(N, H / factor, W / factor, factor * factor * C)``, where

        ``output[n, i, j, (p * factor + q) * C + c] = images[n, i * factor + p, j * factor + q, c]``

        for ``0 <= p, q < factor``: the same channel order as
        ``tf.nn.space_to_depth``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    >>> np.asarray(space_to_depth(x, 2))[0, 0, 0]
    array([0., 1., 4., 5.], dtype=float32)
    """
    factor = check_integer(factor, "factor", minimum=1)
    shape = ops.shape(images)
    height, width, channels = shape[1], shape[2], shape[3]
    blocks = ops.reshape(images, (-1, height // factor, factor, width // factor, factor, channels))
    blocks = ops.transpose(blocks, (0, 1, 3, 2, 4, 5))
    return ops.reshape(blocks, (-1, height // factor, width // factor, factor * factor * channels))


def depth_to_space(images, factor: int):
    """Spread groups of ``factor * factor`` channels into ``factor x factor`` pixel blocks.

    The exact inverse of :func:`space_to_depth` (and the same channel order as
    ``tf.nn.depth_to_space``): ``(N, h, w, f * f * C) -> (N, h * f, w * f, C)`` with

    ``output[n, i * f + p, j * f + q, c] = images[n, i, j, (p * f + q) * C + c]``.

    Parameters
    ----------
    images : tensor or numpy.ndarray
        A batch ``(N, h, w, factor * factor * C)``.
    factor : int
        Upscaling factor.

    Returns
    -------
    tensor
        ``(N, h * factor, w * factor, C)``.
    """
    factor = check_integer(factor, "factor", minimum=1)
    shape = ops.shape(images)
    height, width, depth = shape[1], shape[2], shape[3]
    channels = depth // (factor * factor)
    blocks = ops.reshape(images, (-1, height, width, factor, factor, channels))
    blocks = ops.transpose(blocks, (0, 1, 3, 2, 4, 5))
    return ops.reshape(blocks, (-1, height * factor, width * factor, channels))


@keras.saving.register_keras_serializable(package="course_lib")
class PixelUnshuffle(keras.layers.Layer):
    """Keras layer for :func:`space_to_depth` (input sides must be multiples of `factor`)."""

    def __init__(self, factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.factor = check_integer(factor, "factor", minimum=1)

    def call(self, inputs):
        return space_to_depth(inputs, self.factor)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (
            batch,
            None if height is None else height // self.factor,
            None if width is None else width // self.factor,
            None if channels is None else channels * self.factor**2,
        )

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="course_lib")
class PixelShuffle(keras.layers.Layer):
    """Keras layer for :func:`depth_to_space` (the sub-pixel convolution's rearrangement)."""

    def __init__(self, factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.factor = check_integer(factor, "factor", minimum=1)

    def call(self, inputs):
        return depth_to_space(inputs, self.factor)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (
            batch,
            None if height is None else height * self.factor,
            None if width is None else width * self.factor,
            None if channels is None else channels // self.factor**2,
        )

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
