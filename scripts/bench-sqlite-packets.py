#!/usr/bin/env python3
"""What SQLite itself costs per packet row, without rakis: drives the system libsqlite3 (Python's
sqlite3 module) with the packet table's schema, WAL and synchronous NORMAL as rakis opens it,
transactions of 500 rows, and pruning to the newest 5,000 as intake does, and prints
microseconds per row, three runs of each way of keeping a packet's identity, and the megabytes
the last run wrote (`wchar` of /proc/self/io: the WAL and the checkpoints into the file):

- identities in memory: what `PacketStore.insertNew` does since migration v5 (the identities
  are held by `StoredIdentities`, so no lookup runs for a new packet), no index by identity, type
  or request, and deletes with `secure_delete = FAST`;
- the same with Debian's default `secure_delete = ON`, which zeroes and writes every page a
  delete frees;
- identityKey, looked up, then inserted: what it did before, with the indexes by type and
  request of then;
- identityKey, `INSERT … SELECT … WHERE NOT EXISTS`: its first version (SQLite stages the rows
  of an insert that reads its own table in a temporary table);
- unique index on (synthientId, signature), `INSERT OR IGNORE`: the schema before migration v3;
- no identity index, a plain insert, with the indexes by type and request: the floor of then.

Every layout runs the same Python loop (one call per statement), whose own cost per row is
printed first, measured on an in-memory table without indexes.

Usage: taskset -c 0 python3 scripts/bench-sqlite-packets.py
"""
import os
import shutil
import sqlite3
import tempfile
import time
import uuid

ROWS, BATCH, KEEP, HYSTERESIS, SENDERS = 20_000, 500, 5_000, 50, 50
COLUMNS = "identityKey, synthientId, signature, type, requestId, createdAt, receivedTime, deliveredThrough, packet"
VALUES = "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
KEY_INDEX = "CREATE INDEX packet_identityKey ON packet(identityKey)"
OLD_INDEXES = ["CREATE INDEX packet_type ON packet(type, receivedTime)", "CREATE INDEX packet_requestId ON packet(requestId)"]
# Each layout: its indexes besides the one by time, the lookup run before an insert (or None),
# the insert, and the secure_delete setting (Debian's SQLite defaults to on).
LAYOUTS = {
    "identities in memory (rakis now)": ([], None, f"INSERT INTO packet ({COLUMNS}) {VALUES}", "FAST"),
    "the same, secure_delete ON": ([], None, f"INSERT INTO packet ({COLUMNS}) {VALUES}", "ON"),
    "identityKey: lookup, then insert": (
        [KEY_INDEX] + OLD_INDEXES, "SELECT 1 FROM packet WHERE identityKey = ?1 AND synthientId = ?2 AND signature = ?3",
        f"INSERT INTO packet ({COLUMNS}) {VALUES}", "ON"),
    "identityKey: insert where not exists": (
        [KEY_INDEX] + OLD_INDEXES, None,
        f"""INSERT INTO packet ({COLUMNS}) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE NOT EXISTS
            (SELECT 1 FROM packet WHERE identityKey = ?1 AND synthientId = ?2 AND signature = ?3)""", "ON"),
    "unique (synthientId, signature)": (
        ["CREATE UNIQUE INDEX packet_identity ON packet(synthientId, signature)"] + OLD_INDEXES, None,
        f"INSERT OR IGNORE INTO packet ({COLUMNS}) {VALUES}", "ON"),
    "no identity index, old indexes": (OLD_INDEXES, None, f"INSERT INTO packet ({COLUMNS}) {VALUES}", "ON"),
}


def rows():
    senders = [os.urandom(32).hex() for _ in range(SENDERS)]
    now = time.time()
    made = []
    for n in range(ROWS):
        signature = os.urandom(64)
        made.append((int.from_bytes(signature[:8], "big", signed=True), senders[n % SENDERS], signature.hex(),
                     "inferenceCommit", str(uuid.uuid4()), now, now + n * 1e-6, "memory", "x" * 250))
    return made


def run(layout):
    indexes, lookup, insert, secure_delete = LAYOUTS[layout]
    folder = tempfile.mkdtemp(prefix="rakis-sqlite-")
    try:
        db = sqlite3.connect(os.path.join(folder, "p2p.sqlite"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"PRAGMA secure_delete={secure_delete}")
        db.execute("""CREATE TABLE packet (id INTEGER PRIMARY KEY AUTOINCREMENT, identityKey INTEGER NOT NULL,
            synthientId TEXT NOT NULL, signature TEXT NOT NULL, type TEXT NOT NULL, requestId TEXT,
            createdAt DOUBLE NOT NULL, receivedTime DOUBLE NOT NULL, deliveredThrough TEXT, packet TEXT NOT NULL)""")
        for index in indexes:
            db.execute(index)
        db.execute("CREATE INDEX packet_receivedTime ON packet(receivedTime, id)")
        data, total = rows(), 0
        written = bytes_written()
        start = time.perf_counter()
        for first in range(0, ROWS, BATCH):
            db.execute("BEGIN IMMEDIATE")
            for row in data[first:first + BATCH]:
                if lookup is None or db.execute(lookup, row[:3]).fetchone() is None:
                    db.execute(insert, row)
            total += BATCH
            if total > KEEP + HYSTERESIS:
                db.execute("DELETE FROM packet WHERE id IN (SELECT id FROM packet ORDER BY receivedTime, id LIMIT ?)",
                           (total - KEEP,))
                total = KEEP
            db.execute("COMMIT")
        seconds = time.perf_counter() - start
        db.close()
        return seconds / ROWS * 1e6, (bytes_written() - written) / 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bytes_written():
    with open("/proc/self/io") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("wchar:"))


def python_alone():
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE t (a, b, c, d, e, f, g, h, i)")
    row = (1, 2, 3, 4, 5, 6, 7, 8, 9)
    start = time.perf_counter()
    db.execute("BEGIN")
    for _ in range(ROWS):
        db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
    db.execute("COMMIT")
    return (time.perf_counter() - start) / ROWS * 1e6


print(f"SQLite {sqlite3.sqlite_version}: {ROWS} rows in transactions of {BATCH}, pruned to {KEEP}; µs a row, 3 runs")
print(f"  {'the Python loop itself':40s} {' '.join(f'{python_alone():5.1f}' for _ in range(3))}")
for layout in LAYOUTS:
    runs = [run(layout) for _ in range(3)]
    print(f"  {layout:40s} {' '.join(f'{micros:5.1f}' for micros, _ in runs)}   {runs[-1][1]:5.1f} MB written")
