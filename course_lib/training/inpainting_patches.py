"""Training data for inpainting: colour patches with random holes, streamed and seeded.

An inpainting network learns from pairs (damaged patch and its hole mask, clean
patch). The clean patches are cut from colour training images (gray images are
repeated into three channels, so one RGB network serves both); each gets a fresh
hole drawn from a mixture that covers what the course's users meet:

- free-form brush strokes (:func:`course_lib.degradations.stroke_mask`), the
  common benchmark since Liu et al. (2018), with brush widths from
  ``max_width / 3`` to ``max_width``;
- random rectangles (:func:`~course_lib.degradations.rectangle_mask`), the
  setting of Context Encoders;
- strokes with thin scratches on top (:func:`~course_lib.degradations.scratch_mask`),
  as on old photographs and paintings.

The hole covers between ``coverage[0]`` and ``coverage[1]`` of each patch. Drawing
a free-form hole costs about as much as a training step's arithmetic on one patch,
so, as Liu et al. did with their fixed set of irregular masks, the holes come from
a bank drawn once per run (:func:`hole_bank`, 2000 holes), each used in one of its
8 rotations and flips. As for the denoisers, epoch ``e`` of a run with seed ``s``
always yields the same patches with the same holes, which is what makes an
interrupted run resume exactly.
"""

from __future__ import annotations

import functools

import numpy as np

from .._validation import check_in_range, check_integer
from .. import data
from .patches import ImageSource, _images_for_patches, _random_dihedral

__all__ = [
    "color_source",
    "training_hole",
    "hole_bank",
    "inpainting_patch_generator",
    "inpainting_dataset",
    "inpainting_validation_pairs",
    "HOLE_KINDS",
]

#: The kinds of hole a training patch gets, and how often (they sum to 1).
HOLE_KINDS = {"strokes": 0.6, "rectangles": 0.2, "strokes and scratches": 0.2}


def _as_rgb(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=-1)
    return image[..., :3]


def color_source(source: ImageSource, *, folder=None) -> ImageSource:
    """The images of `source` loaded in colour, ``(H, W, 3)`` (gray ones repeated into 3 channels).

    Parameters
    ----------
    source : ImageSource
        From :func:`course_lib.training.bundled_source` or
        :func:`course_lib.training.folder_source` (which load gray images).
    folder : str or os.PathLike, optional
        The folder `source` was made from (all of it, or a held-out split of it:
        its images are found by file name), read again in colour; omit it for
        the bundled images. Any other source without a `folder` (images already
        in memory) is read with its own loader, gray images repeated into three
        channels.
    """
    if folder is not None:
        files = {path.name: path for path in data.list_image_files(folder)}
        missing = [name for name in source.names if name not in files]
        if missing:
            raise ValueError(f"{len(missing)} images of the source are not files of {str(folder)!r}: "
                             f"{', '.join(missing[:3])}")
        paths = tuple(files[name] for name in source.names)

        def loader(index):
            return _as_rgb(np.clip(data.read_image(paths[index]), 0.0, 1.0))
    elif set(source.names) <= set(data.list_images()):
        names = source.names

        def loader(index):
            return _as_rgb(data.load_image(names[index]))
    else:
        own_loader = source.loader

        def loader(index):
            return _as_rgb(own_loader(index))

    return ImageSource(description=source.description + " (RGB)", names=source.names, sizes=source.sizes,
                       loader=loader)


def training_hole(size: int, rng: np.random.Generator, *, coverage=(0.05, 0.35), max_width: float = 32.0) -> np.ndarray:
    """One random hole mask ``(size, size)`` (True = missing) from the mixture :data:`HOLE_KINDS`.

    Parameters
    ----------
    size : int
        Side of the patch.
    rng : numpy.random.Generator
    coverage : (float, float)
        The fraction of the patch the hole covers lies in this range (for the
        stroke kinds; rectangles are drawn until they do).
    max_width : float
        Largest brush width in pixels (capped at a quarter of `size`).
    """
    from ..degradations import mask_coverage, rectangle_mask, scratch_mask, stroke_mask

    low, high = coverage
    width = min(float(max_width), size / 4.0)
    kind = rng.choice(len(HOLE_KINDS), p=list(HOLE_KINDS.values()))
    if kind == 1:
        for _ in range(50):
            mask = rectangle_mask((size, size), count=int(rng.integers(1, 4)), min_size=0.15, max_size=0.5, seed=rng)
            if low <= mask_coverage(mask) <= high:
                return mask
        return mask
    # Strokes are added until the hole reaches the lower bound: aim at a target drawn across the range.
    target = rng.uniform(low, low + 0.8 * (high - low))
    mask = stroke_mask((size, size), coverage=(target, high), max_width=width, seed=rng, max_attempts=500)
    if kind == 2:
        mask |= scratch_mask((size, size), count=int(rng.integers(1, 4)), width=int(rng.integers(1, 4)), seed=rng)
    return mask


@functools.lru_cache(maxsize=4)
def hole_bank(size: int, *, count: int = 2000, seed: int = 0, coverage=(0.05, 0.35),
              max_width: float = 32.0) -> np.ndarray:
    """`count` holes from :func:`training_hole`, ``(count, size, size)`` boolean, the same for the same arguments.

    Cached, so a run draws its bank once. Treat the result as read-only.
    """
    count = check_integer(count, "count", minimum=1)
    rng = np.random.default_rng([seed, size, 99])
    bank = np.stack([training_hole(size, rng, coverage=tuple(coverage), max_width=max_width) for _ in range(count)])
    bank.setflags(write=False)
    return bank


def inpainting_patch_generator(
    source: ImageSource,
    *,
    patch_size: int,
    count: int,
    seed: int,
    epoch: int = 0,
    coverage=(0.05, 0.35),
    max_width: float = 32.0,
    scales=(1.0, 0.9, 0.8, 0.7),
    augment: bool = True,
    images_in_memory: int = 6,
):
    """Yield `count` pairs ``(clean patch (P, P, 3), hole (P, P, 1))``, float32, for one epoch.

    Parameters
    ----------
    source : ImageSource
        Colour images (:func:`color_source`).
    patch_size, count, seed, epoch, scales, augment, images_in_memory :
        As in :func:`course_lib.training.patch_generator`: the pairs depend only on
        ``(seed, epoch)``.
    coverage, max_width :
        The holes (:func:`training_hole`), drawn from :func:`hole_bank` (seeded by
        `seed`; ``min(count, 2000)`` holes).
    """
    patch_size = check_integer(patch_size, "patch_size", minimum=16)
    low = check_in_range(coverage[0], "coverage low", 0.0, 1.0)
    high = check_in_range(coverage[1], "coverage high", low, 1.0)
    rng = np.random.default_rng([seed, epoch, 7])
    bank = hole_bank(patch_size, count=min(count, 2000), seed=seed, coverage=(low, high), max_width=max_width)
    for image in _images_for_patches(source, patch_size=patch_size, count=count, rng=rng, scales=scales,
                                     images_in_memory=images_in_memory):
        top = int(rng.integers(0, image.shape[0] - patch_size + 1))
        left = int(rng.integers(0, image.shape[1] - patch_size + 1))
        patch = image[top : top + patch_size, left : left + patch_size]
        if augment:
            patch = _random_dihedral(patch, rng)
        hole = _random_dihedral(bank[int(rng.integers(0, len(bank)))], rng)
        yield np.ascontiguousarray(patch, dtype=np.float32), hole[..., None].astype(np.float32)


def _network_pair(clean, hole):
    """``((damaged, hole), target)`` with the target ``concat(clean, hole)``: the loss needs the hole."""
    damaged = clean * (1.0 - hole)
    import tensorflow as tf

    return (damaged, hole), tf.concat([clean, hole], axis=-1)


def inpainting_dataset(
    source: ImageSource,
    *,
    patch_size: int = 128,
    batch_size: int = 16,
    steps_per_epoch: int = 100,
    epochs: int = 1,
    start_epoch: int = 0,
    seed: int = 0,
    coverage=(0.05, 0.35),
    max_width: float = 32.0,
    scales=(1.0, 0.9, 0.8, 0.7),
    shuffle_buffer: int = 512,
):
    """A ``tf.data`` pipeline of ``((damaged, hole), target)`` batches for epochs ``start_epoch .. epochs - 1``.

    The damaged patch is ``clean * (1 - hole)`` (zeros in the hole), and the target
    is the clean patch with the hole appended as a fourth channel, which is how the
    loss (:func:`course_lib.training.inpainting_l1_loss`) knows where the hole is.
    See :func:`course_lib.training.denoising_dataset` for the epoch and seed semantics.
    """
    import tensorflow as tf

    batch_size = check_integer(batch_size, "batch_size", minimum=1)
    steps_per_epoch = check_integer(steps_per_epoch, "steps_per_epoch", minimum=1)
    epochs = check_integer(epochs, "epochs", minimum=1)
    start_epoch = check_integer(start_epoch, "start_epoch", minimum=0, maximum=epochs - 1)
    per_epoch = steps_per_epoch * batch_size
    signature = (tf.TensorSpec((patch_size, patch_size, 3), tf.float32),
                 tf.TensorSpec((patch_size, patch_size, 1), tf.float32))

    def one_epoch(epoch):
        pairs = tf.data.Dataset.from_generator(
            lambda epoch_value: inpainting_patch_generator(
                source, patch_size=patch_size, count=per_epoch, seed=seed, epoch=int(epoch_value),
                coverage=tuple(coverage), max_width=max_width, scales=tuple(scales)),
            args=(epoch,), output_signature=signature)
        pairs = pairs.shuffle(min(shuffle_buffer, per_epoch), seed=seed, reshuffle_each_iteration=False)
        return pairs.batch(batch_size, drop_remainder=True)

    dataset = tf.data.Dataset.range(start_epoch, epochs).flat_map(one_epoch).map(_network_pair)
    options = tf.data.Options()
    options.deterministic = True
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options).prefetch(2)


def inpainting_validation_pairs(source: ImageSource, *, patch_size: int = 128, count: int = 16, seed: int = 12345,
                                coverage=(0.05, 0.35), max_width: float = 32.0):
    """A fixed set of ``((damaged, hole), target)`` arrays from the training images, for watching training."""
    pairs = list(inpainting_patch_generator(source, patch_size=patch_size, count=count, seed=seed,
                                            coverage=coverage, max_width=max_width, scales=(1.0,)))
    clean = np.stack([pair[0] for pair in pairs])
    hole = np.stack([pair[1] for pair in pairs])
    return (clean * (1.0 - hole), hole), np.concatenate([clean, hole], axis=-1)
