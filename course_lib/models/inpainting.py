"""Inpainting networks: the partial convolution, a U-Net generator, a PatchGAN discriminator.

Masks follow the course's convention at the interface: **1 (True) marks a missing
pixel**, the hole. Inside the partial convolution the complement is used, the
*valid* mask ``m = 1 - hole``, as in the paper.

Partial convolution (Liu, Reda, Shih, Wang, Tao and Catanzaro, ECCV 2018). For a
window ``X`` of features with valid mask ``M`` (same window), weights ``W`` and bias ``b``:

    x' = W^T (X * M) * sum(1) / sum(M) + b     if sum(M) > 0
    x' = 0                                      otherwise

    m' = 1 if sum(M) > 0 else 0

``X * M`` ignores the missing pixels; ``sum(1) / sum(M)`` (window size over the
number of valid pixels in it) rescales the result as if the whole window had been
seen, so a window that is half hole gives the same response as a full one; and the
updated mask ``m'`` marks every output pixel that saw at least one valid input.
Each layer therefore shrinks the hole from its border inwards, until, deep enough,
it is gone. Pixels beyond the image border count as missing.

At the U-Net's coarsest level, once :class:`CloseHoles` has filled what the
encoder left open, every position is valid and ordinary convolutions apply. There
an optional *bottleneck* of residual blocks widens what one output pixel sees for
little arithmetic (each position there stands for ``2 ** (levels - 1)`` squared
pixels): dilated convolutions (Yu and Koltun 2016; the "globally and locally
consistent" inpainting network of Iizuka et al. 2017), or fast Fourier
convolutions (Chi, Jiang and Mu 2020), whose spectral branch sees the whole image
in one layer, as in LaMa (Suvorov et al. 2022).
"""

from __future__ import annotations

import math

import keras
from keras import ops

from .._validation import check_choice, check_in_range, check_integer

__all__ = [
    "PartialConv2D",
    "CloseHoles",
    "PyramidFill",
    "SplitChannels",
    "RealFFT2D",
    "InverseRealFFT2D",
    "real_fft2d",
    "BOTTLENECKS",
    "inpainting_unet",
    "inpainting_multiply_adds_per_pixel",
    "fourier_multiply_adds_per_pixel",
    "patch_discriminator",
    "composite",
]

#: What :func:`inpainting_unet` can put at its coarsest level, after the hole is closed.
BOTTLENECKS = ("none", "ffc", "dilated")


@keras.saving.register_keras_serializable(package="course_lib")
class PartialConv2D(keras.layers.Layer):
    """A convolution that sees only valid pixels and renormalizes by how many it saw.

    Called on ``[features, valid_mask]`` with features ``(N, H, W, C)`` and the valid
    mask ``(N, H, W, 1)`` (1 = known); returns ``[output, updated_valid_mask]`` with
    ``padding="same"`` sizes (divided by `strides`).

    Parameters
    ----------
    filters : int
        Output channels.
    kernel_size : int
        Square kernel side.
    strides : int
        Stride (2 halves the resolution, as in the U-Net's encoder).
    activation : str or callable, optional
        Applied to the output (the mask is not activated).
    use_bias : bool
    kernel_initializer : initializer
    """

    def __init__(self, filters: int, kernel_size: int = 3, *, strides: int = 1, activation=None,
                 use_bias: bool = True, kernel_initializer="he_normal", **kwargs):
        super().__init__(**kwargs)
        self.filters = check_integer(filters, "filters", minimum=1)
        self.kernel_size = check_integer(kernel_size, "kernel_size", minimum=1)
        self.strides = check_integer(strides, "strides", minimum=1)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        feature_shape = input_shape[0]
        channels = feature_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(self.kernel_size, self.kernel_size, channels, self.filters),
                                      initializer=self.kernel_initializer)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None
        self.window_ones = ops.ones((self.kernel_size, self.kernel_size, 1, 1))

    def call(self, inputs):
        features, valid = inputs
        valid = ops.cast(valid, features.dtype)
        convolved = ops.conv(features * valid, self.kernel, strides=self.strides, padding="same")
        valid_count = ops.conv(valid, ops.cast(self.window_ones, features.dtype), strides=self.strides,
                               padding="same")
        updated = ops.cast(valid_count > 0.5, features.dtype)
        ratio = float(self.kernel_size * self.kernel_size) / ops.maximum(valid_count, 1.0) * updated
        output = convolved * ratio
        if self.bias is not None:
            output = (output + self.bias) * updated
        if self.activation is not None:
            output = self.activation(output)
        return [output, updated]

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape[0]

        def reduced(side):
            return None if side is None else -(-side // self.strides)

        return [(batch, reduced(height), reduced(width), self.filters), (batch, reduced(height), reduced(width), 1)]

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "activation": keras.activations.serialize(self.activation) if self.activation else None,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }


@keras.saving.register_keras_serializable(package="course_lib")
class CloseHoles(keras.layers.Layer):
    """Fill what is still missing by diffusing the valid features inward, then with their mean.

    Called on ``[features, valid_mask]``; returns ``[features', ones]``. Each
    partial convolution shrinks a hole by about half its kernel, so a hole wider
    than what the encoder's layers can close would reach the decoder still open,
    and every later partial convolution would output exactly 0 there: black
    spots in the middle of large holes. Placed at the U-Net's coarsest level,
    this parameter-free layer closes any hole, and the decoder refines from there.

    Parameters
    ----------
    iterations : int
        Diffusion steps before the mean. With :math:`K` the known positions (valid
        on input), :math:`r` the positions reached so far (:math:`K` at first) and
        :math:`N(p)` the 3x3 window around :math:`p`, each step sets, for every
        position :math:`p \\notin K` with a reached neighbour,

        .. math:: f_p \\leftarrow \\frac{\\sum_{q \\in N(p)} r_q f_q}{\\sum_{q \\in N(p)} r_q},
                  \\qquad r \\leftarrow \\text{dilate}(r),

        so the front advances one position per step; once the hole is covered,
        the same update is a (damped) Jacobi iteration of Laplace's equation
        :math:`\\Delta f = 0` inside the hole with the known features as boundary
        values: a smooth, harmonic fill, the second-order cousin of the
        biharmonic baseline. 0 (the first version) skips the diffusion.
        Whatever is still unreached afterwards gets the mean of the valid
        features, per image and channel (0 if there are none):
        ``features' = valid * features + (1 - valid) * mean_valid(features)``.

    Notes
    -----
    The global mean alone is a poor guess far from the hole's edge: measured on
    the test split (4 images x 4 stroke masks), swapping it for 16 diffusion steps
    in an already trained U-Net raised its PSNR in the hole from 17.69 to 18.08 dB
    without any retraining.
    """

    def __init__(self, iterations: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.iterations = check_integer(iterations, "iterations", minimum=0)

    def call(self, inputs):
        features, valid = inputs
        valid = ops.cast(valid, features.dtype)
        known = valid
        reached = valid
        for _ in range(self.iterations):
            summed = ops.average_pool(features * reached, 3, strides=1, padding="same")
            weight = ops.average_pool(reached, 3, strides=1, padding="same")
            reachable = ops.cast(weight > 0, features.dtype)
            spread = summed / ops.maximum(weight, 1e-6)
            update = reachable * spread + (1.0 - reachable) * features
            features = known * features + (1.0 - known) * update
            reached = reachable
        count = ops.sum(reached, axis=(1, 2), keepdims=True)
        mean = ops.sum(features * reached, axis=(1, 2), keepdims=True) / ops.maximum(count, 1.0)
        closed = features * reached + mean * (1.0 - reached)
        return [closed, ops.ones_like(valid)]

    def compute_output_shape(self, input_shape):
        return [input_shape[0], input_shape[1]]

    def get_config(self):
        return {**super().get_config(), "iterations": self.iterations}


@keras.saving.register_keras_serializable(package="course_lib")
class PyramidFill(keras.layers.Layer):
    """Fill the hole of an image smoothly at full resolution: pull-push, then diffusion at each level.

    Called on ``[image, valid_mask]`` (``(N, H, W, C)`` and ``(N, H, W, 1)``, 1 =
    known); returns the image with its hole filled, the known pixels unchanged.
    Parameter-free: it gives the network a smooth first guess of every missing
    pixel, the kind of fill diffusion (harmonic or biharmonic inpainting) is good
    at, so that the network's own layers can spend themselves on what diffusion
    misses.

    Parameters
    ----------
    levels : int
        Coarser levels of the pyramid. *Pull*: level :math:`l + 1` averages the
        known pixels of each 2x2 block of level :math:`l`,

        .. math:: f_{l+1} = \\frac{\\text{pool}(m_l f_l)}{\\text{pool}(m_l)}, \\qquad
                  m_{l+1} = [\\text{pool}(m_l) > 0],

        so a hole shrinks by half at each level; what is still missing at the
        coarsest gets the mean of the known pixels. *Push*: from the coarsest level
        down, each level's missing pixels start from the level below, repeated 2x2,
        and are smoothed by `iterations` steps of

        .. math:: f_p \\leftarrow \\text{mean}_{q \\in N(p)} f_q \\quad (p \\text{ missing}),

        with :math:`N(p)` the 3x3 window: Jacobi steps of Laplace's equation
        :math:`\\Delta f = 0` in the hole with the known pixels as boundary values
        (a harmonic fill, the second-order cousin of biharmonic inpainting), cheap
        because the coarse levels already carry the long-range part.
    iterations : int
        Diffusion steps per level.
    """

    def __init__(self, levels: int = 6, iterations: int = 8, **kwargs):
        super().__init__(**kwargs)
        self.levels = check_integer(levels, "levels", minimum=0, maximum=12)
        self.iterations = check_integer(iterations, "iterations", minimum=0)

    @staticmethod
    def _window_sum(features):
        """The sum over each 3x3 window, zeros beyond the border: two passes of three shifted additions.

        (Not ``ops.average_pool``: TensorFlow's own pooling kernel, which the course's inpainting
        commands use, took 45 ms for a 544x544x3 map on a 2-core AVX2 CPU, these additions 5 ms.)
        """
        padded = ops.pad(features, [[0, 0], [1, 1], [1, 1], [0, 0]])
        rows = padded[:, :, :-2] + padded[:, :, 1:-1] + padded[:, :, 2:]
        return rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]

    def _diffuse(self, filled, known, valid):
        if not self.iterations:
            return filled
        per_window = 1.0 / self._window_sum(ops.ones_like(valid))  # 1/9 inside, 1/6 or 1/4 at the border
        missing = 1.0 - valid

        def step(_, filled):  # `known` is 0 where a pixel is missing
            return known + missing * (self._window_sum(filled) * per_window)

        return ops.fori_loop(0, self.iterations, step, filled)

    def call(self, inputs):
        image, valid = inputs
        filled = self._eager_fill()(ops.cast(image, "float32"), ops.cast(valid, "float32"))
        return ops.cast(filled, self.compute_dtype)

    def _eager_fill(self):
        """:meth:`_fill`, as one compiled TensorFlow function when the layer runs eagerly.

        ``models.pyramid_fill`` calls the layer eagerly, as does a notebook that calls
        a network on its own (``models.inpaint`` runs it as a graph), and eagerly the
        ~3,400 small operations of the diffusion steps cost about 0.2 ms each to
        dispatch: 1.1 s for a 544x544 RGB map, against about 0.2 s as one graph
        (2-core AVX2 CPU).
        The graph is traced once per layer, for any image size; its steps are a
        loop (``ops.fori_loop``), so the trace holds each level's step once.
        """
        if keras.backend.backend() != "tensorflow":
            return self._fill
        import tensorflow as tf

        if not tf.executing_eagerly():
            return self._fill
        if getattr(self, "_compiled_fill", None) is None:
            any_map = tf.TensorSpec([None, None, None, None], tf.float32)
            self._compiled_fill = tf.function(self._fill, input_signature=[any_map, any_map])
        return self._compiled_fill

    def _fill(self, image, valid):
        image = ops.cast(image, "float32")
        valid = ops.cast(valid, "float32")
        known = image * valid
        pyramid = [(known, valid)]
        for _ in range(self.levels):
            summed = ops.average_pool(known * valid, 2, strides=2, padding="same")
            weight = ops.average_pool(valid, 2, strides=2, padding="same")
            valid = ops.cast(weight > 0, "float32")
            known = summed / ops.maximum(weight, 1e-6) * valid
            pyramid.append((known, valid))
        count = ops.sum(valid, axis=(1, 2), keepdims=True)
        mean = ops.sum(known, axis=(1, 2), keepdims=True) / ops.maximum(count, 1.0)
        filled = known + (1.0 - valid) * mean
        for level_known, level_valid in reversed(pyramid[:-1]):
            height, width = ops.shape(level_known)[1], ops.shape(level_known)[2]
            coarse = ops.repeat(ops.repeat(filled, 2, axis=1), 2, axis=2)[:, :height, :width, :]
            filled = level_valid * level_known + (1.0 - level_valid) * coarse
            filled = self._diffuse(filled, level_known, level_valid)
        return filled

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "levels": self.levels, "iterations": self.iterations}


@keras.saving.register_keras_serializable(package="course_lib")
class SplitChannels(keras.layers.Layer):
    """Split feature maps in two along the channels: ``x -> [x[..., :first], x[..., first:]]``.

    The fast Fourier convolution keeps a *local* and a *global* group of channels
    (:func:`inpainting_unet` with ``bottleneck="ffc"``); this layer makes the two
    groups without a ``Lambda`` layer, so the model still loads in safe mode.

    Parameters
    ----------
    first : int
        Channels of the first part; the rest go to the second.
    """

    def __init__(self, first: int, **kwargs):
        super().__init__(**kwargs)
        self.first = check_integer(first, "first", minimum=1)

    def call(self, inputs):
        return [inputs[..., : self.first], inputs[..., self.first:]]

    def compute_output_shape(self, input_shape):
        *leading, channels = input_shape
        rest = None if channels is None else channels - self.first
        return [(*leading, self.first), (*leading, rest)]

    def get_config(self):
        return {**super().get_config(), "first": self.first}


def _fft_along_last_axis(real, imag, *, inverse: bool = False):
    """The complex FFT of ``real + i imag`` along the last axis (unnormalized), or its inverse times N.

    ``keras.ops`` has a forward complex FFT only; the inverse uses
    ``N ifft(z) = conj(fft(conj(z)))``.
    """
    if not inverse:
        return ops.fft((real, imag))
    real, imag = ops.fft((real, -imag))
    return real, -imag


def real_fft2d(features):
    """The orthonormal 2-D FFT of real maps ``(N, H, W, C)``: ``(real, imag)``, each ``(N, H, W // 2 + 1, C)``.

    ``X[u, v] = sum_{h, w} x[h, w] exp(-2 pi i (u h / H + v w / W)) / sqrt(H W)``
    for ``0 <= v <= W / 2`` (NumPy's ``rfft2(x, axes=(1, 2), norm="ortho")``),
    computed in float32. Used by :class:`RealFFT2D` and by the frequency loss of
    :mod:`course_lib.training.inpainting_training`.
    """
    features = ops.cast(features, "float32")
    height = ops.cast(ops.shape(features)[1], "float32")
    width = ops.cast(ops.shape(features)[2], "float32")
    rows_last = ops.transpose(features, (0, 3, 1, 2))  # (N, C, H, W)
    real, imag = ops.rfft(rows_last)  # along W: (N, C, H, W // 2 + 1)
    real, imag = _fft_along_last_axis(ops.transpose(real, (0, 1, 3, 2)), ops.transpose(imag, (0, 1, 3, 2)))
    scale = 1.0 / ops.sqrt(height * width)
    return ops.transpose(real, (0, 3, 2, 1)) * scale, ops.transpose(imag, (0, 3, 2, 1)) * scale  # (N, H, W', C)


@keras.saving.register_keras_serializable(package="course_lib")
class RealFFT2D(keras.layers.Layer):
    """The orthonormal 2-D FFT of real feature maps, as real channels.

    ``(N, H, W, C) -> (N, H, W // 2 + 1, 2 C)``: the real parts of the spectrum in
    the first ``C`` channels, the imaginary parts in the last ``C``. For a map
    :math:`x` of one channel,

    .. math:: X[u, v] = \\frac{1}{\\sqrt{H W}} \\sum_{h, w} x[h, w]\\,
              e^{-2 \\pi i (u h / H + v w / W)}, \\qquad 0 \\le v \\le W / 2,

    the other half of the columns being the complex conjugates of these (the
    spectrum of a real map is Hermitian). The ``1 / sqrt(HW)`` keeps the energy
    (Parseval), so the spectrum's values have the features' scale whatever the
    image size. Every output position mixes every input position: a 1x1
    convolution of the spectrum sees the whole image. Computed in float32
    whatever the layer's dtype policy (the FFT has no bfloat16 kernel); the result
    is cast back.
    """

    def call(self, inputs):
        real, imag = real_fft2d(inputs)
        return ops.cast(ops.concatenate([real, imag], axis=-1), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, height, None if width is None else width // 2 + 1, None if channels is None else 2 * channels)


@keras.saving.register_keras_serializable(package="course_lib")
class InverseRealFFT2D(keras.layers.Layer):
    """The inverse of :class:`RealFFT2D`: ``[spectrum (N, H, W // 2 + 1, 2 C), like (N, H, W, *)] -> (N, H, W, C)``.

    `like` is any map of the output's height and width (its values are not
    used): ``W // 2 + 1`` columns come from an even ``W`` and from the odd
    ``W + 1``, so the spectrum alone cannot say which. The spectrum is taken as
    Hermitian (what :class:`RealFFT2D` gives, or any real-valued change of it);
    the imaginary parts that a real output cannot carry are dropped.
    """

    def call(self, inputs):
        spectrum, like = inputs
        spectrum = ops.cast(spectrum, "float32")
        channels = spectrum.shape[-1] // 2
        height = ops.shape(like)[1]
        width = ops.shape(like)[2]
        real = ops.transpose(spectrum[..., :channels], (0, 3, 2, 1))  # (N, C, W', H)
        imag = ops.transpose(spectrum[..., channels:], (0, 3, 2, 1))
        real, imag = _fft_along_last_axis(real, imag, inverse=True)  # H times the inverse along H
        real, imag = ops.transpose(real, (0, 1, 3, 2)), ops.transpose(imag, (0, 1, 3, 2))  # (N, C, H, W')
        features = ops.irfft((real, imag), fft_length=width)  # the inverse along W (normalized by 1 / W)
        scale = ops.sqrt(ops.cast(width, "float32") / ops.cast(height, "float32"))  # sqrt(HW) / H
        features = ops.transpose(features, (0, 2, 3, 1)) * scale
        return ops.cast(features, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        spectrum_shape, like_shape = input_shape
        channels = spectrum_shape[-1]
        return (spectrum_shape[0], like_shape[1], like_shape[2], None if channels is None else channels // 2)


def _dilated_block(features, channels: int, rate: int, *, name: str, initializer):
    """``x + conv3x3(relu(conv3x3_dilated(x)))``; the second convolution starts at zero."""
    residual = keras.layers.Conv2D(channels, 3, padding="same", dilation_rate=rate, activation="relu",
                                   kernel_initializer=initializer, name=f"{name}_dilated")(features)
    residual = keras.layers.Conv2D(channels, 3, padding="same", kernel_initializer="zeros",
                                   name=f"{name}_conv")(residual)
    return keras.layers.Add(name=f"{name}_add")([features, residual])


def _spectral_transform(features, channels: int, *, name: str, initializer, last: bool):
    """LaMa's spectral transform: reduce, 1x1 convolution of the spectrum, back, add, expand."""
    half = max(1, channels // 2)
    reduced = keras.layers.Conv2D(half, 1, activation="relu", kernel_initializer=initializer(0),
                                  name=f"{name}_reduce")(features)
    spectrum = RealFFT2D(name=f"{name}_fft")(reduced)
    spectrum = keras.layers.Conv2D(2 * half, 1, activation="relu", kernel_initializer=initializer(1),
                                   name=f"{name}_frequency_conv")(spectrum)
    spread = InverseRealFFT2D(name=f"{name}_inverse_fft")([spectrum, reduced])
    summed = keras.layers.Add(name=f"{name}_local_and_spread")([reduced, spread])
    return keras.layers.Conv2D(channels, 1, kernel_initializer="zeros" if last else initializer(2),
                               name=f"{name}_expand")(summed)


def _fast_fourier_convolution(local, global_, local_channels: int, global_channels: int, *, name: str,
                              initializer, last: bool):
    """One FFC: ``(local, global) -> (conv3x3([local, global]), conv3x3(local) + spectral(global))``."""
    output_initializer = "zeros" if last else initializer(0)
    joined = keras.layers.Concatenate(name=f"{name}_join")([local, global_])
    new_local = keras.layers.Conv2D(local_channels, 3, padding="same", kernel_initializer=output_initializer,
                                    name=f"{name}_to_local")(joined)
    local_to_global = keras.layers.Conv2D(global_channels, 3, padding="same", kernel_initializer=output_initializer,
                                          name=f"{name}_local_to_global")(local)
    spectral = _spectral_transform(global_, global_channels, name=f"{name}_spectral",
                                   initializer=lambda index: initializer(1 + index), last=last)
    new_global = keras.layers.Add(name=f"{name}_to_global")([local_to_global, spectral])
    return new_local, new_global


def _ffc_block(local, global_, local_channels: int, global_channels: int, *, name: str, initializer):
    """``(l, g) + FFC(relu(FFC(l, g)))``, each group with its own skip; the second FFC starts at zero."""
    new_local, new_global = _fast_fourier_convolution(local, global_, local_channels, global_channels,
                                                      name=f"{name}_ffc_0", initializer=initializer, last=False)
    new_local = keras.layers.ReLU(name=f"{name}_relu_local")(new_local)
    new_global = keras.layers.ReLU(name=f"{name}_relu_global")(new_global)
    new_local, new_global = _fast_fourier_convolution(new_local, new_global, local_channels, global_channels,
                                                      name=f"{name}_ffc_1", initializer=initializer, last=True)
    return (keras.layers.Add(name=f"{name}_add_local")([local, new_local]),
            keras.layers.Add(name=f"{name}_add_global")([global_, new_global]))


def inpainting_unet(*, channels: int = 1, width: int = 32, levels: int = 4, close_holes: bool = True,
                    fill_iterations: int = 16, bottleneck: str = "none", bottleneck_blocks: int = 2,
                    global_ratio: float = 0.75, dilation_rates=(2, 4, 8), image_fill: bool = False,
                    seed: int = 0) -> keras.Model:
    """A U-Net of partial convolutions that fills holes: ``(damaged image, hole mask) -> image``.

    Parameters
    ----------
    channels : {1, 3}
        Gray or RGB.
    width : int
        Channels at the first level; each level down doubles them (up to 8x).
    levels : int
        Resolution levels; input sides must be multiples of ``2 ** (levels - 1)``
        (:func:`course_lib.models.inpaint` pads for you).
    close_holes : bool
        Close what is left of the hole at the coarsest level with the mean of the
        valid features (:class:`CloseHoles`), so that holes of any size are filled;
        without it, the middle of a hole wider than about 48 pixels stays 0.
    fill_iterations : int
        Diffusion steps of :class:`CloseHoles` before the mean (0: the mean
        alone). At the coarsest level a step covers ``2 ** (levels - 1)`` pixels.
    bottleneck : {"none", "ffc", "dilated"}
        Residual blocks at the coarsest level, after :class:`CloseHoles` (which
        they need), on its ``C = width * min(2 ** (levels - 1), 8)`` channels:
        ``"none"`` (the first version), ``"dilated"`` (dilated 3x3 convolutions)
        or ``"ffc"`` (fast Fourier convolutions). See Notes.
    bottleneck_blocks : int
        How many residual blocks.
    global_ratio : float
        With ``"ffc"``: the fraction of the ``C`` channels in the global (spectral)
        group, in (0, 1); LaMa's 0.75 by default.
    dilation_rates : sequence of int
        With ``"dilated"``: block ``b`` dilates its first convolution by
        ``dilation_rates[b % len(dilation_rates)]``.
    image_fill : bool
        Give the decoder a smooth fill of the image itself (:class:`PyramidFill`,
        6 levels, 32 steps each) at every level: the fill and the hole, averaged
        down to the level, go through a 3x3 convolution that starts at zero and is
        added to the level's features. See Notes.
    seed : int
        Seeds every initializer: the same seed gives the same network.

    Returns
    -------
    keras.Model
        Inputs ``damaged`` ``(N, H, W, channels)`` (the values in the hole are
        ignored) and ``hole`` ``(N, H, W, 1)`` (1 = missing); output the filled
        image ``(N, H, W, channels)``. Combine it with the known pixels with
        :func:`composite`. Named ``inpainting_unet``, or ``inpainting_unet_ffc`` /
        ``inpainting_unet_dilated`` with a bottleneck.

    Notes
    -----
    Encoder: a 5x5 partial convolution, then one stride-2 3x3 partial convolution
    per level. Decoder: nearest-neighbour upsampling of features and mask, joined
    with the encoder's features at that level (skip connection; a pixel is valid if
    it is valid in either), a 3x3 partial convolution. A last 3x3 partial
    convolution gives the image. Liu et al. use 7 levels and 512x512 inputs; this
    smaller version trains on a CPU.

    **Image fill.** Inside a wide hole the decoder otherwise knows only what
    the coarsest level's features say, upsampled by repetition; a smooth fill of
    the pixels themselves is a better start for smooth regions. Because its
    convolutions start at zero, a network with ``image_fill=True`` computes
    exactly what the same network without it computes, so it can be fine-tuned
    from one. The fill's settings were chosen on Train400's 20 held-out photos
    under the course's protocol (4 stroke holes each): in-hole PSNR 17.70, 17.73,
    17.75, 17.75 dB for (levels, steps) = (6, 8), (6, 16), (6, 32), (8, 32),
    against 16.14 dB for biharmonic inpainting; enlarged 2x, 19.70 dB (6, 32)
    against 18.96.

    **Bottleneck.** Each block is residual, ``x + F(x)``, and the last convolution
    of ``F`` starts at zero, so an untrained network with a bottleneck computes
    exactly what the same network without one computes, and the blocks learn
    from there (as in Goyal et al. 2017). With :math:`s = 2^{levels - 1}` image
    pixels per coarse position:

    - ``"dilated"``: :math:`F(x) = W_2 * \\mathrm{relu}(W_1 *_d x)`, both 3x3,
      :math:`W_1` dilated by :math:`d`. The block widens the receptive field by
      :math:`2 (d + 1) s` pixels and costs :math:`18 C^2 / s^2` multiply-adds per
      image pixel.
    - ``"ffc"``: the channels split into a local group :math:`x_l` (:math:`C_l`)
      and a global group :math:`x_g` (:math:`C_g = \\lfloor r C \\rceil`, :math:`r` =
      `global_ratio`), and a fast Fourier convolution maps them to

      .. math:: y_l = W_{l} * [x_l, x_g], \\qquad
                y_g = W_{lg} * x_l + S(x_g),

      with 3x3 kernels :math:`W`, and the spectral transform
      :math:`S(x) = W_e (h + \\mathcal{F}^{-1}(\\mathrm{relu}(W_f \\mathcal{F}(h))))`,
      :math:`h = \\mathrm{relu}(W_r x)`: 1x1 convolutions :math:`W_r`
      (:math:`C_g \\to C_g / 2`), :math:`W_f` on the real and imaginary parts of
      the orthonormal 2-D FFT :math:`\\mathcal{F}` (:class:`RealFFT2D`,
      :math:`C_g \\to C_g`, on :math:`H (W / 2 + 1)` frequencies) and :math:`W_e`
      (:math:`C_g / 2 \\to C_g`). Each frequency depends on every position, so
      one block sees the whole image (Chi et al. 2020; Suvorov et al. 2022). The
      block is :math:`x + \\mathrm{FFC}(\\mathrm{relu}(\\mathrm{FFC}(x)))` on both
      groups. An FFC's convolutions cost about
      :math:`9 C_l C + 9 C_l C_g + 1.5 C_g^2` multiply-adds per coarse position
      (the spectrum has about half as many positions as the map): with
      :math:`r = 0.75`, about :math:`4.8 C^2`, half a 3x3 convolution's
      :math:`9 C^2`, so an FFC block costs about what one dilated 3x3
      convolution does, and half a dilated block. The FFTs
      themselves are not convolutions and are not in
      :func:`inpainting_multiply_adds_per_pixel`; see
      :func:`fourier_multiply_adds_per_pixel` for what they add.

    References
    ----------
    .. [1] G. Liu et al., "Image inpainting for irregular holes using partial
           convolutions", ECCV 2018.
    .. [2] L. Chi, B. Jiang and Y. Mu, "Fast Fourier convolution", NeurIPS 2020.
    .. [3] R. Suvorov et al., "Resolution-robust large mask inpainting with Fourier
           convolutions" (LaMa), WACV 2022.
    .. [4] F. Yu and V. Koltun, "Multi-scale context aggregation by dilated
           convolutions", ICLR 2016.

    Examples
    --------
    >>> network = inpainting_unet(channels=3, width=8, levels=3, bottleneck="ffc")
    >>> network.name, network.output.shape
    ('inpainting_unet_ffc', (None, None, None, 3))
    """
    check_choice(channels, "channels", (1, 3))
    width = check_integer(width, "width", minimum=1)
    levels = check_integer(levels, "levels", minimum=1, maximum=7)
    fill_iterations = check_integer(fill_iterations, "fill_iterations", minimum=0)
    check_choice(bottleneck, "bottleneck", BOTTLENECKS)
    bottleneck_blocks = check_integer(bottleneck_blocks, "bottleneck_blocks", minimum=1)
    global_ratio = check_in_range(global_ratio, "global_ratio", 0.0, 1.0)
    if global_ratio in (0.0, 1.0):
        raise ValueError(f"global_ratio must be strictly between 0 and 1; got {global_ratio}")
    dilation_rates = tuple(check_integer(rate, "dilation_rates", minimum=1) for rate in dilation_rates)
    if not dilation_rates:
        raise ValueError("dilation_rates is empty; expected at least one rate, e.g. (2, 4, 8)")
    seed = check_integer(seed, "seed", minimum=0)
    if bottleneck != "none" and not close_holes:
        raise ValueError(f"bottleneck={bottleneck!r} needs close_holes=True: its convolutions treat every "
                         "position as known, so the hole must be closed first")

    def initializer(index):
        return keras.initializers.HeNormal(seed=seed + index)

    damaged = keras.Input((None, None, channels), name="damaged")
    hole = keras.Input((None, None, 1), name="hole")
    valid = keras.layers.Rescaling(-1.0, offset=1.0, name="valid")(hole)  # 1 - hole: 1 where the pixel is known
    if image_fill:
        smooth = PyramidFill(levels=6, iterations=32, name="image_fill")([damaged, valid])
        fill_and_hole = keras.layers.Concatenate(name="image_fill_and_hole")([smooth, hole])
    features, mask = PartialConv2D(width, 5, activation="relu", kernel_initializer=initializer(0),
                                   name="encoder_0")([damaged, valid])
    skips = [(features, mask)]
    for level in range(1, levels):
        level_width = width * min(2**level, 8)
        features, mask = PartialConv2D(level_width, 3, strides=2, activation="relu",
                                       kernel_initializer=initializer(level), name=f"encoder_{level}")([features, mask])
        skips.append((features, mask))
    if close_holes:
        features, mask = CloseHoles(fill_iterations, name="close_holes")([features, mask])
        skips[-1] = (features, mask)
    bottom_width = width * min(2 ** (levels - 1), 8)
    if bottleneck == "dilated":
        for block in range(bottleneck_blocks):
            features = _dilated_block(features, bottom_width, dilation_rates[block % len(dilation_rates)],
                                      name=f"bottleneck_{block}", initializer=initializer(100 + 10 * block))
    elif bottleneck == "ffc":
        global_channels = min(bottom_width - 1, max(1, int(round(global_ratio * bottom_width))))
        local_channels = bottom_width - global_channels
        if local_channels < 1 or global_channels < 1:
            raise ValueError(f"bottleneck='ffc' needs at least 2 channels at the coarsest level to split into a "
                             f"local and a global group; width={width} and levels={levels} give {bottom_width}")
        local, global_ = SplitChannels(local_channels, name="bottleneck_split")(features)
        for block in range(bottleneck_blocks):
            local, global_ = _ffc_block(local, global_, local_channels, global_channels, name=f"bottleneck_{block}",
                                        initializer=lambda index, block=block: initializer(100 + 10 * block + index))
        features = keras.layers.Concatenate(name="bottleneck_merge")([local, global_])
    for level in range(levels - 2, -1, -1):
        skip_features, skip_mask = skips[level]
        features = keras.layers.UpSampling2D(2, name=f"upsample_features_{level}")(features)
        mask = keras.layers.UpSampling2D(2, name=f"upsample_mask_{level}")(mask)
        features = keras.layers.Concatenate(name=f"join_{level}")([features, skip_features])
        mask = keras.layers.Maximum(name=f"join_mask_{level}")([mask, skip_mask])
        level_width = width * min(2**level, 8)
        features, mask = PartialConv2D(level_width, 3, activation=keras.layers.LeakyReLU(0.2),
                                       kernel_initializer=initializer(10 + level),
                                       name=f"decoder_{level}")([features, mask])
        if image_fill:
            guide = fill_and_hole
            if level:
                guide = keras.layers.AveragePooling2D(2**level, name=f"image_fill_{level}_pool")(guide)
            guide = keras.layers.Conv2D(level_width, 3, padding="same", kernel_initializer="zeros",
                                        name=f"image_fill_{level}_conv")(guide)
            features = keras.layers.Add(name=f"image_fill_{level}_add")([features, guide])
    output, _ = PartialConv2D(channels, 3, kernel_initializer=initializer(20), name="to_image")([features, mask])
    name = "inpainting_unet" if bottleneck == "none" else f"inpainting_unet_{bottleneck}"
    name += "_image_fill" if image_fill else ""
    return keras.Model([damaged, hole], output, name=name)


def _probe_side(model, side: int) -> int:
    from .inference import inpainting_multiple

    multiple = inpainting_multiple(model)
    return -(-check_integer(side, "side", minimum=1) // multiple) * multiple


def _symbolic_outputs(model, tensors, side: int) -> list:
    """The shapes `tensors` of `model` take on a ``side x side`` input, inferred without computing anything."""
    probe = keras.Model(model.inputs, tensors)
    inputs = [keras.Input(batch_shape=(1, side, side, int(tensor.shape[-1]))) for tensor in model.inputs]
    outputs = probe(inputs)
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def inpainting_multiply_adds_per_pixel(model, *, side: int = 256) -> float:
    """Multiply-adds per image pixel of an inpainting network's convolutions, partial ones included.

    :func:`course_lib.models.multiply_adds_per_pixel` counts ``keras.layers.Conv2D``
    layers only; a :class:`PartialConv2D` is a layer of its own, so an inpainting
    U-Net needs this count.

    Parameters
    ----------
    model : keras.Model
        ``[damaged, hole] -> image``, e.g. from :func:`inpainting_unet`.
    side : int
        The square input size at which every layer's output size is read
        (rounded up to the model's size multiple). The count per pixel does not
        depend on it, except through the FFC's convolution of the spectrum, which
        has ``H (W / 2 + 1)`` positions for ``H W`` (so slightly more than half a
        full map's on a small image); 256 is the size of a typical test image.

    Returns
    -------
    float
        For each partial convolution with a k x k kernel from ``c_in`` to ``c_out``
        channels and ``P`` output positions, ``(k^2 c_in c_out + k^2) P`` (the
        second term counts the valid pixels of each window), plus
        :func:`~course_lib.models.multiply_adds_per_pixel` for the ordinary
        convolutions, all divided by ``side^2``. The FFTs of a ``"ffc"`` bottleneck
        are not counted (see :func:`fourier_multiply_adds_per_pixel`), nor are
        biases, activations, masks and additions.

    Examples
    --------
    >>> network = inpainting_unet(channels=1, width=4, levels=1)
    >>> inpainting_multiply_adds_per_pixel(network)  # 25*1*4 + 25 and 9*4*1 + 9
    170.0
    """
    from .cost import multiply_adds_per_pixel

    side = _probe_side(model, side)
    partial = [layer for layer in model.layers if isinstance(layer, PartialConv2D)]
    total = 0.0
    if partial:
        outputs = _symbolic_outputs(model, [layer.output[0] for layer in partial], side)
        for layer, output in zip(partial, outputs):
            input_channels = int(layer.input[0].shape[-1])
            window = layer.kernel_size**2
            positions = int(output.shape[1]) * int(output.shape[2])
            total += (window * input_channels * layer.filters + window) * positions
    return total / side**2 + multiply_adds_per_pixel(model, side=side)


#: Multiply-adds of a real FFT per point and per log2 of its size (see :func:`fourier_multiply_adds_per_pixel`).
FFT_MULTIPLY_ADDS_PER_POINT_AND_LOG2 = 1.25


def fourier_multiply_adds_per_pixel(model, *, side: int = 256) -> float:
    """An estimate of the multiply-adds per image pixel of a network's FFTs, which convolution counts leave out.

    A complex FFT of ``N`` points takes about ``5 N log2 N`` floating-point
    operations (radix 2: ``N / 2 log2 N`` butterflies of one complex multiply and
    two complex additions); the FFT of ``N`` real points takes about half, that is
    ``1.25 N log2 N`` multiply-adds (two operations each). A :class:`RealFFT2D` or
    :class:`InverseRealFFT2D` of ``c`` channels on an ``H x W`` map therefore costs
    about ``1.25 log2(H W)`` multiply-adds per position and channel, against the
    ``c`` per position and output channel of a 1x1 convolution from ``c``
    channels: a 2-D FFT of ``c`` channels costs ``1.25 log2(HW) / c`` times a 1x1
    convolution from ``c`` to ``c`` channels. For the default FFC bottleneck of
    :func:`inpainting_unet` (``c = 96`` at 1/8 resolution) on a 256x256 image
    (a 32x32 map), that is ``12.5 / 96``, about 13 %, per transform. Counted
    that way, the forward and inverse FFT of an FFC add about 4 % to its spectral
    transform's convolutions, and the 16 FFTs of four FFC blocks about 300
    multiply-adds per pixel to a network of about 140 K: well under 1 %. Unlike
    a convolution's, the cost per pixel grows (slowly, as ``log2``) with the
    image. Time is another matter: an FFT runs far below a matrix product's
    speed, which is why the benchmarks time a training step as well.

    Parameters
    ----------
    model : keras.Model
        An inpainting network (any model whose first input is the image).
    side : int
        The square input size (rounded up to the model's size multiple).

    Returns
    -------
    float
        ``sum over FFT layers of 1.25 log2(h w) c h w / side^2``, with ``h x w``
        the layer's spatial map and ``c`` its real channels (0 without FFTs).
        An estimate: the library's FFT (pocketfft, through TensorFlow) uses mixed
        radices and is usually slower per operation than a matrix product.
    """
    side = _probe_side(model, side)
    transforms = [layer for layer in model.layers if isinstance(layer, (RealFFT2D, InverseRealFFT2D))]
    if not transforms:
        return 0.0
    spatial = [layer.input if isinstance(layer, RealFFT2D) else layer.output for layer in transforms]
    outputs = _symbolic_outputs(model, spatial, side)
    total = 0.0
    for output in outputs:
        height, width, channels = (int(size) for size in output.shape[1:])
        points = height * width
        total += FFT_MULTIPLY_ADDS_PER_POINT_AND_LOG2 * math.log2(max(points, 2)) * channels * points
    return total / side**2


def patch_discriminator(*, channels: int = 1, width: int = 64, layers: int = 3, seed: int = 0) -> keras.Model:
    """A PatchGAN discriminator (Isola et al. 2017): one real/fake logit per image patch.

    Parameters
    ----------
    channels : {1, 3}
    width : int
        Channels of the first layer; doubled at each further layer (up to 8x).
    layers : int
        Stride-2 4x4 convolutions; each output logit judges a patch of about
        ``3 * 2 ** layers`` pixels.
    seed : int

    Returns
    -------
    keras.Model
        Inputs ``image`` ``(N, H, W, channels)`` and ``hole`` ``(N, H, W, 1)`` (so it
        knows where the filled region is); output a map of logits
        ``(N, H / 2^layers, W / 2^layers, 1)``, no sigmoid. The labels for its loss
        must be maps of the same shape (the losses in
        :mod:`course_lib.models.gan_losses` take the logits directly).
    """
    check_choice(channels, "channels", (1, 3))
    width = check_integer(width, "width", minimum=1)
    layers = check_integer(layers, "layers", minimum=1, maximum=6)
    image = keras.Input((None, None, channels), name="image")
    hole = keras.Input((None, None, 1), name="hole")
    features = keras.layers.Concatenate(name="image_and_hole")([image, hole])
    for index in range(layers):
        features = keras.layers.Conv2D(width * min(2**index, 8), 4, strides=2, padding="same",
                                       kernel_initializer=keras.initializers.HeNormal(seed=seed + index),
                                       name=f"conv_{index}")(features)
        features = keras.layers.LeakyReLU(0.2, name=f"leaky_relu_{index}")(features)
    logits = keras.layers.Conv2D(1, 3, padding="same", name="patch_logits",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 99))(features)
    return keras.Model([image, hole], logits, name="patch_discriminator")


def composite(generated, damaged, hole):
    """Keep the known pixels and take the generated ones only inside the hole.

    ``output = hole * generated + (1 - hole) * damaged``, with `hole` 1 where a
    pixel is missing (broadcast over the channels).
    """
    hole = ops.cast(hole, "float32")
    return hole * ops.cast(generated, "float32") + (1.0 - hole) * ops.cast(damaged, "float32")
