"""Training data for super-resolution: aligned low-/high-resolution luma patches, streamed and seeded.

As in the literature, networks learn on the luma Y of BT.601 YCbCr (divided by
255, so values lie in [16/255, 235/255]). Each training image, after the random
rescaling augmentation, is cropped to a multiple of the scale and shrunk with the
course's MATLAB-compatible bicubic (:func:`course_lib.degradations.imresize`,
antialiased), the same operator the evaluation protocol uses; the bicubic
upscaling of that low-resolution image is what SRCNN and VDSR refine. Patches
are then cut at aligned positions: low-resolution pixel ``(i, j)`` covers
high-resolution pixels ``(i s .. i s + s - 1, j s .. j s + s - 1)``, and a
rotation or flip applied to both keeps them aligned.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_choice, check_integer
from .patches import ImageSource, _images_for_patches, _random_dihedral

__all__ = ["luma_from_gray", "sr_patch_generator", "super_resolution_dataset", "sr_validation_pairs"]


def luma_from_gray(gray: np.ndarray) -> np.ndarray:
    """BT.601 luma in [0, 1] (what :func:`course_lib.color.rgb_to_gray` gives) to Y / 255 of YCbCr.

    ``Y = 16 + 219 * luma`` on the 8-bit scale (MATLAB's ``rgb2ycbcr``), so
    ``Y / 255 = (16 + 219 * luma) / 255``.
    """
    return ((16.0 + 219.0 * np.asarray(gray, dtype=np.float64)) / 255.0).astype(np.float32)


def _prepare(scale: int, low_resolution_input: bool):
    from ..degradations import crop_to_multiple, imresize

    def prepare(gray: np.ndarray):
        high = crop_to_multiple(luma_from_gray(gray), scale)
        low = imresize(high, output_shape=(high.shape[0] // scale, high.shape[1] // scale)).astype(np.float32)
        network_input = low if low_resolution_input else imresize(low, output_shape=high.shape).astype(np.float32)
        return network_input, high

    return prepare


def sr_patch_generator(
    source: ImageSource,
    *,
    scale: int,
    patch_size: int,
    count: int,
    seed: int,
    epoch: int = 0,
    low_resolution_input: bool = False,
    scales=(1.0, 0.9, 0.8, 0.7),
    augment: bool = True,
    images_in_memory: int = 6,
):
    """Yield `count` pairs ``(network input, high-resolution target)`` for one epoch.

    Parameters
    ----------
    source : ImageSource
        Training images (gray luma in [0, 1]).
    scale : int
        Upscaling factor.
    patch_size : int
        Side of the high-resolution patch; a multiple of `scale`.
    count, seed, epoch :
        As in :func:`course_lib.training.patch_generator`: the pairs depend only
        on ``(seed, epoch)``.
    low_resolution_input : bool
        The input is the low-resolution patch, ``patch_size / scale`` wide (ESPCN);
        otherwise the bicubic upscaling of the low-resolution image, cut at the
        same place as the target (SRCNN, VDSR).
    scales, augment, images_in_memory :
        As in :func:`course_lib.training.patch_generator`.

    Yields
    ------
    tuple of numpy.ndarray
        ``(input, target)``, float32 with a trailing channel axis.
    """
    scale = check_integer(scale, "scale", minimum=1)
    patch_size = check_integer(patch_size, "patch_size", minimum=scale)
    if patch_size % scale:
        raise ValueError(f"patch_size must be a multiple of scale={scale}; got {patch_size}")
    low_size = patch_size // scale
    rng = np.random.default_rng([seed, epoch, scale])
    prepare = _prepare(scale, low_resolution_input)
    for network_input, high in _images_for_patches(source, patch_size=patch_size, count=count, rng=rng,
                                                   scales=scales, images_in_memory=images_in_memory,
                                                   prepare=prepare):
        top = int(rng.integers(0, high.shape[0] // scale - low_size + 1))
        left = int(rng.integers(0, high.shape[1] // scale - low_size + 1))
        target = high[top * scale : (top + low_size) * scale, left * scale : (left + low_size) * scale]
        if low_resolution_input:
            patch = network_input[top : top + low_size, left : left + low_size]
        else:
            patch = network_input[top * scale : (top + low_size) * scale, left * scale : (left + low_size) * scale]
        if augment:
            transform = int(rng.integers(0, 8))
            patch, target = _random_dihedral(patch, rng, transform), _random_dihedral(target, rng, transform)
        yield (np.ascontiguousarray(patch, dtype=np.float32)[..., None],
               np.ascontiguousarray(target, dtype=np.float32)[..., None])


def super_resolution_dataset(
    source: ImageSource,
    *,
    scale: int,
    low_resolution_input: bool,
    patch_size: int = 48,
    batch_size: int = 32,
    steps_per_epoch: int = 100,
    epochs: int = 1,
    start_epoch: int = 0,
    seed: int = 0,
    scales=(1.0, 0.9, 0.8, 0.7),
    shuffle_buffer: int = 1024,
):
    """A ``tf.data`` pipeline of (input, target) batches for epochs ``start_epoch .. epochs - 1``.

    See :func:`sr_patch_generator` for the pairs and
    :func:`course_lib.training.denoising_dataset` for the epoch and seed semantics.
    """
    import tensorflow as tf

    check_choice(scale, "scale", (2, 3, 4))
    batch_size = check_integer(batch_size, "batch_size", minimum=1)
    steps_per_epoch = check_integer(steps_per_epoch, "steps_per_epoch", minimum=1)
    epochs = check_integer(epochs, "epochs", minimum=1)
    start_epoch = check_integer(start_epoch, "start_epoch", minimum=0, maximum=epochs - 1)
    if patch_size % scale:
        raise ValueError(f"patch_size must be a multiple of scale={scale}; got {patch_size}")
    input_size = patch_size // scale if low_resolution_input else patch_size
    per_epoch = steps_per_epoch * batch_size
    signature = (tf.TensorSpec((input_size, input_size, 1), tf.float32),
                 tf.TensorSpec((patch_size, patch_size, 1), tf.float32))

    def one_epoch(epoch):
        pairs = tf.data.Dataset.from_generator(
            lambda epoch_value: sr_patch_generator(
                source, scale=scale, patch_size=patch_size, count=per_epoch, seed=seed, epoch=int(epoch_value),
                low_resolution_input=low_resolution_input, scales=tuple(scales)),
            args=(epoch,), output_signature=signature)
        pairs = pairs.shuffle(min(shuffle_buffer, per_epoch), seed=seed, reshuffle_each_iteration=False)
        return pairs.batch(batch_size, drop_remainder=True)

    dataset = tf.data.Dataset.range(start_epoch, epochs).flat_map(one_epoch)
    options = tf.data.Options()
    options.deterministic = True
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options).prefetch(2)


def sr_validation_pairs(source: ImageSource, *, scale: int, low_resolution_input: bool, patch_size: int = 48,
                        count: int = 32, seed: int = 12345):
    """A fixed set of (input, target) patches from the training images, for watching training."""
    pairs = list(sr_patch_generator(source, scale=scale, patch_size=patch_size, count=count, seed=seed,
                                    low_resolution_input=low_resolution_input, scales=(1.0,)))
    return np.stack([pair[0] for pair in pairs]), np.stack([pair[1] for pair in pairs])
