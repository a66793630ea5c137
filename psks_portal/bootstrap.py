"""The two quick-start commands (standard library only, so it runs before anything is installed), and the lock.

    python3 -m psks_portal.bootstrap run    # set up .venv, migrate, load wilayah + demo data, serve :8000
    python3 -m psks_portal.bootstrap test   # set up .venv, then lint, format check, migration check, deploy check,
                                            # and the whole test suite (pytest-xdist, two workers)
    python3 -m psks_portal.bootstrap lock   # regenerate requirements/lock*.txt after pyproject.toml changed

Dependencies come from the lock files, every file checked against its hash: ``requirements/lock.txt`` (runtime) for
``run``, ``requirements/lock-test.txt`` (runtime and the test extras) for ``test``; the project itself is installed
after them without dependencies. Both commands are safe to re-run: the virtualenv is reinstalled only when the lock
file or pyproject.toml changes, loads are idempotent. ``DATABASE_URL`` selects PostgreSQL; unset means the embedded
SQLite file.
"""

from __future__ import annotations

import argparse
import ctypes.util
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
MIN_PYTHON = (3, 11)
APT_LINE = "sudo apt-get update && sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 chromium"
LOCKS = {"": ROOT / "requirements" / "lock.txt", "test": ROOT / "requirements" / "lock-test.txt"}
LOCK_COMMAND = "python3 -m psks_portal.bootstrap lock"
LOCK_TOOL = "uv==0.13.9"  # pinned: the same tool version writes the same lock
LOCK_PYTHON = "3.11"  # the oldest Python the project supports; --universal adds markers for the newer ones
PYTEST_WORKERS = "2"  # measured on the 2-core CI machine: 2 beats 3 and 1 (README, "Tests")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m psks_portal.bootstrap", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="set up and serve the portal with demo data")
    run.add_argument("--addr", default="127.0.0.1:8000")
    run.add_argument("--no-serve", action="store_true", help="set up only, do not start the server")
    test = sub.add_parser("test", help="set up and run lint, checks and the whole test suite")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra arguments for pytest")
    lock = sub.add_parser("lock", help="regenerate the lock files from pyproject.toml (needs the package index)")
    lock.add_argument("--upgrade", action="store_true", help="take the newest versions allowed, not the locked ones")
    args = parser.parse_args(argv)

    if sys.version_info < MIN_PYTHON:
        print(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+ diperlukan; ini {sys.version.split()[0]}.", file=sys.stderr)
        return 2
    os.chdir(ROOT)
    if args.command == "lock":
        return cmd_lock(upgrade=args.upgrade)
    python = ensure_venv(extras="test" if args.command == "test" else "")
    ensure_dotenv()
    if args.command == "run":
        return cmd_run(python, args)
    extra = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args  # `test -- -k name`
    return cmd_test(python, extra)


def step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def sh(*cmd: str | Path, env: dict | None = None) -> int:
    return subprocess.call([str(c) for c in cmd], env=env)


def must(*cmd: str | Path, env: dict | None = None) -> None:
    code = sh(*cmd, env=env)
    if code != 0:
        raise SystemExit(f"Perintah gagal (kode {code}): {' '.join(str(c) for c in cmd)}")


def ensure_venv(extras: str) -> Path:
    """The virtualenv with exactly the locked dependencies of ``extras`` ("" or "test") and the project."""
    python = VENV / "bin" / "python"
    if not python.exists():
        step(f"Membuat virtualenv {VENV}")
        must(sys.executable, "-m", "venv", VENV)
        must(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    stamp = VENV / ".psks-installed"
    installed = stamp.read_text().split() if stamp.exists() else []
    if install_key(extras) not in installed:
        lock = LOCKS[extras]
        step(f"Memasang dependensi dari {lock.relative_to(ROOT)} (hash diperiksa) dan proyek ini")
        pip = [python, "-m", "pip", "--disable-pip-version-check"]
        must(*pip, "install", "--quiet", "--require-hashes", "-r", lock)
        must(*pip, "install", "--quiet", "--no-deps", "-e", ".")
        if sh(*pip, "check") != 0:
            raise SystemExit(f"{lock.relative_to(ROOT)} tidak sesuai dengan pyproject.toml: jalankan `{LOCK_COMMAND}`.")
        # The test lock holds the runtime lock's versions (see cmd_lock), so it covers the plain install too.
        keep = [install_key(extras)] + ([install_key("")] if extras else [])
        stamp.write_text("\n".join(keep))
    return python


def install_key(extras: str) -> str:
    return hashlib.sha256(LOCKS[extras].read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()


def cmd_lock(*, upgrade: bool) -> int:
    """Resolve pyproject.toml into the two lock files with every file's hash, for every platform and for Python 3.11
    and newer. The test lock is resolved first; the runtime lock is held to its versions, so both install the same
    runtime. Without ``--upgrade`` the versions already locked are kept where they still fit."""
    with tempfile.TemporaryDirectory(prefix="psks-lock-") as tmp:
        tools = Path(tmp) / "venv"
        step(f"Memasang {LOCK_TOOL} di virtualenv sementara")
        must(sys.executable, "-m", "venv", tools)
        must(tools / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", LOCK_TOOL)
        compile_ = [
            tools / "bin" / "uv", "pip", "compile", "pyproject.toml", "--quiet", "--generate-hashes", "--universal",
            "--python-version", LOCK_PYTHON, "--custom-compile-command", LOCK_COMMAND,
        ]  # fmt: skip
        if upgrade:
            compile_.append("--upgrade")
        LOCKS[""].parent.mkdir(exist_ok=True)
        test_lock, runtime_lock = (LOCKS[key].relative_to(ROOT) for key in ("test", ""))
        step(f"Menyusun {test_lock}")
        must(*compile_, "--extra", "test", "-o", test_lock)
        step(f"Menyusun {runtime_lock}")
        must(*compile_, "-c", test_lock, "-o", runtime_lock)
    return 0


def ensure_dotenv() -> None:
    dotenv = ROOT / ".env"
    if dotenv.exists():
        return
    step("Menulis .env untuk pengembangan lokal (DEBUG aktif, SQLite bawaan)")
    dotenv.write_text(
        "# Local development settings written by the quick start. Production sets real environment variables.\n"
        "DEBUG=true\n"
        f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
        "PORTAL_DEMO_ENABLED=true\n"
    )


def cmd_run(python: Path, args) -> int:
    manage = [python, "manage.py"]
    step("Migrasi basis data")
    must(*manage, "migrate", "--noinput")
    step("Memuat pohon wilayah Kemendagri (seluruh Indonesia)")
    must(*manage, "load_wilayah")
    step("Memuat katalog jenis SDM Kesos & PSKS (beserta kriteria) dan katalog PMKS")
    must(*manage, "load_registry_catalogue")
    must(*manage, "load_pmks_catalogue")
    step("Memuat data demo (Kabupaten Ciamis 32.07, Kota Cirebon 32.74) dan akun demo")
    must(*manage, "load_demo")
    must(*manage, "load_registry_demo")
    must(*manage, "load_reporting_demo")
    if args.no_serve:
        return 0
    step(f"Portal berjalan di http://{args.addr}/  (Ctrl+C untuk berhenti)")
    return sh(*manage, "runserver", args.addr)


def missing_system_packages() -> list[str]:
    missing = []
    if not ctypes.util.find_library("pango-1.0"):
        missing.append("Pango (libpango-1.0-0, untuk WeasyPrint)")
    chromium = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
    if not (Path(chromium).exists() or shutil.which("chromium")):
        missing.append(f"Chromium ({chromium}, untuk uji peramban)")
    return missing


def cmd_test(python: Path, pytest_args: list[str]) -> int:
    missing = missing_system_packages()
    if missing:
        print("Paket sistem belum terpasang: " + "; ".join(missing), file=sys.stderr)
        print(f"Pasang dengan:\n  {APT_LINE}", file=sys.stderr)
        return 3
    bindir = python.parent
    step("ruff check")
    must(bindir / "ruff", "check", ".")
    step("ruff format --check")
    must(bindir / "ruff", "format", "--check", ".")
    step("makemigrations --check")
    must(python, "manage.py", "makemigrations", "--check", "--dry-run")
    step("check --deploy dengan pengaturan produksi")
    production = dict(
        os.environ,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="psks.dinsos.example.go.id",
        PORTAL_DEMO_ENABLED="false",
    )
    must(python, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=production)
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    step(f"pytest ({db})")
    # pytest-xdist workers, each with its own test database; a given -n (`-n 0`: none) or `-p no:xdist` wins.
    chosen = "no:xdist" in pytest_args or any(a.startswith(("-n", "--numprocesses")) for a in pytest_args)
    parallel = [] if chosen else ["-n", PYTEST_WORKERS]
    code = sh(python, "-m", "pytest", *parallel, *pytest_args)
    if code == 5:
        print("pytest tidak menjalankan satu pun uji: itu kegagalan.", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
