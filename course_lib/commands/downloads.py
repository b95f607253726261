"""``download``: fetch a public denoising data set: a test set (Set12, BSD68) or the training set Train400.

Optional, and the only command that downloads anything. The work is done by
:mod:`course_lib.downloads`; this module builds the parser and prints one line
per file and the command to run next.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from .common import HelpFormatter

__all__ = ["add_download", "run_download"]


def add_download(commands) -> None:
    """Add the top-level ``download`` command to `commands` (the CLI's subparsers)."""
    from ..downloads import DATASETS

    datasets = "; ".join(f"{dataset.name}: {dataset.description}, from {dataset.base_url}"
                         for dataset in DATASETS.values())
    parser = commands.add_parser(
        "download", help="download a public denoising data set (test sets Set12, BSD68; training set Train400); "
                         "optional, needs internet",
        description="Download a standard denoising data set into OUT: a test set (set12, bsd68), to score the "
                    "course's models on the images papers report on, or the training set of those papers "
                    "(train400), to train on with train dncnn --data OUT or train sr --data OUT. Optional, and "
                    "needs internet: nothing else in the course downloads anything. " + datasets + ". The images are not shipped with "
                    "the course and are not under its licence: they are for research use under their owners' "
                    "terms. Files already in OUT are kept, so an interrupted download resumes; train400's files "
                    "are checked against SHA-256 sums pinned in the course, and a file that does not match is "
                    "refused; OUT/SOURCE.json records where each file came from and its SHA-256.",
        epilog="Then score the course's denoisers on a test set: "
               "python -m course_lib evaluate denoise --testset OUT --sigma 25; or train on train400: "
               "python -m course_lib train dncnn --data OUT --sigma 25 --out dncnn.keras",
        formatter_class=HelpFormatter)
    parser.add_argument("dataset", choices=sorted(DATASETS), help="the data set")
    parser.add_argument("--out", type=Path, required=True, help="folder for the images (created if missing)")
    parser.add_argument("--base-url", metavar="URL",
                        help="fetch the files from this folder instead (a mirror; default: the DnCNN repository)")
    parser.add_argument("--force", action="store_true", help="download every file again, even those present")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="S",
                        help="seconds to wait for the server, per connection and per read")
    parser.set_defaults(handler=run_download)


def run_download(arguments) -> int:
    from ..downloads import DATASETS, MANIFEST_NAME, download_dataset

    dataset = DATASETS[arguments.dataset]
    print(f"downloading {arguments.dataset} ({len(dataset.files)} images) into {arguments.out}", flush=True)
    try:
        files = download_dataset(arguments.dataset, arguments.out, base_url=arguments.base_url,
                                 force=arguments.force, timeout=arguments.timeout,
                                 progress=lambda line: print(f"  {line}", flush=True))
    except OSError as error:  # DownloadError (HTTP, unreachable, not an image, checksum), or the disk; the
        # command line prints ValueError itself, as the same one "error:" line
        print(f"error: {error}", file=sys.stderr)
        return 2
    folder = shlex.quote(str(arguments.out))
    if dataset.training:
        next_step = ("train a DnCNN on them with: "
                     f"python -m course_lib train dncnn --data {folder} --sigma 25 --out dncnn.keras")
    else:
        next_step = ("score the course's denoisers on them with: "
                     f"python -m course_lib evaluate denoise --testset {folder} --sigma 25")
    print(f"{arguments.dataset}: {len(files)} images in {arguments.out} (sources and SHA-256 in "
          f"{arguments.out / MANIFEST_NAME}); {next_step}")
    return 0
