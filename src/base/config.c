#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"

enum cfg_type { STR, INT, BOOL };

struct setting {
    const char *section, *key, *def, *help;
    enum cfg_type type;
    int64_t min, max;
};

static const struct setting table[CFG__COUNT] = {
#define S(sec, k, t, d, mn, mx, h) {#sec, #k, d, h, t, mn, mx},
#include "config.def"
#undef S
};

/* Current values: strings owned here; ints and bools parsed once. */
static char *str_val[CFG__COUNT];
static int64_t int_val[CFG__COUNT];

static int find(const char *section, size_t slen, const char *key)
{
    for (int i = 0; i < CFG__COUNT; i++)
        if (strlen(table[i].section) == slen && !strncasecmp(table[i].section, section, slen) &&
            !strcasecmp(table[i].key, key))
            return i;
    return -1;
}

static int parse_bool(const char *v, int64_t *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(v, yes[i]))
            return *out = 1, 0;
        if (!strcasecmp(v, no[i]))
            return *out = 0, 0;
    }
    return -E_INVALID;
}

static int set_index(int i, const char *value, char *err, size_t cap)
{
    const struct setting *s = &table[i];
    int64_t n = 0;
    switch (s->type) {
    case STR: {
        size_t len = strlen(value);
        if ((int64_t)len < s->min || (int64_t)len > s->max) {
            snprintf(err, cap, "setting %s.%s: length must be %lld to %lld", s->section, s->key,
                     (long long)s->min, (long long)s->max);
            return -E_INVALID;
        }
        break;
    }
    case INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end) {
            snprintf(err, cap, "setting %s.%s: not an integer", s->section, s->key);
            return -E_INVALID;
        }
        if (v < s->min || v > s->max) {
            snprintf(err, cap, "setting %s.%s: must be %lld to %lld", s->section, s->key,
                     (long long)s->min, (long long)s->max);
            return -E_INVALID;
        }
        n = v;
        break;
    }
    case BOOL:
        if (parse_bool(value, &n)) {
            snprintf(err, cap, "setting %s.%s: must be true or false", s->section, s->key);
            return -E_INVALID;
        }
        break;
    }
    free(str_val[i]);
    str_val[i] = xstrdup(value);
    int_val[i] = n;
    return 0;
}

int cfg_set(const char *name, const char *value, char *err, size_t cap)
{
    const char *dot = strchr(name, '.');
    int i = dot ? find(name, (size_t)(dot - name), dot + 1) : -1;
    if (i < 0) {
        snprintf(err, cap, "unknown setting %s", name);
        return -E_INVALID;
    }
    return set_index(i, value, err, cap);
}

void cfg_reset(void)
{
    char err[128];
    for (int i = 0; i < CFG__COUNT; i++)
        if (set_index(i, table[i].def, err, sizeof(err)))
            abort(); /* a default outside its own bounds is a bug in config.def */
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int load_file(const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, cap, "config file %s: %s", path, strerror(errno));
        return -E_INVALID;
    }
    char line[4096], section[64] = "";
    int lineno = 0, rc = 0;
    while (!rc && fgets(line, sizeof(line), f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e || (size_t)(e - s - 1) >= sizeof(section)) {
                snprintf(err, cap, "config file %s:%d: bad section", path, lineno);
                rc = -E_INVALID;
                break;
            }
            *e = '\0';
            snprintf(section, sizeof(section), "%s", trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, cap, "config file %s:%d: expected key = value", path, lineno);
            rc = -E_INVALID;
            break;
        }
        *eq = '\0';
        const char *key = trim(s), *value = trim(eq + 1);
        int i = find(section, strlen(section), key);
        if (i < 0) {
            snprintf(err, cap, "config file %s:%d: unknown setting %s.%s", path, lineno, section, key);
            rc = -E_INVALID;
        } else if ((rc = set_index(i, value, err, cap))) {
            /* name the file and line, as the other errors of a file do */
            char why[256];
            snprintf(why, sizeof(why), "%s", err);
            snprintf(err, cap, "config file %s:%d: %s", path, lineno, why);
        }
    }
    fclose(f);
    return rc;
}

static int load_env(char *err, size_t cap)
{
    for (int i = 0; i < CFG__COUNT; i++) {
        char name[128];
        snprintf(name, sizeof(name), "USERD_%s_%s", table[i].section, table[i].key);
        for (char *p = name; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        const char *v = getenv(name);
        if (v) {
            int rc = set_index(i, v, err, cap);
            if (rc) {
                size_t n = strlen(err);
                snprintf(err + n, cap - n, " (from %s)", name);
                return rc;
            }
        }
    }
    return 0;
}

int cfg_load(int argc, char **argv, char **rest, int *n_rest, char *err, size_t cap)
{
    int rc;
    cfg_reset();
    *n_rest = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--config") || !strncmp(argv[i], "--config=", 9)) {
            const char *path = argv[i][8] == '=' ? argv[i] + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!path) {
                snprintf(err, cap, "--config needs a file");
                return -E_INVALID;
            }
            if ((rc = load_file(path, err, cap)))
                return rc;
        }
    }
    if ((rc = load_env(err, cap)))
        return rc;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--config")) {
            i++;
            continue;
        }
        if (!strncmp(a, "--config=", 9))
            continue;
        const char *dot = strncmp(a, "--", 2) ? NULL : strchr(a, '.');
        if (!dot) {
            rest[(*n_rest)++] = argv[i];
            continue;
        }
        char name[160];
        const char *eq = strchr(a, '='), *value;
        size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (nlen >= sizeof(name)) {
            snprintf(err, cap, "unknown setting %.40s", a);
            return -E_INVALID;
        }
        memcpy(name, a + 2, nlen);
        name[nlen] = '\0';
        if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(err, cap, "setting %s needs a value", name);
            return -E_INVALID;
        }
        if ((rc = cfg_set(name, value, err, cap)))
            return rc;
    }
    return 0;
}

const char *cfg_str(enum cfg_id id) { return str_val[id] ? str_val[id] : table[id].def; }
int64_t cfg_int(enum cfg_id id) { return int_val[id]; }
int cfg_bool(enum cfg_id id) { return int_val[id] != 0; }

void cfg_help(FILE *out)
{
    fprintf(out, "Settings (flag / environment, default): file < environment < flag\n");
    for (int i = 0; i < CFG__COUNT; i++) {
        char flag[96], env[96];
        snprintf(flag, sizeof(flag), "--%s.%s", table[i].section, table[i].key);
        snprintf(env, sizeof(env), "USERD_%s_%s", table[i].section, table[i].key);
        for (char *p = env; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        fprintf(out, "  %-28s %-30s [%s]\n      %s\n", flag, env, table[i].def, table[i].help);
    }
}
