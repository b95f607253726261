"""Bad input through the real command line: one ``error:`` line, exit code 2, no traceback, nothing overwritten.

One table, one test: each case runs ``python -m course_lib ...`` in a subprocess on a workspace of
prepared files (arrays on the 8-bit scale, gray masks, tiny images, a file where a folder belongs,
checkpoint folders) and on the shipped models, and checks the exit code, the first line of stderr,
and the SHA-256 of every file before and after. Every case fails before TensorFlow is imported, so
the table runs in seconds. The cases that need TensorFlow (a note for a model without a record, a
checkpoint that cannot be resumed, TensorFlow's start-up lines) follow the table.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_lib import data

REPOSITORY = Path(__file__).resolve().parents[1]
SHIPPED = REPOSITORY / "data"


def _run(*arguments, cwd, fast=True):
    environment = {**os.environ, "COURSE_LIB_FAST": "1" if fast else "0"}
    return subprocess.run([sys.executable, "-m", "course_lib", *map(str, arguments)], capture_output=True,
                          text=True, timeout=600, cwd=cwd, env=environment)


def _hashes(*folders) -> dict:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in folders for path in sorted(Path(folder).rglob("*")) if path.is_file()}


def _state(epoch: int, epochs: int) -> dict:
    return {"epoch": epoch, "checkpoint": f"checkpoint-epoch{epoch:04d}.keras", "config": {"epochs": epochs}}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Files every case reads (and none may change): good and bad inputs, masks, test sets, checkpoints."""
    root = tmp_path_factory.mktemp("bad_input")
    rng = np.random.default_rng(0)
    gray = rng.random((20, 24)).astype(np.float32)
    data.write_image(root / "inputs" / "gray.png", gray)
    np.save(root / "inputs" / "noisy.npy", gray + 0.1 * rng.standard_normal(gray.shape).astype(np.float32))
    (root / "byte_scale").mkdir()
    np.save(root / "byte_scale" / "photo.npy", (255 * gray).astype(np.float32))  # the commonest mistake
    hole = np.zeros((20, 24), np.float32)
    hole[5:10, 6:12] = 1.0
    data.write_image(root / "masks" / "binary.png", hole)
    data.write_image(root / "masks" / "soft.png", np.clip(hole * 0.8 + gray * 0.4, 0, 1))  # gray levels
    np.save(root / "masks" / "soft.npy", hole * 0.5)
    for side in (1, 3):
        data.write_image(root / f"tiny{side}" / "image.png", np.full((side, side), 0.5, np.float32))
    (root / "four_d").mkdir()
    np.save(root / "four_d" / "batch.npy", np.zeros((1, 64, 64, 1), np.float32))
    data.write_image(root / "four_d" / "fine.png", gray)
    (root / "a_file").write_text("not a folder\n")
    (root / "folder.keras").mkdir()
    for name, state in (("unfinished", _state(1, 3)), ("finished", _state(2, 2))):
        (root / name).mkdir()
        (root / name / "state.json").write_text(json.dumps(state))
    return root


W = "{workspace}"
DIVIDE = r"holds values in \[0\.\d+, 2\d\d\.?\d*\]; expected floats in .*: divide an array on the 8-bit scale"
SIGMA = r"error: --sigma must be in \(0, 255\] on the 8-bit scale; got "

# case -> (arguments, pattern the first line of stderr must match)
CASES = {
    # Silent garbage: arrays on the 8-bit scale, models of the wrong task or scale, gray masks.
    "restore denoise, [0, 255] .npy": (["restore", "denoise", f"{W}/byte_scale/photo.npy", "--sigma", "25",
                                        "--out", f"{W}/out"], r"error: INPUT .*photo\.npy' " + DIVIDE),
    "restore sr, [0, 255] .npy": (["restore", "sr", f"{W}/byte_scale/photo.npy", "--scale", "2", "--out", f"{W}/out"],
                                  r"error: INPUT .*photo\.npy' " + DIVIDE),
    "restore inpaint, [0, 255] .npy": (["restore", "inpaint", f"{W}/byte_scale/photo.npy", "--mask",
                                        f"{W}/masks/binary.png", "--out", f"{W}/out"],
                                       r"error: INPUT .*photo\.npy' " + DIVIDE),
    "evaluate denoise, [0, 255] .npy": (["evaluate", "denoise", "--testset", f"{W}/byte_scale", "--out", f"{W}/out"],
                                        r"error: --testset .*photo\.npy' " + DIVIDE),
    "evaluate sr, [0, 255] .npy": (["evaluate", "sr", "--testset", f"{W}/byte_scale", "--out", f"{W}/out"],
                                   r"error: --testset .*photo\.npy' " + DIVIDE),
    "evaluate inpaint, [0, 255] .npy": (["evaluate", "inpaint", "--testset", f"{W}/byte_scale", "--out", f"{W}/out"],
                                        r"error: --testset .*photo\.npy' " + DIVIDE),
    "train dncnn, [0, 255] .npy": (["train", "dncnn", "--sigma", "25", "--data", f"{W}/byte_scale",
                                    "--out", f"{W}/out/m.keras"], r"error: --data .*photo\.npy' " + DIVIDE),
    "train sr, [0, 255] .npy": (["train", "sr", "--scale", "2", "--data", f"{W}/byte_scale",
                                 "--out", f"{W}/out/m.keras"], r"error: --data .*photo\.npy' " + DIVIDE),
    "train inpaint, [0, 255] .npy": (["train", "inpaint", "--data", f"{W}/byte_scale", "--out", f"{W}/out/m.keras"],
                                     r"error: --data .*photo\.npy' " + DIVIDE),
    "restore denoise --model sr_x3": (["restore", "denoise", f"{W}/inputs/gray.png", "--model", SHIPPED / "sr_x3.keras",
                                       "--out", f"{W}/out"],
                                      r"error: --model .*sr_x3\.keras' is a super-resolution model .*needs a denoising"),
    "evaluate denoise --model sr_x3": (["evaluate", "denoise", "--model", SHIPPED / "sr_x3.keras", "--out",
                                        f"{W}/out"], r"error: --model .*sr_x3\.keras' is a super-resolution model"),
    "restore sr --scale 3 --model sr_x2": (["restore", "sr", f"{W}/inputs/gray.png", "--scale", "3", "--model",
                                            SHIPPED / "sr_x2.keras", "--out", f"{W}/out"],
                                           r"error: --model .*sr_x2\.keras' upscales x2 .*--scale is 3"),
    "restore sr --model dncnn": (["restore", "sr", f"{W}/inputs/gray.png", "--scale", "2", "--model",
                                  SHIPPED / "dncnn_gray_sigma25.keras", "--out", f"{W}/out"],
                                 r"error: --model .*dncnn_gray_sigma25\.keras' is a denoising model .*super-resolution"),
    "evaluate sr --scale 3 --model sr_x2": (["evaluate", "sr", "--scale", "3", "--methods", "bicubic", "--model",
                                             SHIPPED / "sr_x2.keras", "--out", f"{W}/out"],
                                            r"error: --model .*sr_x2\.keras' upscales x2 .*--scale is 3; add 2"),
    "restore inpaint --model dncnn": (["restore", "inpaint", f"{W}/inputs/gray.png", "--mask", f"{W}/masks/binary.png",
                                       "--model", SHIPPED / "dncnn_gray_sigma25.keras", "--out", f"{W}/out"],
                                      r"error: --model .*is a denoising model .*needs an inpainting model"),
    "train sr --init-from dncnn": (["train", "sr", "--scale", "2", "--init-from", SHIPPED / "dncnn_gray_sigma25.keras",
                                    "--out", f"{W}/out/m.keras"],
                                   r"error: --init-from .*is a denoising model .*super-resolution"),
    "train sr --scale 3 --init-from sr_x2": (["train", "sr", "--scale", "3", "--init-from", SHIPPED / "sr_x2.keras",
                                              "--out", f"{W}/out/m.keras"],
                                             r"error: --init-from .*upscales x2 .*--scale is 3"),
    "gray PNG mask": (["restore", "inpaint", f"{W}/inputs/gray.png", "--mask", f"{W}/masks/soft.png", "--method",
                       "biharmonic", "--out", f"{W}/out"],
                      r"error: --mask .*soft\.png' is not binary: \d+\.\d% of its pixels are neither black nor white"),
    "gray .npy mask": (["restore", "inpaint", f"{W}/inputs/gray.png", "--mask", f"{W}/masks/soft.npy", "--method",
                        "biharmonic", "--out", f"{W}/out"],
                       r"error: --mask .*soft\.npy' is not binary: \d+\.\d% of its pixels are neither 0 nor 1"),
    # Lost work: outputs onto inputs, files where folders belong, checkpoints.
    "restore denoise DIR --out DIR --force": (["restore", "denoise", f"{W}/inputs", "--sigma", "25", "--out",
                                               f"{W}/inputs", "--force"],
                                              r"error: --out would write .*inputs/gray\.png', which is one of the "
                                              r"inputs; inputs are never replaced \(not even with --force\)"),
    "restore inpaint --out onto the masks": (["restore", "inpaint", f"{W}/masks/binary.png", "--mask",
                                              f"{W}/masks/binary.png", "--method", "biharmonic", "--out",
                                              f"{W}/masks", "--force"], r"error: --out would write .*one of the inputs"),
    "train --out FILE/m.keras": (["train", "dncnn", "--sigma", "25", "--out", f"{W}/a_file/m.keras"],
                                 r"error: --out .*a_file/m\.keras' cannot be created: .*a_file' is a file, not a folder"),
    "train --checkpoint-dir FILE": (["train", "dncnn", "--sigma", "25", "--out", f"{W}/out/m.keras",
                                     "--checkpoint-dir", f"{W}/a_file"],
                                    r"error: the checkpoint folder .*a_file' \(--checkpoint-dir\) .*is a file"),
    "train --out a folder": (["train", "dncnn", "--sigma", "25", "--out", f"{W}/folder.keras"],
                             r"error: --out .*folder\.keras' is a folder; expected a file name"),
    "train over an unfinished run, even with --force": (
        ["train", "dncnn", "--sigma", "25", "--out", f"{W}/out/m.keras", "--checkpoint-dir", f"{W}/unfinished",
         "--force"], r"error: the checkpoint folder .*unfinished' holds an unfinished run \(1 of 3 epochs\); add "
                     r"--resume to continue it"),
    "train over a finished run without --force": (
        ["train", "dncnn", "--sigma", "25", "--out", f"{W}/out/m.keras", "--checkpoint-dir", f"{W}/finished"],
        r"error: the checkpoint folder .*finished' holds a finished run of 2 epochs; add --resume with a larger "
        r"--epochs .*or --force"),
    "train --resume without a checkpoint": (
        ["train", "dncnn", "--sigma", "25", "--out", f"{W}/out/m.keras", "--resume"],
        r"error: --resume: there is no checkpoint in .*; leave out --resume"),
    # Clearer messages.
    "restore --out an existing file": (["restore", "denoise", f"{W}/inputs/gray.png", "--sigma", "25", "--out",
                                        f"{W}/a_file"], r"error: --out .*a_file' is a file; expected a folder"),
    "evaluate --out an existing file": (["evaluate", "denoise", "--out", f"{W}/a_file"],
                                        r"error: --out .*a_file' is a file; expected a folder"),
    "evaluate denoise, 1x1 image": (["evaluate", "denoise", "--testset", f"{W}/tiny1", "--out", f"{W}/out"],
                                    r"error: --testset image 'image' is 1x1 pixels; SSIM's window needs at least 7x7"),
    "evaluate denoise, 3x3 image": (["evaluate", "denoise", "--testset", f"{W}/tiny3", "--out", f"{W}/out"],
                                    r"error: --testset image 'image' is 3x3 pixels; SSIM's window needs at least 7x7"),
    "evaluate sr, 3x3 image": (["evaluate", "sr", "--testset", f"{W}/tiny3", "--out", f"{W}/out"],
                               r"error: --testset image 'image' is 3x3 pixels; x4 .* needs at least 16x16"),
    "evaluate inpaint, 3x3 image": (["evaluate", "inpaint", "--testset", f"{W}/tiny3", "--out", f"{W}/out"],
                                    r"error: --testset image 'image' is 3x3 pixels; the seeded free-form holes"),
    "train, 4-D .npy in --data": (["train", "dncnn", "--sigma", "25", "--data", f"{W}/four_d", "--out",
                                   f"{W}/out/m.keras"],
                                  r"error: --data .*batch\.npy': .*must be a gray image \(H, W\) or an RGB image"),
    "restore denoise --sigma 0": (["restore", "denoise", f"{W}/inputs/gray.png", "--sigma", "0", "--out", f"{W}/out"],
                                  SIGMA + "0"),
    "evaluate denoise --sigma 300": (["evaluate", "denoise", "--sigma", "300", "--out", f"{W}/out"], SIGMA + "300"),
    "evaluate all --sigma -5": (["evaluate", "all", "--sigma", "-5", "--out", f"{W}/out"], SIGMA + "-5"),
    "train dncnn --sigma 0": (["train", "dncnn", "--sigma", "0", "--out", f"{W}/out/m.keras"], SIGMA + "0"),
    "train dncnn --blind 30 10": (["train", "dncnn", "--blind", "30", "10", "--out", f"{W}/out/m.keras"],
                                  r"error: --blind LOW HIGH must satisfy 0 <= LOW < HIGH <= 255 on the 8-bit scale"),
    # The course website: where its pages get MathJax.
    "build-site --mathjax web": (["build-site", "--mathjax", "web", "--out", f"{W}/out"],
                                 r"error: --mathjax must be one of 'local', 'cdn', 'none'; got 'web'$"),
    "build-site --mathjax-url none": (["build-site", "--mathjax-url", "none", "--out", f"{W}/out"],
                                      r"error: --mathjax-url must be the address of MathJax 2's MathJax\.js; "
                                      r"got 'none' \(to load no MathJax, use --mathjax none\)$"),
}


#: Cases also run in a subprocess, as a learner types them (each costs an interpreter start-up).
IN_A_SUBPROCESS = ["restore denoise, [0, 255] .npy", "evaluate denoise --model sr_x3", "gray PNG mask",
                   "restore denoise DIR --out DIR --force", "train --out FILE/m.keras", "evaluate denoise, 3x3 image",
                   "build-site --mathjax web"]


def _check(case, workspace, run):
    import re

    arguments, pattern = CASES[case]
    arguments = [str(argument).replace(W, str(workspace)) for argument in arguments]
    before = _hashes(workspace, SHIPPED)
    code, stdout, stderr = run(arguments)
    first_line = (stderr.splitlines() or [""])[0]
    assert code == 2, f"{case}: exit {code}\n{stdout[-2000:]}{stderr[-2000:]}"
    assert re.match(pattern, first_line), f"{case}: {first_line!r}"
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert _hashes(workspace, SHIPPED) == before, f"{case}: a file changed"
    assert not (workspace / "out").exists(), f"{case}: something was written"


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_error_line_and_changes_nothing(workspace, case, capsys, monkeypatch):
    from course_lib import cli

    monkeypatch.chdir(workspace)
    monkeypatch.setenv("COURSE_LIB_FAST", "1")

    def run(arguments):
        capsys.readouterr()
        code = cli.main(arguments)  # an exception escaping here would be a traceback for the learner
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    _check(case, workspace, run)


@pytest.mark.parametrize("case", IN_A_SUBPROCESS)
def test_bad_input_through_python_dash_m(workspace, case):
    def run(arguments):
        result = _run(*arguments, cwd=workspace)
        return result.returncode, result.stdout, result.stderr

    _check(case, workspace, run)


@pytest.mark.parametrize("case", ["restore denoise, [0, 255] .npy", "restore sr, [0, 255] .npy",
                                  "restore inpaint, [0, 255] .npy", "evaluate denoise, [0, 255] .npy",
                                  "evaluate sr, 3x3 image", "evaluate inpaint, 3x3 image"])
def test_bad_input_is_refused_before_tensorflow_is_imported(workspace, case):
    """A learner's typo costs a second, not TensorFlow's start-up (five seconds or more on a laptop)."""
    arguments = [str(argument).replace(W, str(workspace)) for argument in CASES[case][0]]
    script = ("import sys\nfrom course_lib.cli import main\n"
              f"code = main({arguments!r})\nprint(code, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                            cwd=workspace)
    assert result.stdout.split() == ["2", "False", "False"], result.stdout + result.stderr[-2000:]


def test_noisy_inputs_may_leave_the_unit_range_by_one(workspace):
    """The tolerance rule of restore denoise, stated in its --help, in [-1, 2]; the clean rule is [0, 1]."""
    from course_lib.commands.input_checks import check_value_range

    noisy = np.array([[-0.9, 0.5], [1.0, 1.95]], np.float32)
    assert check_value_range(noisy, "x.npy", noisy=True) is noisy
    with pytest.raises(ValueError, match=r"expected floats in \[-1, 2\] for a noisy input: divide"):
        check_value_range(noisy + 0.2, "x.npy", noisy=True)
    with pytest.raises(ValueError, match=r"expected floats in \[0, 1\]: divide"):
        check_value_range(noisy, "x.npy")
    np.testing.assert_array_equal(check_value_range(np.array([-0.04, 1.04]), "x.npy"), [0.0, 1.0])
    help_text = " ".join(subprocess.run([sys.executable, "-m", "course_lib", "restore", "denoise", "--help"],
                                        capture_output=True, text=True).stdout.split())
    assert "may leave it by up to 1" in help_text and "divide it by 255" in help_text


@pytest.mark.parametrize("command", [["restore", "inpaint"]])
def test_the_mask_rule_is_in_the_help(command):
    help_text = " ".join(subprocess.run([sys.executable, "-m", "course_lib", *command, "--help"],
                                        capture_output=True, text=True).stdout.split())
    assert "A mask must be binary, PNG and .npy alike" in help_text


def test_a_binary_mask_of_either_kind_is_read(workspace):
    from course_lib.commands.inpainting import read_hole_mask

    from_png = read_hole_mask(workspace / "masks" / "binary.png", (20, 24))
    np.save(workspace / "binary_mask.npy", from_png)
    try:
        assert from_png.dtype == bool and from_png.sum() == 30
        np.testing.assert_array_equal(read_hole_mask(workspace / "binary_mask.npy", (20, 24)), from_png)
    finally:
        (workspace / "binary_mask.npy").unlink()


# --- cases that need TensorFlow ------------------------------------------------------------------------------


def test_a_model_without_a_record_is_used_with_a_note(workspace, tmp_path):
    model = tmp_path / "mine.keras"
    shutil.copy(SHIPPED / "sr_x2.keras", model)  # no .json beside it
    result = _run("restore", "sr", workspace / "inputs" / "gray.png", "--scale", "2", "--model", model,
                  "--out", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "note: --model" in result.stdout and "has no provenance record (mine.json)" in result.stdout
    assert (tmp_path / "out" / "gray.png").exists()


def test_a_checkpoint_of_other_options_names_the_options(tmp_path):
    """--resume with other options names the options that differ, in flags, not the whole configuration."""
    from course_lib import training

    config = training.DenoiserTrainingConfig(
        sigma=25.0, depth=3, width=4, batch_norm=False, patch_size=40, batch_size=32, steps_per_epoch=500,
        epochs=40).shrunk_for_fast_mode()
    folder = tmp_path / "run.checkpoint"
    folder.mkdir()
    (folder / "state.json").write_text(json.dumps({"epoch": 1, "checkpoint": "checkpoint-epoch0001.keras",
                                                   "config": config.to_dict()}))
    before = _hashes(folder)
    result = _run("train", "dncnn", "--sigma", "50", "--depth", "3", "--width", "6", "--out", tmp_path / "m.keras",
                  "--checkpoint-dir", folder, "--resume", "--skip-test", "--threads", "1", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    message = result.stderr.splitlines()[0]
    assert message.startswith("error: --resume: the checkpoint in ") and "--sigma / --blind was 25.0 there and is " \
        "50.0 now; --width was 4 there and is 6 now; resume with the same ones" in message, message
    assert "depth" not in message and "{" not in message
    assert _hashes(folder) == before


def test_tensorflow_start_up_lines_are_not_printed(tmp_path):
    """TensorFlow's C++ start-up lines (absl's preface, oneDNN, CPU features) are filtered out of stderr."""
    script = ("import sys\nfrom course_lib.commands.common import import_tensorflow_quietly\n"
              "import_tensorflow_quietly()\nprint('ready', file=sys.stderr)\n")
    environment = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                            env={**environment, "TF_ENABLE_ONEDNN_OPTS": "1"}, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "ready\n", result.stderr


def test_tensorflow_noise_filter_keeps_real_warnings():
    from course_lib.commands.common import _is_tensorflow_noise

    assert _is_tensorflow_noise("WARNING: All log messages before absl::InitializeLog() is called are written to "
                                "STDERR")
    assert _is_tensorflow_noise("I0000 00:00:1796249260.508372   26239 port.cc:153] oneDNN custom operations are on.")
    assert not _is_tensorflow_noise("E0000 00:00:1796249260.508372   26239 cuda_dnn.cc:8310] Unable to register")
    assert not _is_tensorflow_noise("UserWarning: something real")


def test_force_starts_over_in_a_finished_runs_folder_only(workspace, capsys):
    """A rerun with --force is not blocked by the finished run's checkpoint; an unfinished run is kept."""
    from argparse import Namespace

    from course_lib.commands.common import _check_checkpoint_folder

    assert _check_checkpoint_folder(workspace / "finished", Namespace(resume=False, force=True)) is True
    assert "note: the finished run's checkpoint" in capsys.readouterr().out
    assert _check_checkpoint_folder(workspace / "finished", Namespace(resume=True, force=False)) is False
    with pytest.raises(FileExistsError, match=r"unfinished run \(1 of 3 epochs\); add --resume"):
        _check_checkpoint_folder(workspace / "unfinished", Namespace(resume=False, force=True))
    assert _check_checkpoint_folder(workspace / "nothing", Namespace(resume=False, force=False)) is False
