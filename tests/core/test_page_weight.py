"""What every page sends the browser (issue 20): the bundled DSFR, preloaded fonts, a deferred script,
a description; static files fingerprinted, compressed and cached for ever. Figures: bench/frontend_pages.py."""

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from whitenoise.middleware import WhiteNoiseMiddleware

from workinfrance.core.staticfiles import FingerprintedStaticFilesStorage


class Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str, name: str) -> list[dict]:
    parser = Head()
    parser.feed(html)
    return [attrs for tag, attrs in parser.tags if tag == name]


PUBLIC_PAGES = [
    ("core:home", {}),
    ("applicant:guide", {}),
    ("permits:verify_form", {}),
    ("stats:public", {}),
    ("accounts:login", {}),
    ("accounts:signup", {}),
    ("accounts:password_reset", {}),
    ("core:page", {"slug": "accessibilite"}),
    ("core:page", {"slug": "mentions-legales"}),
    ("core:page", {"slug": "donnees-personnelles"}),
]


def test_pages_load_the_dsfr_bundle_not_the_whole_dsfr(client, db):
    html = client.get(reverse("core:home")).content.decode()
    stylesheets = [link["href"] for link in tags(html, "link") if link.get("rel") == "stylesheet"]
    assert stylesheets == ["/static/wif/dsfr/dsfr.min.css", "/static/wif/wif.css"]
    assert "dsfr/dist/dsfr/dsfr.min.css" not in html and "utility.min.css" not in html
    (script,) = tags(html, "script")
    assert script["src"] == "/static/wif/dsfr/dsfr.module.min.js"
    assert script["type"] == "module"  # deferred: never blocks the first paint
    assert "nomodule" not in html


def test_the_fonts_of_the_first_screen_are_preloaded(client, db):
    html = client.get(reverse("core:home")).content.decode()
    preloads = [link for link in tags(html, "link") if link.get("rel") == "preload"]
    assert {link["href"].rsplit("/", 1)[1] for link in preloads} == {
        "Marianne-Regular.woff2",
        "Marianne-Bold.woff2",
        "Marianne-Medium.woff2",
    }
    for link in preloads:
        # A font preload without crossorigin is fetched twice.
        assert link["as"] == "font" and link["type"] == "font/woff2" and "crossorigin" in link


def test_pages_are_sent_compressed(client, db):
    response = client.get(reverse("stats:public"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assert "<html" in html and len(response.content) < len(html) / 3


@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_PAGES)
def test_every_public_page_has_a_description(client, db, name, kwargs):
    html = client.get(reverse(name, kwargs=kwargs)).content.decode()
    (description,) = [meta["content"] for meta in tags(html, "meta") if meta.get("name") == "description"]
    assert 50 <= len(description) <= 200


def test_public_pages_describe_themselves(client, db):
    descriptions = set()
    for name, kwargs in PUBLIC_PAGES:
        html = client.get(reverse(name, kwargs=kwargs)).content.decode()
        descriptions |= {meta["content"] for meta in tags(html, "meta") if meta.get("name") == "description"}
    assert len(descriptions) >= len(PUBLIC_PAGES) - 1  # the password reset page keeps the service's


def test_the_verification_page_is_described_and_not_indexed(client, db):
    html = client.get(reverse("permits:verify", kwargs={"seal": "NOTASEAL"})).content.decode()
    metas = {meta.get("name"): meta["content"] for meta in tags(html, "meta") if meta.get("name")}
    assert metas["robots"] == "noindex, nofollow"
    assert metas["description"]
    assert "/static/wif/dsfr/dsfr.min.css" in html and "<script" not in html


@pytest.fixture
def collected(tmp_path, settings):
    """A bundle and the font it points to, collected by the production storage into a temporary root."""
    settings.STATIC_ROOT = tmp_path
    settings.STATIC_URL = "/static/"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "workinfrance.core.staticfiles.FingerprintedStaticFilesStorage"},
    }
    storage = FingerprintedStaticFilesStorage(location=tmp_path, base_url="/static/")
    css = b"@font-face{font-family:M;src:url(../fonts/M.woff2)}" + b"body{color:#161616}" * 2000
    files = {"wif/site.css": css, "fonts/M.woff2": b"wOF2" + b"\0" * 100}
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    for _ in storage.post_process({name: (storage, name) for name in files}):
        pass
    storage.save_manifest()
    return storage


@override_settings(DEBUG=True)
def test_static_urls_are_fingerprinted_even_under_debug(collected):
    # Django's manifest storage gives plain names under DEBUG: `make run` would then differ from production.
    assert re.fullmatch(r"/static/wif/site\.[0-9a-f]{12}\.css", collected.url("wif/site.css"))
    css = (Path(collected.location) / collected.stored_name("wif/site.css")).read_text()
    assert re.search(r"url\(\"?\.\./fonts/M\.[0-9a-f]{12}\.woff2", css)


def test_static_files_are_compressed_and_cached_for_ever(collected):
    middleware = WhiteNoiseMiddleware(get_response=lambda request: None)
    url = collected.url("wif/site.css")
    for encoding in ("br", "gzip"):
        response = middleware(_request(url, encoding))
        assert response["Content-Encoding"] == encoding
        assert response["Cache-Control"] == "max-age=315360000, public, immutable"
        assert int(response["Content-Length"]) < 2000  # 40 kB of CSS
    # The same file under its plain name may change at the next release: not cached for ever.
    plain = middleware(_request("/static/wif/site.css", "br"))
    assert "immutable" not in plain["Cache-Control"]


def _request(url, encoding):
    return RequestFactory().get(url, HTTP_ACCEPT_ENCODING=encoding)
