"""Super-resolution networks: SRCNN, ESPCN, a VDSR-style and an EDSR-style residual network.

All four work on one channel (the luma Y of YCbCr, as in the literature) with
values in [0, 1], and differ in *where* they work:

- **SRCNN** (Dong, Loy, He and Tang 2014/2016) takes the bicubic upscaling of the
  low-resolution image and refines it: a 9x9 convolution extracts features, a 1x1
  convolution maps them, a 5x5 convolution reconstructs (the "9-1-5" network).
  Every convolution runs at the high resolution.
- **ESPCN** (Shi et al. 2016) takes the low-resolution image itself, computes
  ``scale^2`` channels at low resolution and rearranges them into an image ``scale``
  times larger with a pixel shuffle (the *sub-pixel convolution*). About
  ``scale^2`` times cheaper than SRCNN for the same layers.
- **VDSR** (Kim, Lee and Lee 2016) takes the bicubic upscaling and predicts only
  what bicubic misses, the high-frequency residual: ``output = bicubic + R(bicubic)``,
  with a deep stack of 3x3 convolutions. With ``unshuffle=scale`` the same residual
  network runs at low resolution after a pixel unshuffle (as ESPCN does), which
  costs ``scale^2`` times less.

- **EDSR** (Lim, Son, Kim, Nah and Lee 2017) keeps ESPCN's place, the low
  resolution, and VDSR's idea, learning only a residual: residual blocks without
  normalization compute on the low-resolution image, a last convolution makes
  ``scale^2`` channels that a pixel shuffle turns into the detail, and the detail is
  added to the bicubic upscaling of the input, computed inside the network. All the arithmetic is done
  on ``1 / scale^2`` of the output's pixels, so the network can be deep and wide for
  a fraction of VDSR's multiply-adds per output pixel.
  Its blocks may also be WDSR's *wide-activation* blocks (Yu et al. 2018), which
  put the ReLU on six times more channels for the same multiply-adds.

:func:`takes_low_resolution` tells which input a model expects, so
:func:`course_lib.models.super_resolve` can feed each one correctly.
"""

from __future__ import annotations

import keras

from .._validation import check_choice, check_integer
from .layers import PixelShuffle, PixelUnshuffle

__all__ = ["srcnn", "espcn", "vdsr", "edsr", "takes_low_resolution", "SR_SCALES", "EDSR_BLOCKS"]

#: The upscaling factors the course trains and evaluates.
SR_SCALES = (2, 3, 4)

#: The residual blocks :func:`edsr` can stack: EDSR's plain one, WDSR-B's wide-activation one.
EDSR_BLOCKS = ("plain", "wide")


def _conv(filters, size, name, *, activation=None, seed=0, small=False):
    if small:
        initializer = keras.initializers.VarianceScaling(scale=0.01, mode="fan_in",
                                                         distribution="truncated_normal", seed=seed)
    else:
        initializer = keras.initializers.HeNormal(seed=seed)
    return keras.layers.Conv2D(filters, size, padding="same", activation=activation,
                               kernel_initializer=initializer, name=name)


def srcnn(*, filters=(64, 32), kernel_sizes=(9, 1, 5), seed: int = 0) -> keras.Model:
    """SRCNN, the "9-1-5" network: refine a bicubic upscaling with three convolutions.

    Parameters
    ----------
    filters : (int, int)
        Channels of the first two layers (64 and 32 in the paper).
    kernel_sizes : (int, int, int)
        Kernel sides of the three layers.
    seed : int
        Seed of the initializers.

    Returns
    -------
    keras.Model
        ``(N, H, W, 1)`` bicubic-upscaled luma to ``(N, H, W, 1)`` super-resolved luma.
        The same weights serve any image size; each model is trained for one scale.

    References
    ----------
    .. [1] C. Dong, C. C. Loy, K. He and X. Tang, "Learning a deep convolutional
       network for image super-resolution", ECCV 2014; "Image super-resolution
       using deep convolutional networks", IEEE TPAMI 38(2), 295-307, 2016.
    """
    seed = check_integer(seed, "seed", minimum=0)
    if len(filters) != 2 or len(kernel_sizes) != 3:
        raise ValueError("filters must have 2 entries and kernel_sizes 3 (the 9-1-5 layout)")
    upscaled = keras.Input((None, None, 1), name="bicubic")
    features = _conv(filters[0], kernel_sizes[0], "patch_extraction", activation="relu", seed=seed)(upscaled)
    features = _conv(filters[1], kernel_sizes[1], "nonlinear_mapping", activation="relu", seed=seed + 1)(features)
    output = _conv(1, kernel_sizes[2], "reconstruction", seed=seed + 2)(features)
    return keras.Model(upscaled, output, name="srcnn")


def espcn(scale: int, *, filters=(64, 32), seed: int = 0) -> keras.Model:
    """ESPCN: convolutions at low resolution, then a sub-pixel (pixel shuffle) upscaling.

    Parameters
    ----------
    scale : {2, 3, 4}
        Upscaling factor.
    filters : (int, int)
        Channels of the two hidden layers (64 and 32 in the paper).
    seed : int

    Returns
    -------
    keras.Model
        ``(N, h, w, 1)`` low-resolution luma to ``(N, h * scale, w * scale, 1)``.

    Notes
    -----
    Layers: 5x5 conv (64, tanh), 3x3 conv (32, tanh), 3x3 conv (``scale^2``
    channels), pixel shuffle. The last layer's ``scale^2`` channels at low-resolution
    pixel ``(i, j)`` become the ``scale x scale`` block of output pixels
    ``(i * scale + p, j * scale + q)``.

    References
    ----------
    .. [1] W. Shi, J. Caballero, F. Huszár, J. Totz, A. P. Aitken, R. Bishop,
       D. Rueckert and Z. Wang, "Real-time single image and video super-resolution
       using an efficient sub-pixel convolutional neural network", CVPR 2016.
    """
    scale = check_integer(scale, "scale")
    check_choice(scale, "scale", SR_SCALES)
    seed = check_integer(seed, "seed", minimum=0)
    low = keras.Input((None, None, 1), name="low_resolution")
    features = _conv(filters[0], 5, "conv_1", activation="tanh", seed=seed)(low)
    features = _conv(filters[1], 3, "conv_2", activation="tanh", seed=seed + 1)(features)
    sub_pixels = _conv(scale * scale, 3, "conv_3", seed=seed + 2)(features)
    return keras.Model(low, PixelShuffle(scale, name="shuffle")(sub_pixels), name=f"espcn_x{scale}")


def vdsr(*, depth: int = 20, width: int = 64, unshuffle: int = 1, seed: int = 0) -> keras.Model:
    """VDSR-style network: bicubic upscaling plus a learned high-frequency residual.

    Parameters
    ----------
    depth : int
        Convolution layers (20 in the paper).
    width : int
        Channels of the hidden layers (64).
    unshuffle : {1, 2, 3, 4}
        Run the convolutions at ``1 / unshuffle`` resolution after a pixel
        unshuffle; pass the model's scale to work at the low resolution (input
        sides must then be multiples of it, which bicubic upscaling by that scale
        guarantees).
    seed : int

    Returns
    -------
    keras.Model
        ``(N, H, W, 1)`` bicubic-upscaled luma to ``(N, H, W, 1)``; the layer named
        ``"residual"`` holds the predicted detail.

    References
    ----------
    .. [1] J. Kim, J. K. Lee and K. M. Lee, "Accurate image super-resolution using
       very deep convolutional networks", CVPR 2016.
    """
    depth = check_integer(depth, "depth", minimum=2)
    width = check_integer(width, "width", minimum=1)
    unshuffle = check_integer(unshuffle, "unshuffle")
    check_choice(unshuffle, "unshuffle", (1, 2, 3, 4))
    seed = check_integer(seed, "seed", minimum=0)
    upscaled = keras.Input((None, None, 1), name="bicubic")
    features = PixelUnshuffle(unshuffle, name="unshuffle")(upscaled) if unshuffle > 1 else upscaled
    features = _conv(width, 3, "conv_1", activation="relu", seed=seed)(features)
    for index in range(2, depth):
        features = _conv(width, 3, f"conv_{index}", activation="relu", seed=seed + index)(features)
    residual = _conv(unshuffle * unshuffle, 3, f"conv_{depth}", seed=seed + depth, small=True)(features)
    if unshuffle > 1:
        residual = PixelShuffle(unshuffle, name="shuffle")(residual)
    residual = keras.layers.Identity(name="residual")(residual)
    output = keras.layers.Add(name="bicubic_plus_residual")([upscaled, residual])
    return keras.Model(upscaled, output, name="vdsr")


def edsr(scale: int, *, blocks: int = 6, width: int = 64, block: str = "plain", expansion: int = 6,
         seed: int = 0) -> keras.Model:
    """EDSR-style network: residual blocks at low resolution, a sub-pixel upscaling, a global skip.

    Parameters
    ----------
    scale : {2, 3, 4}
        Upscaling factor.
    blocks : int
        Residual blocks (16 in EDSR's baseline, 32 in the full EDSR).
    width : int
        Channels of the features (64 in EDSR's baseline).
    block : {"plain", "wide"}
        ``"plain"``: EDSR's block, two 3x3 convolutions of `width` channels with a ReLU
        between. ``"wide"``: WDSR-B's block with *wide activation*, a 1x1 convolution to
        ``expansion * width`` channels, the ReLU there, a linear 1x1 convolution down to
        ``round(0.8 * width)`` channels and one 3x3 convolution back to `width`.
    expansion : int
        For ``block="wide"``: how many times wider than the features the ReLU is (6 in WDSR-B).
    seed : int

    Returns
    -------
    keras.Model
        ``(N, h, w, 1)`` low-resolution luma to ``(N, h * scale, w * scale, 1)``; the
        layer named ``"residual"`` holds the predicted detail.

    Notes
    -----
    With ``F_0 = conv(x)`` (3x3, `width` channels) and residual blocks
    ``F_k = F_{k-1} + conv(relu(conv(F_{k-1})))``, the output is

    .. math:: y = \\operatorname{up}_{\\text{bicubic}}(x) + \\operatorname{shuffle}\\big(\\operatorname{conv}(F_0 + F_B)\\big)

    where the last convolution makes ``scale^2`` channels. Every convolution runs on the ``h
    x w`` input, so the multiply-adds per *output* pixel are about ``(2 B * 9 * width^2) /
    scale^2``: for the defaults 111 K at x2, 49 K at x3 and 28 K at x4, against 665 K for
    :func:`vdsr` on the bicubic upscaling at every scale (and ``665 K / scale^2`` for
    :func:`vdsr` with ``unshuffle=scale``, which also computes at low resolution but on a
    pixel-unshuffled bicubic upscaling). Unlike EDSR, the upscaling is one convolution to
    ``scale^2`` channels (as in :func:`espcn`) rather than a wide convolution before the
    shuffle, and the input's bicubic upscaling (Keras' ``UpSampling2D``, the same cubic
    kernel as MATLAB's ``imresize`` away from the border) is added back, as in :func:`vdsr`,
    so the blocks only learn what bicubic misses.

    The second convolution of each block and the last one start near zero, so an untrained
    network returns about the bicubic upscaling (no normalization needed).

    A wide block costs ``width^2 (expansion + 0.8 expansion + 9 * 0.8)`` multiply-adds per
    pixel, ``18.0 width^2`` for ``expansion=6``, about the ``18 width^2`` of a plain block: the
    same arithmetic, with the nonlinearity applied to six times more channels, which Yu et
    al. found more accurate per multiply-add; the price is one 3x3 convolution per block
    instead of two, so half the receptive field for the same number of blocks.

    References
    ----------
    .. [1] B. Lim, S. Son, H. Kim, S. Nah and K. M. Lee, "Enhanced deep residual
       networks for single image super-resolution", CVPR Workshops 2017.
    .. [2] J. Yu, Y. Fan, J. Yang, N. Xu, Z. Wang, X. Wang and T. Huang, "Wide activation
       for efficient and accurate image super-resolution", arXiv:1808.08718, 2018 (WDSR).
    """
    scale = check_integer(scale, "scale")
    check_choice(scale, "scale", SR_SCALES)
    blocks = check_integer(blocks, "blocks", minimum=0)
    width = check_integer(width, "width", minimum=1)
    check_choice(block, "block", EDSR_BLOCKS)
    expansion = check_integer(expansion, "expansion", minimum=1)
    seed = check_integer(seed, "seed", minimum=0)
    counter = iter(range(seed, seed + 10_000))
    low = keras.Input((None, None, 1), name="low_resolution")
    head = _variance_preserving_conv(width, "head", seed=next(counter))(low)
    features = head
    for index in range(blocks):
        if block == "plain":
            inner = _conv(width, 3, f"block_{index}_conv_a", activation="relu", seed=next(counter))(features)
        else:
            inner = _conv(expansion * width, 1, f"block_{index}_expand", activation="relu",
                          seed=next(counter))(features)
            inner = keras.layers.Conv2D(
                max(1, round(0.8 * width)), 1, name=f"block_{index}_reduce",
                kernel_initializer=keras.initializers.VarianceScaling(
                    scale=1.0, mode="fan_in", distribution="truncated_normal", seed=next(counter)))(inner)
        inner = _near_zero_conv(width, f"block_{index}_conv_b", seed=next(counter))(inner)
        features = keras.layers.Add(name=f"block_{index}_add")([features, inner])
    features = keras.layers.Add(name="long_skip")([head, features])
    sub_pixels = _near_zero_conv(scale * scale, "tail", seed=next(counter))(features)
    residual = keras.layers.Identity(name="residual")(PixelShuffle(scale, name="shuffle")(sub_pixels))
    upscaled = keras.layers.UpSampling2D(scale, interpolation="bicubic", name="bicubic")(low)
    output = keras.layers.Add(name="bicubic_plus_residual")([upscaled, residual])
    return keras.Model(low, output, name=f"edsr_x{scale}")


def _near_zero_conv(filters, name, *, seed):
    """A 3x3 convolution that starts with weights of standard deviation ``0.01 / sqrt(fan_in)``."""
    initializer = keras.initializers.VarianceScaling(scale=1e-4, mode="fan_in", distribution="truncated_normal",
                                                     seed=seed)
    return keras.layers.Conv2D(filters, 3, padding="same", kernel_initializer=initializer, name=name)


def _variance_preserving_conv(filters, name, *, seed):
    """A linear 3x3 convolution whose output has about the variance of its input (He would double it)."""
    initializer = keras.initializers.VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal",
                                                     seed=seed)
    return keras.layers.Conv2D(filters, 3, padding="same", kernel_initializer=initializer, name=name)


def takes_low_resolution(model) -> bool:
    """True when `model` expects the low-resolution image (it ends with a pixel shuffle and
    has no unshuffle before it, like ESPCN); False when it expects the bicubic upscaling."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    shuffles = sum(isinstance(layer, PixelShuffle) for layer in model.layers)
    unshuffles = sum(isinstance(layer, PixelUnshuffle) for layer in model.layers)
    return shuffles > unshuffles
