"""Denoising without clean images: Noise2Noise and Noise2Void, next to supervised training.

A supervised denoiser learns from pairs (noisy, clean). Often no clean image exists:
a microscope cannot take a noise-free picture of a living cell, and a long exposure
of a moving scene blurs. Two ideas remove the need for clean targets.

**Noise2Noise** (Lehtinen et al. 2018) trains on pairs of two *independent* noisy
observations of the same scene, ``y1 = x + n1`` and ``y2 = x + n2``: the input is
``y1`` and the target is ``y2``. With zero-mean noise independent of the input,

.. math::

    \\mathbb E\\,\\lVert f(y_1) - y_2 \\rVert^2
    = \\mathbb E\\,\\lVert f(y_1) - x \\rVert^2 + \\mathbb E\\,\\lVert n_2 \\rVert^2 ,

so the squared error against a noisy target is the squared error against the clean
image plus a constant that does not depend on the network: both losses have the
same minimizer, and in expectation the network learns what it would have learned
from clean targets (with noisier gradients).

**Noise2Void** (Krull, Buchholz and Jug 2019) needs only *one* noisy image. If a
network saw pixel ``i`` of its input, the identity would be a perfect answer to the
target ``y_i``. So a few pixels of the input, the *blind spots*, are replaced by a
randomly chosen neighbour, and the loss is computed only there:

.. math::

    L = \\frac{1}{|M|} \\sum_{i \\in M} \\big(f(\\tilde y)_i - y_i\\big)^2 ,

where :math:`M` is the set of blind spots and :math:`\\tilde y` the input with them
replaced. The network must predict each masked value from its surroundings; since
the noise is independent from pixel to pixel, the surroundings say nothing about
the noise at ``i``, and the best prediction is the clean value. The price: the
network never uses the pixel itself, and only ``|M|`` pixels per patch give a
gradient, so it learns more slowly and ends below a supervised network.

Here the clean training patches are used only to *simulate* these settings: the
noisy images are made by adding noise to them, and the self-supervised methods
never see the clean values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_choice, check_float_array, check_in_range, check_integer, check_positive, make_rng

__all__ = [
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

#: The training settings :func:`training_pairs` and :func:`train_self_supervised` know.
SELF_SUPERVISED_METHODS = ("supervised", "noise2noise", "noise2void")


def _check_array(values, name: str, *, min_ndim: int = 2, max_ndim: int = 4) -> np.ndarray:
    return check_float_array(values, name, min_ndim=min_ndim, max_ndim=max_ndim)


def noise2noise_pairs(clean, sigma: float, *, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Two independent noisy observations of the same images: a Noise2Noise training pair.

    Parameters
    ----------
    clean : numpy.ndarray
        Float images or patches in [0, 1], any shape from ``(H, W)`` to ``(N, H, W, C)``.
        In practice they do not exist: the two noisy images would be two exposures.
    sigma : float
        Standard deviation of the Gaussian noise on the 8-bit scale (0-255).
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    first, second : numpy.ndarray
        float32, ``clean + n1`` and ``clean + n2`` with ``n1``, ``n2`` independent
        draws of :math:`\\mathcal N(0, (\\sigma/255)^2)`, not clipped. The first is the
        network's input, the second its target.

    Notes
    -----
    The first draw uses the generator exactly as ``clean + rng.normal(0, sigma/255,
    clean.shape)`` would, so with the same seed the *input* equals the noisy input a
    supervised pair would get; the second draw comes after it.

    Examples
    --------
    >>> first, second = noise2noise_pairs(np.full((2, 2), 0.5), 25, seed=0)
    >>> first.shape, bool(np.all(first != second))
    ((2, 2), True)
    """
    array = _check_array(clean, "clean")
    sigma = check_positive(sigma, "sigma", allow_zero=True)
    rng = make_rng(seed)
    first = array + rng.normal(0.0, sigma / 255.0, size=array.shape)
    second = array + rng.normal(0.0, sigma / 255.0, size=array.shape)
    return first.astype(np.float32), second.astype(np.float32)


def replace_blind_spots(noisy, positions, offsets) -> np.ndarray:
    """Replace chosen pixels of an image by chosen neighbours: Noise2Void's blind spots.

    Parameters
    ----------
    noisy : numpy.ndarray
        ``(H, W)`` or ``(H, W, C)`` float image (all channels of a pixel are replaced together).
    positions : array_like of int, shape (K, 2)
        ``(row, column)`` of each blind spot.
    offsets : array_like of int, shape (K, 2)
        ``(row offset, column offset)`` of the neighbour whose value replaces each
        blind spot; never ``(0, 0)``, and the neighbour must lie inside the image.

    Returns
    -------
    numpy.ndarray
        A copy of `noisy` with ``masked[r, c] = noisy[r + dr, c + dc]`` at every blind
        spot. The values always come from the *original* image, so a blind spot whose
        neighbour is another blind spot still gets a real noisy value.

    Examples
    --------
    >>> image = np.arange(9.0).reshape(3, 3)
    >>> float(replace_blind_spots(image, [[1, 1]], [[0, 1]])[1, 1])
    5.0
    """
    array = _check_array(noisy, "noisy", max_ndim=3)
    positions = _check_index_pairs(positions, "positions")
    offsets = _check_index_pairs(offsets, "offsets")
    if len(positions) != len(offsets):
        raise ValueError(f"positions and offsets must have the same length; got {len(positions)} and {len(offsets)}")
    height, width = array.shape[:2]
    rows, columns = positions[:, 0], positions[:, 1]
    if np.any((rows < 0) | (rows >= height) | (columns < 0) | (columns >= width)):
        raise ValueError(f"positions must lie inside the {height}x{width} image")
    if np.any(np.all(offsets == 0, axis=1)):
        raise ValueError("offsets must not contain (0, 0): a blind spot must take another pixel's value")
    source_rows, source_columns = rows + offsets[:, 0], columns + offsets[:, 1]
    if np.any((source_rows < 0) | (source_rows >= height) | (source_columns < 0) | (source_columns >= width)):
        raise ValueError("offsets must point to neighbours inside the image")
    masked = array.copy()
    masked[rows, columns] = array[source_rows, source_columns]
    return masked


def _check_index_pairs(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must have shape (K, 2); got {array.shape}")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integers; got dtype {array.dtype}")
    return array.astype(np.int64)


def _draw_offsets(rows, columns, height, width, radius, rng) -> np.ndarray:
    """Uniform offsets in the (2r+1)^2 window minus its centre, redrawn until inside the image."""
    offsets = np.zeros((len(rows), 2), dtype=np.int64)
    pending = np.arange(len(rows))
    while pending.size:
        drawn = rng.integers(-radius, radius + 1, size=(pending.size, 2))
        source_rows = rows[pending] + drawn[:, 0]
        source_columns = columns[pending] + drawn[:, 1]
        good = (np.any(drawn != 0, axis=1) & (source_rows >= 0) & (source_rows < height)
                & (source_columns >= 0) & (source_columns < width))
        offsets[pending[good]] = drawn[good]
        pending = pending[~good]
    return offsets


def blind_spot_masking(noisy, *, fraction: float = 0.02, radius: int = 2, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Noise2Void's input: a few pixels of each image replaced by a random neighbour, and where.

    Parameters
    ----------
    noisy : numpy.ndarray
        ``(H, W)``, a batch ``(N, H, W)``, or ``(N, H, W, C)`` float images.
    fraction : float
        Share of each image's pixels that become blind spots, in (0, 0.5]; at least
        one per image (Krull et al. used about 0.2-2%).
    radius : int
        Neighbours are drawn uniformly from the ``(2 radius + 1)^2`` window around each
        blind spot, its centre excluded, and only inside the image.
    seed : int or numpy.random.Generator, optional
        The positions (distinct, uniform over the image) and neighbours are drawn
        from it, image after image.

    Returns
    -------
    masked : numpy.ndarray
        float32, the shape of `noisy`: the network's input.
    mask : numpy.ndarray
        float32, 1 at the blind spots and 0 elsewhere, the shape of `noisy` without
        its channel axis (``(N, H, W, 1)`` for a 4-D input): where the loss is computed.

    Examples
    --------
    >>> masked, mask = blind_spot_masking(np.zeros((4, 8, 8)), fraction=0.25, seed=0)
    >>> masked.shape, mask.shape, int(mask.sum())
    ((4, 8, 8), (4, 8, 8), 64)
    """
    array = _check_array(noisy, "noisy")
    fraction = check_in_range(fraction, "fraction", 0.0, 0.5)
    if fraction == 0.0:
        raise ValueError("fraction must be greater than 0: without blind spots there is no loss")
    radius = check_integer(radius, "radius", minimum=1)
    rng = make_rng(seed)
    batch = array.reshape((1,) + array.shape) if array.ndim == 2 else array
    height, width = batch.shape[1:3]
    if height * width < 2:
        raise ValueError(f"noisy images must have at least 2 pixels; got {height}x{width}")
    count = max(1, int(round(fraction * height * width)))
    masked = np.empty(batch.shape, dtype=np.float32)
    mask = np.zeros(batch.shape[:3], dtype=np.float32)
    for index, image in enumerate(batch):
        flat = rng.choice(height * width, size=count, replace=False)
        rows, columns = flat // width, flat % width
        offsets = _draw_offsets(rows, columns, height, width, radius, rng)
        masked[index] = replace_blind_spots(image, np.stack([rows, columns], axis=1), offsets)
        mask[index, rows, columns] = 1.0
    if array.ndim == 2:
        return masked[0], mask[0]
    if array.ndim == 4:
        mask = mask[..., None]
    return masked, mask


def masked_mse(target, prediction, mask) -> float:
    """Mean squared error over the masked pixels only (Noise2Void's loss).

    Parameters
    ----------
    target, prediction : numpy.ndarray
        Arrays of the same shape.
    mask : numpy.ndarray
        1 (or True) where the error counts; the shape of `target`, or without its
        last (channel) axis, or with a channel axis of 1.

    Returns
    -------
    float
        :math:`\\sum_i m_i (p_i - t_i)^2 / (C \\sum_i m_i)` over pixels ``i`` and the
        ``C`` channels: the mean over the blind spots, not over the whole image.
    """
    target = _check_array(target, "target", min_ndim=1)
    prediction = _check_array(prediction, "prediction", min_ndim=1)
    if target.shape != prediction.shape:
        raise ValueError(f"target and prediction must have the same shape; got {target.shape} and {prediction.shape}")
    weights = np.asarray(mask, dtype=np.float64)
    if weights.shape != target.shape:
        if weights.shape == target.shape[:-1]:
            weights = weights[..., None]
        try:
            weights = np.broadcast_to(weights, target.shape)
        except ValueError:
            raise ValueError(f"mask of shape {np.shape(mask)} does not match target of shape {target.shape}") from None
    if not np.all(np.isin(weights, (0.0, 1.0))):
        raise ValueError("mask must hold only 0 and 1")
    if weights.sum() == 0:
        raise ValueError("mask selects no pixel; the loss would be 0 / 0")
    squared = (prediction.astype(np.float64) - target.astype(np.float64)) ** 2
    return float(np.sum(weights * squared) / np.sum(weights))


def _masked_mse_loss(y_true, y_pred):
    import keras

    y_true = keras.ops.cast(y_true, "float32")
    y_pred = keras.ops.cast(y_pred, "float32")
    channels = keras.ops.shape(y_pred)[-1]
    target, mask = y_true[..., :channels], y_true[..., channels:]
    squared = keras.ops.square(y_pred - target) * mask
    count = keras.ops.sum(mask, axis=(1, 2, 3)) * keras.ops.cast(channels, "float32")
    return keras.ops.sum(squared, axis=(1, 2, 3)) / keras.ops.maximum(count, 1.0)


def masked_mse_loss(y_true, y_pred):
    """Keras loss: :func:`masked_mse` per image; `y_true` is ``concat(noisy target, mask)`` on the channel axis.

    Returns one value per image of the batch ``(N,)``: the mean squared error over
    that image's blind spots.
    """
    return _masked_mse_loss(y_true, y_pred)


def training_pairs(clean, method: str, *, sigma: float, seed=None, fraction: float = 0.02,
                   radius: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The (input, target) arrays each method trains on, simulated from clean patches.

    Parameters
    ----------
    clean : numpy.ndarray
        ``(N, H, W)`` or ``(N, H, W, 1)`` clean patches in [0, 1]; they only make the
        noise: what a method sees is listed below.
    method : {"supervised", "noise2noise", "noise2void"}
        - ``"supervised"``: input ``y = x + n1``, target ``x`` (needs clean images);
        - ``"noise2noise"``: input ``y = x + n1``, target a second observation ``x + n2``;
        - ``"noise2void"``: input ``y`` with blind spots (:func:`blind_spot_masking`),
          target ``concat(y, mask)`` for :func:`masked_mse_loss`.
    sigma : float
        Noise level on the 8-bit scale.
    seed : int or numpy.random.Generator, optional
        The first noise draw ``n1`` is the same for all three methods with the same seed,
        so they see the same noisy inputs.
    fraction, radius
        Blind-spot settings (Noise2Void only).

    Returns
    -------
    inputs, targets : numpy.ndarray
        float32 ``(N, H, W, 1)``, and targets ``(N, H, W, 1)`` (``(N, H, W, 2)`` for Noise2Void).
    """
    array = _check_array(clean, "clean", min_ndim=3, max_ndim=4)
    if array.ndim == 4 and array.shape[-1] != 1:
        raise ValueError(f"clean must be gray patches (N, H, W) or (N, H, W, 1); got shape {array.shape}")
    array = array.reshape(array.shape[:3] + (1,))
    check_choice(method, "method", SELF_SUPERVISED_METHODS)
    rng = make_rng(seed)
    noisy, second = noise2noise_pairs(array, sigma, seed=rng)
    if method == "supervised":
        return noisy, array.astype(np.float32)
    if method == "noise2noise":
        return noisy, second
    masked, mask = blind_spot_masking(noisy, fraction=fraction, radius=radius, seed=rng)
    return masked, np.concatenate([noisy, mask], axis=-1)


@dataclass
class SelfSupervisedRun:
    """What :func:`train_self_supervised` returns.

    Attributes
    ----------
    model : keras.Model
        The trained network.
    method : str
    history : dict
        ``{"loss": [...]}``, the mean training loss of each epoch (for Noise2Noise,
        against noisy targets, so it never gets near 0; for Noise2Void, at the blind
        spots only).
    seconds : float
        Wall time of the training.
    steps : int
    """

    model: object
    method: str
    history: dict = field(default_factory=dict)
    seconds: float = 0.0
    steps: int = 0


def train_self_supervised(model, clean_patches, method: str, *, sigma: float, epochs: int = 4,
                          steps_per_epoch: int = 20, batch_size: int = 16, learning_rate: float = 1e-3,
                          fraction: float = 0.02, radius: int = 2, seed: int = 0,
                          verbose: int = 0) -> SelfSupervisedRun:
    """Train a denoiser the supervised, Noise2Noise or Noise2Void way, with fresh noise every epoch.

    Parameters
    ----------
    model : keras.Model
        A denoiser ``(N, H, W, 1) -> (N, H, W, 1)``, e.g. :func:`course_lib.models.dncnn`;
        it is compiled here (Adam, and the mean squared error or :func:`masked_mse_loss`).
    clean_patches : numpy.ndarray
        ``(P, H, W)`` or ``(P, H, W, 1)`` patches; each epoch draws ``steps_per_epoch *
        batch_size`` of them (cycling through a seeded permutation) and new noise.
    method : {"supervised", "noise2noise", "noise2void"}
        See :func:`training_pairs`.
    sigma : float
        Noise level on the 8-bit scale.
    epochs, steps_per_epoch, batch_size : int
    learning_rate : float
        Adam's step size, constant.
    fraction, radius
        Blind-spot settings for Noise2Void.
    seed : int
        Seeds the patch order, the noise and the blind spots; epoch ``e`` uses
        ``numpy.random.default_rng([seed, e])``. (The weights are seeded where the
        model is built.)
    verbose : int
        Passed to ``model.fit``.

    Returns
    -------
    SelfSupervisedRun
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    patches = _check_array(clean_patches, "clean_patches", min_ndim=3, max_ndim=4)
    check_choice(method, "method", SELF_SUPERVISED_METHODS)
    sigma = check_positive(sigma, "sigma")
    epochs = check_integer(epochs, "epochs", minimum=1)
    steps_per_epoch = check_integer(steps_per_epoch, "steps_per_epoch", minimum=1)
    batch_size = check_integer(batch_size, "batch_size", minimum=1)
    learning_rate = check_positive(learning_rate, "learning_rate")
    seed = check_integer(seed, "seed", minimum=0)
    loss = masked_mse_loss if method == "noise2void" else "mse"
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss)
    per_epoch = steps_per_epoch * batch_size
    history: dict = {"loss": []}
    started = time.perf_counter()
    for epoch in range(epochs):
        rng = np.random.default_rng([seed, epoch])
        order = np.concatenate([rng.permutation(len(patches)) for _ in range(-(-per_epoch // len(patches)))])
        chosen = patches[order[:per_epoch]]
        inputs, targets = training_pairs(chosen, method, sigma=sigma, seed=rng, fraction=fraction, radius=radius)
        result = model.fit(inputs, targets, batch_size=batch_size, epochs=1, shuffle=False, verbose=verbose)
        history["loss"].append(float(result.history["loss"][-1]))
    return SelfSupervisedRun(model=model, method=method, history=history, seconds=time.perf_counter() - started,
                             steps=epochs * steps_per_epoch)
