"""Screen capture: a screenshot of the whole screen (or a region) saved as a new item.

Police advise full-screen screenshots that show the username, the dates and times and, in a browser,
the web address; a screenshot evidencekit takes itself also records exactly when it was taken, the
screen's size, how it was taken and, where the system says, the title of the window in front.

How the screen is read, by system:
- X11 (Linux, BSD): Pillow's ImageGrab reads the root window over XCB (`DISPLAY`).
- Wayland: programs may not read the screen themselves, so the system's screenshot tool is run:
  `grim` (wlroots desktops such as Sway), `gnome-screenshot`, or KDE's `spectacle`.
- Windows and macOS: Pillow's ImageGrab (GDI; `screencapture`). On macOS the terminal needs the
  Screen Recording permission, or only the desktop background is captured.
With no graphical display (an SSH session, a text console) it says so plainly.

The PNG is written straight into the case inside one all-or-nothing change: the pixels as read,
losslessly encoded, never shown. In a case marked under-18 a screen capture needs the person's
confirmation that the screen shows no nudity (`not_intimate`), asked before anything is taken,
because a screenshot is a new copy of whatever is on the screen.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencekit.case import layout
from evidencekit.case.atomic import write_bytes_durably
from evidencekit.case.case import Case
from evidencekit.case.names import safe_component
from evidencekit.clock import Clock, iso_utc, system_clock
from evidencekit.errors import EvidenceKitError, InvalidValueError

if TYPE_CHECKING:
    from PIL.Image import Image

WAYLAND_TOOLS = ("grim", "gnome-screenshot", "spectacle")
TOOL_TIMEOUT = 60
MAX_DELAY = 600


class ScreenCaptureError(EvidenceKitError):
    """The screen cannot be captured here (no display, no screenshot tool, refused)."""


@dataclass(frozen=True)
class Region:
    """A rectangle of the screen, in pixels from the top-left corner."""

    x: int
    y: int
    width: int
    height: int

    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)

    def to_json(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class Grab:
    """One screenshot, before it is saved."""

    png: bytes
    width: int
    height: int
    screen_width: int
    screen_height: int
    method: str  # x11, wayland-grim, wayland-gnome-screenshot, wayland-spectacle, windows, macos
    display: str | None
    window_title: str | None
    taken_at: datetime
    region: Region | None


@dataclass
class ScreenCaptureResult:
    """What `capture_screen` saved."""

    record: dict[str, Any]
    warnings: list[str]
    recovered: str | None = None


def parse_region(value: str) -> Region:
    """`X,Y,WIDTH,HEIGHT` or X11's `WIDTHxHEIGHT+X+Y`."""
    text = value.strip()
    match = re.fullmatch(r"(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)", text)
    if match:
        x, y, width, height = (int(v) for v in match.groups())
    else:
        match = re.fullmatch(r"(\d+)x(\d+)\+(\d+)\+(\d+)", text)
        if not match:
            raise InvalidValueError(
                f"“{value}” is not a screen region evidencekit understands.",
                hint="Give X,Y,WIDTH,HEIGHT in pixels from the top-left corner, e.g. --region 0,0,1280,800.",
            )
        width, height, x, y = (int(v) for v in match.groups())
    if width <= 0 or height <= 0:
        raise InvalidValueError(
            f"The region “{value}” has no area.", hint="WIDTH and HEIGHT must be more than 0."
        )
    return Region(x, y, width, height)


# ---- which way to read the screen ---------------------------------------------------------------


def _platform() -> str:
    return sys.platform


def backend() -> tuple[str, str | None]:
    """(method, display) that would be used here, or ScreenCaptureError saying why none can."""
    platform = _platform()
    if platform == "win32":
        return "windows", None
    if platform == "darwin":
        return "macos", None
    wayland = os.environ.get("WAYLAND_DISPLAY")
    x_display = os.environ.get("DISPLAY")
    if wayland:
        for tool in WAYLAND_TOOLS:
            if shutil.which(tool):
                return f"wayland-{tool}", wayland
        raise ScreenCaptureError(
            "This desktop uses Wayland, where evidencekit needs the system's screenshot tool, and "
            "none was found (grim, gnome-screenshot or spectacle).",
            hint="Install one of them, or take the screenshot with your screenshot key (Print "
            "Screen) and save the file into the case: evidencekit capture FILE",
        )
    if x_display:
        if _x11_answers(x_display) is False:
            raise ScreenCaptureError(
                f"There is no screen to capture here: the display {x_display} named in DISPLAY does "
                "not answer (the desktop it belonged to has ended, or it is on another computer).",
                hint=_NO_SCREEN_HINT,
            )
        return "x11", x_display
    raise ScreenCaptureError(
        "There is no screen to capture here: evidencekit is not running on a graphical desktop "
        "(for example, it is running over SSH or in a text console).",
        hint=_NO_SCREEN_HINT,
    )


_NO_SCREEN_HINT = (
    "Run it in a terminal on the computer's desktop, or take the screenshot with your phone or "
    "your computer's screenshot key and save the file: evidencekit capture FILE"
)
_X11_DISPLAY = re.compile(r"(?P<host>[^:/]*):(?P<number>\d+)(?:\.\d+)?")
_X11_CONNECT_TIMEOUT = 2.0


def _x11_answers(display: str) -> bool | None:
    """Whether an X server accepts connections at `display` (None: a form we do not know, so
    the screenshot itself will tell). Only a connection is opened and closed, nothing is read:
    this is asked before a --delay, so that a dead display is said at once, not after the wait."""
    import socket

    match = _X11_DISPLAY.fullmatch(display)
    if match is None:
        return None
    host, port = match["host"], 6000 + int(match["number"])
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{match['number']}"  # noqa: S108 - where X servers listen
        # Linux servers also listen on the abstract name, which works when /tmp is not shared.
        for address in (("\0" + path) if sys.platform.startswith("linux") else None, path):
            if address is None:
                continue
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(_X11_CONNECT_TIMEOUT)
                try:
                    sock.connect(address)
                    return True
                except OSError:
                    continue
        if host == "unix":
            return False
        host = "localhost"  # as libxcb does for ":N" when no local socket answers
    try:
        with socket.create_connection((host, port), timeout=_X11_CONNECT_TIMEOUT):
            return True
    except OSError:
        return False


def unavailable_reason() -> str | None:
    """Why a screenshot cannot be taken here (a sentence), or None when it can."""
    try:
        backend()
    except ScreenCaptureError as exc:
        return exc.message
    return None


# ---- reading the screen ---------------------------------------------------------------------------


def grab_screen(region: Region | None = None, clock: Clock = system_clock) -> Grab:
    """Take the screenshot now and return it as PNG bytes with what is known about it."""
    method, display = backend()
    title = active_window_title(method, display)
    taken_at = clock()
    if method == "x11":
        image = _grab_x11(display)
    elif method.startswith("wayland-"):
        image = _grab_with_tool(method.removeprefix("wayland-"))
    else:
        image = _grab_pillow(method)
    screen_width, screen_height = image.size
    if region is not None:
        if region.x + region.width > screen_width or region.y + region.height > screen_height:
            raise InvalidValueError(
                f"The region {region.x},{region.y},{region.width},{region.height} does not fit on the "
                f"screen, which is {screen_width} × {screen_height} pixels.",
                hint="Give a region inside the screen, or leave out --region for the whole screen.",
            )
        image = image.crop(region.box())
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    width, height = image.size
    image.close()
    return Grab(
        png=buffer.getvalue(),
        width=width,
        height=height,
        screen_width=screen_width,
        screen_height=screen_height,
        method=method,
        display=display,
        window_title=title,
        taken_at=taken_at,
        region=region,
    )


def _grab_x11(display: str | None) -> Image:
    from PIL import ImageGrab

    try:
        return ImageGrab.grab(xdisplay=display)
    except OSError as exc:
        raise ScreenCaptureError(
            f"evidencekit could not read the screen of display {display} ({exc}).",
            hint="Check that you are on the computer's desktop (DISPLAY is set by it), or take the "
            "screenshot with your screenshot key and capture the file.",
        ) from None


def _grab_pillow(method: str) -> Image:
    from PIL import ImageGrab

    try:
        return ImageGrab.grab(all_screens=True) if method == "windows" else ImageGrab.grab()
    except (OSError, subprocess.CalledProcessError) as exc:
        hint = "Take the screenshot with your screenshot key and capture the file instead."
        if method == "macos":
            hint = (
                "Allow your terminal to record the screen (System Settings → Privacy & Security → "
                "Screen Recording), then try again. " + hint
            )
        raise ScreenCaptureError(f"evidencekit could not read the screen ({exc}).", hint=hint) from None


def _grab_with_tool(tool: str) -> Image:
    from PIL import Image

    handle, name = tempfile.mkstemp(suffix=".png", prefix="ek-screen-")
    os.close(handle)
    target = Path(name)
    commands = {
        "grim": ["grim", str(target)],
        "gnome-screenshot": ["gnome-screenshot", "-f", str(target)],
        "spectacle": ["spectacle", "-b", "-n", "-f", "-o", str(target)],
    }
    try:
        try:
            done = subprocess.run(commands[tool], capture_output=True, timeout=TOOL_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ScreenCaptureError(
                f"The screenshot tool {tool} did not work ({exc}).",
                hint="Take the screenshot with your screenshot key and capture the file instead.",
            ) from None
        if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise ScreenCaptureError(
                f"The screenshot tool {tool} could not take a screenshot. {said[0]}".strip(),
                hint="Take the screenshot with your screenshot key and capture the file instead.",
            )
        with Image.open(target) as image:
            image.load()
            copied: Image.Image = image.copy()
            return copied
    finally:
        target.unlink(missing_ok=True)


# ---- the window in front --------------------------------------------------------------------------


def active_window_title(method: str, display: str | None) -> str | None:
    """The title of the window in front, where the system tells; None otherwise. Never fails."""
    try:
        if method == "x11":
            return _x11_title(display)
        if method == "windows":
            return _windows_title()
        if method == "macos":
            return _macos_title()
    except Exception:  # noqa: BLE001 - a title is a nicety; a screenshot must not fail for it
        return None
    return None


def _run_quietly(args: Sequence[str], display: str | None = None) -> bytes | None:
    env = dict(os.environ)
    if display:
        env["DISPLAY"] = display
    env["LC_ALL"] = "C.UTF-8"  # xprop then converts window titles to UTF-8
    try:
        done = subprocess.run(list(args), capture_output=True, timeout=3, check=False, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def decode_compound_text(raw: bytes) -> str:
    """X11 COMPOUND_TEXT as xdotool prints it: UTF-8 runs between ESC % G and ESC % @, Latin-1
    elsewhere (titles set with _NET_WM_NAME are plain UTF-8, which decodes the same way)."""
    out: list[str] = []
    utf8 = False
    for part in re.split(rb"(\x1b%G|\x1b%@)", raw):
        if part == b"\x1b%G":
            utf8 = True
        elif part == b"\x1b%@":
            utf8 = False
        elif part:
            try:
                out.append(part.decode("utf-8"))
            except UnicodeDecodeError:
                out.append(part.decode("utf-8" if utf8 else "latin-1", "replace"))
    return "".join(out)


def _x11_title(display: str | None) -> str | None:
    if shutil.which("xdotool"):
        for query in ("getactivewindow", "getwindowfocus"):  # a window manager's choice, else focus
            raw = _run_quietly(["xdotool", query, "getwindowname"], display)
            if raw:
                return decode_compound_text(raw)
    if shutil.which("xprop"):
        active = (_run_quietly(["xprop", "-root", "_NET_ACTIVE_WINDOW"], display) or b"").decode(
            "ascii", "replace"
        )
        match = re.search(r"window id # (0x[0-9a-f]+)", active)
        if match and int(match.group(1), 16):
            props = _run_quietly(["xprop", "-id", match.group(1), "_NET_WM_NAME", "WM_NAME"], display) or b""
            found = re.search(rb'= "(.*)"', props)
            if found:
                unescaped = re.sub(rb'\\([\\"])', rb"\1", found.group(1))  # xprop escapes \ and "
                return unescaped.decode("utf-8", "replace")
    return None


def _windows_title() -> str | None:  # pragma: no cover - Windows only
    import ctypes

    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    window = user32.GetForegroundWindow()
    length = user32.GetWindowTextLengthW(window)
    buffer = ctypes.create_unicode_buffer(length + 1)
    user32.GetWindowTextW(window, buffer, length + 1)
    return buffer.value or None


def _macos_title() -> str | None:  # pragma: no cover - macOS only
    script = (
        'tell application "System Events" to tell (first application process whose frontmost is true) '
        'to get name & " — " & (name of front window)'
    )
    raw = _run_quietly(["osascript", "-e", script])
    return raw.decode("utf-8", "replace") if raw else None


# ---- saving it into the case ----------------------------------------------------------------------


def capture_screen(
    case: Case,
    *,
    delay: float = 0,
    region: Region | None = None,
    note: str | None = None,
    tags: Sequence[str] = (),
    not_intimate: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    grab: Callable[..., Grab] = grab_screen,
) -> ScreenCaptureResult:
    """Wait `delay` seconds, take a screenshot and save it into `case` as a new screenshot item."""
    from evidencekit.case.flags import under_18
    from evidencekit.intake import filetype
    from evidencekit.intake.enrichers import enrich
    from evidencekit.intake.imagefacts import image_facts
    from evidencekit.intake.item_record import clean_tags, custody_details, warnings_for
    from evidencekit.intake.safeguard import UnderEighteenScreenError

    if not 0 <= delay <= MAX_DELAY:
        raise InvalidValueError(
            f"A delay of {delay:g} seconds is not possible.",
            hint=f"Give a number of seconds from 0 to {MAX_DELAY}, e.g. --delay 5.",
        )
    if under_18(case) and not not_intimate:
        raise UnderEighteenScreenError()
    if case.is_sealed():  # say so before the wait, not after it
        from evidencekit.errors import CaseSealedError

        raise CaseSealedError(
            "This case is sealed, so nothing more can be added to it.",
            hint="If you need to add more, run: evidencekit reopen (it is logged, and the next seal "
            "replaces this one).",
        )
    tidy_tags = clean_tags(tags)
    backend()  # no display: say so now, not after the delay
    if delay:
        sleep(delay)
    shot = grab(region, case.clock)

    with case.change("capture") as change:
        item_id = change.next_item_id()
        local = shot.taken_at.astimezone(case.zone) if case.zone else shot.taken_at.astimezone()
        name = f"Screen capture {local.strftime('%Y-%m-%d %H.%M.%S')}.png"
        safe = safe_component(name)
        bag_path = f"{layout.ITEMS_DIR}/{item_id}-{safe}"
        target = change.reserve_payload(bag_path)
        write_bytes_durably(target, shot.png)
        sha256 = hashlib.sha256(shot.png).hexdigest()
        md5 = hashlib.md5(shot.png, usedforsecurity=False).hexdigest()
        ftype = filetype.detect(shot.png[: filetype.HEAD_BYTES], name)
        now = change.now()
        record: dict[str, Any] = {
            "id": item_id,
            "kind": "screenshot",
            "original_name": name,
            "source_path": None,
            "source": "screen",
            "screen": {
                "method": shot.method,
                "display": shot.display,
                "screen_width": shot.screen_width,
                "screen_height": shot.screen_height,
                "region": shot.region.to_json() if shot.region else None,
                "active_window_title": shot.window_title,
                "delay_seconds": delay,
                "taken_at": iso_utc(shot.taken_at),
                "taken_at_local": case.local_time(shot.taken_at),
            },
            "size": len(shot.png),
            "sha256": sha256,
            "md5": md5,
            "mime": ftype.mime,
            "mime_description": ftype.description,
            "mime_by_extension": ftype.mime_by_extension,
            "mime_mismatch": ftype.mismatch,
            "image": image_facts(target),
            "source_mtime": None,
            "source_ctime": None,
            "captured_at": iso_utc(now),
            "captured_at_local": case.local_time(now),
            "captured_by": change.actor,
            "note": note,
            "tags": tidy_tags,
            "sensitive": False,
            "by_reference": False,
            "bag_path": bag_path,
            "stored_name_changed": safe != name,
        }
        if not_intimate:
            record["not_intimate_confirmed"] = True
        change.add_payload(bag_path, sha256, len(shot.png))
        warnings = enrich(change, record, target, {})
        change.add_item(record)
        change.log("item-captured", {**custody_details(record), "source": "screen"})
    warnings += warnings_for(record)
    return ScreenCaptureResult(record=record, warnings=warnings, recovered=change.recovered)
