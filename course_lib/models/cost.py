"""What a network costs to run: multiply-adds per pixel, counted layer by layer.

A k x k convolution from ``c_in`` to ``c_out`` channels does ``k^2 c_in c_out``
multiply-adds at each of its output positions. A network's cost per pixel of its
input is the sum over its convolutions of that number times the layer's output
positions per input pixel: 1 at full resolution, 1/4 after a 2x pixel unshuffle
or a stride-2 convolution, 1/16 after two of them. This is the figure papers
compare architectures by (often as "FLOPs", which are two per multiply-add), and
on a CPU it sets the time of a step: a training step costs about three times the
forward pass (the forward pass, and the gradients with respect to the inputs and
to the weights).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_integer
from .denoisers import _check_model, size_multiple

__all__ = ["multiply_adds_per_pixel", "multiply_adds_per_output_pixel", "TRAINING_COST_FACTOR"]

#: A training step's arithmetic as a multiple of the forward pass's (forward, input gradients, weight gradients).
TRAINING_COST_FACTOR = 3


def multiply_adds_per_pixel(model, *, side: int = 64) -> float:
    """Multiply-adds of `model`'s convolutions per pixel of its (first) input.

    Parameters
    ----------
    model : keras.Model
        A fully convolutional functional model (any number of inputs of size
        ``(None, None, C)``).
    side : int
        The square input size used to read every convolution's output size; it is
        rounded up to the model's size multiple. The count per pixel does not
        depend on it.

    Returns
    -------
    float
        ``sum over Conv2D layers of k_h k_w c_in c_out (h_out w_out) / (side^2)``.
        Biases, activations, additions and rearrangements are not counted
        (they are a few per pixel and channel, against thousands).

    Examples
    --------
    >>> from course_lib.models import dncnn
    >>> int(multiply_adds_per_pixel(dncnn(depth=3, width=4)))  # 9*1*4 + 9*4*4 + 9*4*1
    216
    """
    import keras

    model = _check_model(model)
    side = check_integer(side, "side", minimum=1)
    multiple = size_multiple(model)
    side = -(-side // multiple) * multiple
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if not convolutions:
        return 0.0
    probe = keras.Model(model.inputs, [layer.output for layer in convolutions])
    inputs = [np.zeros((1, side, side, int(tensor.shape[-1])), dtype=np.float32) for tensor in model.inputs]
    outputs = probe(inputs)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    total = 0.0
    for layer, output in zip(convolutions, outputs):
        kernel_height, kernel_width = layer.kernel_size
        input_channels = int(layer.input.shape[-1]) // max(1, getattr(layer, "groups", 1))
        positions = int(output.shape[1]) * int(output.shape[2])
        total += kernel_height * kernel_width * input_channels * layer.filters * positions
    return total / side**2


def multiply_adds_per_output_pixel(model, *, side: int = 64) -> float:
    """Multiply-adds of `model`'s convolutions per pixel of its *output*.

    The cost that compares super-resolution networks with each other: a network
    that computes on the low-resolution image (ESPCN, EDSR) and one that computes on
    its bicubic upscaling (SRCNN, VDSR) make the same output from inputs of
    different sizes.

    Parameters
    ----------
    model : keras.Model
        As in :func:`multiply_adds_per_pixel`.
    side : int
        As in :func:`multiply_adds_per_pixel`.

    Returns
    -------
    float
        ``multiply_adds_per_pixel(model) / s^2`` with ``s =``
        :func:`~course_lib.models.output_scale` (1 for a model whose output has its
        input's size, so then the two counts agree).

    Examples
    --------
    >>> from course_lib.models import espcn
    >>> network = espcn(2)
    >>> multiply_adds_per_output_pixel(network) == multiply_adds_per_pixel(network) / 4
    True
    """
    from .inference import output_scale

    return multiply_adds_per_pixel(model, side=side) / output_scale(model) ** 2
