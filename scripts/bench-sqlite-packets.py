#!/usr/bin/env python3
"""What SQLite itself costs per packet row, without rakis: drives the system libsqlite3 (Python's
sqlite3 module) with the packet table's schema, WAL and synchronous NORMAL as rakis opens it,
batches of 500 rows per transaction, and pruning to the newest 5,000 as intake does, and prints
microseconds per row (Python's own cost per row, measured on an in-memory table without
indexes, is printed apart). Three runs of each layout: the identity as rakis keys it now
(`identityKey`), as a unique index on `(synthientId, signature)` (before), and without either.

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
# Each layout's index and insert, as rakis writes them (the last: no deduplication at all).
IDENTITY = {
    "identityKey": ("CREATE INDEX packet_identityKey ON packet(identityKey)",
                    f"""INSERT INTO packet ({COLUMNS}) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE NOT EXISTS
                    (SELECT 1 FROM packet WHERE identityKey = ?1 AND synthientId = ?2 AND signature = ?3)"""),
    "unique (synthientId, signature)": ("CREATE UNIQUE INDEX packet_identity ON packet(synthientId, signature)",
                                        f"INSERT OR IGNORE INTO packet ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    "none": (None, f"INSERT INTO packet ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
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


def run(identity):
    folder = tempfile.mkdtemp(prefix="rakis-sqlite-")
    try:
        db = sqlite3.connect(os.path.join(folder, "p2p.sqlite"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("""CREATE TABLE packet (id INTEGER PRIMARY KEY AUTOINCREMENT, identityKey INTEGER NOT NULL,
            synthientId TEXT NOT NULL, signature TEXT NOT NULL, type TEXT NOT NULL, requestId TEXT,
            createdAt DOUBLE NOT NULL, receivedTime DOUBLE NOT NULL, deliveredThrough TEXT, packet TEXT NOT NULL)""")
        index, insert = IDENTITY[identity]
        if index:
            db.execute(index)
        db.execute("CREATE INDEX packet_receivedTime ON packet(receivedTime, id)")
        db.execute("CREATE INDEX packet_type ON packet(type, receivedTime)")
        db.execute("CREATE INDEX packet_requestId ON packet(requestId)")
        data, total = rows(), 0
        start = time.perf_counter()
        for first in range(0, ROWS, BATCH):
            db.execute("BEGIN IMMEDIATE")
            db.executemany(insert, data[first:first + BATCH])
            total += BATCH
            if total > KEEP + HYSTERESIS:
                db.execute("DELETE FROM packet WHERE id IN (SELECT id FROM packet ORDER BY receivedTime, id LIMIT ?)",
                           (total - KEEP,))
                total = KEEP
            db.execute("COMMIT")
        seconds = time.perf_counter() - start
        db.close()
        return seconds / ROWS * 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def python_alone():
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE t (a, b, c, d, e, f, g, h, i)")
    start = time.perf_counter()
    db.execute("BEGIN")
    db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(1, 2, 3, 4, 5, 6, 7, 8, 9)] * ROWS)
    db.execute("COMMIT")
    return (time.perf_counter() - start) / ROWS * 1e6


print(f"SQLite {sqlite3.sqlite_version}: {ROWS} rows in batches of {BATCH}, pruned to {KEEP}; µs per row, 3 runs")
print(f"  Python's own cost per row       {' '.join(f'{python_alone():5.1f}' for _ in range(3))}")
for identity in IDENTITY:
    print(f"  identity: {identity:33s} {' '.join(f'{run(identity):5.1f}' for _ in range(3))}")
