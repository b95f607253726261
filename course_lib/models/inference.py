"""Applying a trained image-to-image network to an image of any size.

A fully convolutional network accepts any height and width, but the memory it
needs grows with the pixel count: DnCNN keeps 64 float32 feature maps alive, so a
12-megapixel photo (4000x3000) would need about 3 GB per layer. :func:`apply_model`
therefore cuts the image into tiles, runs each tile with a margin of real
neighbouring pixels around it, and keeps only the tile's centre. When the margin
covers half the receptive field, every output pixel sees exactly the context it
would see in one pass over the whole image, so tiling changes nothing but the
memory used (tested to float precision).

Geometric self-ensemble (Lim et al. 2017; Timofte, Rothe and Van Gool 2016) runs
the network on the 8 rotations and flips of the input and averages the 8 results
after undoing each transform (:func:`dihedral_transform`, the numbering the
training patches are augmented with too); it costs 8x the time and usually adds
0.1-0.2 dB.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass

import numpy as np

from .._dihedral import DIHEDRAL_TRANSFORMS, dihedral_transform
from .._validation import check_choice, check_image, check_integer, check_mask
from .denoisers import _check_model, receptive_field, size_multiple

__all__ = ["apply_model", "output_scale", "denoise", "super_resolve", "inpaint", "INPAINTING_CHROMA",
           "inpainting_multiple", "check_inpainting_model", "dihedral_transform", "Throughput", "measure_throughput"]


def _model_channels(model) -> int:
    return int(model.inputs[0].shape[-1])


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


#: One compiled call per inpainting network (see :func:`_graph_call`), dropped with the network.
_GRAPH_CALLS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _graph_call(model):
    """`model` called as one TensorFlow graph, traced for any image size: ``call([damaged, hole], training=False)``.

    Called eagerly, a Keras network dispatches each of its operations on its own;
    as one graph, TensorFlow also fuses and reuses memory across them. The
    shipped inpainting U-Net's fill of a 512x512 RGB photo took 1.17 s as a graph
    against 1.75 s eagerly (medians of 5 alternating fills, ``benchmarks/
    inpaint_speed.py``, 2-core EPYC, 2026-12-04), the fills equal to within
    1e-6. The first call traces the graph (a few seconds), a second image
    size traces it once more for any size (``reduce_retracing``), and later sizes
    reuse it. Other backends get `model` itself.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return model
    compiled = _GRAPH_CALLS.get(model)
    if compiled is None:
        import tensorflow as tf

        network = weakref.ref(model)  # a strong reference here would keep the model alive in _GRAPH_CALLS

        @tf.function(reduce_retracing=True)
        def compiled(inputs, training=False):
            return network()(inputs, training=False)

        _GRAPH_CALLS[model] = compiled
    return compiled


def _run_tiles(model, padded: np.ndarray, height: int, width: int, margin: int, tile: int,
               factor: int = 1, multiple: int = 1, second_input: np.ndarray | None = None) -> np.ndarray:
    """Run `model` window by window over a (N, H + 2 margin + extra, W + ..., C) array.

    Windows are `tile` pixels plus the margin on each side; the last row and column
    of windows are only as large as what is left (rounded up to `multiple`), so a
    small image costs a small window. Returns (N, H * factor, W * factor, C):
    `factor` is how many times larger the model's output is than its input (1 for a
    denoiser, the scale for ESPCN). `second_input`, padded like `padded`, is cut into
    the same windows and given to the model beside them (a noise-level map, or the
    hole mask of an inpainting generator).
    """
    output = np.empty((padded.shape[0], height * factor, width * factor, padded.shape[-1]), dtype=np.float32)
    for top in range(0, height, tile):
        rows = min(tile, height - top)
        for left in range(0, width, tile):
            columns = min(tile, width - left)
            window = padded[:, top : top + _round_up(rows, multiple) + 2 * margin,
                            left : left + _round_up(columns, multiple) + 2 * margin]
            if second_input is None:
                result = np.asarray(model(window, training=False))
            else:
                second = second_input[:, top : top + window.shape[1], left : left + window.shape[2]]
                result = np.asarray(model([window, second], training=False))
            output[:, top * factor : (top + rows) * factor, left * factor : (left + columns) * factor] = result[
                :, margin * factor : (margin + rows) * factor, margin * factor : (margin + columns) * factor
            ]
    return output


def output_scale(model) -> int:
    """How many times larger than its input a model's output is.

    The pixel shuffles on the image's path over its unshuffles and convolution
    strides: 1 for a denoiser (also for a U-Net, which goes down by strides and up
    by shuffles), the scale for ESPCN.
    """
    import keras

    from .denoisers import _image_path_layers
    from .layers import PixelShuffle, PixelUnshuffle

    scale = 1.0
    for layer in _image_path_layers(_check_model(model)):
        if isinstance(layer, PixelShuffle):
            scale *= layer.factor
        elif isinstance(layer, PixelUnshuffle):
            scale /= layer.factor
        elif isinstance(layer, keras.layers.Conv2D):
            scale /= layer.strides[0]
    if scale < 1 or scale != int(scale):
        raise ValueError(f"model output is {scale:g} times its input; expected a whole number >= 1")
    return int(scale)


def apply_model(model, image, *, tile_size: int = 256, margin: int | None = None,
                noise_level=None) -> np.ndarray:
    """Run an image-to-image network on one image of any size, tile by tile.

    Parameters
    ----------
    model : keras.Model
        A fully convolutional model with input ``(None, None, C)`` whose output
        has the input's size (a denoiser, for example).
    image : numpy.ndarray
        ``(H, W)`` gray or ``(H, W, 3)`` RGB float image. Values outside [0, 1]
        are allowed (an unclipped noisy image). An RGB image given to a gray
        (1-channel) model is processed one channel at a time.
    tile_size : int
        Side of the tiles, in pixels, before the margin is added. Memory grows
        with its square; on a CPU, 256 was the fastest we measured. Images
        smaller than a tile are run in one piece of their own size.
    margin : int, optional
        Pixels of context added around each tile and then discarded. Default:
        half the model's receptive field, rounded up to the model's size
        multiple, which makes the result independent of `tile_size`.
    noise_level : float or numpy.ndarray, optional
        For a model with a noise-level map input (:func:`~course_lib.models.ffdnet`,
        :func:`~course_lib.models.residual_unet`), and only for one: the noise's
        standard deviation on the [0, 1] scale (``sigma / 255``), one number or an
        ``(H, W)`` map of them.

    Returns
    -------
    numpy.ndarray
        The output, float32, the same shape as `image`, or `scale` times larger
        in height and width for a model that upscales (ESPCN).

    Notes
    -----
    The image is first extended by `margin` pixels on every side by mirror
    reflection, so pixels near the border also see real-looking context, and
    padded to a multiple of the model's size multiple (2 for a network that
    unshuffles by 2). The output therefore equals the model applied once to the
    reflected image, cropped back, whatever the tiling.
    """
    model = _check_model(model)
    array = check_image(image, "image").astype(np.float32)
    tile_size = check_integer(tile_size, "tile_size", minimum=8)
    model_channels = _model_channels(model)
    if array.ndim == 3 and model_channels == 1:
        planes = np.moveaxis(array, -1, 0)[..., None]  # each colour channel as a gray image
    elif array.ndim == 2 and model_channels == 1:
        planes = array[None, ..., None]
    elif array.ndim == 3 and model_channels == 3:
        planes = array[None]
    else:
        raise ValueError(
            f"image is gray {array.shape} but the model expects {model_channels} channels; "
            "give it an RGB image or use a gray model"
        )
    level_map = _noise_level_planes(model, noise_level, array.shape[:2], planes.shape[0])
    multiple = size_multiple(model)
    if margin is None:
        margin = _round_up(receptive_field(model) // 2 + 1, multiple)
    margin = check_integer(margin, "margin", minimum=0)
    if margin % multiple:
        raise ValueError(f"margin must be a multiple of {multiple} for this model; got {margin}")
    tile = _round_up(tile_size, multiple)
    height, width = array.shape[:2]
    # Mirror-extend by the margin, then pad the far sides to a multiple of the size multiple.
    padded = np.pad(planes, ((0, 0), (margin, margin), (margin, margin), (0, 0)), mode="reflect")
    extra_rows = _round_up(height, multiple) - height
    extra_columns = _round_up(width, multiple) - width
    padded = np.pad(padded, ((0, 0), (0, extra_rows), (0, extra_columns), (0, 0)), mode="edge")
    if level_map is not None:
        level_map = np.pad(level_map, ((0, 0), (margin, margin), (margin, margin), (0, 0)), mode="reflect")
        level_map = np.pad(level_map, ((0, 0), (0, extra_rows), (0, extra_columns), (0, 0)), mode="edge")
    output = _run_tiles(model, padded, height, width, margin, tile, output_scale(model), multiple, level_map)
    if array.ndim == 3 and model_channels == 1:
        return np.moveaxis(output[..., 0], 0, -1)
    if array.ndim == 2:
        return output[0, ..., 0]
    return output[0]


def _noise_level_planes(model, noise_level, shape, planes: int) -> np.ndarray | None:
    """The noise-level map as ``(planes, H, W, 1)`` for a noise-map model; None for any other model."""
    from .noise_map_denoisers import takes_noise_level

    if not takes_noise_level(model):
        if noise_level is not None:
            raise ValueError(f"noise_level: model {model.name!r} takes no noise-level map; leave it out")
        return None
    if noise_level is None:
        raise ValueError(f"noise_level: model {model.name!r} takes a noise-level map; give the noise's "
                         "standard deviation (sigma / 255, a number or an (H, W) map)")
    level = np.asarray(noise_level, dtype=np.float32)
    if level.ndim == 0:
        level = np.full(shape, float(level), dtype=np.float32)
    if level.shape != tuple(shape):
        raise ValueError(f"noise_level must be a number or an array of the image's shape {tuple(shape)}; "
                         f"got shape {level.shape}")
    if not np.all(np.isfinite(level)) or np.any(level < 0):
        raise ValueError("noise_level must be finite and >= 0 (sigma / 255)")
    return np.broadcast_to(level[None, ..., None], (planes, *shape, 1)).astype(np.float32)


def denoise(model, noisy, *, tile_size: int = 512, self_ensemble: bool = False, sigma=None) -> np.ndarray:
    """Denoise an image with a trained denoiser, tile by tile.

    Parameters
    ----------
    model : keras.Model
        A denoiser from :func:`course_lib.models.dncnn` (or any model that maps a
        noisy image to a clean one of the same size).
    noisy : numpy.ndarray
        Gray or RGB float image, values around [0, 1] (unclipped noise allowed).
    tile_size : int
        See :func:`apply_model`. 512 runs a 512x512 image in one tile: each tile is
        extended by half the receptive field on every side, which for the U-Net
        (100 px) makes four 256-pixel tiles 2.1x the pixels of the image, one
        512-pixel tile 1.5x.
    self_ensemble : bool
        Average the results over the 8 rotations and flips of the input
        (8x slower; usually a little better).
    sigma : float or numpy.ndarray, optional
        The noise level on the 8-bit scale, for a model that takes a noise-level
        map (:func:`~course_lib.models.ffdnet`, :func:`~course_lib.models.residual_unet`):
        one number, or an ``(H, W)`` map for noise that varies across the image.
        Not accepted by a model for one fixed level (DnCNN).

    Returns
    -------
    numpy.ndarray
        The clean estimate, float32, not clipped (clip with ``np.clip(x, 0, 1)``).
    """
    array = check_image(noisy, "noisy").astype(np.float32)
    level = None
    if sigma is not None:
        level = np.asarray(sigma, dtype=np.float32) / 255.0
    if not self_ensemble:
        return apply_model(model, array, tile_size=tile_size, noise_level=level)
    total = np.zeros(array.shape, dtype=np.float64)
    for index in range(DIHEDRAL_TRANSFORMS):
        transformed = np.ascontiguousarray(dihedral_transform(array, index))
        transformed_level = level if level is None or level.ndim == 0 else np.ascontiguousarray(
            dihedral_transform(level, index))
        result = apply_model(model, transformed, tile_size=tile_size, noise_level=transformed_level)
        total += dihedral_transform(result, index, inverse=True)
    return (total / DIHEDRAL_TRANSFORMS).astype(np.float32)


def super_resolve(model, low_resolution, scale: int, *, tile_size: int = 256) -> np.ndarray:
    """Upscale an image `scale` times with a super-resolution network, tile by tile.

    Parameters
    ----------
    model : keras.Model
        An SR network from :mod:`course_lib.models.super_resolution`. ESPCN-like
        models (ending in a pixel shuffle) get the low-resolution image; SRCNN and
        VDSR get its MATLAB-style bicubic upscaling, which they refine.
    low_resolution : numpy.ndarray
        ``(h, w)``: one channel, treated as the luma Y in [0, 1] (values slightly
        outside are allowed). ``(h, w, 3)`` RGB in [0, 1]: as in the literature,
        the luma Y of BT.601 YCbCr is upscaled by the network and the two colour
        channels Cb and Cr by bicubic interpolation, then converted back to RGB.
    scale : int
        The model's scale (2, 3 or 4).
    tile_size : int
        Tile side in input pixels (see :func:`apply_model`).

    Returns
    -------
    numpy.ndarray
        ``(h * scale, w * scale[, 3])`` float32; RGB is clipped to [0, 1], a single
        channel is not clipped.
    """
    from .. import color
    from ..degradations import bicubic_upscale
    from .super_resolution import takes_low_resolution

    array = check_image(low_resolution, "low_resolution").astype(np.float32)
    scale = check_integer(scale, "scale", minimum=1)
    model = _check_model(model)
    network_scale = output_scale(model)
    if takes_low_resolution(model) and network_scale != scale:
        raise ValueError(f"the model upscales {network_scale} times, but scale is {scale}")

    def upscale_luma(luma: np.ndarray) -> np.ndarray:
        if takes_low_resolution(model):
            return apply_model(model, luma, tile_size=tile_size)
        return apply_model(model, bicubic_upscale(luma, scale).astype(np.float32), tile_size=tile_size * scale)

    if array.ndim == 2:
        return upscale_luma(array)
    ycbcr = color.rgb_to_ycbcr(np.clip(array, 0.0, 1.0)) / 255.0
    luma = upscale_luma(ycbcr[..., 0].astype(np.float32))
    chroma = bicubic_upscale(ycbcr, scale)[..., 1:]  # Y upscaled too, then replaced by the network's
    return color.ycbcr_to_rgb(np.concatenate([luma[..., None], chroma], axis=-1) * 255.0)


def inpainting_multiple(model) -> int:
    """The number an inpainting U-Net's input sides must be multiples of: the product of its strides."""
    from .inpainting import PartialConv2D

    multiple = 1
    for layer in _check_model(model).layers:
        if isinstance(layer, PartialConv2D):
            multiple *= layer.strides
    return multiple


def check_inpainting_model(model):
    """Return `model` if it is an inpainting generator (two inputs: the damaged image, 1 or 3
    channels, and the hole mask, 1 channel); raise ValueError saying what it takes otherwise."""
    model = _check_model(model)
    inputs = model.inputs
    if len(inputs) != 2 or inputs[1].shape[-1] != 1 or inputs[0].shape[-1] not in (1, 3):
        raise ValueError(
            "model must be an inpainting generator taking [damaged (N, H, W, 1 or 3), hole (N, H, W, 1)] "
            f"(course_lib.models.inpainting_unet); got inputs {[tuple(item.shape) for item in inputs]}"
        )
    return model


#: How :func:`inpaint` fills the colour of an RGB image.
INPAINTING_CHROMA = ("biharmonic", "network")


def inpaint(model, image, hole, *, tile_size: int = 512, margin: int = 64, border: int = 16,
            chroma: str = "biharmonic") -> np.ndarray:
    """Fill the holes of an image with an inpainting generator; the known pixels come back unchanged.

    Parameters
    ----------
    model : keras.Model
        ``[damaged, hole] -> image``, e.g. :func:`course_lib.models.load_shipped_inpainter`
        or :func:`course_lib.models.inpainting_unet`.
    image : numpy.ndarray
        ``(H, W)`` gray or ``(H, W, 3)`` RGB in [0, 1]. The values inside the hole
        are ignored. A gray image given to an RGB model is repeated into three
        channels and the three outputs averaged.
    hole : array_like
        ``(H, W)`` mask, True (or 1, or 255) where a pixel is missing.
    tile_size : int
        Images larger than this (plus the margins) are filled tile by tile, each
        tile seeing `margin` pixels of context on every side, so the memory stays
        bounded on a 12-megapixel photo.
    margin : int
        Context around each tile, in pixels (rounded up to the model's size multiple).
    border : int
        An image no taller and no wider than `tile_size` plus twice `margin` is
        filled in one piece and mirror-extended by this many pixels instead of
        `margin` (rounded up likewise): it has no neighbouring tiles to see, and
        the mirror only keeps the convolutions at its own edges from seeing zeros
        (see Notes).
    chroma : {"biharmonic", "network"}
        How an RGB image is filled. ``"biharmonic"``: its luma (BT.601 Y, scaled to
        [0, 1]) is filled by the network as a gray image, its two chroma planes (Cb,
        Cr) by biharmonic inpainting, and the result turned back into RGB.
        ``"network"``: the three channels go through the network together (an RGB
        model) or one at a time (a gray model). Colour changes slowly across an
        image, so a smooth continuation suits the chroma, while the detail a
        network adds lives in the luma; and the course's model learned mostly from
        gray photos. On colour images that chose nothing else (see Notes) the
        first fills better.

    Returns
    -------
    numpy.ndarray
        float32, the shape of `image`: ``hole * clip(generated, 0, 1) + (1 - hole) * image``.

    Notes
    -----
    The image and the hole are mirror-extended by `margin` on every side (a mirror
    of the damaged image with its holes; by `border` when the image is filled in one
    piece), then padded to a multiple of ``2 ** (levels - 1)`` as the U-Net needs.
    The network's cost grows with the extended area: a 512x512 image extended by 64
    pixels is 1.56 times as many pixels, by 16 only 1.13 times. On the 20 held-out
    Train400 photos (180x180, the course's inpainting protocol) the model shipped
    until 2026-12-04 scored the same in the hole with a border of 64, 32 or 16
    pixels (17.689, 17.690, 17.691 dB), and filled a 512x512 luma plane about 30%
    faster with 16 (``benchmarks/inpaint_speed.py`` times both).

    The default `chroma` was chosen with the shipped model on colour photos outside
    the test split, under the course's inpainting protocol (4 seeded holes per
    image, PSNR and SSIM in the hole; ``benchmarks/inpainting_colour.py``,
    ``docs/inpainting_colour``): on the two colour images of the "extra" split,
    never trained on, 24.13 dB / SSIM 0.657 against 23.52 dB / 0.624 for the
    network on RGB; on the eight colour photos of the train split, which the model
    trained on in RGB, 20.02 dB / 0.577 against 19.97 dB / 0.564.
    """
    model = check_inpainting_model(model)
    array = check_image(image, "image").astype(np.float32)
    missing = check_mask(hole, "hole", shape=array.shape)
    tile_size = check_integer(tile_size, "tile_size", minimum=16)
    margin = check_integer(margin, "margin", minimum=0)
    border = check_integer(border, "border", minimum=0)
    check_choice(chroma, "chroma", INPAINTING_CHROMA)
    if array.ndim == 3 and chroma == "biharmonic":
        return _inpaint_luma_and_chroma(model, array, missing, tile_size=tile_size, margin=margin, border=border)
    model_channels = int(model.inputs[0].shape[-1])
    if array.ndim == 3 and model_channels == 1:
        planes = np.moveaxis(array, -1, 0)[..., None]
    elif array.ndim == 2 and model_channels == 3:
        planes = np.repeat(array[None, ..., None], 3, axis=-1)
    else:
        planes = array.reshape((1,) + array.shape[:2] + (model_channels,))
    holes = np.broadcast_to(missing[None, ..., None], planes.shape[:3] + (1,)).astype(np.float32)
    damaged = planes * (1.0 - holes)
    multiple = inpainting_multiple(model)
    margin = _round_up(margin, multiple)
    tile = _round_up(tile_size, multiple)
    height, width = array.shape[:2]
    if height <= tile + 2 * margin and width <= tile + 2 * margin:  # one pass: a small image in one piece
        tile = max(_round_up(height, multiple), _round_up(width, multiple))
        margin = _round_up(border, multiple)
    padding = ((0, 0), (margin, margin), (margin, margin), (0, 0))
    extra = ((0, 0), (0, _round_up(height, multiple) - height), (0, _round_up(width, multiple) - width), (0, 0))
    mode = "reflect" if min(height, width) > margin else "symmetric"
    damaged = np.pad(np.pad(damaged, padding, mode=mode), extra, mode="edge")
    holes = np.pad(np.pad(holes, padding, mode=mode), extra, mode="edge")
    generated = np.clip(_run_tiles(_graph_call(model), damaged, height, width, margin, tile, multiple=multiple,
                                   second_input=holes), 0.0, 1.0)
    if array.ndim == 3 and model_channels == 1:
        filled = np.moveaxis(generated[..., 0], 0, -1)
    elif array.ndim == 2:
        filled = generated[0].mean(axis=-1)
    else:
        filled = generated[0]
    known = missing[..., None] if array.ndim == 3 else missing
    return np.where(known, filled, array).astype(np.float32)


@functools.lru_cache(maxsize=8)
def _pyramid_fill_layer(levels: int, iterations: int):
    """One layer per setting, kept: its compiled graph is traced on the first call only."""
    from .inpainting import PyramidFill

    return PyramidFill(levels=levels, iterations=iterations)


def pyramid_fill(image, hole, *, levels: int = 6, iterations: int = 32) -> np.ndarray:
    """Fill the hole of an image smoothly, without a network: pull-push and diffusion (a harmonic fill).

    The parameter-free fill an inpainting U-Net with ``image_fill=True`` gives its
    decoder (:class:`course_lib.models.PyramidFill`, where the method is
    described), applied to an image on its own: a classical baseline beside
    biharmonic inpainting.

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W)`` gray or ``(H, W, C)`` in [0, 1]; the values in the hole are ignored.
    hole : array_like
        ``(H, W)`` mask, True where a pixel is missing.
    levels, iterations : int
        Of :class:`~course_lib.models.PyramidFill`; the defaults are the network's.

    Returns
    -------
    numpy.ndarray
        float32, the shape of `image`, the known pixels unchanged; each channel
        filled on its own.
    """
    array = check_image(image, "image").astype(np.float32)
    missing = check_mask(hole, "hole", shape=array.shape)
    planes = array[None, ..., None] if array.ndim == 2 else array[None]
    valid = (~missing).astype(np.float32)[None, ..., None]
    filled = np.asarray(_pyramid_fill_layer(levels, iterations)([planes * valid, valid]))[0]
    filled = filled[..., 0] if array.ndim == 2 else filled
    selected = missing if array.ndim == 2 else missing[..., None]
    return np.where(selected, filled, array).astype(np.float32)


#: BT.601 luma on the 8-bit scale spans [16, 235]: ``(Y - 16) / 219`` is a gray image in [0, 1].
_LUMA_OFFSET, _LUMA_RANGE = 16.0, 219.0


def _inpaint_luma_and_chroma(model, image: np.ndarray, missing: np.ndarray, *, tile_size: int,
                             margin: int, border: int) -> np.ndarray:
    """:func:`inpaint` of an RGB image with ``chroma="biharmonic"``: Y by the network, Cb and Cr by biharmonic."""
    from skimage.restoration import inpaint_biharmonic

    from ..color import rgb_to_ycbcr, ycbcr_to_rgb

    ycbcr = rgb_to_ycbcr(np.where(missing[..., None], 0.0, image))
    luma = np.clip((ycbcr[..., 0] - _LUMA_OFFSET) / _LUMA_RANGE, 0.0, 1.0).astype(np.float32)
    filled = np.empty_like(ycbcr)
    filled[..., 0] = _LUMA_OFFSET + _LUMA_RANGE * inpaint(model, luma, missing, tile_size=tile_size,
                                                               margin=margin, border=border)
    filled[..., 1:] = inpaint_biharmonic(ycbcr[..., 1:], missing, channel_axis=-1, split_into_regions=True)
    return np.where(missing[..., None], ycbcr_to_rgb(filled), image).astype(np.float32)


@dataclass(frozen=True)
class Throughput:
    """How fast a model ran: megapixels per second over a timed run."""

    megapixels: float
    seconds: float

    @property
    def megapixels_per_second(self) -> float:
        return self.megapixels / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        return f"{self.megapixels:.2f} Mpx in {self.seconds:.2f} s = {self.megapixels_per_second:.3f} Mpx/s"


def measure_throughput(model, shape=(512, 512), *, tile_size: int = 256, repeats: int = 1) -> Throughput:
    """Time :func:`apply_model` on a random image of `shape` (after one warm-up call).

    The timing loop is :func:`course_lib.models.deployment.measure_latency`'s; this adds the
    tiled application and reports the total over `repeats` runs as a :class:`Throughput`.
    """
    from .deployment import measure_latency

    repeats = check_integer(repeats, "repeats", minimum=1)
    image = np.random.default_rng(0).random(shape, dtype=np.float32)
    apply_model(model, image[: min(64, shape[0]), : min(64, shape[1])], tile_size=tile_size)
    latency = measure_latency(lambda: apply_model(model, image, tile_size=tile_size), pixels=image.size,
                              repeats=repeats, warmup=0)
    return Throughput(repeats * image.size / 1e6, sum(latency.seconds))
