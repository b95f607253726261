"""``build-site``: the course website, static HTML pages of the executed solution notebooks.

The logic lives in :mod:`course_lib.site`; this module builds the parser and
prints what was written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .common import HelpFormatter

__all__ = ["add_build_site", "run_build_site"]

_REPOSITORY = Path(__file__).resolve().parents[2]


def add_build_site(commands) -> None:
    """Add the top-level ``build-site`` command to `commands` (the CLI's subparsers)."""
    from ..site import DEFAULT_MATHJAX_URL, MATHJAX_FOLDER, SITE_MARKER

    parser = commands.add_parser(
        "build-site", help="build the course website (static HTML) from solutions/",
        description="Build a static website of the course from the executed solution notebooks: one "
                    "self-contained page per notebook (figures embedded), an index with the course map, the "
                    "instructor guide (docs/instructor_guide.md) as a page, and home / previous / next links on "
                    "every page. Builds offline, and works offline: formulas are typeset by a copy of MathJax "
                    f"in OUT/{MATHJAX_FOLDER}/ (--mathjax local). Only notebook 00's Mermaid diagram needs the "
                    "internet (Mermaid from a CDN; offline it shows as text). Open OUT/index.html in a browser.",
        formatter_class=HelpFormatter)
    parser.add_argument("--out", type=Path, default=_REPOSITORY / "site",
                        help=f"the site's folder (default: site/ in the repository); a previous site there "
                             f"(it holds {SITE_MARKER}) is replaced")
    parser.add_argument("--solutions", type=Path, default=_REPOSITORY / "solutions",
                        help="the executed notebooks, one page each in file-name order (default: solutions/)")
    parser.add_argument("--mathjax", metavar="{local,cdn,none}",
                        help=f"where the pages get MathJax, which typesets the formulas: 'local' (the default) "
                             f"copies MathJax 2.7 from the jupyter-server-mathjax package into OUT/{MATHJAX_FOLDER}/ "
                             "(about 2 MB), so formulas are typeset offline; 'cdn' loads it from a CDN when a page "
                             "is viewed (offline, formulas show as TeX); 'none' loads nothing")
    parser.add_argument("--mathjax-url", metavar="URL",
                        help=f"with --mathjax cdn (implied when --mathjax is not given): the address of MathJax 2's "
                             f"MathJax.js with its ?config= (default: {DEFAULT_MATHJAX_URL})")
    parser.add_argument("--force", action="store_true",
                        help="replace --out even if it is a folder that is not a site (everything in it is deleted)")
    parser.set_defaults(handler=run_build_site)


def run_build_site(arguments) -> int:
    from ..site import MATHJAX_FOLDER, build_site

    guide = _REPOSITORY / "docs" / "instructor_guide.md"
    readme = _REPOSITORY / "README.md"
    mathjax = arguments.mathjax
    if mathjax is None:
        mathjax = "cdn" if arguments.mathjax_url is not None else "local"
    try:
        result = build_site(arguments.out, arguments.solutions, guide=guide if guide.is_file() else None,
                            readme=readme if readme.is_file() else None, force=arguments.force,
                            mathjax=mathjax, mathjax_url=arguments.mathjax_url,
                            log=lambda line: print(line, flush=True))
    except (FileNotFoundError, FileExistsError, ValueError):
        raise  # the command line prints these as one "error:" line
    except OSError as error:
        print(f"error: cannot write the site to {str(arguments.out)!r}: {error}", file=sys.stderr)
        return 2
    for link in result.broken_links:
        print(f"warning: broken link {link}", file=sys.stderr)
    math = {"local": f"formulas typeset offline by the copy of MathJax in {MATHJAX_FOLDER}/",
            "cdn": "formulas typeset by MathJax from the internet (offline they show as TeX)",
            "none": "no MathJax: formulas show as TeX"}[result.mathjax]
    print(f"wrote {len(result.pages)} pages to {result.out} ({result.size_bytes / 1e6:.1f} MB) "
          f"in {result.seconds:.1f} s; {math}; open {result.out / 'index.html'}")
    return 0
