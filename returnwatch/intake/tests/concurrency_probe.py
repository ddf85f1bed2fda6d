"""Run by test_concurrency.py in a fresh process against a file-based SQLite database:
N threads send a tip with a photo at the same moment. Prints a JSON summary.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 MEDIA_ROOT=/tmp/m python -m returnwatch.intake.tests.concurrency_probe 24
"""

import io
import json
import os
import sys
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returnwatch.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from PIL import Image  # noqa: E402


def main(n: int) -> dict:
    call_command("migrate", verbosity=0)
    connection.close()
    from returnwatch.intake.models import Tip, TipAttachment
    from returnwatch.intake.submissions import create_tip

    barrier = threading.Barrier(n)
    errors: list[str] = []
    codes: list[str] = []
    lock = threading.Lock()

    def photo(i: int) -> SimpleUploadedFile:
        out = io.BytesIO()
        Image.new("RGB", (16, 16), (i * 10 % 255, 0, 0)).save(out, "PNG")
        return SimpleUploadedFile(f"p{i}.png", out.getvalue(), "image/png")

    def send(i: int) -> None:
        try:
            upload = photo(i)
            barrier.wait()
            _tip, code = create_tip(
                {"narrative": f"narrative {i}", "contact": f"CONTACT-MARK-{i}"},
                [upload],
                source="probe-src",
            )
            with lock:
                codes.append(code)
        except Exception as exc:  # reported, and the test fails on any
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    media = os.environ["MEDIA_ROOT"]
    files = [os.path.join(d, f) for d, _, fs in os.walk(media) for f in fs]
    summary = {
        "tips": Tip.objects.count(),
        "distinct_receipts": Tip.objects.values("receipt_hash").distinct().count(),
        "attachments": TipAttachment.objects.count(),
        "files": len(files),
        "codes": len(set(codes)),
        "errors": errors,
        "seconds": round(seconds, 2),
    }
    connection.close()
    return summary


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 24)))
