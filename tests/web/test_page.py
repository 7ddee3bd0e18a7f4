"""The page title and the login-wall guess, read from whatever a (possibly hostile) server sent."""

from __future__ import annotations

import gzip

import pytest

from evidencekit.web.page import decoded_body, html_title, looks_like_login


def test_the_title_is_read_in_the_charset_the_server_names():
    body = "<html><head><title>Café  Olé</title></head><body>x</body></html>".encode("latin-1")
    assert html_title(body, "text/html; charset=ISO-8859-1") == "Café Olé"


def test_the_charset_can_also_come_from_the_page_itself():
    body = '<meta charset="windows-1252"><title>\x93quoted\x94</title>'.encode("latin-1")
    assert html_title(body, "text/html") == "\u201cquoted\u201d"


@pytest.mark.parametrize("charset", ["no-such-charset", "zlib", "hex", "undefined", "idna", "punycode"])
def test_a_charset_that_cannot_decode_text_falls_back_to_utf8(charset: str):
    body = "<title>Profil de Zoé</title>".encode()
    assert html_title(body, f"text/html; charset={charset}") == "Profil de Zoé"
    assert html_title(f'<meta charset="{charset}">'.encode() + body, "text/html") == "Profil de Zoé"


def test_a_page_that_is_not_html_has_no_title():
    assert html_title(b"<title>x</title>", "image/png") is None


def test_a_compressed_body_is_opened_but_never_beyond_the_limit():
    page = b"<title>ok</title>" + b" " * (5 << 20)
    opened = decoded_body(gzip.compress(page), "gzip")
    assert opened.startswith(b"<title>ok</title>")
    assert len(opened) <= 2 << 20
    assert decoded_body(b"not gzip at all", "gzip") == b""


def test_a_login_wall_is_recognised_by_path_status_or_title_on_walled_platforms():
    assert looks_like_login(
        "https://www.instagram.com/accounts/login/?next=x", 200, None, walled_platform=True
    )
    assert looks_like_login("https://example.org/page", 401, None, walled_platform=False)
    assert looks_like_login(
        "https://www.instagram.com/someone/", 200, "Login • Instagram", walled_platform=True
    )
    assert not looks_like_login("https://example.org/help", 200, "How to sign in", walled_platform=False)
