"""Recording web addresses: only http(s), platform recognised, nothing fetched."""

from __future__ import annotations

import pytest

from evidencekit.errors import InvalidUrlError, InvalidValueError
from evidencekit.intake.urls import add_url, check_url
from evidencekit.verify import verify_case
from tests.conftest import assert_valid_bag


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://www.instagram.com/bad.actor/", "Instagram"),
        ("https://instagram.com/p/Cx1/", "Instagram"),
        ("https://m.facebook.com/profile.php?id=100012345", "Facebook"),
        ("https://www.snapchat.com/add/someone", "Snapchat"),
        ("https://vm.tiktok.com/ZM123/", "TikTok"),
        ("https://x.com/someone/status/1", "X (Twitter)"),
        ("https://twitter.com/someone", "X (Twitter)"),
        ("https://discord.com/channels/1/2/3", "Discord"),
        ("https://t.me/someone", "Telegram"),
        ("https://wa.me/447700900123", "WhatsApp"),
        ("https://tinder.com/@someone", "Tinder (dating)"),
        ("https://www.grindr.com/profile/1", "Grindr (dating)"),
        ("https://paypal.me/someone", "PayPal"),
        ("https://example.org/page", None),
    ],
)
def test_the_platform_is_recognised_from_the_host(url, platform):
    assert check_url(url).platform == platform


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "javascript"),
        ("file:///etc/passwd", "file"),
        ("ftp://example.org/x", "ftp"),
        ("not a url at all", "spaces"),
        ("", "empty"),
        ("https://", "no website name"),
        ("https://user:secret@example.org/", "password"),
        ("instagram.com/someone", "missing the https://"),
        ("https://exa mple.org/", "spaces"),
        ("https://bad_host!.com/", "valid"),
        ("http://[::1", "not a valid web address"),
    ],
)
def test_anything_but_a_web_address_is_refused_clearly(url, reason):
    with pytest.raises(InvalidUrlError) as error:
        check_url(url)
    assert reason in error.value.message
    assert error.value.hint


def test_an_international_host_is_normalised_but_kept_as_given():
    checked = check_url("https://bücher.example/Seite?q=1#frag")
    assert checked.original == "https://bücher.example/Seite?q=1#frag"
    assert checked.normalised == "https://xn--bcher-kva.example/Seite?q=1#frag"


def test_a_recorded_url_is_a_record_and_a_custody_entry(case):
    result = add_url(case, "https://www.instagram.com/bad.actor/", kind="profile", note="sent the threats")
    record = result.record
    assert record["id"] == "U0001"
    assert record["platform"] == "Instagram" and record["kind"] == "profile"
    assert record["note"] == "sent the threats"
    assert record["recorded_at"].endswith("Z")
    assert case.urls() == [record]
    assert case.custody_entries()[-1]["action"] == "url-added"
    assert_valid_bag(case.root)
    assert verify_case(case.root).ok


def test_the_same_address_twice_is_recorded_once(case):
    add_url(case, "https://www.instagram.com/bad.actor/")
    again = add_url(case, "HTTPS://WWW.INSTAGRAM.COM:443/bad.actor/")
    assert again.record is None and again.duplicate_of == "U0001"
    assert len(case.urls()) == 1


def test_an_unknown_kind_is_refused(case):
    with pytest.raises(InvalidValueError, match="kind of link"):
        add_url(case, "https://example.org/", kind="selfie")
