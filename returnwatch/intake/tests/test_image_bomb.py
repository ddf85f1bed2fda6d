"""Photos are refused from their header dimensions before any pixel is decoded: one photo's
limit, and a pixel budget for all the photos of one tip."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from returnwatch.intake.files import FileRefused, prepare_all
from returnwatch.intake.models import Tip

from .conftest import bomb_png, png_bytes

pytestmark = pytest.mark.django_db
MB = 1024 * 1024

# Run in a fresh interpreter: Pillow allocates pixels in C, which tracemalloc cannot see, so
# the peak resident memory of a process that does nothing else is the honest measure.
CHILD = """
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returnwatch.settings")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from returnwatch.intake.files import FileRefused, prepare_all
from returnwatch.intake.tests.test_image_bomb import warm_up
data = open(sys.argv[1], "rb").read()
warm_up()
upload = SimpleUploadedFile("bomb.png", data, "image/png")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    prepare_all([upload])
    refused = False
except FileRefused:
    refused = True
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"refused": refused, "seconds": seconds, "grew_kib": after - before}))
"""


def warm_up() -> None:
    """Load Pillow's format plugins (done once per process, by the first photo it sees), so
    the bound below measures the refusal and not a one-time import."""
    prepare_all([SimpleUploadedFile("warm.png", png_bytes(), "image/png")])


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.png"
    path.write_bytes(bomb_png())  # 7680 × 7680 RGB: 59 megapixels in about 170 KB
    return path


def test_the_bomb_is_a_real_59_megapixel_png_in_a_small_file(bomb: Path) -> None:
    with Image.open(bomb) as im:
        assert im.format == "PNG" and im.width * im.height >= 58_900_000
    assert bomb.stat().st_size < 300_000


def test_a_decompression_bomb_is_refused_in_under_100_ms_and_50_mb(bomb: Path) -> None:
    upload = SimpleUploadedFile("bomb.png", bomb.read_bytes(), "image/png")
    warm_up()
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(FileRefused) as refused:
        prepare_all([upload])
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "59 megapixels" in str(refused.value) and "40 megapixels" in str(refused.value)
    # A safety bound on the refusal, not a benchmark: decoding it took 3.5 s and ~965 MB.
    assert seconds < 0.1, seconds
    assert peak < 50 * MB, peak

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(bomb)],
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=120,
        check=True,
    )
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    assert measured["refused"] is True
    assert measured["seconds"] < 0.1, measured
    assert measured["grew_kib"] * 1024 < 50 * MB, measured


def test_the_bomb_sent_through_the_form_is_refused_and_the_text_stays(
    client: Client, bomb: Path
) -> None:
    r = client.post(
        "/es/report/",
        {
            "narrative": "TEXTO-GUARDADO",
            "files": [SimpleUploadedFile("foto.png", bomb.read_bytes(), "image/png")],
        },
    )
    assert r.status_code == 400
    text = r.content.decode()
    assert "megapíxeles" in text and "TEXTO-GUARDADO" in text
    assert not Tip.objects.exists()


def test_all_the_photos_of_one_tip_share_a_pixel_budget(client: Client, settings: Any) -> None:
    settings.TIP_MAX_PIXELS_PER_TIP = 100  # two 8 × 8 photos are 128 pixels
    files = [SimpleUploadedFile(f"{i}.png", png_bytes(), "image/png") for i in range(2)]
    r = client.post("/report/", {"narrative": "two photos", "files": files})
    assert r.status_code == 400
    assert "These photos are too large together" in r.content.decode()
    one = [SimpleUploadedFile("0.png", png_bytes(), "image/png")]
    assert client.post("/report/", {"narrative": "one photo", "files": one}).status_code == 303
    assert Tip.objects.get().attachments.count() == 1


def test_pillow_refuses_oversized_images_in_every_other_part_of_the_process() -> None:
    assert Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS <= 50_000_000
