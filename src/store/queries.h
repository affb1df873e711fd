#ifndef USERD_QUERIES_H
#define USERD_QUERIES_H

/* The names of every query (queries.def); the SQL lives there. */
enum query_id {
#define Q(name, sql) Q_##name,
#define Q2(name, sqlite, pg) Q_##name,
#include "store/queries.def"
#undef Q
#undef Q2
    Q__COUNT
};

/** The SQL of q for a back end (0 SQLite, 1 PostgreSQL). */
const char *query_sql(int q, int pg);
const char *query_name(int q);

#endif
