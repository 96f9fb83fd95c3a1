"""Upload benchmark, run by `run.py` against its Linli server: the server's memory while 10
uploads of the largest picture Linli accepts arrive at once, and a small page's latency
meanwhile.

The pictures are made once and kept in the system's temporary folder: a 24-megapixel PNG
of a smooth gradient (a noisy one would not fit in 8 MB) and a 24-megapixel JPEG at
quality 90 with just enough grain to weigh a little under 8 MB. Each upload files a need
with the picture as a signed-in resident (no throttle applies), through wrk (10
connections), while another wrk asks for `/healthz` on one connection and a thread samples
the server's resident set size (VmRSS) every 20 ms, until the uploads still in flight when
wrk stops have been answered too.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

WIDTH, HEIGHT = 6000, 4000
"""24 megapixels: `app.photos.MAX_PIXELS`."""
UPLOADS_AT_ONCE = 10
JPEG_QUALITY = 90
PICTURES = Path(tempfile.gettempdir()) / "linli-bench-pictures-v1"
SCRIPT = Path(__file__).with_name("upload.lua")


def gradient() -> Any:
    from PIL import Image

    horizontal = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    vertical = Image.linear_gradient("L").rotate(90).resize((WIDTH, HEIGHT))
    return Image.merge("RGB", (horizontal, vertical, horizontal.rotate(180)))


def largest_png() -> Path:
    path = PICTURES / "gradient-24mp.png"
    if not path.exists():
        PICTURES.mkdir(parents=True, exist_ok=True)
        gradient().save(path, "PNG", optimize=True)
    return path


def largest_jpeg(limit_bytes: int) -> Path:
    """The gradient with grain, the most grain that keeps the file under `limit_bytes`."""
    from PIL import Image, ImageChops

    path = PICTURES / "grain-24mp.jpg"
    if path.exists():
        return path
    PICTURES.mkdir(parents=True, exist_ok=True)
    base = gradient()
    noise = Image.effect_noise((WIDTH, HEIGHT), 64).convert("RGB")
    low, high, best = 0.0, 1.0, b""
    for _ in range(7):  # bisect the grain's strength
        strength = (low + high) / 2
        grainy = ImageChops.blend(base, noise, strength)
        out = io.BytesIO()
        grainy.save(out, "JPEG", quality=JPEG_QUALITY)
        if out.tell() < limit_bytes:
            low, best = strength, out.getvalue()
        else:
            high = strength
    path.write_bytes(best)
    return path


def multipart(fields: dict[str, str], photo: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    kind = "image/png" if photo.suffix == ".png" else "image/jpeg"
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
        f'filename="{photo.name}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
        + photo.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


async def resident_session(login: str) -> str:
    """A browser session for the seeded resident (the seed gives it no usable password)."""
    from app.accounts.sessions import start_session
    from app.tables import User

    user = await User.objects().where(User.login == login).first()
    return await start_session(user, "bench", datetime.now(UTC))


def form_cookies(base: str, session: str) -> tuple[str, str]:
    """The cookies and the CSRF field of the filing form, as a browser holds them."""
    request = Request(f"{base}/needs/new", headers={"Cookie": f"linli_session={session}"})
    with urlopen(request) as response:
        csrf_cookie = next(
            value.split(";", 1)[0]
            for name, value in response.headers.items()
            if name.lower() == "set-cookie" and value.startswith("linli_csrf=")
        )
        html = response.read().decode()
    token = re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    return f"linli_session={session}; {csrf_cookie}", token


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, limit_s: float = 300) -> None:
    """Until the server has finished what wrk left in flight: it uses under a tenth of a
    core over half a second."""
    deadline = time.monotonic() + limit_s
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - before < 0.05:
            return
        before = now
    raise RuntimeError(f"the server was still busy {limit_s} s after the uploads")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


@dataclass
class UploadRun:
    picture: str
    picture_mb: float
    peak_rss_mb: float
    uploads: int
    refused: int
    page_p50_ms: float
    page_p99_ms: float


def during_uploads(
    base: str,
    pid: int,
    picture: Path,
    cookie: str,
    csrf: str,
    seconds: int,
    wrk: Callable[..., Any],
    workdir: Path,
) -> UploadRun:
    """10 connections uploading `picture` for `seconds`, `/healthz` timed meanwhile."""
    body, content_type = multipart(
        {
            "_csrf_token": csrf,
            "form_token": "LINLIBENCHFORMTOKEN",  # upload.lua gives each request its own
            "category": "repairs",
            "description": "Bench: a photo of the broken stair light",
            "place": "Building 3",
        },
        picture,
    )
    body_file = workdir / f"upload-{picture.suffix[1:]}.body"
    body_file.write_bytes(body)
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_mb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    uploads = subprocess.Popen(
        [
            "wrk",
            "-t1",
            f"-c{UPLOADS_AT_ONCE}",
            f"-d{seconds}s",
            "--timeout",
            "120s",
            "-s",
            str(SCRIPT),
            f"{base}/needs/new",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "LINLI_BENCH_BODY": str(body_file),
            "LINLI_BENCH_CONTENT_TYPE": content_type,
            "LINLI_BENCH_COOKIE": cookie,
            "LINLI_BENCH_RUN": uuid.uuid4().hex[:8],
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        page = wrk(f"{base}/healthz", seconds=seconds, connections=1)
        output, _ = uploads.communicate(timeout=seconds + 180)
        wait_until_idle(pid)  # the uploads still in flight when wrk stopped
    finally:
        done.set()
        sampler.join()
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return UploadRun(
        picture=picture.suffix[1:].upper(),
        picture_mb=picture.stat().st_size / 1e6,
        peak_rss_mb=max(samples),
        uploads=requests,
        refused=int(refused.group(1)) if refused else 0,
        page_p50_ms=page.p50_ms,
        page_p99_ms=page.p99_ms,
    )
