#ifndef USERD_SCHEMA_H
#define USERD_SCHEMA_H

/** How many migrations the back end has (pg: 0 SQLite, 1 PostgreSQL). */
int schema_count(int pg);
/** Migration i (0-based; version i+1): one script of ';'-separated statements. */
const char *schema_migration(int pg, int i);

#endif
