#include "core/text.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

size_t text_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80; /* every byte but a continuation byte starts one */
    return chars;
}

int text_has_control(const char *s, size_t n, int multiline)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        int space = ch == '\n' || ch == '\r' || ch == '\t';
        if ((ch < 0x20 || ch == 0x7f) && !(multiline && space))
            return 1;
    }
    return 0;
}

int text_is_visible_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

enum text_problem text_check(const char *s, size_t n, size_t min, size_t max, int multiline)
{
    if (strnlen(s, n) != n)
        return TEXT_NUL;
    json_t *utf8 = json_stringn(s, n); /* jansson refuses invalid UTF-8: no validator of our own */
    if (!utf8)
        return TEXT_UTF8;
    json_decref(utf8);
    if (text_has_control(s, n, multiline))
        return TEXT_CONTROL;
    size_t chars = text_chars(s, n);
    return chars < min || chars > max ? TEXT_LENGTH : TEXT_OK;
}

int text_to_int(const char *s, int64_t *out)
{
    const char *digits = s[0] == '-' ? s + 1 : s;
    if (*digits < '0' || *digits > '9')
        return -E_INVALID; /* strtoll would take spaces and '+' too */
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno)
        return -E_INVALID;
    *out = v;
    return 0;
}

char *text_escape_html(struct arena *a, const char *s)
{
    static const struct {
        char ch;
        const char *entity;
    } map[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&#34;"}, {'\'', "&#39;"}};
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        size_t add = 1;
        for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
            if (*p == map[i].ch)
                add = strlen(map[i].entity);
        n += add;
    }
    char *out = arena_alloc(a, n + 1), *w = out;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        for (size_t i = 0; i < sizeof(map) / sizeof(*map) && !rep; i++)
            if (*p == map[i].ch)
                rep = map[i].entity;
        if (rep) {
            memcpy(w, rep, strlen(rep));
            w += strlen(rep);
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return out;
}
