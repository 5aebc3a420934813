"""Fetch requests-oauthlib's own test suite and point it at ``oauthkit.requests`` (issue #8).

Usage, from the repository root::

    python scripts/upstream_tests.py [--dest DIR]

Downloads the requests-oauthlib sdist pinned below from the package index (pip checks the
hash; this script checks it again), extracts its ``tests/`` directory into
``build/upstream/requests_oauthlib_tests`` (or ``DIR``), rewrites every import of
``requests_oauthlib`` to ``oauthkit.requests`` and installs ``tests/upstream/conftest.py``
beside the tests, which applies ``tests/upstream/requests_oauthlib.toml``: the one list of tests
that are expected not to pass, each with its reason. Prints the directory to pass to pytest.

A downloaded archive is reused while its hash matches. Nothing else is changed in the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

NAME = "requests-oauthlib"
VERSION = "2.0.0"
SHA256 = "b3dffaebd884d8cd778494369603a9e7b58d29111bf6b41bdc2dcd87203af4e9"
ARCHIVE = f"requests-oauthlib-{VERSION}.tar.gz"

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "upstream"

# ``import requests_oauthlib`` keeps its name; ``from requests_oauthlib[.x] import`` is moved.
_IMPORT = re.compile(r"^import requests_oauthlib$", re.MULTILINE)
_FROM = re.compile(r"^(\s*)from requests_oauthlib(\.[\w.]+)? import", re.MULTILINE)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(cache: Path) -> Path:
    """The pinned sdist in ``cache``, downloaded when missing or altered."""
    archive = cache / ARCHIVE
    if archive.exists() and _digest(archive) == SHA256:
        return archive
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pins = Path(tmp) / "pins.txt"
        pins.write_text(f"{NAME}=={VERSION} --hash=sha256:{SHA256}\n")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--require-hashes",
                "--requirement",
                str(pins),
                "--dest",
                tmp,
            ],
            check=True,
        )
        shutil.move(str(Path(tmp) / ARCHIVE), archive)
    if _digest(archive) != SHA256:
        archive.unlink()
        raise SystemExit(f"{ARCHIVE}: sha256 mismatch, refusing to run its tests")
    return archive


def rewrite(source: str) -> str:
    """The test module with its imports of requests_oauthlib pointed at oauthkit.requests."""
    source = _IMPORT.sub("import oauthkit.requests as requests_oauthlib", source)
    return _FROM.sub(lambda m: f"{m[1]}from oauthkit.requests{m[2] or ''} import", source)


def extract(archive: Path, dest: Path) -> None:
    """Write the rewritten tests (and their data files) to ``dest``, replacing what was there."""
    prefix = f"requests-oauthlib-{VERSION}/tests/"
    if dest.exists():
        shutil.rmtree(dest)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith(prefix):
                continue
            relative = Path(member.name[len(prefix) :])
            if ".." in relative.parts or relative.is_absolute():
                raise SystemExit(f"{ARCHIVE}: unsafe member {member.name!r}")
            data = tar.extractfile(member)
            if data is None:
                raise SystemExit(f"{ARCHIVE}: unreadable member {member.name!r}")
            content = data.read()
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if relative.suffix == ".py":
                target.write_text(rewrite(content.decode("utf-8")), encoding="utf-8")
            else:
                target.write_bytes(content)
    shutil.copy(HERE / "conftest.py", dest / "conftest.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dest", type=Path, default=ROOT / "build" / "upstream" / "requests_oauthlib_tests"
    )
    args = parser.parse_args(argv)
    archive = fetch(args.dest.parent)
    extract(archive, args.dest)
    print(args.dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
