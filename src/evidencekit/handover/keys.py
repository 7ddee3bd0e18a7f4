"""Who can open a hand-over: recipients' public keys, identity files, and passphrases.

Recipients are age's own: `age1…` (X25519) and, because pyrage accepts them, `ssh-ed25519 …` and
`ssh-rsa …` public keys. A recipients file is age's format: one key per line, `#` comments and blank
lines ignored. An identity (the secret that opens an archive) is an age identity file
(`AGE-SECRET-KEY-1…` lines), or such a file encrypted with a passphrase, like the `<case>.key.age`
that `seal --encrypt` writes. Passphrases are never printed, logged, or put in an error message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidencekit.errors import EvidenceKitError, InputFileError, InvalidValueError

AskPassphrase = Callable[[str], str]  # given what it is for, returns the passphrase (the CLI prompts)
MAX_KEY_FILE = 1 << 20
MIN_PASSPHRASE = 12


class WrongKeyError(EvidenceKitError):
    """The passphrase or key given does not open the archive."""


@dataclass(frozen=True)
class RecipientKey:
    text: str  # the public key as given (safe to print and store)
    kind: str  # "age" or "ssh"
    key: Any  # the pyrage recipient object


def parse_recipient(text: str, where: str = "--recipient") -> RecipientKey:
    """One public key, `age1…` or `ssh-ed25519 …`/`ssh-rsa …`."""
    from pyrage import RecipientError, ssh, x25519  # type: ignore[import-untyped]

    value = text.strip()
    try:
        if value.startswith("age1"):
            # The kind is the Bech32 prefix before the last "1": "age" for an ordinary key; newer
            # kinds read "age1pq1…" or "age1tag1…". (An ordinary key's own characters can begin
            # with "pq": one in 1,024 does; the "1" cannot occur in them.)
            if value.lower().rpartition("1")[0] != "age":
                raise InvalidValueError(
                    f"The key in {where} is a kind of age key (post-quantum or hardware) that the "
                    "widely installed age 1.1 cannot use.",
                    hint="Ask for an ordinary age public key (made with age-keygen, it starts with age1).",
                )
            return RecipientKey(value, "age", x25519.Recipient.from_str(value))
        if value.startswith(("ssh-ed25519 ", "ssh-rsa ")):
            return RecipientKey(value, "ssh", ssh.Recipient.from_str(value))
    except RecipientError:
        pass
    shown = value if len(value) <= 24 else value[:20] + "…"
    raise InvalidValueError(
        f"“{shown}” in {where} is not a public key evidencekit can encrypt to.",
        hint="Give an age public key (age1…, from `age-keygen -y KEYFILE`) or an SSH public key "
        "(ssh-ed25519 … or ssh-rsa …, from a .pub file).",
    )


def read_recipients_file(path: Path) -> list[RecipientKey]:
    """Every key in an age recipients file (one per line; `#` comments and blank lines ignored)."""
    text = _read_small_text(path, "recipients file")
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            keys.append(parse_recipient(line, f"{path.name} line {number}"))
    if not keys:
        raise InvalidValueError(
            f"The recipients file {path} holds no public key.",
            hint="Put one age public key (age1…) or SSH public key per line.",
        )
    return keys


def _read_small_text(path: Path, what: str) -> str:
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise InputFileError(f"{path} is too large to be a {what}.", hint=f"Check the {what}'s name.")
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputFileError(f"There is no {what} at {path}.", hint="Check the path.") from None
    except UnicodeDecodeError:
        raise InputFileError(
            f"{path} is not a text file, so it is not a {what}.", hint="Check the path."
        ) from None
    except OSError as exc:
        raise InputFileError(
            f"The {what} {path} cannot be read ({exc.strerror}).", hint="Check the path."
        ) from None


def read_passphrase_file(path: Path) -> str:
    """The passphrase in a file: its whole content, less one final line break."""
    text = _read_small_text(path, "passphrase file")
    if text.endswith("\n"):
        text = text[:-1]
    if text.endswith("\r"):
        text = text[:-1]
    if not text:
        raise InvalidValueError(f"The passphrase file {path} is empty.", hint="Put the passphrase in it.")
    return text


_COMMON = {
    "password",
    "passphrase",
    "letmein",
    "iloveyou",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "welcome",
    "evidence",
    "evidencekit",
    "police",
    "secret",
    "changeme",
    "correcthorsebatterystaple",
    "trustno1",
    "monkey",
    "dragon",
    "sunshine",
    "football",
    "abc",
}
_SEQUENCES = (
    "0123456789012345678901234567890",
    "abcdefghijklmnopqrstuvwxyzabcdefghij",
    "qwertyuiopasdfghjklzxcvbnm",
)


def passphrase_weakness(passphrase: str, avoid: tuple[str, ...] = ()) -> str | None:
    """Why a passphrase is too weak to protect a case, in plain words; None if it is fine.

    A hand-over may be copied by anyone who handles the USB stick or the e-mail, and then guessed at
    offline for as long as they like, so the bar is higher than for a website password.
    """
    if passphrase != passphrase.strip():
        return "it starts or ends with a space, which is easy to get wrong when typing it again"
    if len(passphrase) < MIN_PASSPHRASE:
        return (
            f"it is too short ({len(passphrase)} characters); use at least {MIN_PASSPHRASE} — "
            "four or more unrelated words are easy to type and hard to guess"
        )
    if len(set(passphrase.lower())) < 6:
        return "it repeats too few different characters"
    folded = re.sub(r"[^a-z0-9]", "", passphrase.lower())
    stripped = re.sub(r"[0-9]+$", "", folded)
    if folded in _COMMON or stripped in _COMMON or not stripped.strip("0123456789"):
        return "it is a common password (or only digits), among the first anyone would try"
    if any(folded in sequence or folded in sequence[::-1] for sequence in _SEQUENCES):
        return "it is a keyboard or counting sequence"
    for word in avoid:
        plain = re.sub(r"[^a-z0-9]", "", word.lower())
        if len(plain) >= 4 and plain in folded and len(folded) - len(plain) < MIN_PASSPHRASE:
            return "it is mostly made of the case's own name, which is written on the files"
    return None


# ---- identities (opening an archive) -----------------------------------------------------------


@dataclass(frozen=True)
class Identities:
    """What opens an archive: X25519 secrets (never printed) and where they came from."""

    secrets: tuple[str, ...]
    source: str


def is_age_file(data: bytes) -> bool:
    from evidencekit.handover.age_stream import ARMOR_BEGIN, INTRO

    return data.startswith(INTRO) or data.lstrip().startswith(ARMOR_BEGIN)


def load_identities(path: Path, ask_passphrase: AskPassphrase) -> Identities:
    """Read an identity file: plain, or encrypted with a passphrase (asked for only then)."""
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise InputFileError(f"{path} is too large to be a key file.", hint="Check the file name.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(
            f"There is no key file at {path}.", hint="Check the path given to --identity."
        ) from None
    except OSError as exc:
        raise InputFileError(
            f"The key file {path} cannot be read ({exc.strerror}).", hint="Check the path."
        ) from None
    if is_age_file(data):
        import io

        from evidencekit.handover.age_stream import AgeError, AgeNoMatchError, open_age

        passphrase = ask_passphrase(f"the key file {path.name}")
        try:
            _header, reader = open_age(io.BytesIO(data), passphrase=passphrase)
            data = reader.read()
        except AgeNoMatchError:
            raise WrongKeyError(
                f"That passphrase does not open the key file {path.name}.",
                hint="Check the passphrase (capital letters, spaces) and try again; "
                "the person who made the hand-over has it.",
            ) from None
        except AgeError as exc:
            raise InputFileError(
                f"The key file {path.name} is damaged or is not a key file ({exc}).",
                hint="Ask for the key file again.",
            ) from None
    text = data.decode("utf-8", "replace")
    if "OPENSSH PRIVATE KEY" in text or "RSA PRIVATE KEY" in text:
        raise InputFileError(
            f"{path.name} is an SSH key; evidencekit opens hand-overs with age keys or a passphrase only.",
            hint="Open it with age instead: age -d -i SSH-KEY ARCHIVE.tar.age | tar -x, then run "
            "evidencekit verify on the folder.",
        )
    secrets = tuple(line.strip() for line in text.splitlines() if line.strip().startswith("AGE-SECRET-KEY-1"))
    from evidencekit.handover.age_stream import x25519_secret

    for secret in secrets:
        try:
            x25519_secret(secret)
        except ValueError:
            raise InputFileError(
                f"The key file {path.name} holds a key that is damaged.", hint="Ask for the key file again."
            ) from None
    if not secrets:
        raise InputFileError(
            f"{path.name} holds no age secret key (a line starting AGE-SECRET-KEY-1).",
            hint="Give the key file made with age-keygen, or the .key.age file that came with the archive.",
        )
    return Identities(secrets, path.name)


def new_identity() -> tuple[str, str]:
    """A fresh X25519 key pair: (secret `AGE-SECRET-KEY-1…`, public `age1…`). The secret stays in memory."""
    from pyrage import x25519

    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())
