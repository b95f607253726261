"""Convolutional denoisers: a small CNN and DnCNN, with residual and plain variants.

Both are one builder, :func:`dncnn`, with different defaults. The network is a
stack of 3x3 convolutions:

    Conv(width) + ReLU  ->  (depth - 2) x [Conv(width) + BatchNorm + ReLU]  ->  Conv(channels)

Residual learning (Zhang et al. 2017) changes only what the last layer means.
A *plain* network outputs the clean estimate directly, ``x_hat = F(y)``. A
*residual* network outputs the noise, ``n_hat = R(y)``, and the model returns
``x_hat = y - R(y)``. Either way the model maps the noisy image to a clean
estimate and is trained with the same loss ``||x_hat - x||^2``; for the residual
network that loss equals ``||R(y) - (y - x)||^2``: it learns to predict the noise
``n = y - x``. The network never sees the clean image, and the residual is not
something we feed it: it only ever sees ``y``.

With ``unshuffle=2`` the network first folds each 2x2 block of pixels into four
channels (:class:`~course_lib.models.layers.PixelUnshuffle`), runs all its
convolutions at half resolution, and unfolds the result at the end, as FFDNet
does (Zhang, Zuo and Zhang 2018). That does a quarter of the arithmetic per
pixel and doubles the receptive field for the same depth; it is how the course
trains its shipped denoisers on a CPU in hours rather than days.
"""

from __future__ import annotations

import keras

from .._validation import check_choice, check_integer
from .layers import PixelShuffle, PixelUnshuffle

__all__ = ["dncnn", "small_cnn_denoiser", "receptive_field", "size_multiple", "describe_model"]


def dncnn(
    *,
    depth: int = 17,
    width: int = 64,
    channels: int = 1,
    batch_norm: bool = True,
    residual: bool = True,
    unshuffle: int = 1,
    seed: int = 0,
    name: str = "dncnn",
) -> keras.Model:
    """Build a DnCNN denoiser (Zhang, Zuo, Chen, Meng and Zhang, 2017).

    Parameters
    ----------
    depth : int
        Number of convolution layers, first and last included (DnCNN-S: 17,
        DnCNN-B: 20). At least 2.
    width : int
        Feature channels of the hidden layers (64 in the paper).
    channels : {1, 3}
        Image channels: 1 for gray, 3 for RGB.
    batch_norm : bool
        Batch normalization after every hidden convolution (the paper's
        choice; it lets a 17-layer network train quickly with a high learning rate).
    residual : bool
        True: the last layer predicts the noise and the model returns
        ``noisy - predicted_noise``. False: the last layer predicts the clean
        image ("plain" learning).
    unshuffle : {1, 2, 4}
        Work at ``1 / unshuffle`` of the resolution after a pixel unshuffle
        (FFDNet-style). Input sides must then be multiples of `unshuffle`
        (:func:`course_lib.models.denoise` pads for you).
    seed : int
        Seed of the weight initializers (He normal for the ReLU layers), so that
        the same arguments build the same network. The last layer starts with
        small weights, so an untrained residual network returns roughly its
        input and an untrained plain one roughly zero.
    name : str
        The model's name.

    Returns
    -------
    keras.Model
        Maps a batch of noisy images ``(N, H, W, channels)`` to clean estimates
        of the same shape. For a residual model the layer named
        ``"noise_estimate"`` holds the predicted noise.

    Notes
    -----
    Parameters: ``9 c w + w`` for the first layer, ``9 w^2`` (+ ``2 w`` for
    BatchNorm's scale and offset) for each hidden layer, ``9 w c`` for the last,
    where ``c = channels * unshuffle^2``. DnCNN-S (17 layers, 64 wide, gray) has
    about 556,000; its receptive field is ``2 * depth + 1 = 35`` pixels.

    References
    ----------
    .. [1] K. Zhang, W. Zuo, Y. Chen, D. Meng and L. Zhang, "Beyond a Gaussian
       denoiser: residual learning of deep CNN for image denoising", IEEE
       Transactions on Image Processing 26(7), 3142-3155, 2017.
    .. [2] K. Zhang, W. Zuo and L. Zhang, "FFDNet: toward a fast and flexible
       solution for CNN-based image denoising", IEEE Transactions on Image
       Processing 27(9), 4608-4622, 2018.

    Examples
    --------
    >>> model = dncnn(depth=5, width=16)
    >>> model.output_shape
    (None, None, None, 1)
    """
    depth = check_integer(depth, "depth", minimum=2)
    width = check_integer(width, "width", minimum=1)
    channels = check_integer(channels, "channels")
    check_choice(channels, "channels", (1, 3))
    unshuffle = check_integer(unshuffle, "unshuffle")
    check_choice(unshuffle, "unshuffle", (1, 2, 4))
    seed = check_integer(seed, "seed", minimum=0)

    def convolution(filters, index, activation=None, use_bias=True, initializer="he"):
        if initializer == "he":
            kernel_initializer = keras.initializers.HeNormal(seed=seed + index)
        else:  # the last layer starts small: an untrained residual network returns about its input
            kernel_initializer = keras.initializers.VarianceScaling(
                scale=0.01, mode="fan_in", distribution="truncated_normal", seed=seed + index)
        return keras.layers.Conv2D(
            filters, 3, padding="same", activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, name=f"conv_{index}",
        )

    noisy = keras.Input(shape=(None, None, channels), name="noisy")
    features = PixelUnshuffle(unshuffle, name="unshuffle")(noisy) if unshuffle > 1 else noisy
    working_channels = channels * unshuffle**2
    features = convolution(width, 1, activation="relu")(features)
    for index in range(2, depth):
        features = convolution(width, index, use_bias=not batch_norm)(features)
        if batch_norm:
            features = keras.layers.BatchNormalization(name=f"batch_norm_{index}")(features)
        features = keras.layers.ReLU(name=f"relu_{index}")(features)
    output = convolution(working_channels, depth, initializer="small")(features)
    if unshuffle > 1:
        output = PixelShuffle(unshuffle, name="shuffle")(output)
    if residual:
        noise_estimate = keras.layers.Identity(name="noise_estimate")(output)
        clean = keras.layers.Subtract(name="clean_estimate")([noisy, noise_estimate])
    else:
        clean = keras.layers.Identity(name="clean_estimate")(output)
    return keras.Model(noisy, clean, name=name)


def small_cnn_denoiser(
    *, depth: int = 5, width: int = 32, residual: bool = False, batch_norm: bool = False, seed: int = 0
) -> keras.Model:
    """A first CNN denoiser: a few 3x3 convolutions, no BatchNorm, plain output by default.

    The same builder as :func:`dncnn` with defaults small enough to train live in
    a notebook in a minute (5 layers of 32 channels: about 28,000 parameters and
    an 11-pixel receptive field).
    """
    return dncnn(depth=depth, width=width, batch_norm=batch_norm, residual=residual, seed=seed,
                 name="small_cnn")


def _check_model(model) -> keras.Model:
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    return model


def _image_path_layers(model) -> list:
    """The layers that the first input (the image) flows through, in the model's order.

    A second input (the noise-level map of :func:`~course_lib.models.ffdnet`) may be
    pooled or rearranged on its own branch; that branch changes neither the size
    multiple nor the receptive field of the image's path.
    """
    image = model.inputs[0]
    reached = {id(image)}
    path = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        inputs = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
        if any(id(tensor) in reached for tensor in inputs):
            reached.add(id(layer.output))
            path.append(layer)
    return path


def size_multiple(model) -> int:
    """The number that the input's height and width must be multiples of.

    The product of the unshuffle factors and convolution strides on the image's
    path (a U-Net that halves the resolution three times needs multiples of 8).
    """
    multiple = 1
    for layer in _image_path_layers(_check_model(model)):
        if isinstance(layer, PixelUnshuffle):
            multiple *= layer.factor
        elif isinstance(layer, keras.layers.Conv2D):
            multiple *= int(layer.strides[0])
    return multiple


def receptive_field(model) -> int:
    """Side, in input pixels, of the window that one output pixel depends on.

    Walking through the layers with the *jump* ``j`` (input pixels between two
    neighbouring positions of the current feature map, 1 at the start), each
    k x k convolution or pooling window widens the field by ``(k - 1) * j`` (times
    its dilation) and then multiplies ``j`` by its stride; an unshuffle by f joins
    blocks of f pixels, which adds ``(f - 1) * j`` and multiplies ``j`` by f, and a
    shuffle divides it. For DnCNN-S this gives ``1 + 17 * 2 = 35``. In a U-Net every
    layer lies on the longest path (down through the bottom and back up), so the
    walk through all of them gives that path's field; the skip connections see less.
    """
    field, jump = 1.0, 1.0
    for layer in _image_path_layers(_check_model(model)):
        if isinstance(layer, PixelUnshuffle):
            field += (layer.factor - 1) * jump
            jump *= layer.factor
        elif isinstance(layer, PixelShuffle):
            jump /= layer.factor
        elif isinstance(layer, keras.layers.Conv2D):
            field += (layer.kernel_size[0] - 1) * layer.dilation_rate[0] * jump
            jump *= layer.strides[0]
        elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            field += (layer.pool_size[0] - 1) * jump
            jump *= layer.strides[0]
    return int(round(field))


def describe_model(model) -> str:
    """One line: name, parameters, convolution layers, receptive field, residual or plain."""
    model = _check_model(model)
    from .inpainting import PartialConv2D, PyramidFill

    partial = [layer for layer in model.layers if isinstance(layer, PartialConv2D)]
    if partial:  # an inpainting U-Net: its field is not a single window, so say what it is made of
        levels = 1 + sum(layer.strides > 1 for layer in partial)
        image_fill = any(isinstance(layer, PyramidFill) for layer in model.layers)
        blocks = {name.split("_")[1] for name in (layer.name for layer in model.layers)
                  if name.startswith("bottleneck_") and name.split("_")[1].isdigit()}
        kind = "fast Fourier" if any(layer.name == "bottleneck_split" for layer in model.layers) else "dilated"
        bottleneck = (f", {len(blocks)} residual block{'s' if len(blocks) > 1 else ''} of {kind} convolutions "
                      "at the coarsest level") if blocks else ""
        return (f"{model.name}, {model.count_params():,} parameters, {len(partial)} partial convolutions, "
                f"U-Net with {levels} resolution levels" + bottleneck
                + (", its decoder given a pull-push harmonic fill of the image" if image_fill else "")
                + ", fills the hole (takes the damaged image and its mask)")
    convolutions = sum(isinstance(layer, keras.layers.Conv2D) for layer in model.layers)
    batch_norms = sum(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)
    names = {layer.name for layer in model.layers}
    if "noise_estimate" in names:
        kind = "residual (predicts the noise)"
    elif "residual" in names and any(isinstance(layer, keras.layers.UpSampling2D) for layer in model.layers):
        kind = "residual (predicts the detail that bicubic upscaling lacks)"  # it upscales its input itself
    elif "residual" in names:
        kind = "residual (predicts the detail its bicubic input lacks)"
    else:
        kind = "plain (predicts the image)"
    multiple = 1
    for layer in model.layers:
        if isinstance(layer, PixelUnshuffle):
            multiple *= layer.factor
    strided = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D) and layer.strides[0] > 1]
    parts = [
        model.name,
        f"{model.count_params():,} parameters",
        f"{convolutions} conv layers" + (" with BatchNorm" if batch_norms else ""),
        f"receptive field {receptive_field(model)} px",
        kind,
    ]
    if multiple > 1:
        parts.append(f"works at 1/{multiple} resolution")
    if strided:
        parts.append(f"U-Net down to 1/{size_multiple(model)} resolution")
    shuffles = [layer.factor for layer in model.layers if isinstance(layer, PixelShuffle)]
    if shuffles and not multiple > 1 and not strided:
        parts.append(f"upscales x{shuffles[0]} with a pixel shuffle")
    return ", ".join(parts)
