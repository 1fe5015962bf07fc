"""Backups (issue 9, item 7): ``manage.py backup`` → drop the database and delete the media
folder → ``manage.py restore`` gives identical tables (row counts, contents, sequences) and
media files (SHA-256); a tampered archive is refused before anything is touched.

The round trip runs on PostgreSQL (the suite's database) in a database of its own, cloned from
the test database as a template, flushed and loaded with the demo (``seed_demo``, as ``make
demo`` does) by the commands in a subprocess. It costs about a minute, most of it
``seed_demo`` (≈35 s on the 2-core machine). The SQLite path (the demo's database) and the
archive's safety checks are tested in-process on a small SQLite file, in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from qcportal import backup as B

REPO_ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 3, 1, 2, 30, 0, tzinfo=dt.UTC)


def on_postgresql() -> bool:
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


def file_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root``, by relative path (computed here, not by the code
    under test)."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# --- PostgreSQL round trip --------------------------------------------------------------------


def pg_state(db: dict) -> dict:
    """Every table of the database from the catalogue: its row count and an MD5 of its rows
    (as text, sorted); and every sequence's last value."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(**B.pg_params(db)) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        ).fetchall()
        state = {}
        for schema, name in tables:
            table = sql.Identifier(schema, name)
            count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0]
            digest = conn.execute(
                sql.SQL(
                    "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
                ).format(table)
            ).fetchone()[0]
            state[f"{schema}.{name}"] = (count, digest)
        sequences = dict(
            conn.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences").fetchall()
        )
    return {"tables": state, "sequences": sequences}


def admin_execute(db: dict, *statements: str) -> None:
    import psycopg

    with psycopg.connect(**B.pg_params(db, dbname="postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture(scope="module")
def source(django_db_setup, tmp_path_factory):
    """A database of its own (``<test database>_bk``, cloned from the test database and then
    flushed and loaded with the demo) and a media folder with the demo's files plus a few of
    ours, made once for this module's tests; yields (settings entry, environment for
    manage.py, media folder, backup folder)."""
    # the suite runs on PostgreSQL (make test provides it): pg_dump/pg_restore are exercised
    assert on_postgresql(), "the backup round trip needs PostgreSQL; run the suite with make test"
    test_db = dict(connections["default"].settings_dict)
    name = f"{test_db['NAME']}_bk"[:63]
    db = {**test_db, "NAME": name}
    # The template must have no session: ours closed, any left by an earlier test's threads
    # (live server, Celery worker) ended.
    connections.close_all()
    admin_execute(
        db,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 - the test database's name
        f"WHERE datname = '{test_db['NAME']}' AND pid <> pg_backend_pid()",
        f'CREATE DATABASE "{name}" TEMPLATE "{test_db["NAME"]}"',
    )
    url = urlsplit(os.environ["DATABASE_URL"])
    tmp_path = tmp_path_factory.mktemp("backup-source")
    media, backups = tmp_path / "media", tmp_path / "backups"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_", "PG"))}
    env.pop("REDIS_URL", None)  # tasks run in-process
    env.update(
        DJANGO_SETTINGS_MODULE="qcportal.settings.local",
        DATABASE_URL=urlunsplit(url._replace(path=f"/{name}")),
        MEDIA_ROOT=str(media),
        BACKUP_DIR=str(backups),
    )
    seed = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from evaluation.standard_sheets import seed_standard_templates\n"
        "call_command('flush', interactive=False, verbosity=0)\n"
        "seed_standard_templates()\n"
        "call_command('seed_demo')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", seed], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-4000:]
    (media / "附件" / "深层").mkdir(parents=True)
    (media / "附件" / "深层" / "数据.bin").write_bytes(os.urandom(300_000))
    (media / "附件" / "empty.txt").write_bytes(b"")
    (media / "note.txt").write_text("质量管理小组\n", encoding="utf-8")
    yield db, env, media, backups
    admin_execute(db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.django_db(transaction=True)  # no transaction may hold the template; flushed after
def test_backup_drop_restore_gives_identical_tables_and_files(source):
    """R-SC-50, R-SC-52: backup → drop the database and delete the media folder → restore:
    every table of the catalogue has the same row count (and the same rows), every sequence
    the same value, every file the same SHA-256."""
    db, env, media, backups = source
    before, files_before = pg_state(db), file_hashes(media)
    assert sum(count for count, _ in before["tables"].values()) > 1000, "the demo is loaded"
    assert len(files_before) > 3

    made = manage(env, "backup")
    assert made.returncode == 0, made.stderr[-4000:]
    archive = B.archives_in(backups)[0]
    assert B.checksum_path(archive).read_text().split() == [B.sha256_file(archive), archive.name]
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {f"public.{table}": count for table, count in manifest["tables"].items()} == {
        table: count for table, (count, _) in before["tables"].items()
    }
    assert {name: entry["sha256"] for name, entry in manifest["media"]["files"].items()} == files_before
    assert manifest["migrations"]["qcportal"] and manifest["versions"]["django"]

    admin_execute(db, f'DROP DATABASE "{db["NAME"]}" WITH (FORCE)')
    shutil.rmtree(media)
    restored = manage(env, "restore", str(archive), "--noinput")
    assert restored.returncode == 0, restored.stdout[-2000:] + restored.stderr[-4000:]
    assert "恢复完成并已核对" in restored.stdout

    after = pg_state(db)
    assert after["tables"].keys() == before["tables"].keys()
    assert after == before
    assert file_hashes(media) == files_before


@pytest.mark.django_db(transaction=True)
def test_tampered_archive_is_refused_before_anything_changes(source, tmp_path):
    """R-SC-51: an archive whose bytes differ from its .sha256 file is refused with a clear
    message, and the database and media are left as they were."""
    db, env, media, backups = source
    made = manage(env, "backup")
    assert made.returncode == 0, made.stderr[-4000:]
    archive = B.archives_in(backups)[0]
    tampered = tmp_path / archive.name
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))
    B.checksum_path(tampered).write_bytes(B.checksum_path(archive).read_bytes())
    (media / "note.txt").write_text("changed after the backup", encoding="utf-8")
    before, files_before = pg_state(db), file_hashes(media)

    refused = manage(env, "restore", str(tampered), "--noinput")
    assert refused.returncode != 0
    assert "校验失败" in refused.stderr and "拒绝恢复" in refused.stderr
    assert pg_state(db) == before
    assert file_hashes(media) == files_before


# --- SQLite, the archive's checks, retention (in-process) ----------------------------------------


def make_sqlite(path: Path, rows: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute('CREATE TABLE "circle" (id INTEGER PRIMARY KEY, name TEXT)')
    conn.execute('CREATE TABLE "we""ird" (id INTEGER PRIMARY KEY)')
    conn.executemany('INSERT INTO "circle" (name) VALUES (?)', [(f"小组{i}",) for i in range(rows)])
    conn.execute('INSERT INTO "we""ird" DEFAULT VALUES')
    conn.commit()
    conn.close()


@pytest.fixture
def sqlite_site(tmp_path):
    """A small SQLite database, a media folder and a backup folder."""
    db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}
    make_sqlite(Path(db["NAME"]), 25)
    media = tmp_path / "media"
    (media / "results" / "2026").mkdir(parents=True)
    (media / "results" / "2026" / "成果报告_1.pdf").write_bytes(b"%PDF-1.7 demo")
    (media / "empty").write_bytes(b"")
    return db, media, tmp_path / "backups"


def sqlite_backup(db, media, backups, now=NOW, keep=None):
    return B.backup_create(
        db=db, media_root=media, backup_dir=backups, now=now, versions={}, migrations={}, keep=keep
    )


def test_sqlite_backup_and_restore_round_trip(sqlite_site):
    """R-SC-50, R-SC-52: the demo's SQLite database is copied with the backup API and
    restored in place; the media folder ends up holding exactly the archived files."""
    db, media, backups = sqlite_site
    files_before = file_hashes(media)
    archive, manifest = sqlite_backup(db, media, backups)
    assert archive.name == "qcportal-20260301-023000.tar"
    assert manifest["tables"] == {"circle": 25, 'we"ird': 1}
    assert manifest["database"]["file"] == "database.sqlite3"

    conn = sqlite3.connect(db["NAME"])
    conn.execute('DELETE FROM "circle"')
    conn.commit()
    conn.close()
    (media / "results" / "2026" / "成果报告_1.pdf").write_bytes(b"overwritten")
    (media / "stray.txt").write_text("not in the backup")

    report = B.backup_restore(archive=archive, manifest=B.archive_verify(archive), db=db, media_root=media)
    assert report.ok, report.problems
    assert B.sqlite_counts(db) == {"circle": 25, 'we"ird': 1}
    assert file_hashes(media) == files_before


def test_restore_command_asks_first_and_checks_its_arguments(sqlite_site, settings, monkeypatch):
    """``restore`` asks before it overwrites anything and stops unless told yes; it needs an
    archive or ``--latest`` (the newest archive of BACKUP_DIR); ``backup --keep`` is positive."""
    db, media, backups = sqlite_site
    settings.BACKUP_DIR = str(backups)
    archive, _ = sqlite_backup(db, media, backups)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="已取消"):
        call_command("restore", archive.name)  # a bare name is looked up in BACKUP_DIR
    with pytest.raises(CommandError, match="已取消"):
        call_command("restore", latest=True)
    with pytest.raises(CommandError, match="请给出要恢复的归档"):
        call_command("restore", interactive=False)
    with pytest.raises(CommandError, match="必须是正整数"):
        call_command("backup", keep=0)
    settings.BACKUP_DIR = str(backups.parent / "none")
    with pytest.raises(CommandError, match="没有归档"):
        call_command("restore", latest=True, interactive=False)


def test_archive_whose_file_differs_from_the_manifest_is_refused(sqlite_site, tmp_path):
    """R-SC-51: even with a recomputed .sha256 file, a media file or dump that differs from the
    manifest's checksum is refused before the database or media are touched."""
    db, media, backups = sqlite_site
    archive, _ = sqlite_backup(db, media, backups)
    forged = tmp_path / "qcportal-20260301-023001.tar"
    with tarfile.open(archive) as source, tarfile.open(forged, "w") as out:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.endswith(".pdf"):
                data = b"%PDF forged"
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    B.checksum_path(forged).write_text(f"{B.sha256_file(forged)}  {forged.name}\n")
    manifest = B.archive_verify(forged)  # the outer checksum matches …
    stray = media / "kept.txt"
    stray.write_text("still here")
    with pytest.raises(B.BackupError, match="与清单的校验和不符"):
        B.backup_restore(archive=forged, manifest=manifest, db=db, media_root=media)
    assert stray.exists() and B.sqlite_counts(db)["circle"] == 25


def test_archive_with_unsafe_entries_or_no_checksum_is_refused(sqlite_site, tmp_path):
    """R-SC-51: a manifest naming a path outside the media folder, or a link, is refused; an
    archive without its .sha256 file or with a wrong one is refused with a clear message."""
    db, media, backups = sqlite_site
    archive, manifest = sqlite_backup(db, media, backups)
    evil_archive = tmp_path / "evil.tar"
    with tarfile.open(evil_archive, "w") as tar:
        info = tarfile.TarInfo("media/../../escape.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    evil = dict(manifest, media={"count": 1, "bytes": 4, "files": {"../../escape.txt": {"sha256": "0" * 64}}})
    with pytest.raises(B.BackupError, match="不安全"):
        B.archive_stage(evil_archive, evil, tmp_path / "stage")
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape.txt").exists()

    linked = tmp_path / "linked.tar"
    with tarfile.open(linked, "w") as tar:
        info = tarfile.TarInfo("media/link")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    linked_manifest = dict(manifest, media={"count": 1, "bytes": 0, "files": {"link": {"sha256": "0" * 64}}})
    with pytest.raises(B.BackupError, match="不安全"):
        B.archive_stage(linked, linked_manifest, tmp_path / "stage")

    B.checksum_path(archive).write_text("0" * 64 + f"  {archive.name}\n")
    with pytest.raises(B.BackupError, match="校验失败.*拒绝恢复"):
        B.archive_verify(archive)
    B.checksum_path(archive).unlink()
    with pytest.raises(B.BackupError, match="缺少校验文件"):
        B.archive_verify(archive)


def test_retention_keeps_the_newest_backup_keep_archives(sqlite_site):
    """R-SC-53: after each backup only the newest BACKUP_KEEP archives (and their .sha256
    files) remain; other files in the folder are left alone."""
    db, media, backups = sqlite_site
    backups.mkdir()
    (backups / "README.txt").write_text("operator's note")
    made = [
        sqlite_backup(db, media, backups, now=NOW + dt.timedelta(days=day), keep=3)[0] for day in range(5)
    ]
    again = sqlite_backup(db, media, backups, now=NOW + dt.timedelta(days=4), keep=3)[0]
    assert again.name == "qcportal-20260305-023000-2.tar"
    assert B.archives_in(backups) == [again, made[4], made[3]]
    assert sorted(path.name for path in backups.iterdir()) == sorted(
        [p.name for p in (again, made[4], made[3])]
        + [B.checksum_path(p).name for p in (again, made[4], made[3])]
        + ["README.txt"]
    )


def test_pg_tool_refuses_an_older_client_with_the_package_to_install():
    """R-SC-54: a pg_dump older than the server is not used; the message names the package."""
    with pytest.raises(B.BackupError, match="postgresql-client-99"):
        B.pg_tool("pg_dump", 99)


def test_pg_env_carries_the_password_and_no_inherited_pg_variable(monkeypatch):
    """The connection reaches the client tools through PG* variables (the password never on
    the command line); variables of the calling environment do not leak in."""
    monkeypatch.setenv("PGSERVICE", "someone-elses")
    env = B.pg_env(
        {
            "NAME": "qc",
            "USER": "u",
            "PASSWORD": "s3cret",
            "HOST": "db",
            "PORT": 5432,
            "OPTIONS": {"sslmode": "require"},
        }
    )
    assert env["PGPASSWORD"] == "s3cret" and env["PGDATABASE"] == "qc" and env["PGSSLMODE"] == "require"
    assert env["PGPORT"] == "5432" and "PGSERVICE" not in env
