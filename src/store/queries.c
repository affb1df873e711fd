#include "store/queries.h"

#include <stddef.h>

static const struct {
    const char *name, *sql[2];
} table[Q__COUNT] = {
#define Q(name, sql) [Q_##name] = {#name, {sql, sql}},
#define Q2(name, sqlite, pg) [Q_##name] = {#name, {sqlite, pg}},
#include "store/queries.def"
#undef Q
#undef Q2
};

const char *query_sql(int q, int pg) { return table[q].sql[pg ? 1 : 0]; }
const char *query_name(int q) { return table[q].name; }
