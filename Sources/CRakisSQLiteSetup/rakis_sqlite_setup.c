#include "rakis_sqlite_setup.h"

#include <sqlite3.h>

int rakis_sqlite_configure(void) {
    int status = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (status != SQLITE_OK) return status;
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
