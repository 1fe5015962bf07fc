"""Backups of the database and the media files into one dated, checksummed archive, and their
restore (issue 9, item 7; rules R-SC-50 … R-SC-54).

An archive ``BACKUP_DIR/qcportal-YYYYmmdd-HHMMSS.tar`` holds:

- ``database.dump``: PostgreSQL in ``pg_dump``'s custom format, taken in the same snapshot
  the row counts are read in (``pg_export_snapshot``), or ``database.sqlite3``: a consistent
  copy of the demo's SQLite file made with SQLite's online backup API;
- ``media/…``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: when and by which versions it was made, the applied migrations, the
  row count of every table, and the SHA-256 and size of the dump and of every media file.

Beside it ``qcportal-….tar.sha256`` holds the archive's SHA-256 in ``sha256sum`` format
(``sha256sum -c`` checks it). A restore checks that checksum and then every file against the
manifest *before* it touches anything, and checks the row counts and file checksums again
afterwards. The checksums detect corruption and tampering by anyone who cannot also rewrite
the manifest and the ``.sha256`` file: keep archives where only operators can write.

The functions take the database settings (a ``DATABASES`` entry) and folders explicitly and
talk to the database with ``psycopg``/``sqlite3`` and the PostgreSQL client tools, never
through Django's connections: the management commands ``backup`` and ``restore`` close those
first. The password reaches ``pg_dump``/``pg_restore`` through ``PGPASSWORD`` in their
environment, never on the command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

FORMAT_VERSION = 1
ARCHIVE_PREFIX = "qcportal-"
ARCHIVE_SUFFIX = ".tar"
ARCHIVE_NAME = re.compile(r"^qcportal-\d{8}-\d{6}(?:-\d+)?\.tar$")
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
CHUNK = 1024 * 1024

#: libpq connection keywords → the environment variables the client tools read.
PG_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese, for the operator."""


@dataclass
class RestoreReport:
    """What a restore checked: ``tables`` maps each table of the manifest to (expected, found)
    row counts, ``files`` each media file to whether its SHA-256 matched; ``problems`` lists
    every mismatch (empty when the restore is exact)."""

    tables: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    files: dict[str, bool] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row count and every file checksum matched the manifest."""
        return not self.problems


# --- Helpers -----------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of the file at ``path``, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def engine_kind(db: dict) -> str:
    """``"postgresql"`` or ``"sqlite"`` for a ``DATABASES`` entry; raises :class:`BackupError`
    for any other engine (only these two are deployed: PostgreSQL, and SQLite for the demo)."""
    engine = db.get("ENGINE", "")
    if "postgresql" in engine or "postgis" in engine:
        return "postgresql"
    if "sqlite3" in engine or "spatialite" in engine:
        return "sqlite"
    raise BackupError(f"不支持备份此数据库引擎：{engine}（仅支持 PostgreSQL 与 SQLite）。")


def media_files(media_root: Path) -> dict[str, dict]:
    """Every regular file under ``media_root`` (symbolic links are not followed) as
    ``{relative POSIX path: {"sha256", "size"}}``, sorted; an absent folder has none."""
    files: dict[str, dict] = {}
    if not media_root.is_dir():
        return files
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(media_root).as_posix()] = {
                "sha256": sha256_file(path),
                "size": path.stat().st_size,
            }
    return files


# --- PostgreSQL ----------------------------------------------------------------------------


def pg_params(db: dict, *, dbname: str | None = None) -> dict[str, str]:
    """The libpq connection keywords of a ``DATABASES`` entry (host, port, user, password,
    database, and the TLS/service ``OPTIONS`` libpq knows); ``dbname`` overrides the database."""
    params = {
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "dbname": dbname or db.get("NAME") or "",
    }
    options = db.get("OPTIONS") or {}
    for key in PG_ENV:
        if key not in params and options.get(key):
            params[key] = str(options[key])
    return {key: value for key, value in params.items() if value}


def pg_env(db: dict, *, dbname: str | None = None) -> dict[str, str]:
    """The environment for ``pg_dump``/``pg_restore``: this process's environment without any
    ``PG*`` variable, plus the connection as ``PGHOST``, ``PGPASSWORD`` … (so no secret is on
    a command line, where ``ps`` would show it)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({PG_ENV[key]: value for key, value in pg_params(db, dbname=dbname).items()})
    return env


def pg_connect(db: dict, *, dbname: str | None = None, autocommit: bool = False):
    """A new ``psycopg`` connection for the ``DATABASES`` entry (or another database of its
    server); raises :class:`BackupError` with the server's message when it cannot connect."""
    import psycopg

    try:
        return psycopg.connect(autocommit=autocommit, **pg_params(db, dbname=dbname))
    except psycopg.OperationalError as exc:
        raise BackupError(f"无法连接数据库：{str(exc).strip()}") from exc


def pg_tables(cursor) -> list[tuple[str, str]]:
    """Every ordinary and partitioned table outside the system schemas, as (schema, name)."""
    cursor.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%' ORDER BY 1, 2"
    )
    return [(schema, name) for schema, name in cursor.fetchall()]


def pg_table_counts(cursor) -> dict[str, int]:
    """The row count of every table of :func:`pg_tables`, keyed ``name`` for the ``public``
    schema and ``schema.name`` otherwise (R-SC-50)."""
    from psycopg import sql

    counts = {}
    for schema, name in pg_tables(cursor):
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
        )
        counts[name if schema == "public" else f"{schema}.{name}"] = cursor.fetchone()[0]
    return counts


def pg_tool(name: str, server_major: int) -> str:
    """The path of the PostgreSQL client tool ``name`` (``pg_dump``/``pg_restore``) whose major
    version is at least the server's (R-SC-54): the one on ``PATH`` when recent enough, else
    Debian's ``/usr/lib/postgresql/<major>/bin/<name>``. Raises :class:`BackupError` saying
    which package to install when there is none (``scripts/system-deps.sh`` and the image
    install ``postgresql-client``)."""
    candidates = [shutil.which(name), f"/usr/lib/postgresql/{server_major}/bin/{name}"]
    found = []
    for candidate in candidates:
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        output = subprocess.run(  # noqa: S603 - a fixed tool path and argument
            [candidate, "--version"], capture_output=True, text=True, check=False
        ).stdout
        match = re.search(r"(\d+)(?:\.\d+)?", output)
        major = int(match.group(1)) if match else 0
        if major >= server_major:
            return candidate
        found.append(f"{candidate}（{major}）")
    have = "，现有 " + "、".join(found) if found else ""
    raise BackupError(
        f"需要 PostgreSQL {server_major} 或更高版本的 {name}{have}："
        f"请安装 postgresql-client-{server_major}（scripts/system-deps.sh all）。"
    )


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    """Run a client tool; raises :class:`BackupError` with its error output when it fails."""
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {result.returncode}）：{result.stderr.strip()[-2000:]}")


def _pg_server_major(cursor) -> int:
    cursor.execute("SHOW server_version_num")
    return int(cursor.fetchone()[0]) // 10000


def pg_dump_to(db: dict, target: Path) -> dict:
    """Dump the PostgreSQL database of ``db`` into ``target`` (custom format) and return
    ``{"tables": row counts, "server_version": …}``; the counts and the dump come from one
    exported snapshot, so they agree even while the portal is being written to (R-SC-50)."""
    from psycopg import IsolationLevel

    with pg_connect(db) as conn:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            major = _pg_server_major(cursor)
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = pg_table_counts(cursor)
            command = [
                pg_tool("pg_dump", major),
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ]
            _run(command, pg_env(db), "pg_dump 导出数据库")
        conn.rollback()
    return {"tables": counts, "server_version": server_version}


def pg_database_ensure(db: dict) -> bool:
    """Create the database of ``db`` when it does not exist (a restore onto a new server or
    after the database was dropped), connecting to the server's ``postgres`` database;
    returns True when it was created."""
    from psycopg import sql

    name = db.get("NAME")
    with pg_connect(db, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def pg_restore_from(db: dict, dump: Path) -> None:
    """Restore ``dump`` into the database of ``db`` with ``pg_restore --clean --if-exists
    --no-owner --no-privileges --single-transaction``: every object of the dump is dropped and
    recreated in one transaction, so a failure leaves the database as it was (R-SC-52)."""
    with pg_connect(db) as conn, conn.cursor() as cursor:
        major = _pg_server_major(cursor)
    command = [
        pg_tool("pg_restore", major),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={db.get('NAME')}",
        str(dump),
    ]
    env = pg_env(db)
    env.pop("PGDATABASE", None)  # --dbname names it
    _run(command, env, "pg_restore 恢复数据库")


def pg_counts(db: dict) -> dict[str, int]:
    """The row count of every table of the database of ``db`` (see :func:`pg_table_counts`)."""
    with pg_connect(db) as conn, conn.cursor() as cursor:
        return pg_table_counts(cursor)


# --- SQLite --------------------------------------------------------------------------------


def sqlite_table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """The row count of every table of an SQLite database (its own ``sqlite_*`` tables aside)."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        )
    ]
    counts = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'  # an identifier from sqlite_master, quoted
        counts[name] = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608
    return counts


def sqlite_copy_to(db: dict, target: Path) -> dict:
    """Copy the SQLite database of ``db`` into ``target`` with SQLite's online backup API (a
    consistent copy even while the demo runs) and return ``{"tables": row counts}`` of the copy."""
    source_path = Path(db["NAME"])
    if not source_path.is_file():
        raise BackupError(f"SQLite 数据库文件不存在：{source_path}")
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        counts = sqlite_table_counts(copy)
    finally:
        copy.close()
        source.close()
    return {"tables": counts, "server_version": sqlite3.sqlite_version}


def sqlite_restore_from(db: dict, copy_path: Path) -> None:
    """Replace the SQLite database of ``db`` by the archived copy, page by page with the backup
    API (the file stays in place, so its permissions and any open handle remain valid)."""
    target_path = Path(db["NAME"])
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy_path)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def sqlite_counts(db: dict) -> dict[str, int]:
    """The row count of every table of the SQLite database of ``db``."""
    conn = sqlite3.connect(db["NAME"])
    try:
        return sqlite_table_counts(conn)
    finally:
        conn.close()


def table_counts(db: dict) -> dict[str, int]:
    """The row count of every table of the database of ``db``, PostgreSQL or SQLite."""
    return pg_counts(db) if engine_kind(db) == "postgresql" else sqlite_counts(db)


# --- Backup ----------------------------------------------------------------------------------


def archive_path_new(backup_dir: Path, now: dt.datetime) -> Path:
    """``backup_dir/qcportal-YYYYmmdd-HHMMSS.tar`` for ``now`` (local time), with ``-2``, ``-3`` …
    appended when an archive of the same second exists."""
    stem = f"{ARCHIVE_PREFIX}{now:%Y%m%d-%H%M%S}"
    path = backup_dir / f"{stem}{ARCHIVE_SUFFIX}"
    number = 2
    while path.exists():
        path = backup_dir / f"{stem}-{number}{ARCHIVE_SUFFIX}"
        number += 1
    return path


def checksum_path(archive: Path) -> Path:
    """The ``.sha256`` file beside ``archive``."""
    return archive.with_name(archive.name + ".sha256")


def backup_create(
    *,
    db: dict,
    media_root: Path,
    backup_dir: Path,
    now: dt.datetime,
    versions: dict[str, str],
    migrations: dict[str, list[str]],
    keep: int | None = None,
) -> tuple[Path, dict]:
    """Write one archive of the database ``db`` and the files under ``media_root`` into
    ``backup_dir`` (created if missing), with its manifest and ``.sha256`` file (R-SC-50).

    ``now`` names the archive; ``versions`` (e.g. Django's and the portal's) and
    ``migrations`` (applied migrations per app) go into the manifest as they are. When
    ``keep`` is given, :func:`retention_apply` then deletes all but the newest ``keep``
    archives (R-SC-53). Returns (archive path, manifest). The archive is written under a
    temporary name and renamed when complete, so a failed run leaves no archive behind.
    Raises :class:`BackupError` when the database cannot be dumped.
    """
    backup_dir.mkdir(parents=True, exist_ok=True)
    kind = engine_kind(db)
    archive = archive_path_new(backup_dir, now)
    with tempfile.TemporaryDirectory(prefix=".qcportal-backup-", dir=backup_dir) as staging:
        dump_name = PG_DUMP_FILE if kind == "postgresql" else SQLITE_FILE
        dump_path = Path(staging) / dump_name
        dumped = pg_dump_to(db, dump_path) if kind == "postgresql" else sqlite_copy_to(db, dump_path)
        files = media_files(media_root)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "versions": {**versions, "python": platform.python_version()},
            "database": {
                "engine": kind,
                "server_version": dumped["server_version"],
                "file": dump_name,
                "sha256": sha256_file(dump_path),
                "size": dump_path.stat().st_size,
            },
            "migrations": migrations,
            "tables": dumped["tables"],
            "media": {
                "count": len(files),
                "bytes": sum(entry["size"] for entry in files.values()),
                "files": files,
            },
        }
        partial = Path(staging) / (archive.name + ".partial")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump_path, arcname=dump_name, recursive=False)
            for relative in files:
                tar.add(media_root / relative, arcname=f"{MEDIA_DIR}/{relative}", recursive=False)
        digest = sha256_file(partial)
        os.replace(partial, archive)
    checksum_path(archive).write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
    if keep is not None:
        retention_apply(backup_dir, keep)
    return archive, manifest


def archives_in(backup_dir: Path) -> list[Path]:
    """The archives in ``backup_dir`` (names ``qcportal-YYYYmmdd-HHMMSS[-n].tar``), newest first."""
    if not backup_dir.is_dir():
        return []
    found = [path for path in backup_dir.iterdir() if ARCHIVE_NAME.match(path.name) and path.is_file()]

    def order(path: Path):
        match = re.match(r"^qcportal-(\d{8}-\d{6})(?:-(\d+))?\.tar$", path.name)
        return match.group(1), int(match.group(2) or 1)

    return sorted(found, key=order, reverse=True)


def retention_apply(backup_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` (at least 1) archives of ``backup_dir`` and their
    ``.sha256`` files; returns the deleted archives (R-SC-53). Other files are left alone."""
    removed = []
    for archive in archives_in(backup_dir)[max(keep, 1) :]:
        archive.unlink(missing_ok=True)
        checksum_path(archive).unlink(missing_ok=True)
        removed.append(archive)
    return removed


# --- Restore ---------------------------------------------------------------------------------


def archive_verify(archive: Path) -> dict:
    """Check ``archive`` against its ``.sha256`` file and return its manifest (R-SC-51).

    Raises :class:`BackupError` when the archive or its ``.sha256`` file is missing, when the
    SHA-256 differs (a corrupted or altered archive is refused before anything is touched),
    or when the archive holds no readable manifest.
    """
    if not archive.is_file():
        raise BackupError(f"备份文件不存在：{archive}")
    sums = checksum_path(archive)
    if not sums.is_file():
        raise BackupError(f"缺少校验文件 {sums.name}：无法确认备份完整，拒绝恢复。")
    expected = sums.read_text(encoding="utf-8").split()[:1]
    actual = sha256_file(archive)
    if not expected or expected[0].lower() != actual:
        raise BackupError(
            f"备份文件校验失败：SHA-256 为 {actual}，校验文件记录为 {expected[0] if expected else '（空）'}。"
            "备份已损坏或被篡改，拒绝恢复。"
        )
    try:
        with tarfile.open(archive, "r:") as tar:
            member = tar.getmember(MANIFEST)
            manifest = json.loads(tar.extractfile(member).read().decode())
    except (KeyError, tarfile.TarError, ValueError, AttributeError) as exc:
        raise BackupError(f"备份文件中没有可读的清单 {MANIFEST}：{exc}") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"不支持的备份格式版本：{manifest.get('format')}")
    return manifest


def _safe_relative(name: str) -> PurePosixPath | None:
    """``name`` as a relative path with no ``..``, or None when it would leave its folder."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        return None
    return path


def archive_stage(archive: Path, manifest: dict, staging: Path) -> Path:
    """Extract the dump and the media files the manifest lists into ``staging`` and check each
    one's SHA-256 against the manifest (R-SC-51); returns the staged dump's path.

    Only regular files the manifest names are written, each to a path checked to stay inside
    ``staging`` (no link, device or ``..`` from a crafted archive). Raises
    :class:`BackupError` naming the first file that is missing or whose checksum differs.
    """
    database = manifest["database"]
    expected = {database["file"]: database["sha256"]}
    for relative, entry in manifest["media"]["files"].items():
        expected[f"{MEDIA_DIR}/{relative}"] = entry["sha256"]
    seen = set()
    with tarfile.open(archive, "r:") as tar:
        for member in tar:
            if member.name not in expected:
                continue
            relative = _safe_relative(member.name)
            if relative is None or not member.isfile():
                raise BackupError(f"备份中的条目不安全：{member.name}，拒绝恢复。")
            target = staging.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with tar.extractfile(member) as source, open(target, "wb") as out:
                for chunk in iter(lambda source=source: source.read(CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected[member.name]:
                raise BackupError(f"备份中的文件 {member.name} 与清单的校验和不符，拒绝恢复。")
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"备份中缺少清单列出的文件：{missing[0]}（共 {len(missing)} 个），拒绝恢复。")
    return staging / database["file"]


def media_restore(staged_media: Path, media_root: Path, files: dict[str, dict]) -> None:
    """Make ``media_root`` hold exactly the archived files: copy each staged file into place
    and delete files the archive does not have (then empty folders). The folder itself stays
    (it may be a mounted volume)."""
    media_root.mkdir(parents=True, exist_ok=True)
    for relative in files:
        target = media_root.joinpath(*PurePosixPath(relative).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staged_media.joinpath(*PurePosixPath(relative).parts), target)
    for path in sorted(media_root.rglob("*"), reverse=True):
        relative = path.relative_to(media_root).as_posix()
        if (path.is_file() or path.is_symlink()) and relative not in files:
            path.unlink()
        elif path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()


def restore_verify(*, db: dict, media_root: Path, manifest: dict) -> RestoreReport:
    """Compare the database's row counts and the media files' SHA-256 with the manifest
    (R-SC-52); every difference is listed in the report's ``problems``."""
    report = RestoreReport()
    found = table_counts(db)
    for table, expected in sorted(manifest["tables"].items()):
        actual = found.get(table)
        report.tables[table] = (expected, actual)
        if actual != expected:
            report.problems.append(
                f"表 {table}：应有 {expected} 行，实有 {actual if actual is not None else '（缺表）'}"
            )
    files = media_files(media_root)
    for relative, entry in sorted(manifest["media"]["files"].items()):
        matches = files.get(relative, {}).get("sha256") == entry["sha256"]
        report.files[relative] = matches
        if not matches:
            report.problems.append(f"文件 {relative}：缺失或校验和不符")
    for relative in sorted(set(files) - set(manifest["media"]["files"])):
        report.problems.append(f"文件 {relative}：备份中没有")
    return report


def backup_restore(*, archive: Path, manifest: dict, db: dict, media_root: Path) -> RestoreReport:
    """Restore a verified archive (see :func:`archive_verify`) into the database ``db`` and
    ``media_root``, then check the result against the manifest (R-SC-52).

    Every file is extracted and checked first (:func:`archive_stage`); only then is the
    PostgreSQL database created if missing and restored with ``pg_restore`` (or the SQLite
    file replaced), and the media folder made to hold exactly the archived files. Returns the
    :class:`RestoreReport`; raises :class:`BackupError` when the archive does not match its
    manifest, was made from another database engine, or the restore tool fails.
    """
    kind = engine_kind(db)
    if manifest["database"]["engine"] != kind:
        raise BackupError(
            f"备份来自 {manifest['database']['engine']} 数据库，当前配置的是 {kind}，无法直接恢复。"
        )
    with tempfile.TemporaryDirectory(prefix="qcportal-restore-") as staging_dir:
        staging = Path(staging_dir)
        dump = archive_stage(archive, manifest, staging)
        if kind == "postgresql":
            pg_database_ensure(db)
            pg_restore_from(db, dump)
        else:
            sqlite_restore_from(db, dump)
        media_restore(staging / MEDIA_DIR, media_root, manifest["media"]["files"])
    return restore_verify(db=db, media_root=media_root, manifest=manifest)
