"""Stores a file in TozStore with a text progress bar, then downloads and decrypts it back.

    python file_progress.py <e3db.json> <file> <download path> [record type]

The progress callable gets (stage, done, total) on the calling thread: UPLOADING while writing
(after ENCRYPTING where the server needs the checksum first), DOWNLOADING while reading.

Ctrl-C during a transfer cancels it: the KeyboardInterrupt is raised in the progress callable,
so libtoz stops at once and stores nothing (no record, no file at the download path).
"""

from __future__ import annotations

import sys
from typing import Optional, TextIO

import toz


class TextProgressBar:
    """A progress callable that draws one line per stage: ``uploading [#####.....]  50%``."""

    def __init__(self, out: TextIO = sys.stderr, width: int = 30) -> None:
        self.out, self.width = out, width
        self.stage: Optional[int] = None

    def __call__(self, stage: toz.ProgressStage, done: int, total: int) -> None:
        if self.stage is not None and stage != self.stage:
            self.out.write("\n")  # the previous stage is done: keep its line
        self.stage = stage
        fraction = done / total if total else 1.0
        filled = round(self.width * fraction)
        name = stage.name.lower() if isinstance(stage, toz.ProgressStage) else f"stage {stage}"
        self.out.write(f"\r{name:>11} [{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%}")
        self.out.flush()

    def finish(self) -> None:
        if self.stage is not None:
            self.out.write("\n")
            self.stage = None


def interrupted(transfer: str, interrupt: KeyboardInterrupt) -> str:
    """What to say when Ctrl-C stopped the program during a transfer."""
    # An interrupt that cancelled the transfer comes with libtoz's CancelledError as its
    # context. Without it, Ctrl-C came after the last progress report and the transfer ended
    # as it would have.
    if isinstance(interrupt.__context__, toz.CancelledError):
        return f"{transfer} cancelled: nothing was stored"
    return f"interrupted after the last progress report: the {transfer} was not cancelled"


def main() -> None:
    credentials_path, path, destination = sys.argv[1:4]
    record_type = sys.argv[4] if len(sys.argv) > 4 else "file"
    bar = TextProgressBar()
    with toz.Credentials.load_file(credentials_path) as creds, toz.Client(creds) as client:
        try:
            record = client.write_file(record_type, path, progress=bar)
        except KeyboardInterrupt as e:
            sys.exit(interrupted("upload", e))
        finally:
            bar.finish()
        meta = record.meta.file_meta
        print(f"stored {path} as record {record.meta.record_id} ({meta.size if meta else '?'} bytes encrypted)")
        try:
            client.read_file(record.meta.record_id or "", destination, progress=bar)
        except KeyboardInterrupt as e:
            sys.exit(interrupted("download", e))
        finally:
            bar.finish()
        print(f"decrypted it to {destination}")


if __name__ == "__main__":
    main()
