"""A delivery step for the `digest serve` tests, loaded by the serve subprocess through
$DIGEST_DELIVERY_HOOKS=serve_hooks:record (tests/ is put on PYTHONPATH).

It appends one line per call to the file named by $DIGEST_TEST_HOOK_LOG, so a test
can count how many times the delivery steps ran for each edition.
"""

from __future__ import annotations

import os
from pathlib import Path


def record(config, store, date, now) -> dict:
    edition = config.output / date.isoformat()
    line = f"{date.isoformat()} {os.getpid()} {(edition / 'briefing.pdf').is_file()}\n"
    with open(Path(os.environ["DIGEST_TEST_HOOK_LOG"]), "a", encoding="utf-8") as handle:
        handle.write(line)
    return {"pdf": str(edition / "briefing.pdf")}


def email(config, store, date, now) -> dict:
    """Mail the edition's PDF to a local SMTP server (aiosmtpd in the test) at $DIGEST_TEST_SMTP_PORT."""
    import smtplib
    from email.message import EmailMessage

    pdf = (config.output / date.isoformat() / "briefing.pdf").read_bytes()
    message = EmailMessage()
    message["From"], message["To"] = "digest@127.0.0.1", "reader@127.0.0.1"
    message["Subject"] = f"{config.briefing.title} — {date.isoformat()}"
    message.set_content("Your briefing is attached.")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"briefing-{date}.pdf")
    with smtplib.SMTP("127.0.0.1", int(os.environ["DIGEST_TEST_SMTP_PORT"]), timeout=10) as smtp:
        smtp.send_message(message)
    return {"recipients": 1, "bytes": len(pdf)}


email.step_name = "email"
