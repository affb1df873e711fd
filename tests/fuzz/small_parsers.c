/*
 * Fuzz target "small_parsers": the small parsers and field rules of the
 * faces and the core, on any string.
 *
 * - phone numbers and regions: phone_validate (src/core/phone.c), regions_known
 * - picture URLs: acct_check_url, acct_check_avatar (and portraitUri's bounds)
 * - app-face opaque ids: appid_decode / appid_unb62 of any string, and the
 *   permutation and encoding of any 48-bit number (src/core/appid.c)
 * - integers (sync versions, ids, page numbers): text_to_int (src/core/text.c)
 * - text: text_check, text_chars, text_has_control, text_is_visible_ascii,
 *   text_escape_html
 * - the other field rules: usernames, passwords, nicks, SealTalk numbers,
 *   live user ids, UUID verification tokens
 * - Accept-Encoding values: gzip_accepted (src/http/gzip.c)
 *
 * User-id lists are lists of these (app-face ids, live ids, IM ids): the
 * items are checked here, the lists themselves (repeats, counts) by the
 * request and json_fields targets. Cookies are parsed by libmicrohttpd and
 * reach userd through the request target.
 *
 * Input: any bytes; the part before the first '\n' is also tried as the
 * region of the part after it.
 *
 * Invariants: what each rule accepts has the documented shape; decoding an
 * id and encoding it again gives the same string; encoding any id and
 * decoding it gives the id back; the permutation is one to one.
 */
#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <strings.h>

#include "core/accounts.h"
#include "core/appid.h"
#include "core/appusers.h"
#include "core/live.h"
#include "core/phone.h"
#include "core/regions.h"
#include "core/secret.h"
#include "core/text.h"
#include "fuzz.h"
#include "http/web.h"

static unsigned char key[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (sodium_init() < 0)
        abort();
    fuzz_quiet();
    for (int i = 0; i < 32; i++)
        key[i] = (unsigned char)(i * 37 + 11);
    return 0;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

static void check_phone(const char *region, const char *phone)
{
    if (phone_validate(region, phone))
        return;
    size_t rl = strlen(region), pl = strlen(phone);
    FUZZ_ASSERT(all_digits(region) && rl <= 4 && region[0] != '0' && regions_known(region),
                "phone_validate: region \"%s\"", region);
    FUZZ_ASSERT(all_digits(phone) && pl >= 4 && rl + pl <= 15, "phone_validate: phone \"%s\"", phone);
    if (!strcmp(region, "86"))
        FUZZ_ASSERT(pl == 11 && phone[0] == '1' && phone[1] >= '3', "phone_validate: mainland \"%s\"", phone);
}

static void check_url(const char *s)
{
    size_t n = strlen(s);
    for (size_t max = 0; max <= 2048; max = max ? max * 4 : 8) {
        if (acct_check_url(s, max))
            continue;
        FUZZ_ASSERT(n <= max, "acct_check_url: %zu bytes over %zu", n, max);
        size_t scheme = !strncasecmp(s, "https://", 8) ? 8 : !strncasecmp(s, "http://", 7) ? 7 : 0;
        FUZZ_ASSERT(scheme && s[scheme] && !strchr("/?#", s[scheme]), "acct_check_url: no scheme or host: %s", s);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
            FUZZ_ASSERT(*p > 0x20 && *p != 0x7f && !strchr("\"'<>\\`", *p), "acct_check_url: byte 0x%02x", *p);
    }
    if (!acct_check_avatar(s, AVATAR_MAX))
        FUZZ_ASSERT(!*s || !acct_check_url(s, AVATAR_MAX), "acct_check_avatar let \"%s\" through", s);
}

static void check_ids(const char *s, const uint8_t *data, size_t size)
{
    for (int k = 0; k < 2; k++) {
        int kind = k ? APPID_GROUP : APPID_USER;
        int64_t id = -1;
        if (!appid_decode(key, kind, s, &id)) {
            char back[APPID_BUF];
            FUZZ_ASSERT(id >= 1 && (uint64_t)id < APPID_LIMIT, "appid_decode: %lld", (long long)id);
            appid_encode(key, kind, id, back);
            FUZZ_ASSERT(!strcmp(back, s), "appid: decode(%s) = %lld, encodes to %s", s, (long long)id, back);
        }
    }
    uint64_t v;
    if (!appid_unb62(s, &v)) {
        char back[APPID_BUF];
        FUZZ_ASSERT(v < APPID_LIMIT, "appid_unb62: %llu", (unsigned long long)v);
        appid_b62(v, back);
        FUZZ_ASSERT(!strcmp(back, s), "appid_unb62(%s) = %llu, appid_b62 gives %s", s, (unsigned long long)v, back);
    }
    /* Any 48-bit number: the permutation is undone, an id comes back from its string. */
    uint64_t x = 0;
    memcpy(&x, data, size < 8 ? size : 8);
    x &= APPID_LIMIT - 1;
    for (int k = 0; k < 2; k++) {
        int kind = k ? APPID_GROUP : APPID_USER;
        uint64_t y = appid_permute(key, kind, x);
        FUZZ_ASSERT(y < APPID_LIMIT && appid_unpermute(key, kind, y) == x, "appid_permute is not undone for %llu",
                    (unsigned long long)x);
        if (!x)
            continue;
        char str[APPID_BUF];
        int64_t back = 0;
        appid_encode(key, kind, (int64_t)x, str);
        FUZZ_ASSERT(strlen(str) >= 1 && strlen(str) <= APPID_MAX, "appid_encode(%llu) = \"%s\"",
                    (unsigned long long)x, str);
        FUZZ_ASSERT(!appid_decode(key, kind, str, &back) && back == (int64_t)x, "appid: %llu -> %s -> %lld",
                    (unsigned long long)x, str, (long long)back);
    }
}

/* Decimal integers: what is read is what is written ("-0" and leading zeros aside). */
static void check_int(const char *s)
{
    int64_t v = 7;
    if (text_to_int(s, &v)) {
        FUZZ_ASSERT(v == 7, "text_to_int(%s) changed *out on error", s);
        return;
    }
    const char *d = s + (*s == '-');
    FUZZ_ASSERT(all_digits(d), "text_to_int accepted \"%s\"", s);
    while (d[0] == '0' && d[1])
        d++;
    char back[32];
    snprintf(back, sizeof(back), "%lld", (long long)v);
    const char *b = back + (back[0] == '-');
    FUZZ_ASSERT(!strcmp(b, d) && (v == 0 || (v < 0) == (*s == '-')), "text_to_int(%s) = %lld", s, (long long)v);
}

/* The text rules agree with each other and with what they say. */
static void check_text(const char *s, size_t n, int multiline)
{
    int ctl = text_has_control(s, n, multiline);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int bad = (c < 0x20 || c == 0x7f) && !(multiline && (c == '\t' || c == '\r' || c == '\n'));
        FUZZ_ASSERT(!bad || ctl, "text_has_control missed 0x%02x", c);
    }
    if (text_is_visible_ascii(s, n))
        for (size_t i = 0; i < n; i++)
            FUZZ_ASSERT(s[i] > 0x20 && s[i] < 0x7f, "text_is_visible_ascii let 0x%02x through", (unsigned char)s[i]);
    enum text_problem p = text_check(s, n, 0, (size_t)-1, multiline);
    if (p == TEXT_OK) {
        json_t *utf8 = json_stringn(s, n); /* jansson's own UTF-8 check */
        FUZZ_ASSERT(utf8 && strlen(s) == n && !ctl, "text_check passed bad text");
        json_decref(utf8);
        size_t chars = text_chars(s, n);
        FUZZ_ASSERT(chars <= n && (n == 0 || chars >= 1), "text_chars: %zu of %zu bytes", chars, n);
        FUZZ_ASSERT(text_check(s, n, chars, chars, multiline) == TEXT_OK &&
                        (chars == 0 || text_check(s, n, chars + 1, (size_t)-1, multiline) == TEXT_LENGTH),
                    "text_check's length bounds disagree with text_chars");
    } else {
        FUZZ_ASSERT(p != TEXT_NUL || memchr(s, 0, n), "TEXT_NUL without a NUL");
        FUZZ_ASSERT(p != TEXT_CONTROL || ctl, "TEXT_CONTROL without a control character");
    }
}

static void check_rules(const char *s, struct arena *a)
{
    size_t n = strlen(s);
    if (!acct_check_username(s)) {
        FUZZ_ASSERT(n >= 1 && n <= USERNAME_MAX && !all_digits(s), "acct_check_username: %s", s);
        for (const char *p = s; *p; p++)
            FUZZ_ASSERT(isalnum((unsigned char)*p) || *p == '_', "acct_check_username: %s", s);
    }
    if (!acct_check_password(s))
        FUZZ_ASSERT(n >= 6 && n <= 128 && !has_control(s), "acct_check_password: %zu bytes", n);
    if (!acct_check_text(s, 64))
        FUZZ_ASSERT(n <= 64 && !has_control(s), "acct_check_text: %s", s);
    if (!au_check_nick(s))
        FUZZ_ASSERT(n >= 1 && !has_control(s) && !acct_check_nick(s), "au_check_nick: %s", s);
    if (!acct_check_nick(s))
        FUZZ_ASSERT(!has_control(s) && text_chars(s, n) <= NICK_MAX, "acct_check_nick: %s", s);
    enum au_pw_problem pw = au_check_password(s);
    if (pw == AU_PW_OK)
        FUZZ_ASSERT(n >= AU_PW_MIN && n <= AU_PW_MAX && !strchr(s, ' ') && !has_control(s), "au_check_password: %s", s);
    if (!au_check_st(s)) {
        FUZZ_ASSERT(n >= AU_ST_MIN && n <= AU_ST_MAX && isalpha((unsigned char)s[0]), "au_check_st: %s", s);
        for (const char *p = s; *p; p++)
            FUZZ_ASSERT(isalnum((unsigned char)*p) || *p == '_' || *p == '-', "au_check_st: %s", s);
    }
    if (!live_check_user_id(s))
        FUZZ_ASSERT(n >= 1 && n <= LIVE_UID_MAX && strcmp(s, ".") && strcmp(s, ".."), "live_check_user_id: %s", s);
    if (sec_is_uuid(s)) {
        FUZZ_ASSERT(n == 36, "sec_is_uuid: %s", s);
        for (size_t i = 0; i < n; i++)
            FUZZ_ASSERT(i == 8 || i == 13 || i == 18 || i == 23 ? s[i] == '-' : isxdigit((unsigned char)s[i]),
                        "sec_is_uuid: %s", s);
    }
    /* HTML escaping: nothing markup-like is left, and unescaping gives the text back. */
    const char *e = text_escape_html(a, s);
    FUZZ_ASSERT(!strpbrk(e, "<>\"'"), "text_escape_html left markup in %s", e);
    char *back = arena_alloc(a, strlen(e) + 1), *w = back;
    static const char *const ents[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#34;", "\""}, {"&#39;", "'"}};
    for (const char *p = e; *p;) {
        size_t k;
        for (k = 0; k < 5; k++)
            if (!strncmp(p, ents[k][0], strlen(ents[k][0]))) {
                *w++ = ents[k][1][0];
                p += strlen(ents[k][0]);
                break;
            }
        if (k == 5) {
            FUZZ_ASSERT(*p != '&', "text_escape_html left a bare & in %s", e);
            *w++ = *p++;
        }
    }
    *w = '\0';
    FUZZ_ASSERT(!strcmp(back, s), "text_escape_html does not round-trip: %s", e);
}

/* gzip is accepted only when named (gzip, x-gzip) or through "*"; the reading does not depend on letter case. */
static void check_accept_encoding(const char *s, struct arena *a)
{
    if (!gzip_accepted(s))
        return;
    char *lower = arena_strdup(a, s);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    FUZZ_ASSERT(strstr(lower, "gzip") || strchr(lower, '*'), "gzip_accepted(\"%s\") without gzip or *", s);
    FUZZ_ASSERT(gzip_accepted(lower), "gzip_accepted: \"%s\" yes, its lower case no", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    char *region = fuzz_next(&in, '\n', NULL);
    char *phone = fuzz_next(&in, '\n', NULL);
    char *all = malloc(size + 1);
    if (!all)
        abort();
    memcpy(all, data, size);
    all[size] = '\0';
    struct arena *a = arena_new();

    check_phone(region, phone);
    check_phone(region[0] == '+' ? region + 1 : region, phone);
    if (regions_known(all))
        FUZZ_ASSERT(all_digits(all) && strlen(all) <= 4 && all[0] != '0', "regions_known(%s)", all);
    check_url(all);
    check_ids(all, data, size);
    check_int(all);
    check_int(region);
    check_text(all, size, 0);
    check_text(all, size, 1);
    check_rules(all, a);
    check_accept_encoding(all, a);

    arena_free(a);
    free(all);
    free(region);
    free(phone);
    return 0;
}
