"""Looking inside a trained denoiser: effective receptive field and first-layer filters.

Two simple questions about a convolutional network have exact answers.

**Which input pixels does one output pixel depend on, and how much?** The
*theoretical* receptive field is the window the convolutions can reach: a stack
of ``d`` 3x3 convolutions (stride 1) reaches ``2d + 1`` pixels across
(:func:`course_lib.models.receptive_field`). How much each pixel of that window
actually *matters* is measured by the gradient of one output pixel with respect
to the input,

.. math::

    G_{ij} = \\left| \\frac{\\partial \\hat x_{p}}{\\partial y_{ij}} \\right| ,

computed by automatic differentiation (``tf.GradientTape``) at a given input
image ``y``. Luo, Li, Urtasun and Zemel (2016) called the region where :math:`G`
is large the *effective* receptive field and found it much smaller than the
theoretical one, roughly Gaussian, with most of its weight near the centre.
For a residual denoiser :math:`\\hat x = y - R(y)`, :math:`G` includes the
identity's 1 at the centre pixel itself.

**What do the first-layer filters look for?** The first convolution's kernels
act directly on pixels, so they can be shown as small images. Trained image
networks typically learn smoothing (all weights of one sign) and derivative
filters (weights summing to about 0) at several orientations, the building blocks
of classical filters.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_image, check_in_range, check_integer

__all__ = ["effective_receptive_field", "receptive_field_extent", "first_layer_filters", "filter_dc_fraction"]


def _check_keras_model(model):
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    return model


def effective_receptive_field(model, image, *, position=None) -> np.ndarray:
    """The gradient magnitude of one output pixel with respect to every input pixel.

    Parameters
    ----------
    model : keras.Model
        An image-to-image network ``(N, H, W, C) -> (N, H, W, C_out)`` of one input
        (a denoiser) whose output has its input's size.
    image : numpy.ndarray
        ``(H, W)`` gray image (``C = 1``) or ``(H, W, 3)`` for an RGB model: the point at
        which the gradient is taken (for a network with ReLUs it depends on the image).
    position : tuple of int, optional
        ``(row, column)`` of the output pixel; default the centre ``(H // 2, W // 2)``.

    Returns
    -------
    numpy.ndarray
        float64 ``(H, W)``: :math:`|\\partial \\hat x_p / \\partial y_{ij}|`, summed over
        the input channels (and the output channels of pixel ``p``).

    Notes
    -----
    One backward pass: the output pixel's value (summed over its channels) is
    differentiated with ``tf.GradientTape`` with respect to the input batch.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((None, None, 1)),
    ...                           keras.layers.Conv2D(1, 3, padding="same", use_bias=False)])
    >>> int(np.count_nonzero(effective_receptive_field(model, np.zeros((9, 9)))))  # doctest: +SKIP
    9
    """
    import tensorflow as tf

    model = _check_keras_model(model)
    array = check_image(image, "image").astype(np.float32)
    channels = int(model.input_shape[-1])
    if (array.ndim == 2) != (channels == 1):
        raise ValueError(f"image has shape {array.shape}, but the model takes {channels} channel(s)")
    height, width = array.shape[:2]
    if position is None:
        position = (height // 2, width // 2)
    if not isinstance(position, (tuple, list)) or len(position) != 2:
        raise ValueError(f"position must be a (row, column) pair; got {position!r}")
    row = check_integer(position[0], "position[0]", minimum=0, maximum=height - 1)
    column = check_integer(position[1], "position[1]", minimum=0, maximum=width - 1)
    batch = tf.constant(array.reshape((1, height, width, channels)))
    with tf.GradientTape() as tape:
        tape.watch(batch)
        output = model(batch, training=False)
        if tuple(output.shape[1:3]) != (height, width):
            raise ValueError(f"model output is {tuple(output.shape[1:3])}, not the input's size {(height, width)}")
        value = tf.reduce_sum(tf.cast(output[0, row, column], tf.float32))
    gradient = tape.gradient(value, batch)
    return np.abs(gradient.numpy()[0].astype(np.float64)).sum(axis=-1)


def receptive_field_extent(gradient, *, fraction: float = 0.95, position=None) -> int:
    """Side of the smallest square, centred on the output pixel, that holds `fraction` of the gradient.

    Parameters
    ----------
    gradient : numpy.ndarray
        ``(H, W)`` non-negative map from :func:`effective_receptive_field`.
    fraction : float
        Share of the total, in (0, 1].
    position : tuple of int, optional
        Centre of the squares; default the centre ``(H // 2, W // 2)``.

    Returns
    -------
    int
        An odd side ``2k + 1`` (squares are cropped at the image border), the smallest
        whose sum is at least ``fraction * gradient.sum()``.
    """
    array = np.asarray(gradient, dtype=np.float64)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"gradient must be a non-empty 2-D array; got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError("gradient must hold finite non-negative values (take the absolute value)")
    fraction = check_in_range(fraction, "fraction", 0.0, 1.0)
    if fraction == 0.0:
        raise ValueError("fraction must be greater than 0")
    total = array.sum()
    if total == 0:
        raise ValueError("gradient is zero everywhere: the output pixel does not depend on the input")
    height, width = array.shape
    row, column = position if position is not None else (height // 2, width // 2)
    row = check_integer(row, "position[0]", minimum=0, maximum=height - 1)
    column = check_integer(column, "position[1]", minimum=0, maximum=width - 1)
    for half in range(max(height, width)):
        window = array[max(0, row - half) : row + half + 1, max(0, column - half) : column + half + 1]
        if window.sum() >= fraction * total * (1 - 1e-12):
            return 2 * half + 1
    return 2 * max(height, width) - 1  # pragma: no cover - the whole image always holds everything


def first_layer_filters(model) -> np.ndarray:
    """The kernels of a model's first convolution, one small image per filter.

    Parameters
    ----------
    model : keras.Model
        A model with at least one ``keras.layers.Conv2D``.

    Returns
    -------
    numpy.ndarray
        float64 ``(filters, k, k)`` for a one-channel input, ``(filters, k, k, C)``
        otherwise; ``[f, i, j]`` multiplies the pixel at offset ``(i, j)`` of the window
        (a cross-correlation, as Keras computes it).
    """
    import keras

    model = _check_keras_model(model)
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel = np.asarray(keras.ops.convert_to_numpy(layer.kernel), dtype=np.float64)  # (k, k, C, F)
            filters = np.moveaxis(kernel, -1, 0)
            return filters[..., 0] if filters.shape[-1] == 1 else filters
    raise ValueError(f"model {model.name!r} has no Conv2D layer")


def filter_dc_fraction(filters) -> np.ndarray:
    """How much each filter averages: ``|sum(w)| / sum(|w|)``, between 0 and 1.

    Parameters
    ----------
    filters : numpy.ndarray
        ``(filters, k, k[, C])`` from :func:`first_layer_filters`.

    Returns
    -------
    numpy.ndarray
        One value per filter: 1 for a filter whose weights all have one sign (a
        smoothing, averaging filter, which passes the image's mean, its "DC"
        component), near 0 for a filter whose weights cancel out (a derivative or
        edge detector, blind to constant regions).
    """
    array = np.asarray(filters, dtype=np.float64)
    if array.ndim < 3 or array.size == 0:
        raise ValueError(f"filters must have shape (filters, k, k) or (filters, k, k, C); got {array.shape}")
    flat = array.reshape(array.shape[0], -1)
    magnitude = np.abs(flat).sum(axis=1)
    if np.any(magnitude == 0):
        raise ValueError("a filter is all zeros: its DC fraction is undefined")
    return np.abs(flat.sum(axis=1)) / magnitude
