"""Chat screenshots made here: each app's layout drawn in HTML and CSS, rendered by the installed
Chromium through Playwright, and "photos of a screen" made from them with Pillow.

The layouts follow what each app shows on a phone (header with the other person's name, bubbles
on the right for what this phone sent, on the left for what it received, times inside bubbles or
between them, light and dark themes). Snapchat and Discord put every message on the left with a
name above it, as those apps do. The text of every message is known, so tests and bench/ocr.py
can measure what OCR read against what was drawn.
"""

from __future__ import annotations

import html
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SENT = "sent"
RECEIVED = "received"
WIDTH, HEIGHT, SCALE = 390, 844, 2  # an iPhone-sized viewport: 780 × 1688 pixels


@dataclass(frozen=True)
class Line:
    side: str  # SENT or RECEIVED
    text: str
    time: str | None = None
    sender: str | None = None  # the name above a message (Snapchat, Discord)


@dataclass(frozen=True)
class Shot:
    """One screenshot to draw: which app, which theme, whose chat, and what is in it."""

    app: str
    theme: str
    title: str
    lines: tuple[Line, ...]
    separator: str | None = "Today 21:14"
    status: str = "online"

    extra: bool = False

    @property
    def name(self) -> str:
        return f"{self.app}-{self.theme}" + ("-extra" if self.extra else "")


# The talk of a sextortion chat, as victims' screenshots show it; no image is ever drawn.
THREAD = (
    Line(RECEIVED, "Hey are you there", "21:14"),
    Line(RECEIVED, "I have your pictures now", "21:15"),
    Line(SENT, "Please delete them", "21:16"),
    Line(RECEIVED, "Send 500 dollars by Friday or I post them", "21:17"),
    Line(SENT, "I do not have that money", "21:18"),
    Line(RECEIVED, "Pay to my wallet or everyone sees", "21:19"),
)

_APPS: dict[str, dict[str, dict[str, str]]] = {
    # app: theme: colours (background, header, header text, sent bubble, sent text, received, received text)
    "whatsapp": {
        "light": dict(
            bg="#efeae2",
            head="#008069",
            headtext="#ffffff",
            sent="#d9fdd3",
            senttext="#111b21",
            recv="#ffffff",
            recvtext="#111b21",
            meta="#667781",
        ),
        "dark": dict(
            bg="#0b141a",
            head="#202c33",
            headtext="#e9edef",
            sent="#005c4b",
            senttext="#e9edef",
            recv="#202c33",
            recvtext="#e9edef",
            meta="#8696a0",
        ),
    },
    "imessage": {
        "light": dict(
            bg="#ffffff",
            head="#f6f6f6",
            headtext="#000000",
            sent="#0b84ff",
            senttext="#ffffff",
            recv="#e9e9eb",
            recvtext="#000000",
            meta="#8e8e93",
        ),
        "dark": dict(
            bg="#000000",
            head="#1c1c1e",
            headtext="#ffffff",
            sent="#0b84ff",
            senttext="#ffffff",
            recv="#262628",
            recvtext="#ffffff",
            meta="#8e8e93",
        ),
    },
    "instagram": {
        "light": dict(
            bg="#ffffff",
            head="#ffffff",
            headtext="#000000",
            sent="#3797f0",
            senttext="#ffffff",
            recv="#efefef",
            recvtext="#000000",
            meta="#737373",
        ),
        "dark": dict(
            bg="#000000",
            head="#000000",
            headtext="#f5f5f5",
            sent="#3797f0",
            senttext="#ffffff",
            recv="#262626",
            recvtext="#f5f5f5",
            meta="#a8a8a8",
        ),
    },
    "messenger": {
        "light": dict(
            bg="#ffffff",
            head="#ffffff",
            headtext="#050505",
            sent="#0084ff",
            senttext="#ffffff",
            recv="#f0f0f0",
            recvtext="#050505",
            meta="#65676b",
        ),
        "dark": dict(
            bg="#000000",
            head="#000000",
            headtext="#e4e6eb",
            sent="#0084ff",
            senttext="#ffffff",
            recv="#303030",
            recvtext="#e4e6eb",
            meta="#b0b3b8",
        ),
    },
    "telegram": {
        "light": dict(
            bg="#99ba92",
            head="#517da2",
            headtext="#ffffff",
            sent="#effdde",
            senttext="#000000",
            recv="#ffffff",
            recvtext="#000000",
            meta="#6b8e5a",
        ),
        "dark": dict(
            bg="#0e1621",
            head="#17212b",
            headtext="#ffffff",
            sent="#2b5278",
            senttext="#ffffff",
            recv="#182533",
            recvtext="#ffffff",
            meta="#7f91a4",
        ),
    },
    "snapchat": {
        "light": dict(
            bg="#ffffff",
            head="#ffffff",
            headtext="#000000",
            sent="#f23c57",
            senttext="#000000",
            recv="#0eadff",
            recvtext="#000000",
            meta="#8e8e93",
        ),
        "dark": dict(
            bg="#121212",
            head="#121212",
            headtext="#ffffff",
            sent="#f23c57",
            senttext="#ffffff",
            recv="#0eadff",
            recvtext="#ffffff",
            meta="#8e8e93",
        ),
    },
    "discord": {
        "light": dict(
            bg="#ffffff",
            head="#f2f3f5",
            headtext="#060607",
            sent="#5865f2",
            senttext="#2e3338",
            recv="#e67e22",
            recvtext="#2e3338",
            meta="#5c5e66",
        ),
        "dark": dict(
            bg="#313338",
            head="#2b2d31",
            headtext="#f2f3f5",
            sent="#5865f2",
            senttext="#dbdee1",
            recv="#e67e22",
            recvtext="#dbdee1",
            meta="#949ba4",
        ),
    },
}
APPS = tuple(_APPS)
BUBBLE_APPS = ("whatsapp", "imessage", "instagram", "messenger", "telegram")
_TITLES = {
    "whatsapp": "Jake Miller",
    "imessage": "Emma Stone",
    "instagram": "lily.rose_22",
    "messenger": "Chris Walker",
    "telegram": "Daniel Brooks",
    "snapchat": "ALEX",
    "discord": "ghostrider_99",
}


def all_shots() -> list[Shot]:
    """Every app in both themes, the same conversation in each."""
    out = []
    for app in APPS:
        for theme in ("light", "dark"):
            out.append(shot(app, theme))
    return out


def extra_shots() -> list[Shot]:
    """Harder pictures: emoji (drawn as boxes here: no colour emoji font), a right-to-left
    message, an amount, a username and a wallet address to read exactly."""
    lines = (
        Line(RECEIVED, "My username is dark.knight_77", "22:01"),
        Line(RECEIVED, "Send 250 EUR to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "22:02"),
        Line(SENT, "Please stop \U0001f622", "22:03"),
        Line(RECEIVED, "\u0645\u0631\u062d\u0628\u0627 \u0623\u0646\u0627 \u0647\u0646\u0627", "22:04"),
        Line(SENT, "I will go to the police", "22:05"),
    )
    return [
        Shot("whatsapp", "dark", "Mark T", shot("whatsapp", "dark", lines, "Mark T").lines, extra=True),
        Shot(
            "instagram",
            "light",
            "dark.knight_77",
            shot("instagram", "light", lines, "dark.knight_77").lines,
            status="Active now",
            extra=True,
        ),
    ]


EXTRA_NAMES = ("whatsapp-dark-extra", "instagram-light-extra")


def shot(app: str, theme: str, lines: Iterable[Line] = THREAD, title: str | None = None) -> Shot:
    title = title or _TITLES[app]
    named = []
    for line in lines:
        sender = "ME" if line.side == SENT else title
        if app == "discord":
            sender = "me_myself" if line.side == SENT else title
        named.append(Line(line.side, line.text, line.time, sender))
    status = {
        "whatsapp": "online",
        "telegram": "last seen recently",
        "messenger": "Active now",
        "instagram": "Active 5m ago",
    }.get(app, "")
    return Shot(app, theme, title, tuple(named), status=status)


def page(s: Shot) -> str:
    """The HTML of one screenshot."""
    c = _APPS[s.app][s.theme]
    e = html.escape
    css = f"""
    * {{ box-sizing: border-box; margin: 0; padding: 0; }}
    body {{ width: {WIDTH}px; height: {HEIGHT}px; background: {c["bg"]}; overflow: hidden;
           font-family: 'Liberation Sans', 'DejaVu Sans', sans-serif; font-size: 16px; }}
    .status {{ height: 44px; background: {c["head"]}; color: {c["headtext"]}; font-size: 15px;
              font-weight: bold; padding: 14px 28px; display: flex; justify-content: space-between; }}
    .head {{ height: 56px; background: {c["head"]}; color: {c["headtext"]}; display: flex;
            align-items: center; padding: 0 14px; gap: 12px; }}
    .avatar {{ width: 36px; height: 36px; border-radius: 18px; background: #9aa0a6; flex: none; }}
    .title {{ font-size: 18px; font-weight: bold; }}
    .sub {{ font-size: 12px; opacity: 0.8; }}
    .msgs {{ padding: 16px 12px; display: flex; flex-direction: column; gap: 10px; }}
    .sep {{ align-self: center; color: {c["meta"]}; font-size: 13px; padding: 4px 10px; }}
    .b {{ max-width: 72%; padding: 8px 12px; border-radius: 18px; line-height: 1.3;
          overflow-wrap: anywhere; }}
    .sent {{ align-self: flex-end; background: {c["sent"]}; color: {c["senttext"]}; }}
    .received {{ align-self: flex-start; background: {c["recv"]}; color: {c["recvtext"]}; }}
    .t {{ font-size: 11px; color: {c["meta"]}; margin-left: 10px; float: right; margin-top: 6px; }}
    .sent .t {{ color: inherit; opacity: 0.75; }}
    .who {{ font-size: 13px; font-weight: bold; margin-top: 6px; }}
    .flat {{ padding: 2px 0 2px 10px; color: {c["senttext"]}; border-left: 3px solid; }}
    .dname {{ font-weight: bold; }}
    .dtime {{ font-size: 12px; color: {c["meta"]}; margin-left: 8px; }}
    .dmsg {{ color: {c["senttext"]}; padding-left: 48px; }}
    .drow {{ display: flex; gap: 10px; align-items: baseline; }}
    """
    parts = [
        "<div class=status><span>9:41</span><span>5G 87%</span></div>",
        f"<div class=head><div class=avatar></div><div><div class=title>{e(s.title)}</div>"
        + (f"<div class=sub>{e(s.status)}</div>" if s.status else "")
        + "</div></div>",
        "<div class=msgs>",
    ]
    if s.separator and s.app not in ("discord",):
        parts.append(f"<div class=sep>{e(s.separator)}</div>")
    previous = None
    for line in s.lines:
        text = e(line.text)
        if s.app == "snapchat":
            if line.sender != previous:
                colour = c["sent"] if line.side == SENT else c["recv"]
                parts.append(f"<div class=who style='color:{colour}'>{e(line.sender or '')}</div>")
            colour = c["sent"] if line.side == SENT else c["recv"]
            parts.append(f"<div class=flat style='border-color:{colour}'>{text}</div>")
        elif s.app == "discord":
            if line.sender != previous:
                colour = c["sent"] if line.side == SENT else c["recv"]
                parts.append(
                    f"<div class=drow><div class=avatar></div><span class=dname style='color:{colour}'>"
                    f"{e(line.sender or '')}</span>"
                    f"<span class=dtime>Today at {e(line.time or '')}</span></div>"
                )
            parts.append(f"<div class=dmsg>{text}</div>")
        else:
            stamp = (
                f"<span class=t>{e(line.time)}</span>"
                if line.time and s.app in ("whatsapp", "telegram")
                else ""
            )
            parts.append(f"<div class='b {line.side}' dir=auto>{text}{stamp}</div>")
        previous = line.sender
    parts.append("</div>")
    head = f"<!doctype html><html><head><meta charset=utf-8><style>{css}</style></head>"
    return f"{head}<body>{''.join(parts)}</body></html>"


@dataclass
class Renderer:
    """One Chromium for many screenshots (starting it takes about a second)."""

    _driver: object | None = None
    _browser: object | None = None
    _page: object | None = None
    made: list[Path] = field(default_factory=list)

    def __enter__(self) -> Renderer:
        from playwright.sync_api import sync_playwright

        from evidencekit.web.browser import find_browser

        self._driver = sync_playwright().start()
        self._browser = self._driver.chromium.launch(  # type: ignore[attr-defined]
            executable_path=find_browser(), args=["--no-sandbox", "--disable-gpu"]
        )
        self._page = self._browser.new_page(  # type: ignore[attr-defined]
            viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=SCALE
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._browser.close()  # type: ignore[attr-defined]
        self._driver.stop()  # type: ignore[attr-defined]

    def render(self, s: Shot, out: Path) -> Path:
        self._page.set_content(page(s))  # type: ignore[attr-defined]
        self._page.screenshot(path=str(out))  # type: ignore[attr-defined]
        self.made.append(out)
        return out


def render_all(shots: Iterable[Shot], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with Renderer() as r:
        return {s.name: r.render(s, folder / f"{s.name}.png") for s in shots}


def photo_of_screen(png: Path, out: Path, *, seed: int = 1, angle: float = 2.5) -> Path:
    """The screenshot as a phone camera would see the screen: turned a little, perspective,
    slightly blurred, a faint moiré of the screen's pixel grid, and saved as a JPEG."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.open(png).convert("RGB")
    _w, _h = image.size
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(40, 40, 40))
    w2, h2 = image.size
    d = int(w2 * 0.03)
    coeffs = _perspective(
        [(d, 0), (w2 - 1, d // 2), (w2 - d // 2, h2 - 1), (0, h2 - d)], [(0, 0), (w2, 0), (w2, h2), (0, h2)]
    )
    image = image.transform((w2, h2), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    grid = Image.new("L", image.size, 255)
    draw = ImageDraw.Draw(grid)
    step = 7
    for x in range(0, w2 + h2, step):
        draw.line([(x, 0), (x - h2 // 3, h2)], fill=232, width=2)
    image = ImageChops.multiply(image, Image.merge("RGB", (grid, grid, grid)))
    noise = Image.effect_noise(image.size, 10).convert("RGB")
    image = Image.blend(image, noise, 0.04 + rng.random() * 0.01)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    out.write_bytes(buffer.getvalue())
    return out


def _perspective(src: list[tuple[int, int]], dst: list[tuple[int, int]]) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE) mapping dst corners onto src corners."""
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (u, v) in zip(dst, src, strict=False):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    return _solve(rows, rhs)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=False)]
    return [m[i][n] / m[i][i] for i in range(n)]


if __name__ == "__main__":  # python tests/ocr/chatshots.py /tmp/shots: look at them
    import sys

    where = Path(sys.argv[1] if len(sys.argv) > 1 else "chatshots")
    made = render_all(all_shots(), where)
    photo_of_screen(made["whatsapp-light"], where / "whatsapp-light-photo.jpg")
    print("\n".join(str(p) for p in made.values()))
