"""The DSFR bundle (scripts/build_dsfr.py): everything the pages use, nothing they do not, built not edited."""

import importlib.util
import re

from django.contrib.staticfiles import finders

from workinfrance.core.dsfr_usage import classes_in_template, dsfr_dist_dir, used_classes

spec = importlib.util.spec_from_file_location("build_dsfr", "scripts/build_dsfr.py")
build_dsfr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_dsfr)

CLASS_SELECTOR = re.compile(r"\.(fr-[a-zA-Z0-9_-]+)")


def defined_classes(css: str) -> set[str]:
    return set(CLASS_SELECTOR.findall(css))


def bundle_css() -> str:
    return (build_dsfr.OUTPUT_DIR / "dsfr.min.css").read_text(encoding="utf-8")


def not_bundled(used: set[str], defined: set[str]) -> set[str]:
    """Classes (or class prefixes such as ``fr-badge--``) that no rule of the bundle styles."""
    return {
        name
        for name in used
        if (
            not any(known.startswith(name) for known in defined)
            if name.endswith("-")
            else name not in defined
        )
    }


def whole_dsfr_classes() -> set[str]:
    dist = dsfr_dist_dir()
    return defined_classes(
        (dist / "dsfr" / "dsfr.min.css").read_text() + (dist / "utility" / "utility.min.css").read_text()
    )


def test_every_dsfr_class_the_templates_use_is_in_the_bundle():
    # Classes the DSFR does not define (e.g. django-dsfr's `fr-fieldsets`) style nothing either way.
    dsfr_classes = used_classes() - not_bundled(used_classes(), whole_dsfr_classes())
    assert {"fr-header", "fr-btn", "fr-badge--", "fr-icon-lock-line"} <= dsfr_classes
    missing = not_bundled(dsfr_classes, defined_classes(bundle_css()))
    assert not missing, (
        f"DSFR classes used but not bundled: {sorted(missing)}; add their component to COMPONENTS in "
        "scripts/build_dsfr.py and run it"
    )


def test_a_component_left_out_of_the_bundle_is_caught():
    template = (
        '<div class="fr-accordion {% if x %}fr-accordion--open{% endif %}"><p class="fr-badge--{{ level }}">'
    )
    used = classes_in_template(template)
    assert used == {"fr-accordion", "fr-accordion--open", "fr-badge--"}
    assert not_bundled(used, defined_classes(bundle_css())) == {"fr-accordion", "fr-accordion--open"}


def test_the_bundle_holds_only_the_components_and_icons_used():
    css = bundle_css()
    full = (dsfr_dist_dir() / "dsfr" / "dsfr.min.css").read_text(encoding="utf-8")
    assert len(css) < len(full) * 0.75
    for unused in ("fr-accordion", "fr-tabs", "fr-sidemenu", "fr-toggle", "fr-consent-banner"):
        assert unused in full and unused not in css
    used_icons = {name for name in used_classes() if name.startswith("fr-icon-")}
    bundled_icons = {name for name in defined_classes(css) if name.startswith("fr-icon-")}
    assert used_icons <= bundled_icons
    # Icons the components draw themselves (e.g. the header's menu button) are not rules of this kind.
    icon_rules = re.findall(r"\.(fr-icon-[a-z0-9][a-z0-9-]*):after,\.\1:before\{", css)
    assert set(icon_rules) == used_icons


def test_the_committed_bundle_is_what_the_script_builds():
    for name, text in build_dsfr.build().items():
        committed = (build_dsfr.OUTPUT_DIR / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} differs from a fresh build: run scripts/build_dsfr.py"


def test_every_file_the_bundle_points_to_is_served():
    css = bundle_css()
    targets = {target for _, target in build_dsfr.URL.findall(css) if not target.startswith("data:")}
    assert any(target.endswith("Marianne-Regular.woff2") for target in targets)
    for target in targets:
        static_path = build_dsfr.posixpath.normpath(
            build_dsfr.posixpath.join(build_dsfr.OUTPUT_STATIC_DIR, target)
        )
        assert finders.find(static_path), static_path


def test_the_bundled_script_keeps_each_dsfr_module_in_its_own_block():
    script = (build_dsfr.OUTPUT_DIR / "dsfr.module.min.js").read_text(encoding="utf-8")
    blocks = script.count("\n{\n")
    assert blocks == len(
        build_dsfr.with_dependencies(dsfr_dist_dir(), build_dsfr.COMPONENTS, build_dsfr.JS_LINK)
    )
    assert "window.dsfr" in script and "header" in script and "--table-offset" in script
