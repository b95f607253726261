"""Networks of the course, and how to apply, save and load them.

Every public name is imported from its module on first use: ``models.dncnn`` imports
Keras (and TensorFlow), but :mod:`.shipped`, the table of the shipped models, does
not, so the command line reads it while it builds its parsers, before TensorFlow is
configured. The subpackage knows nothing of training loops, plots or widgets: those
live in :mod:`course_lib.training` and :mod:`course_lib.widgets`, which sit above it.

- :mod:`.layers`: pixel unshuffle / shuffle (space-to-depth, depth-to-space);
- :mod:`.denoisers`: the small CNN and DnCNN (residual or plain, with or without BatchNorm);
- :mod:`.noise_map_denoisers`: FFDNet and a small residual U-Net, which take a noise-level map;
- :mod:`.cost`: multiply-adds per pixel, counted layer by layer;
- :mod:`.super_resolution`: SRCNN, ESPCN (sub-pixel) and a VDSR-style residual network;
- :mod:`.inpainting`: the partial convolution, a U-Net inpainting generator, a PatchGAN discriminator;
- :mod:`.gan_losses`, :mod:`.gan`: GAN losses from logits, and GAN training models with their own
  ``train_step`` (two optimizers, discriminator then generator);
- :mod:`.inference`: tiled application to images of any size, self-ensemble, throughput;
- :mod:`.precision`: bfloat16 training where the CPU has it, float32 for every saved model;
- :mod:`.saving`: safe loading of ``.keras`` files, atomic saving, provenance records;
- :mod:`.shipped`: the trained models in ``data/`` (one table), their paths and loaders, and which
  one serves a noise level, a scale or a task;
- :mod:`.deployment`: TensorFlow Lite conversion (float32, float16, dynamic-range int8), latency.
"""

from __future__ import annotations

import importlib

#: Each module and the public names it holds.
_PUBLIC_NAMES = {
    "denoisers": ("describe_model", "dncnn", "receptive_field", "size_multiple", "small_cnn_denoiser"),
    "noise_map_denoisers": ("NOISE_LEVEL_INPUT", "ffdnet", "residual_unet", "takes_noise_level"),
    "cost": ("TRAINING_COST_FACTOR", "multiply_adds_per_output_pixel", "multiply_adds_per_pixel"),
    "inference": ("INPAINTING_CHROMA", "Throughput", "apply_model", "check_inpainting_model", "denoise",
                  "dihedral_transform", "inpaint", "inpainting_multiple", "measure_throughput", "output_scale",
                  "pyramid_fill", "super_resolve"),
    "super_resolution": ("EDSR_BLOCKS", "SR_SCALES", "edsr", "espcn", "srcnn", "takes_low_resolution", "vdsr"),
    "gan": ("GAN", "AdversarialModel", "InpaintingGAN"),
    "gan_losses": ("GAN_LOSSES", "discriminator_loss", "generator_loss"),
    "inpainting": ("CloseHoles", "PartialConv2D", "PyramidFill", "composite", "inpainting_unet", "patch_discriminator"),
    "precision": ("PRECISIONS", "model_precision", "precision_scope", "with_precision"),
    "deployment": ("TFLITE_MODES", "Latency", "TFLiteModel", "apply_tflite", "convert_to_tflite", "dequantize",
                   "measure_latency", "quantize_symmetric"),
    "layers": ("PixelShuffle", "PixelUnshuffle", "depth_to_space", "space_to_depth"),
    "saving": ("load_model", "read_provenance", "save_model"),
    "shipped": ("DATA_FOLDER", "SHIPPED_MODELS", "ShippedModel", "SHIPPED_DENOISER_SIGMAS",
                "SHIPPED_BLIND_SIGMA_RANGE", "SHIPPED_UNET_SIGMA_RANGE", "SHIPPED_SR_ARCHITECTURES",
                "SHIPPED_SR_SCALES", "shipped_denoiser", "shipped_denoiser_path", "load_shipped_denoiser",
                "shipped_unet_denoiser", "shipped_unet_denoiser_path", "load_shipped_unet_denoiser",
                "shipped_denoiser_for", "shipped_sr", "shipped_sr_path", "load_shipped_sr", "shipped_inpainter",
                "shipped_inpainter_path", "load_shipped_inpainter"),
}

_MODULE_OF = {name: module for module, names in _PUBLIC_NAMES.items() for name in names}

__all__ = list(_MODULE_OF)


#: The modules that load without TensorFlow (each of the others imports it).
_WITHOUT_TENSORFLOW = ("deployment", "saving", "shipped")


def _import(module: str):
    if module not in _WITHOUT_TENSORFLOW:
        # TensorFlow's C++ start-up lines (absl's preface, the oneDNN notice) would otherwise
        # land in the middle of a command's output, or in a notebook cell's.
        from ..environment import import_tensorflow_quietly

        import_tensorflow_quietly()
    return importlib.import_module(f".{module}", __name__)


def __getattr__(name: str):
    """Import a public name (or a submodule) from its module the first time it is used."""
    if name in _MODULE_OF:
        value = getattr(_import(_MODULE_OF[name]), name)
    elif name in _PUBLIC_NAMES:
        value = _import(name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
