"""Tiny untrained stand-ins for the shipped models, for the exercise-notebook runs (not part of the course).

An exercise run tests the stubs, not the results (see tests/exercise_run_shortcuts.py), yet
notebooks 05, 06 and 08-10 spend most of it running the shipped networks on the full test
images: a 17-layer DnCNN takes seconds per 512x512 image. The run's kernel therefore gets
``COURSE_LIB_DATA`` pointing at a folder written by :func:`write_stand_in_models`: every file of
``data/`` under its own name, each network rebuilt by the same builder with the same inputs,
outputs and kind (residual DnCNN, noise-map U-Net, EDSR- and VDSR-style SR at the same scale and
unshuffling, the U-Net of partial convolutions with the same levels) but a few narrow layers,
untrained; the provenance records are copied unchanged. Every code path that loads, calls,
times, converts or describes a shipped model runs; only its numbers mean nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def _stand_in(shipped):
    from course_lib import models

    if shipped.architecture == "dncnn":
        return models.dncnn(depth=3, width=8)
    if shipped.architecture == "unet":
        return models.residual_unet(widths=(8, 8, 8, 8), blocks=1)
    if shipped.architecture == "edsr":
        return models.edsr(shipped.scale, blocks=1, width=8)
    if shipped.architecture == "vdsr":
        return models.vdsr(depth=3, width=8, unshuffle=shipped.scale)
    if shipped.architecture == "inpainting_unet":
        return models.inpainting_unet(channels=3, width=8, levels=4)
    raise ValueError(f"no stand-in for {shipped.file} ({shipped.architecture}); add one here")


def write_stand_in_models(folder) -> Path:
    """Write a stand-in for every shipped model, with the real provenance records, to `folder`.

    Returns
    -------
    Path
        The folder, to give the kernel as ``COURSE_LIB_DATA``.
    """
    from course_lib import models
    from course_lib.models.shipped import DATA_FOLDER, SHIPPED_MODELS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for shipped in SHIPPED_MODELS:
        models.save_model(_stand_in(shipped), folder / shipped.file, overwrite=True)
        record = (DATA_FOLDER / shipped.file).with_suffix(".json")
        if record.exists():
            shutil.copyfile(record, folder / record.name)
    return folder
