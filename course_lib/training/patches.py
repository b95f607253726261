"""Training data: the image sources every task reads; the denoisers' patches and ``tf.data`` pipelines.

A denoiser learns from pairs (noisy patch, clean patch). The clean patches are
cut from training images; the noise is drawn fresh every time a patch is used,
so the network never sees the same noisy patch twice. Everything is seeded:
epoch ``e`` of a run with seed ``s`` always yields the same patches with the
same noise, which is what makes an interrupted training resume exactly.

Images are *streamed*: only a handful are in memory at a time
(`images_in_memory`), so a folder of thousands of photos trains as easily as
the bundled collection. Augmentation, as in DnCNN, is a random rescaling of each
image (``scales``, which also washes out JPEG artifacts and sensor noise of the
"clean" photos) and one of the 8 rotations/flips of each patch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .._dihedral import DIHEDRAL_TRANSFORMS, dihedral_transform
from .._validation import check_choice, check_in_range, check_integer, check_positive
from .. import data

__all__ = [
    "ImageSource",
    "bundled_source",
    "folder_source",
    "holdout_split",
    "preloaded",
    "patch_generator",
    "check_patch_size_fits",
    "denoising_dataset",
    "validation_pairs",
    "fast_mode",
    "FAST_MODE_VARIABLE",
]

#: Set this environment variable to 1 to shrink every training run to a few steps (for CI).
FAST_MODE_VARIABLE = "COURSE_LIB_FAST"


def fast_mode() -> bool:
    """True when ``COURSE_LIB_FAST=1``: training runs shrink to a few tiny steps (CI, smoke tests)."""
    return os.environ.get(FAST_MODE_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ImageSource:
    """A collection of gray training images that are loaded only when needed.

    Attributes
    ----------
    description : str
        What the images are (for provenance records), e.g. ``"bundled train split"``.
    names : tuple of str
        One name per image.
    sizes : tuple of (int, int)
        Height and width of each image, known without loading it.
    loader : callable
        ``loader(index) -> (H, W) float32 array in [0, 1]``.
    """

    description: str
    names: tuple
    sizes: tuple
    loader: Callable[[int], np.ndarray]

    def __len__(self) -> int:
        return len(self.names)

    @property
    def megapixels(self) -> float:
        return sum(height * width for height, width in self.sizes) / 1e6


def bundled_source(split: str = "train", *, kind: str | None = None) -> ImageSource:
    """The bundled images of one split (default: the training split), as gray images.

    Parameters
    ----------
    split : {"train", "test", "extra"}
        Which split.
    kind : str, optional
        Only the images of this kind (``"photo"``, ``"texture"``, ...; see
        :func:`course_lib.data.list_images`), for example to fine-tune a model
        for natural photos on the photos alone.
    """
    check_choice(split, "split", ("train", "test", "extra"))
    names = tuple(data.list_images(split=split, kind=kind))
    if not names:
        raise ValueError(f"kind {kind!r}: the bundled {split} split has no images of this kind")
    sizes = tuple(data.load_image(name).shape[:2] for name in names)
    selection = f"bundled {split} split" + (f", {kind} images only" if kind is not None else "")
    return ImageSource(
        description=f"{selection}: {', '.join(names)}",
        names=names,
        sizes=sizes,
        loader=lambda index: data.load_image(names[index], gray=True),
    )


def _file_size(path: Path) -> tuple[int, int]:
    if path.suffix.lower() == ".npy":
        array = np.load(path, mmap_mode="r", allow_pickle=False)
        return tuple(int(side) for side in array.shape[:2])
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as opened:  # reads the header only
            width, height = opened.size
    except (UnidentifiedImageError, OSError):
        raise ValueError(f"path {str(path)!r} is not an image Pillow can read (corrupt or unsupported)") from None
    return height, width


def folder_source(folder) -> ImageSource:
    """Every image file in a folder of your own (PNG, JPEG, BMP, TIFF, ``.npy``), read as gray when used."""
    files = tuple(data.list_image_files(folder))
    return ImageSource(
        description=f"folder {str(Path(folder))!r}: {len(files)} images",
        names=tuple(path.name for path in files),
        sizes=tuple(_file_size(path) for path in files),
        loader=lambda index: np.clip(data.read_image(files[index], gray=True), 0.0, 1.0),
    )


def holdout_split(source: ImageSource, *, every: int = 20) -> tuple[ImageSource, ImageSource]:
    """Split a source into training images and a fixed validation subset that training never sees.

    Parameters
    ----------
    source : ImageSource
    every : int
        Every `every`-th image in name order (the 20th, 40th, ...) is held out.
        For Train400 that is 20 validation images and 380 training images.

    Returns
    -------
    (ImageSource, ImageSource)
        ``(training, validation)``; each description names the split.
    """
    every = check_integer(every, "every", minimum=2)
    if len(source) < every:
        raise ValueError(f"the source has {len(source)} images; holding out every {every}th leaves no validation image")
    held_out = [index for index in range(len(source)) if (index + 1) % every == 0]
    kept = [index for index in range(len(source)) if (index + 1) % every != 0]

    def subset(indices, label):
        return ImageSource(
            description=f"{source.description}; {label}",
            names=tuple(source.names[index] for index in indices),
            sizes=tuple(source.sizes[index] for index in indices),
            loader=lambda position, indices=tuple(indices): source.loader(indices[position]),
        )

    nth = _ordinal(every)
    return (subset(kept, f"training images: all but every {nth} ({len(kept)})"),
            subset(held_out, f"validation images: every {nth} ({len(held_out)}, never trained on)"))


def _ordinal(number: int) -> str:
    """``2 -> "2nd"``, ``3 -> "3rd"``, ``11 -> "11th"``, ``20 -> "20th"``, ``21 -> "21st"``."""
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def preloaded(source: ImageSource) -> ImageSource:
    """The same images, loaded once and kept in memory (a small set such as Train400: 52 MB as float32).

    Decoding a PNG costs about as much as cutting all the patches it gives in an
    epoch, so a small set is cheaper to keep than to reload every epoch.
    """
    images = [np.asarray(source.loader(index), dtype=np.float32) for index in range(len(source))]
    return ImageSource(description=source.description, names=source.names, sizes=source.sizes,
                       loader=lambda index: images[index])


def _rescale(image: np.ndarray, scale: float) -> np.ndarray:
    if scale == 1.0:
        return image
    from skimage.transform import rescale

    channel_axis = -1 if image.ndim == 3 else None  # colour images: rescale the sides, not the channels
    return rescale(image, scale, anti_aliasing=True, order=3, mode="reflect",
                   channel_axis=channel_axis).astype(np.float32)


def patch_generator(
    source: ImageSource,
    *,
    patch_size: int,
    count: int,
    seed: int,
    epoch: int = 0,
    scales=(1.0, 0.9, 0.8, 0.7),
    augment: bool = True,
    images_in_memory: int = 6,
):
    """Yield `count` clean ``(patch_size, patch_size, 1)`` float32 patches for one epoch.

    Parameters
    ----------
    source : ImageSource
        Where the images come from.
    patch_size : int
        Side of the square patches.
    count : int
        Patches in this epoch. Each image contributes in proportion to its area.
    seed, epoch : int
        The patches depend only on ``(seed, epoch)``.
    scales : sequence of float
        Each image is rescaled by one of these (chosen at random per image and
        epoch) before patches are cut.
    augment : bool
        Apply one of the 8 rotations/flips to each patch.
    images_in_memory : int
        How many images are loaded at once; patches are drawn in random order
        from that group, so consecutive patches mix several images.
    """
    rng = np.random.default_rng([seed, epoch])
    for image in _images_for_patches(source, patch_size=patch_size, count=count, rng=rng, scales=scales,
                                     images_in_memory=images_in_memory):
        top = int(rng.integers(0, image.shape[0] - patch_size + 1))
        left = int(rng.integers(0, image.shape[1] - patch_size + 1))
        patch = image[top : top + patch_size, left : left + patch_size]
        if augment:
            patch = _random_dihedral(patch, rng)
        yield np.ascontiguousarray(patch, dtype=np.float32)[..., None]


def _random_dihedral(patch: np.ndarray, rng: np.random.Generator, transform: int | None = None) -> np.ndarray:
    """One of the 8 rotations/flips (:func:`course_lib.models.dihedral_transform`), drawn from `rng`
    unless `transform` is given."""
    if transform is None:
        transform = int(rng.integers(0, DIHEDRAL_TRANSFORMS))
    return dihedral_transform(patch, transform)


def check_patch_size_fits(source, patch_size: int, scales) -> np.ndarray:
    """Which images of `source` can give a `patch_size` patch at every rescaling in `scales`.

    The trainers call it before they build a model, so that a patch size no image can
    give fails at once with one clear message instead of inside ``fit``.

    Parameters
    ----------
    source : ImageSource
    patch_size : int
        Side of the square patches, in pixels of the (rescaled) image.
    scales : sequence of float
        The rescalings of the augmentation; an image is usable when
        ``min(height, width) * min(scales) >= patch_size``.

    Returns
    -------
    numpy.ndarray of bool
        One flag per image.

    Raises
    ------
    ValueError
        If no image is usable, naming the largest patch size that would be.
    """
    usable = np.array([min(size) * min(scales) >= patch_size for size in source.sizes])
    if not usable.any():
        largest = max(source.sizes, key=min)
        raise ValueError(
            f"no training image is large enough for patch_size {patch_size} at the smallest rescaling "
            f"{min(scales):g} (the largest is {largest[0]}x{largest[1]}, which gives patches of at most "
            f"{int(min(largest) * min(scales))} pixels); choose a smaller patch size"
        )
    return usable


def _images_for_patches(source, *, patch_size, count, rng, scales, images_in_memory, prepare=None):
    """Yield one (rescaled, prepared) image per patch to cut: `count` in all, in a random order.

    Each usable image contributes in proportion to its area; images are loaded
    `images_in_memory` at a time, and the patches of a group come in random order,
    so consecutive patches mix several images. `prepare(image)` may turn each
    loaded image into whatever the caller cuts patches from (the default: itself).
    """
    areas = np.array([height * width for height, width in source.sizes], dtype=np.float64)
    usable = check_patch_size_fits(source, patch_size, scales)
    weights = np.where(usable, areas, 0.0)
    per_image = rng.multinomial(count, weights / weights.sum())
    order = rng.permutation(len(source))
    for start in range(0, len(order), images_in_memory):
        group = [index for index in order[start : start + images_in_memory] if per_image[index] > 0]
        if not group:
            continue
        images = [_rescale(source.loader(index), float(rng.choice(scales))) for index in group]
        if prepare is not None:
            images = [prepare(image) for image in images]
        owners = np.concatenate([np.full(per_image[index], position) for position, index in enumerate(group)])
        rng.shuffle(owners)
        for position in owners:
            yield images[position]


def _noise_levels(sigma, name="sigma") -> tuple[float, float]:
    """(low, high) on the 8-bit scale from one sigma or a (low, high) range (blind training)."""
    if isinstance(sigma, (tuple, list)):
        if len(sigma) != 2:
            raise ValueError(f"{name} must be a number or a (low, high) pair; got {sigma!r}")
        low = check_in_range(sigma[0], f"{name} low", 0, 255)
        high = check_in_range(sigma[1], f"{name} high", 0, 255)
        if high < low:
            raise ValueError(f"{name} range must have low <= high; got {sigma!r}")
        return low, high
    value = check_positive(sigma, name)
    check_in_range(value, name, 0, 255)
    return value, value


def denoising_dataset(
    source: ImageSource,
    *,
    sigma,
    patch_size: int = 64,
    batch_size: int = 32,
    steps_per_epoch: int = 100,
    epochs: int = 1,
    start_epoch: int = 0,
    seed: int = 0,
    scales=(1.0, 0.9, 0.8, 0.7),
    shuffle_buffer: int = 1024,
    noise_map: bool = False,
):
    """A ``tf.data`` pipeline of (noisy, clean) batches for epochs ``start_epoch .. epochs - 1``.

    Parameters
    ----------
    source : ImageSource
    sigma : float or (float, float)
        Noise level on the 8-bit scale; a pair ``(low, high)`` draws each
        patch's level uniformly from the range (blind training).
    patch_size, batch_size, steps_per_epoch : int
        Each epoch yields exactly `steps_per_epoch` batches of `batch_size` patches.
    epochs, start_epoch : int
        The dataset covers epochs ``start_epoch`` to ``epochs - 1``, so a resumed
        run sees the same data it would have seen without the interruption.
    seed : int
        Seeds the patches, the shuffling and the noise.
    scales : sequence of float
        Rescaling augmentation (see :func:`patch_generator`).
    shuffle_buffer : int
        Patches mixed by ``tf.data``'s shuffle within an epoch.
    noise_map : bool
        Yield ``((noisy, noise_level), clean)`` for a network that takes the noise
        level as a second input (:func:`course_lib.models.ffdnet`): ``noise_level``
        is ``sigma / 255`` at every pixel of each patch.

    Returns
    -------
    tf.data.Dataset
        Yields ``(noisy, clean)``, each ``(batch_size, patch_size, patch_size, 1)``
        float32. The noise is ``N(0, (sigma / 255)^2)``, added without clipping.
    """
    import tensorflow as tf

    low, high = _noise_levels(sigma)
    patch_size = check_integer(patch_size, "patch_size", minimum=8)
    batch_size = check_integer(batch_size, "batch_size", minimum=1)
    steps_per_epoch = check_integer(steps_per_epoch, "steps_per_epoch", minimum=1)
    epochs = check_integer(epochs, "epochs", minimum=1)
    start_epoch = check_integer(start_epoch, "start_epoch", minimum=0, maximum=epochs - 1)
    seed = check_integer(seed, "seed", minimum=0)
    patches_per_epoch = steps_per_epoch * batch_size
    signature = tf.TensorSpec((patch_size, patch_size, 1), tf.float32)

    def one_epoch(epoch):
        patches = tf.data.Dataset.from_generator(
            lambda epoch_value: patch_generator(
                source, patch_size=patch_size, count=patches_per_epoch, seed=seed,
                epoch=int(epoch_value), scales=tuple(scales),
            ),
            args=(epoch,),
            output_signature=signature,
        )
        patches = patches.shuffle(min(shuffle_buffer, patches_per_epoch), seed=seed, reshuffle_each_iteration=False)
        batches = patches.batch(batch_size, drop_remainder=True)
        first_step = tf.cast(epoch, tf.int64) * steps_per_epoch
        return batches.enumerate(start=0).map(lambda step, clean: (first_step + step, clean))

    def add_noise(step, clean):
        step = tf.cast(step, tf.int32)
        shape = tf.shape(clean)
        if high > low:
            levels = tf.random.stateless_uniform((shape[0], 1, 1, 1), seed=tf.stack([seed, step]),
                                                 minval=low, maxval=high)
        else:
            levels = tf.fill((shape[0], 1, 1, 1), tf.constant(low, tf.float32))
        noise = tf.random.stateless_normal(shape, seed=tf.stack([seed + 1, step])) * levels / 255.0
        if noise_map:
            return (clean + noise, tf.broadcast_to(levels / 255.0, shape)), clean
        return clean + noise, clean

    epochs_dataset = tf.data.Dataset.range(start_epoch, epochs)
    dataset = epochs_dataset.flat_map(one_epoch).map(add_noise, num_parallel_calls=tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.deterministic = True
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options).prefetch(2)


def validation_pairs(source: ImageSource, *, sigma, patch_size: int = 64, count: int = 32, seed: int = 12345,
                     noise_map: bool = False):
    """A fixed set of (noisy, clean) patches for watching training: the same every epoch and run.

    They are cut from the training images (a different seed than training uses), so
    they measure how well the network fits, not how well it generalizes; the
    held-out test split is for that, after training.

    With ``noise_map=True`` the first element is ``(noisy, noise_level)``, as
    :func:`denoising_dataset` yields for a noise-map network.

    Returns
    -------
    tuple of numpy.ndarray
        ``(noisy, clean)``, each ``(count, patch_size, patch_size, 1)`` float32.
        For a sigma range, each patch gets a level spread evenly across it.
    """
    low, high = _noise_levels(sigma)
    count = check_integer(count, "count", minimum=1)
    clean = np.stack(list(patch_generator(source, patch_size=patch_size, count=count, seed=seed, scales=(1.0,))))
    levels = np.linspace(low, high, count, dtype=np.float32).reshape(count, 1, 1, 1)
    noise = np.random.default_rng(seed).standard_normal(clean.shape).astype(np.float32)
    noisy = (clean + noise * levels / 255.0).astype(np.float32)
    if noise_map:
        return (noisy, np.broadcast_to(levels / 255.0, clean.shape).astype(np.float32)), clean
    return noisy, clean
