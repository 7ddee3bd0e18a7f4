"""A Wayland desktop for tests: sway on its headless backend, with the test pattern as wallpaper.

sway refuses to run as root, so under root (CI) it runs as `nobody` through setpriv. Its wallpaper
is the same 8×8 tile the X11 tests paint, so `assert_shows_pattern` checks a Wayland screenshot
pixel for pixel too. The fixture waits until grim sees the wallpaper before handing over.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import require_tool
from tests.xvfb import BG, FG, HEIGHT, WIDTH, expected_pixel

NOBODY = 65534


@pytest.fixture(scope="module")
def wayland() -> Iterator[dict[str, str]]:
    """Environment variables that put a program on a headless sway desktop of WIDTH × HEIGHT."""
    sway = require_tool("sway")
    grim = require_tool("grim")
    # Not under pytest's tmp_path: its parents are private to root, and sway runs as nobody.
    with tempfile.TemporaryDirectory(prefix="ek-wayland-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        yield from _desktop(folder, sway, grim)


def _desktop(folder: Path, sway: str, grim: str) -> Iterator[dict[str, str]]:
    tile = folder / "tile.png"
    image = Image.new("RGB", (8, 8))
    for y in range(8):
        for x in range(8):
            image.putpixel((x, y), expected_pixel(x, y))
    image.save(tile)
    config = folder / "sway.config"
    config.write_text(f"output HEADLESS-1 resolution {WIDTH}x{HEIGHT} bg {tile} tile\n", encoding="utf-8")
    runtime = folder / "runtime"
    runtime.mkdir(mode=0o700)
    command = [sway, "-c", str(config)]
    if os.geteuid() == 0:
        os.chown(runtime, NOBODY, NOBODY)
        command = [
            require_tool("setpriv"),
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            *command,
        ]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(runtime),
        "XDG_RUNTIME_DIR": str(runtime),
        "WLR_BACKENDS": "headless",
        "WLR_LIBINPUT_NO_DEVICES": "1",
        "WLR_RENDERER": "pixman",
    }
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        display = _wait_for_wallpaper(grim, runtime, server)
        yield {"WAYLAND_DISPLAY": display, "XDG_RUNTIME_DIR": str(runtime)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for_wallpaper(grim: str, runtime: Path, server: subprocess.Popen) -> str:
    probe = runtime.parent / "probe.png"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "sway stopped while starting"
        sockets = sorted(p.name for p in runtime.glob("wayland-*") if not p.name.endswith(".lock"))
        if sockets:
            env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": sockets[0]}
            done = subprocess.run([grim, str(probe)], env=env, capture_output=True, timeout=30)
            if done.returncode == 0:
                with Image.open(probe) as shot:
                    if (
                        shot.convert("RGB").getpixel((0, 0)) == FG
                        and shot.convert("RGB").getpixel((4, 0)) == BG
                    ):
                        return sockets[0]
        time.sleep(0.2)
    raise AssertionError("the Wayland desktop did not show its wallpaper in time")


__all__ = ["wayland"]
