"""The course scoreboard: the Scoreboard table and its files, and ``evaluate all`` end to end on small images."""

import json

import numpy as np
import pytest

from course_lib import cli, data, evaluation, models
from course_lib.evaluation import Result, ResultsTable
from course_lib.scoreboard import Scoreboard, ScoreboardEntry


def _table():
    rows = [Result("noisy", 25, "a", 20.0, 0.40, 0.0), Result("noisy", 25, "b", 22.0, 0.50, 0.0),
            Result("bm3d", 25, "a", 30.0, 0.85, 4.0), Result("bm3d", 25, "b", 31.0, 0.87, 6.0),
            Result("dncnn", 25, "a", 30.5, 0.86, 1.0), Result("dncnn", 25, "b", 30.9, 0.88, 1.0),
            Result("bm3d", 50, "a", 26.0, 0.70, 5.0)]
    return ResultsTable(rows)


def test_a_scoreboard_averages_each_method_at_the_chosen_level_and_ranks_by_psnr():
    board = Scoreboard(testset="two images")
    board.add_table("denoise sigma=25", _table(), level=25, kinds={"noisy": "reference", "dncnn": "learned"},
                    parameters={"dncnn": 1234})
    assert board.tasks() == ["denoise sigma=25"]
    entries = board.task_entries("denoise sigma=25")
    assert [entry.method for entry in entries] == ["dncnn", "bm3d", "noisy"]  # best mean PSNR first
    dncnn, bm3d, noisy = entries
    assert dncnn.psnr == pytest.approx(30.7) and dncnn.kind == "learned" and dncnn.parameters == 1234
    assert bm3d.psnr == pytest.approx(30.5) and bm3d.seconds == pytest.approx(5.0) and bm3d.images == 2  # not sigma 50
    assert bm3d.kind == "classical" and bm3d.parameters is None and noisy.kind == "reference"
    assert board.best("denoise sigma=25") is dncnn
    text = board.format()
    assert "dncnn *" in text and "bm3d *" not in text and "1,234" in text and "two images" in text
    markdown = board.to_markdown().splitlines()
    assert len(markdown) == 2 + 3 and markdown[0].startswith("| task |")
    with pytest.raises(ValueError, match="no entries for task"):
        board.best("inpainting")
    with pytest.raises(ValueError, match="kinds"):
        board.add_table("x", _table(), level=25, kinds={"bm3d": "magic"})


def test_an_inpainting_table_enters_with_all_its_holes():
    table = evaluation.InpaintingTable([
        evaluation.InpaintingResult("biharmonic", 0.2, "a", 18.0, 0.5, 0.1, mask=0),
        evaluation.InpaintingResult("biharmonic", 0.1, "a", 20.0, 0.6, 0.1, mask=1)])
    board = Scoreboard()
    board.add_table("inpainting", table)
    (entry,) = board.entries
    assert entry.psnr == pytest.approx(19.0) and entry.images == 2


def test_a_written_scoreboard_reads_back_and_bad_files_are_named(tmp_path):
    board = Scoreboard(testset="t", notes=["a note"])
    board.add_table("denoise sigma=25", _table(), level=25, kinds={"dncnn": "learned"}, parameters={"dncnn": 7})
    written = board.write(tmp_path / "out")
    assert sorted(path.suffix for path in written) == [".csv", ".json", ".md", ".png", ".txt"]
    again = Scoreboard.read(tmp_path / "out" / "scoreboard.json")
    assert again == board
    assert json.loads(written[3].read_text())["best"] == {"denoise sigma=25": "dncnn"}
    assert written[2].read_text().splitlines()[0] == "task,method,kind,psnr,ssim,seconds,parameters,images"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Scoreboard.read(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        Scoreboard.read(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"rows": []}))
    with pytest.raises(ValueError, match="not a scoreboard"):
        Scoreboard.read(tmp_path / "other.json")
    assert ScoreboardEntry("t", "m", "classical", 1.0, 0.5, 0.1).parameters is None


@pytest.fixture(scope="module")
def testset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scoreboard") / "images"
    data.write_image(folder / "astro.png", data.load_image("astronaut")[100:164, 150:222])
    data.write_image(folder / "cam.png", data.load_image("camera")[200:260, 200:268])
    return folder


def test_evaluate_all_runs_every_task_and_agrees_with_each_tasks_own_protocol(testset, tmp_path, capsys):
    out = tmp_path / "board"
    code = cli.main(["evaluate", "all", "--testset", str(testset), "--sigma", "25", "--scale", "2",
                     "--masks-per-image", "1", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "denoise sigma=25" in printed and "super-resolution x2" in printed and "inpainting" in printed
    board = Scoreboard.read(out / "scoreboard.json")
    assert board.tasks() == ["denoise sigma=25", "super-resolution x2", "inpainting"]
    assert {entry.method for entry in board.task_entries("denoise sigma=25")} == {
        "noisy", "gaussian", "median", "nlm", "bm3d", "dncnn", "dncnn-blind", "unet"}
    assert all(path.exists() for path in [out / "scoreboard.png", out / "scoreboard.md", out / "scoreboard.csv"])

    # The same numbers as the task's own evaluation on the same images.
    gray = {name: np.clip(image, 0, 1) for name, image in data.load_folder(testset, gray=True).items()}
    dncnn = models.load_shipped_denoiser(25)
    own = evaluation.evaluate_denoisers({"dncnn": lambda noisy, sigma: models.denoise(dncnn, noisy)}, gray, [25])
    entry = next(entry for entry in board.entries if entry.method == "dncnn")
    assert entry.psnr == pytest.approx(own.mean("dncnn", 25), abs=1e-3)
    assert entry.parameters == dncnn.count_params() and entry.kind == "learned"
    sr = board.task_entries("super-resolution x2")
    assert {entry.method for entry in sr} == {"nearest", "bilinear", "bicubic", "edsr", "vdsr"}
    colour = {name: np.clip(image, 0, 1) for name, image in data.load_folder(testset).items()}
    bicubic = evaluation.evaluate_super_resolution({"bicubic": evaluation.interpolation_upscalers()["bicubic"]},
                                                   colour, [2])
    assert next(entry for entry in sr if entry.method == "bicubic").psnr == pytest.approx(bicubic.mean("bicubic", 2))
    inpainting = {entry.method: entry for entry in board.task_entries("inpainting")}
    assert set(inpainting) == {"biharmonic", "harmonic", "course model"} and inpainting["biharmonic"].images == 2

    assert cli.main(["evaluate", "all", "--testset", str(testset), "--tasks", "sr", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err


def test_evaluate_all_crop_and_bad_options(testset, tmp_path, capsys):
    out = tmp_path / "quick"
    assert cli.main(["evaluate", "all", "--testset", str(testset), "--tasks", "sr", "--scale", "2", "--crop", "32",
                     "--out", str(out)]) == 0
    board = Scoreboard.read(out / "scoreboard.json")
    assert "32x32 crops" in board.testset and board.tasks() == ["super-resolution x2"]
    capsys.readouterr()
    assert cli.main(["evaluate", "all", "--testset", str(testset), "--tasks", "sr", "--crop", "500",
                     "--out", str(tmp_path / "a")]) == 2
    assert "--crop 500 is larger than image" in capsys.readouterr().err
    assert cli.main(["evaluate", "all", "--testset", str(testset), "--tasks", "denoise", "--sigma", "0",
                     "--out", str(tmp_path / "b")]) == 2
    assert "error: --sigma must be in (0, 255] on the 8-bit scale; got 0" in capsys.readouterr().err
    assert cli.main(["evaluate", "all", "--testset", str(testset), "--tasks", "inpaint", "--masks-per-image", "0",
                     "--out", str(tmp_path / "c")]) == 2
    assert "--masks-per-image" in capsys.readouterr().err
    assert cli.main(["evaluate", "all", "--testset", str(tmp_path / "nowhere"), "--out", str(tmp_path / "d")]) == 2
    assert "nowhere" in capsys.readouterr().err
