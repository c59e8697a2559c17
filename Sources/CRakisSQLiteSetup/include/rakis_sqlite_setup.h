#ifndef RAKIS_SQLITE_SETUP_H
#define RAKIS_SQLITE_SETUP_H

/// Configures the process's SQLite library before its first use: connections without their own
/// mutex (GRDB already lets one thread at a time use a connection, so SQLite locking it again on
/// every call is pure cost) and no memory statistics (a global mutex taken on every allocation).
/// Returns 0 when both applied; after SQLite has been initialized nothing changes and it returns
/// SQLite's error code (SQLITE_MISUSE). `sqlite3_config` is variadic, so Swift cannot call it.
int rakis_sqlite_configure(void);

#endif
