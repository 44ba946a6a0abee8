"""Build the part of the DSFR the pages use: core, the listed components and their dependencies, the icons
the templates name, and the module scripts of those components (one file each, loaded as a module: deferred).

    .venv/bin/python scripts/build_dsfr.py          # writes workinfrance/static/wif/dsfr/
    .venv/bin/python scripts/build_dsfr.py --check  # exit 1 when the committed files differ from a fresh build

Source: the DSFR shipped inside django-dsfr (requirements/prod.txt pins it, hence the DSFR version), the very files
the service already serves; nothing is edited by hand. Fonts and icon images stay where django-dsfr keeps
them (``dsfr/dist/``): the bundle's ``url()``s are rewritten to point there. tests/core/test_dsfr_bundle.py
fails when a template uses a DSFR class that the bundle does not define: add the component to COMPONENTS
and run this script again.
"""

import argparse
import posixpath
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workinfrance.core.dsfr_usage import dsfr_dist_dir, used_classes  # noqa: E402

OUTPUT_DIR = ROOT / "workinfrance" / "static" / "wif" / "dsfr"
OUTPUT_STATIC_DIR = "wif/dsfr"  # the same folder, as a static path
DIST_STATIC_DIR = "dsfr/dist"  # django-dsfr's copy of the DSFR distribution, as a static path

# The components the templates use (each brings its dependencies, read from the component's README).
COMPONENTS = (
    "alert", "badge", "breadcrumb", "button", "callout", "card", "checkbox", "connect", "footer", "form", "header",
    "highlight", "input", "link", "logo", "modal", "navigation", "pagination", "radio", "select", "skiplink",
    "stepper", "table", "tag", "tile", "upload",
)  # fmt: skip

CSS_LINK = re.compile(r"css/([a-z-]+)/\1\.min\.css")
JS_LINK = re.compile(r"js/([a-z-]+)/\1\.module\.min\.js")
URL = re.compile(r"url\((['\"]?)([^'\")]+)\1\)")
BANNER = re.compile(r"/\*!.*?\*/\s*", re.S)
# django-dsfr's small fixes for Django's error lists, served with the DSFR by its `dsfr_css` tag.
DJANGO_DSFR_OVERRIDES = "css/dsfr-django-overrides.css"

# Until Marianne arrives, text is drawn in Arial (Liberation Sans on Linux, same metrics) scaled and
# aligned to Marianne's metrics, so that the swap moves nothing (no layout shift). The widths are the
# mean advance (in em) over FALLBACK_SAMPLE, measured on Liberation Sans Regular and Bold.
FALLBACK_SAMPLE = (
    "Autorisation provisoire de travail des étudiants étrangers. Les champs marqués peuvent rester vides ; "
    "les autres sont nécessaires pour déposer la demande. 0123456789"
)
ARIAL_SAMPLE_WIDTH = {400: 0.4551, 700: 0.4881}
ARIAL_LOCAL_NAMES = {
    400: ("Arial", "ArialMT", "Liberation Sans", "LiberationSans"),
    700: ("Arial Bold", "Arial-BoldMT", "Liberation Sans Bold", "LiberationSans-Bold"),
}
MARIANNE_FILES = {400: "Marianne-Regular.woff2", 700: "Marianne-Bold.woff2"}
FONT_STACK = "font-family:Marianne,arial,sans-serif"
FONT_STACK_WITH_FALLBACK = 'font-family:Marianne,"Marianne fallback",arial,sans-serif'


def part_path(dist: Path, name: str) -> Path:
    return dist / name if name == "core" else dist / "component" / name


def with_dependencies(dist: Path, names, pattern: re.Pattern) -> list[str]:
    """Components in load order: each README lists its dependencies, core first, itself last."""
    ordered: list[str] = []
    for name in names:
        readme = (part_path(dist, name) / "README.md").read_text(encoding="utf-8")
        # Scripts: only the components that ship one list it (and core's).
        for dependency in pattern.findall(readme) or ([name] if pattern is CSS_LINK else []):
            if dependency not in ordered:
                ordered.append(dependency)
    return ordered


def relocated(css: str, source_static_dir: str) -> str:
    """Rewrite relative url()s of a DSFR file so they resolve from the bundle's folder."""

    def rewrite(match: re.Match) -> str:
        target = match.group(2)
        if target.startswith(("data:", "/", "#", "http")):
            return match.group(0)
        absolute = posixpath.normpath(posixpath.join(source_static_dir, target))
        return f"url({posixpath.relpath(absolute, OUTPUT_STATIC_DIR)})"

    return URL.sub(rewrite, css)


def icon_rules(dist: Path, icons: set[str]) -> str:
    """The rules of the named icons only, from the per-family icon stylesheets."""
    rules = []
    for sheet in sorted((dist / "utility" / "icons").glob("icons-*/icons-*.main.min.css")):
        static_dir = f"{DIST_STATIC_DIR}/{sheet.parent.relative_to(dist).as_posix()}"
        css = BANNER.sub("", sheet.read_text(encoding="utf-8"))
        # Each icon is one flat rule: `.fr-icon-x:after,.fr-icon-x:before{...}` (no nesting, no at-rules).
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
            names = set(re.findall(r"\.(fr-icon-[a-z0-9-]+)", selectors))
            if names and names <= icons:
                rules.append(relocated(f"{selectors}{{{body}}}", static_dir))
    return "".join(rules)


def fallback_faces(dist: Path) -> str:
    """`@font-face` rules of "Marianne fallback": local Arial with Marianne's width and vertical metrics."""
    from fontTools.ttLib import TTFont

    faces = []
    for weight, filename in MARIANNE_FILES.items():
        font = TTFont(dist / "fonts" / filename)
        em, cmap, metrics = font["head"].unitsPerEm, font.getBestCmap(), font["hmtx"]
        width = sum(metrics[cmap[ord(char)]][0] for char in FALLBACK_SAMPLE) / len(FALLBACK_SAMPLE) / em
        scale = width / ARIAL_SAMPLE_WIDTH[weight]
        hhea = font["hhea"]
        sources = ",".join(f'local("{name}")' for name in ARIAL_LOCAL_NAMES[weight])
        faces.append(
            f'@font-face{{font-family:"Marianne fallback";font-style:normal;font-weight:{weight};src:{sources};'
            f"size-adjust:{100 * scale:.2f}%;ascent-override:{100 * hhea.ascent / em / scale:.2f}%;"
            f"descent-override:{100 * -hhea.descent / em / scale:.2f}%;"
            f"line-gap-override:{100 * hhea.lineGap / em / scale:.2f}%}}"
        )
    return "".join(faces)


def build() -> dict[str, str]:
    dist = dsfr_dist_dir()
    version = re.search(r"DSFR v([\d.]+)", (dist / "core" / "core.main.min.css").read_text()).group(1)
    css_parts = with_dependencies(dist, COMPONENTS, CSS_LINK)
    header = f"/*! DSFR v{version} | SPDX-License-Identifier: MIT | License-Filename: LICENSE.md | built by scripts/build_dsfr.py from django-dsfr's copy: {', '.join(css_parts)} */\n"
    css = [header]
    for name in css_parts:
        folder = part_path(dist, name)
        static_dir = f"{DIST_STATIC_DIR}/{folder.relative_to(dist).as_posix()}"
        for suffix in ("main", "print"):
            sheet = folder / f"{name}.{suffix}.min.css"
            if sheet.exists():
                css.append(relocated(BANNER.sub("", sheet.read_text(encoding="utf-8")), static_dir) + "\n")
    icons = {name for name in used_classes() if name.startswith("fr-icon-")}
    css.append(icon_rules(dist, icons) + "\n")
    overrides = dist.parent.parent / DJANGO_DSFR_OVERRIDES  # .../dsfr/static/
    css.append(re.sub(r"\s+", " ", overrides.read_text(encoding="utf-8")).strip() + "\n")
    css.append(fallback_faces(dist) + "\n")
    bundle = "".join(css)
    assert FONT_STACK in bundle, "the DSFR's font stack changed: update FONT_STACK"
    bundle = bundle.replace(FONT_STACK, FONT_STACK_WITH_FALLBACK)

    # The scripts of the same components: some draw (the borders of tables), the header's opens the menu.
    js_parts = with_dependencies(dist, COMPONENTS, JS_LINK)
    js = [header.replace(", ".join(css_parts), ", ".join(js_parts))]
    for name in js_parts:
        script = BANNER.sub("", (part_path(dist, name) / f"{name}.module.min.js").read_text(encoding="utf-8"))
        # Each file is a module with top-level `const`s of the same names: a block keeps them apart.
        js.append("{\n" + script.strip() + "\n}\n")
    return {"dsfr.min.css": bundle, "dsfr.module.min.js": "".join(js)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed files, write nothing"
    )
    args = parser.parse_args()
    files = build()
    if args.check:
        stale = [
            name
            for name, text in files.items()
            if not (OUTPUT_DIR / name).exists() or (OUTPUT_DIR / name).read_text(encoding="utf-8") != text
        ]
        if stale:
            sys.exit(f"stale DSFR bundle ({', '.join(stale)}): run scripts/build_dsfr.py")
        return
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUTPUT_DIR / name).write_text(text, encoding="utf-8")
        print(f"{OUTPUT_STATIC_DIR}/{name}: {len(text.encode()) / 1000:.1f} kB")


if __name__ == "__main__":
    main()
