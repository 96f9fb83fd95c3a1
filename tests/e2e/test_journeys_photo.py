"""A phone photo is made smaller in the browser before it is sent (issue 15, photos)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import Viewer
from tests.e2e.servers import Server
from tests.e2e.test_journeys import sign_up

pytestmark = pytest.mark.e2e


def big_photo(folder: Path) -> Path:
    """A 4000 × 3000 JPEG of noise (a few MB, like a phone's photo)."""
    path = folder / "IMG_2041.JPG"
    Image.effect_noise((4000, 3000), 80).convert("RGB").save(path, "JPEG", quality=95)
    return path


def test_a_large_photo_goes_up_smaller(viewer: Viewer, server: Server, tmp_path: Path) -> None:
    photo = big_photo(tmp_path)
    original = photo.stat().st_size
    assert original > 3 * 1024 * 1024
    page = viewer.context().new_page()
    sign_up(page, server, "杜师傅", community="guangchang-xi")
    page.goto(f"{server.url}/needs/new")
    page.set_input_files("#field-photo", str(photo))
    status = page.locator("#shrunk-photo")
    expect(status).to_contain_text(
        re.compile(r"Photo made smaller for sending: \d+\.\d MB → \d+ kB\.")
        if viewer.english
        else re.compile(r"照片已压缩后再发送：\d+\.\d MB → \d+ kB。")
    )
    sent = page.evaluate(
        """async () => {
            const file = document.getElementById("field-photo").files[0];
            const bitmap = await createImageBitmap(file);
            return [file.name, file.type, file.size, bitmap.width, bitmap.height];
        }"""
    )
    assert sent[:2] == ["IMG_2041.jpg", "image/jpeg"]
    assert sent[2] < original / 4
    assert (sent[3], sent[4]) == (1600, 1200)
    status.scroll_into_view_if_needed()
    viewer.screen(page, "photo-shrunk")

    page.locator("input[name=category][value=repairs]").check()
    page.fill("#field-description", "单元门口的台阶裂了，照片里看得清。")
    page.fill("#field-place", "五号楼一单元")
    page.locator("form.need-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/needs/[0-9a-f-]{36}$"))
    expect(page.locator("img[src*='/photo']").first).to_be_visible()


def test_without_javascript_the_photo_goes_up_as_it_is(
    viewer: Viewer, server: Server, tmp_path: Path
) -> None:
    photo = tmp_path / "small.png"
    Image.new("RGB", (640, 480), (200, 120, 40)).save(photo, "PNG")
    page = viewer.context(java_script_enabled=False).new_page()
    sign_up(page, server, "葛阿姨", community="guangchang-xi")
    page.goto(f"{server.url}/needs/new")
    page.set_input_files("#field-photo", str(photo))
    expect(page.locator("#shrunk-photo")).to_have_text("")
    page.locator("input[name=category][value=repairs]").check()
    page.fill("#field-description", "楼道的窗户关不上，风很大。")
    page.fill("#field-place", "五号楼二单元")
    page.locator("form.need-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/needs/[0-9a-f-]{36}$"))
    expect(page.locator("img[src*='/photo']").first).to_be_visible()
