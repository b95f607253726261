"""Denoisers that take the noise level as a second input: FFDNet and a small residual U-Net.

DnCNN (:func:`course_lib.models.dncnn`) runs 17 convolutions of 64 channels on
every pixel: about 554,000 multiply-adds per pixel, and a model for one noise
level. The two networks here spend the same CPU differently:

- :func:`ffdnet` (Zhang, Zuo and Zhang 2018) folds each 2x2 block of pixels into
  four channels and runs its convolutions on a quarter of the pixels: about
  121,000 multiply-adds per pixel for 15 layers, with twice DnCNN's receptive
  field per layer.
- :func:`residual_unet` is a small DRUNet (Zhang et al. 2021): residual blocks at
  four resolutions, full, 1/2, 1/4 and 1/8, halving the pixels at each step down
  and doubling the channels. Most of its arithmetic is at low resolution, where a
  3x3 convolution sees a window 2, 4 or 8 times wider, so one output pixel depends
  on a window of well over a hundred pixels for about the arithmetic of FFDNet.

Both take a *noise-level map* beside the noisy image: an image of the same size
holding ``sigma / 255`` at every pixel. One trained model then serves every noise
level (the map tells it how strongly to smooth), and a map that varies across the
image handles noise that does. Both are residual by default: the last layer
predicts the noise and the model returns ``noisy - predicted_noise``.

Inputs and output
-----------------
``model([noisy, noise_level])`` with ``noisy`` of shape ``(N, H, W, channels)``
and ``noise_level`` of shape ``(N, H, W, 1)`` returns the clean estimate
``(N, H, W, channels)``. `H` and `W` must be multiples of
:func:`~course_lib.models.size_multiple` (2 for FFDNet, 8 for the U-Net);
:func:`course_lib.models.denoise` pads for you and builds the map from `sigma`.
"""

from __future__ import annotations

import keras

from .._validation import check_choice, check_integer
from .layers import PixelShuffle, PixelUnshuffle

__all__ = ["ffdnet", "residual_unet", "takes_noise_level", "NOISE_LEVEL_INPUT"]

#: The name of the noise-level map input of every noise-map denoiser.
NOISE_LEVEL_INPUT = "noise_level"


def takes_noise_level(model) -> bool:
    """True when `model` has a second input, the noise-level map (``sigma / 255`` per pixel)."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    return len(model.inputs) == 2


def _inputs(channels: int):
    noisy = keras.Input(shape=(None, None, channels), name="noisy")
    noise_level = keras.Input(shape=(None, None, 1), name=NOISE_LEVEL_INPUT)
    return noisy, noise_level


def _convolution(filters, kernel_size, name, *, seed, activation=None, strides=1, small=False):
    if small:  # the last layer starts small: an untrained residual network returns about its input
        initializer = keras.initializers.VarianceScaling(scale=1e-4, mode="fan_in",
                                                         distribution="truncated_normal", seed=seed)
    elif activation == "relu":  # He: a ReLU halves the variance, so the weights double it
        initializer = keras.initializers.HeNormal(seed=seed)
    else:  # a linear convolution keeps the variance (He here would double it at every level of a U-Net)
        initializer = keras.initializers.VarianceScaling(scale=1.0, mode="fan_in",
                                                         distribution="truncated_normal", seed=seed)
    return keras.layers.Conv2D(filters, kernel_size, strides=strides, padding="same", activation=activation,
                               kernel_initializer=initializer, name=name)


def _output(noisy, estimate, residual: bool, name: str, inputs) -> keras.Model:
    if residual:
        noise_estimate = keras.layers.Identity(name="noise_estimate")(estimate)
        clean = keras.layers.Subtract(name="clean_estimate")([noisy, noise_estimate])
    else:
        clean = keras.layers.Identity(name="clean_estimate")(estimate)
    return keras.Model(inputs, clean, name=name)


def ffdnet(*, depth: int = 15, width: int = 64, channels: int = 1, residual: bool = True, seed: int = 0,
           name: str = "ffdnet") -> keras.Model:
    """Build an FFDNet-style denoiser: pixel unshuffle by 2, a noise-level map, plain 3x3 convolutions.

    The noisy image is unshuffled into ``4 * channels`` half-resolution channels,
    the noise-level map is averaged over the same 2x2 blocks and appended as one
    more channel, `depth` 3x3 convolutions run at half resolution (ReLU between
    them, no BatchNorm), and a pixel shuffle returns to full resolution.

    Parameters
    ----------
    depth : int
        Convolution layers, first and last included (15 for gray in the paper).
    width : int
        Channels of the hidden layers (64 for gray in the paper).
    channels : {1, 3}
        Image channels.
    residual : bool
        Predict the noise (True) or the clean image (False, the paper's choice).
    seed : int
        Seed of the weight initializers.
    name : str

    Returns
    -------
    keras.Model
        ``[noisy, noise_level] -> clean``.

    Notes
    -----
    Multiply-adds per output pixel, with ``c = channels``:
    ``(9 (4c + 1) w + 9 w^2 (depth - 2) + 9 w 4c) / 4``; for gray, 15 layers of 64:
    about 121,000, a fifth of DnCNN-S. Receptive field: ``2 + 4 depth`` pixels (62).

    References
    ----------
    .. [1] K. Zhang, W. Zuo and L. Zhang, "FFDNet: toward a fast and flexible
       solution for CNN-based image denoising", IEEE Transactions on Image
       Processing 27(9), 4608-4622, 2018.

    Examples
    --------
    >>> model = ffdnet(depth=4, width=8)
    >>> [tuple(tensor.shape) for tensor in model.inputs]
    [(None, None, None, 1), (None, None, None, 1)]
    """
    depth = check_integer(depth, "depth", minimum=2)
    width = check_integer(width, "width", minimum=1)
    channels = check_integer(channels, "channels")
    check_choice(channels, "channels", (1, 3))
    seed = check_integer(seed, "seed", minimum=0)
    noisy, noise_level = _inputs(channels)
    folded = PixelUnshuffle(2, name="unshuffle")(noisy)
    level = keras.layers.AveragePooling2D(2, name="noise_level_half")(noise_level)
    features = keras.layers.Concatenate(name="with_noise_level")([folded, level])
    features = _convolution(width, 3, "conv_1", seed=seed + 1, activation="relu")(features)
    for index in range(2, depth):
        features = _convolution(width, 3, f"conv_{index}", seed=seed + index, activation="relu")(features)
    estimate = _convolution(4 * channels, 3, f"conv_{depth}", seed=seed + depth, small=True)(features)
    estimate = PixelShuffle(2, name="shuffle")(estimate)
    return _output(noisy, estimate, residual, name, [noisy, noise_level])


def residual_unet(*, widths=(32, 64, 128, 256), blocks: int = 1, channels: int = 1, residual: bool = True,
                  seed: int = 0, name: str = "residual_unet") -> keras.Model:
    """Build a small multi-scale denoiser: a U-Net of residual blocks with a noise-level map (DRUNet-like).

    ::

        [noisy, map] -> Conv3x3(w1)
          level 1 (full):  blocks x ResBlock(w1) --------------------------------+ add
            down: Conv2x2 stride 2 -> w2                                          |
            level 2 (1/2):  blocks x ResBlock(w2) ------------------------+ add   |
              ...                                                         |       |
                bottom (1/8): blocks x ResBlock(w4)                       |       |
              up: Conv1x1 (4 w3) + pixel shuffle -> w3, + skip, blocks x ResBlock(w3)
            ...                                                                    |
          up to full: + skip, blocks x ResBlock(w1) -> Conv3x3(channels) = noise estimate

    where ``ResBlock(w)(x) = x + Conv3x3(ReLU(Conv3x3(x)))``, whose second
    convolution starts with small weights (each block starts near the identity).

    Parameters
    ----------
    widths : sequence of int
        Channels at each resolution, full resolution first; each further entry
        halves the resolution (the default has four levels, down to 1/8).
    blocks : int
        Residual blocks per level on the way down, at the bottom, and on the way up.
    channels : {1, 3}
        Image channels.
    residual : bool
        Predict the noise (True) or the clean image.
    seed : int
        Seed of the weight initializers.
    name : str

    Returns
    -------
    keras.Model
        ``[noisy, noise_level] -> clean``; input sides must be multiples of
        ``2 ** (len(widths) - 1)``.

    Notes
    -----
    A 3x3 convolution of ``w`` to ``w`` channels at level ``l`` (resolution
    ``2^-l``) costs ``9 w^2 / 4^l`` multiply-adds per output pixel, so doubling
    the channels at each level down keeps every level's cost the same
    (``9 * 32^2 = 9 * 64^2 / 4``): the default, with one block per level,
    does about 160,000 multiply-adds per pixel, and its receptive field is
    far larger than DnCNN's 35 pixels.

    References
    ----------
    .. [1] K. Zhang, Y. Li, W. Zuo, L. Zhang, L. Van Gool and R. Timofte,
       "Plug-and-play image restoration with deep denoiser prior", IEEE
       Transactions on Pattern Analysis and Machine Intelligence 44(10), 6360-6376, 2021.
    .. [2] O. Ronneberger, P. Fischer and T. Brox, "U-Net: convolutional networks
       for biomedical image segmentation", MICCAI 2015.

    Examples
    --------
    >>> model = residual_unet(widths=(8, 16), blocks=1)
    >>> model.output_shape
    (None, None, None, 1)
    """
    widths = tuple(check_integer(width, "widths", minimum=1) for width in widths)
    if not widths:
        raise ValueError("widths must name at least one level")
    blocks = check_integer(blocks, "blocks", minimum=0)
    channels = check_integer(channels, "channels")
    check_choice(channels, "channels", (1, 3))
    seed = check_integer(seed, "seed", minimum=0)
    counter = iter(range(seed + 1, seed + 10_000))

    def residual_block(features, width, label):
        inner = _convolution(width, 3, f"{label}_conv_a", seed=next(counter), activation="relu")(features)
        # The block's last convolution starts small, so each block starts near the identity and the
        # sum of many blocks and skips does not blow up before training has begun (no normalization here).
        inner = _convolution(width, 3, f"{label}_conv_b", seed=next(counter), small=True)(inner)
        return keras.layers.Add(name=f"{label}_add")([features, inner])

    noisy, noise_level = _inputs(channels)
    features = keras.layers.Concatenate(name="with_noise_level")([noisy, noise_level])
    features = _convolution(widths[0], 3, "head", seed=next(counter))(features)
    skips = []
    for level, width in enumerate(widths):
        if level > 0:
            features = _convolution(width, 2, f"down_{level}", seed=next(counter), strides=2)(features)
        for block in range(blocks):
            features = residual_block(features, width, f"encoder_{level}_{block}")
        skips.append(features)
    for level in range(len(widths) - 2, -1, -1):
        width = widths[level]
        features = _convolution(4 * width, 1, f"up_{level}", seed=next(counter))(features)
        features = PixelShuffle(2, name=f"shuffle_{level}")(features)
        features = keras.layers.Add(name=f"skip_{level}")([features, skips[level]])
        for block in range(blocks):
            features = residual_block(features, width, f"decoder_{level}_{block}")
    estimate = _convolution(channels, 3, "tail", seed=next(counter), small=True)(features)
    return _output(noisy, estimate, residual, name, [noisy, noise_level])
