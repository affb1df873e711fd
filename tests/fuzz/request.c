/*
 * Fuzz target "request": the whole request path of a face, in process.
 *
 * The real libmicrohttpd daemon of each face runs without a listening
 * socket or thread of its own (http_daemon_external): every input becomes
 * one connection, a socketpair whose server end is handed to the daemon
 * (MHD_add_connection) while this loop writes the request to the other end
 * and drives the daemon (MHD_run) until it closes the connection. So the
 * bytes go through libmicrohttpd's parser, our callbacks, the router, the
 * face's authentication and the real handler, over a real SQLite store in a
 * temporary directory; password (ROUTE_SLOW) routes go through the real
 * hashing pool with the connection suspended and resumed (libmicrohttpd has
 * no wake-up channel in this mode: the loop polls every millisecond).
 *
 * The store is made at start through the faces themselves: the default app
 * and a second one, IM users alice and bob, a live user, app-face users carol
 * and dave (signed up with SMS codes), and their credentials. After every
 * input that changed the store it is put back as it was (SQLite backup API
 * from a snapshot), so that inputs do not depend on each other and the store
 * does not grow.
 *
 * Input (text, so that the corpus is readable):
 *   byte 0   the face: 'i' IM, 'l' live, 'a' app (another byte: its value mod 3);
 *            upper case ('I', 'L', 'A', or bit 0x20 clear) sends the rest as raw bytes
 *   byte 1   the credential to attach ('0'-'7', any byte: its value mod 8), see creds();
 *            with bit 3 ('8'-'?'), the request is sent twice on one connection, kept alive
 *   then     "METHOD TARGET\n" header lines "Name: value\n" "\n" body
 * Placeholders anywhere in the text are replaced by live values: $app $app2
 * (app ids), $tok (alice's IM token), $adm $adm2 (admin tokens), $sid
 * (carol's session), $uid $uid2 (carol's and dave's app-face ids), $bob
 * (bob's account id), $ak (the default app's AK), $vt (a verification token
 * for an unused phone), $vtr (one for carol's phone).
 *
 * The harness frames the request: HTTP/1.1, Connection: close, Host (when
 * the input has none), Content-Length (when the input gives neither it nor
 * Transfer-Encoding) and the credential's headers, signed correctly for the
 * live face when the selector asks. Then it checks what a client may rely
 * on: an answer (no hang, no silent close), no 5xx, a JSON answer in the
 * face's own envelope, and never an app's secret key or a password hash in
 * an answer.
 *
 * Argon2id runs at libsodium's minimum cost here (1 pass, 8 KiB): the
 * parsers and handlers are what is fuzzed, not the hash, and at the default
 * cost (19 MiB, ~25 ms) login routes would cut the executions per second
 * by a hundred.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "core/apps.h"
#include "core/passwords.h"
#include "core/qiniu.h"
#include "fuzz.h"
#include "http/http.h"
#include "im/im.h"
#include "live/live.h"

enum { FACE_IM, FACE_LIVE, FACE_APP };

/* A complete request with no answer after this is a hang (a batch of 100 sign-ups takes ~1 s on a busy machine). */
#define HANG_MS 20000

static struct MHD_Daemon *daemons[3];
static char dir[256], db_path[300];
static sqlite3 *snap, *live_db; /* the snapshot, and our own connection to the store */
static long long snap_version;
static int fds_after_setup;
static int verbose; /* FUZZ_VERBOSE=1: print every request and answer (to look at a corpus file) */

/* Credentials, made in setup(). */
static struct {
    char app[80], app2[80], ak[160], sk[160], ak2[160], sk2[160], adm[160], adm2[160];
    char tok[160], tok_carol[160], sid[160], sid_dave[160], uid[16], uid2[16], bob[24], vt[80], vtr[80];
} C;

/* ---- buffers ---- */

struct buf {
    char *p;
    size_t n, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void buf_str(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(struct buf *b, const char *fmt, ...)
{
    char *tmp = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    buf_add(b, tmp, (size_t)n);
    free(tmp);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- one connection ---- */

static void wait_daemon(struct MHD_Daemon *d, int client, int want_write)
{
    fd_set rs, ws, es;
    MHD_socket max = -1;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_ZERO(&es);
    if (MHD_get_fdset(d, &rs, &ws, &es, &max) != MHD_YES)
        abort();
    if (client >= 0) {
        FD_SET(client, &rs);
        if (want_write)
            FD_SET(client, &ws);
        if (client > max)
            max = client;
    }
    /*
     * libmicrohttpd has no wake-up channel without a thread of its own: a
     * connection that the hashing pool resumes is noticed at the next
     * MHD_run(), so wait at most a millisecond.
     */
    struct timeval tv = {0, 1000};
    select(max + 1, &rs, &ws, &es, &tv);
}

static unsigned connections(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return i ? i->num_connections : 0;
}

/*
 * Sends req on a new connection of face's daemon and collects everything it
 * answers until it closes. half_close: shut our sending side once the
 * request is out (the framing is the input's own: the server may be waiting
 * for bytes that never come). Returns 0, or -1 when the daemon did not close
 * within HANG_MS of the request being out.
 */
static int exchange(int face, const char *req, size_t len, int half_close, struct buf *out)
{
    struct MHD_Daemon *d = daemons[face];
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv))
        abort();
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000)};
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (MHD_add_connection(d, sv[1], (struct sockaddr *)&peer, sizeof(peer)) != MHD_YES)
        abort(); /* the daemon closed sv[1] */
    int client = sv[0], rc = 0, sent = 0;
    size_t off = 0;
    int64_t sent_at = 0;
    for (;;) {
        if (off < len) {
            ssize_t w = send(client, req + off, len - off, MSG_NOSIGNAL);
            if (w > 0)
                off += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                off = len; /* the server closed: read what it said */
        }
        if (off == len && !sent) {
            sent = 1;
            sent_at = mono_ms();
            if (half_close)
                shutdown(client, SHUT_WR);
        }
        MHD_run(d);
        char tmp[16384];
        ssize_t r;
        while ((r = recv(client, tmp, sizeof(tmp), 0)) > 0)
            buf_add(out, tmp, (size_t)r);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            break;
        if (off == len && mono_ms() - sent_at > HANG_MS) {
            rc = -1;
            break;
        }
        wait_daemon(d, client, off < len);
    }
    close(client);
    /* Let the daemon notice and free the connection before the input ends (leak checks count per input). */
    for (int64_t t0 = mono_ms(); connections(d) && mono_ms() - t0 < HANG_MS;) {
        MHD_run(d);
        if (connections(d))
            wait_daemon(d, -1, 0);
    }
    FUZZ_ASSERT(!connections(d), "the %s daemon kept a closed connection", face == FACE_IM ? "im" : "live/app");
    if (!out->p)
        buf_add(out, "", 0);
    return rc;
}

/* ---- the answer ---- */

struct answer {
    int status;
    const char *ctype; /* in the answer buffer, or "" */
    size_t ctype_len;
    const char *headers, *body; /* in the answer buffer */
    size_t body_len;            /* Content-Length, bounded by what came */
    const char *next;           /* where the next answer on the connection starts */
};

/*
 * Parses the final (non-1xx) answer that starts at p (before end): status,
 * Content-Type, body. An answer to HEAD has no body, whatever its
 * Content-Length says (RFC 9110, 9.3.2). 0, or -1 when there is none.
 */
static int parse_answer_at(const char *p, const char *end, int head, struct answer *a)
{
    memset(a, 0, sizeof(*a));
    a->ctype = "";
    for (;;) {
        if (end - p < 12 || (strncmp(p, "HTTP/1.1 ", 9) && strncmp(p, "HTTP/1.0 ", 9)))
            return -1;
        int st = 0;
        for (int i = 9; i < 12; i++) {
            if (p[i] < '0' || p[i] > '9')
                return -1;
            st = st * 10 + (p[i] - '0');
        }
        const char *head_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!head_end)
            return -1;
        a->status = st;
        a->headers = p;
        a->body = head_end + 4;
        if (st >= 200)
            break;
        p = head_end + 4; /* 100 Continue: the real answer follows */
    }
    size_t len = (size_t)(end - a->body);
    for (const char *h = strstr(a->headers, "\r\n"); h && h < a->body - 2; h = strstr(h + 2, "\r\n")) {
        if (!strncasecmp(h + 2, "Content-Type:", 13)) {
            const char *v = h + 15;
            while (*v == ' ')
                v++;
            a->ctype = v;
            a->ctype_len = strcspn(v, "\r");
        } else if (!strncasecmp(h + 2, "Content-Length:", 15)) {
            unsigned long long n = strtoull(h + 17, NULL, 10);
            if (n < len)
                len = (size_t)n;
        }
    }
    a->body_len = head ? 0 : len;
    a->next = a->body + a->body_len;
    return 0;
}

static int parse_answer(struct buf *b, struct answer *a) { return parse_answer_at(b->p, b->p + b->n, 0, a); }

/* A JSON answer of a face carries that face's envelope. */
static void check_envelope(int face, const struct answer *a, const char *path)
{
    if (a->ctype_len < 16 || strncasecmp(a->ctype, "application/json", 16) || !a->body_len)
        return; /* not JSON, or the answer to HEAD */
    json_error_t e;
    json_t *o = json_loadb(a->body, a->body_len, 0, &e);
    FUZZ_ASSERT(json_is_object(o), "a JSON answer that is no JSON object: %s", e.text);
    if (!strcmp(path, "/healthz") && (a->status == 200 || a->status == 503)) {
        FUZZ_ASSERT(json_is_string(json_object_get(o, "status")), "healthz without status");
    } else if (face == FACE_IM) {
        FUZZ_ASSERT(json_is_integer(json_object_get(o, "code")) && json_is_string(json_object_get(o, "message")) &&
                        json_object_get(o, "data"),
                    "IM answer without code, message and data");
    } else if (face == FACE_LIVE) {
        FUZZ_ASSERT(json_is_string(json_object_get(o, "request_id")) &&
                        json_is_integer(json_object_get(o, "code")) &&
                        json_is_string(json_object_get(o, "message")) && json_object_get(o, "data"),
                    "live answer without request_id, code, message and data");
    } else {
        FUZZ_ASSERT(json_is_integer(json_object_get(o, "code")), "app answer without code");
    }
    json_decref(o);
}

/* ---- placeholders ---- */

static const struct {
    const char *name, *value;
} holders[] = {
    {"$app2", C.app2}, {"$app", C.app}, {"$tok", C.tok},   {"$adm2", C.adm2}, {"$adm", C.adm}, {"$sid", C.sid},
    {"$uid2", C.uid2}, {"$uid", C.uid}, {"$bob", C.bob},   {"$ak", C.ak},     {"$vtr", C.vtr}, {"$vt", C.vt},
};

static void substitute(struct buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != '$')
            j++;
        buf_add(out, s + i, j - i);
        if (j == n)
            break;
        size_t k;
        for (k = 0; k < sizeof(holders) / sizeof(*holders); k++) {
            size_t hl = strlen(holders[k].name);
            if (n - j >= hl && !memcmp(s + j, holders[k].name, hl)) { /* not secret: fuzz input */
                buf_str(out, holders[k].value);
                i = j + hl;
                break;
            }
        }
        if (k == sizeof(holders) / sizeof(*holders)) {
            buf_add(out, "$", 1);
            i = j + 1;
        }
    }
}

/* ---- framing ---- */

struct hdr {
    const char *name, *value;
    size_t name_len, value_len;
};

#define MAX_HDRS 128

/* "Name: value" as a server reads it: the value without surrounding blanks. 0 when the line has no ':'. */
static int split_header(const char *line, size_t n, struct hdr *h)
{
    const char *colon = memchr(line, ':', n);
    if (!colon)
        return 0;
    h->name = line;
    h->name_len = (size_t)(colon - line);
    const char *v = colon + 1, *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    h->value = v;
    h->value_len = (size_t)(e - v);
    return 1;
}

static int tchar(unsigned char c) { return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c); }

/* RFC 9112 syntax: a token method, a target without blanks or controls; "Name: value" lines. */
static int well_formed_line(const char *s, size_t n, int request_line)
{
    size_t i = 0;
    while (i < n && tchar((unsigned char)s[i]))
        i++;
    if (!i || i == n)
        return 0;
    if (request_line) {
        if (s[i++] != ' ' || i == n)
            return 0;
        for (; i < n; i++)
            if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
                return 0;
        return 1;
    }
    if (s[i] != ':')
        return 0;
    for (; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
            return 0;
    return 1;
}

static int is_header(const struct hdr *h, const char *name)
{
    return h->name_len == strlen(name) && !strncasecmp(h->name, name, h->name_len);
}

/* The live face's signature over what the server will see: "Qiniu AK:sign" or "QBox AK:sign". */
static void sign(struct buf *out, int qbox, const char *ak, const char *sk, const char *method, const char *target,
                 const char *host, const struct hdr *hs, size_t n_hs, const char *body, size_t body_len)
{
    const char *q = strchr(target, '?'), *ct = NULL;
    size_t ct_len = 0, n_xq = 0;
    struct qiniu_header xq[MAX_HDRS];
    for (size_t i = 0; i < n_hs; i++) {
        if (is_header(&hs[i], "Content-Type") && !ct) {
            ct = hs[i].value;
            ct_len = hs[i].value_len;
        }
        if (hs[i].name_len > 8 && !strncasecmp(hs[i].name, "X-Qiniu-", 8))
            xq[n_xq++] = (struct qiniu_header){hs[i].name, hs[i].name_len, hs[i].value, hs[i].value_len};
    }
    struct qiniu_req r = {
        .method = method, .method_len = strlen(method),
        .path = target, .path_len = q ? (size_t)(q - target) : strlen(target),
        .query = q ? q + 1 : NULL, .query_len = q ? strlen(q + 1) : 0,
        .host = host, .host_len = strlen(host),
        .content_type = ct, .content_type_len = ct_len, .has_content_type = ct != NULL,
        .xq = xq, .n_xq = n_xq > QINIU_XQ_MAX ? QINIU_XQ_MAX : n_xq,
        .body = body, .body_len = body_len,
    };
    char *s = NULL, mac[QINIU_SIGN_LEN + 1];
    size_t n = 0;
    int rc = qbox ? qiniu_qbox_string(&r, &s, &n) : qiniu_v2_string(&r, &s, &n);
    if (!rc && !qiniu_hmac_b64(sk, strlen(sk), s, n, mac))
        buf_printf(out, "Authorization: %s %s:%s\r\n", qbox ? "QBox" : "Qiniu", ak, mac);
    free(s);
}

/*
 * The credential headers of selector sel on face (for the live face, the
 * signature needs the rest of the request).
 */
static void creds(struct buf *out, int face, unsigned sel, const char *method, const char *target, const char *host,
                  const struct hdr *hs, size_t n_hs, const char *body, size_t body_len)
{
    switch (face) {
    case FACE_IM: {
        static const char *const app_of[8] = {C.app, C.app, C.app, C.app, C.app, C.app2, C.app, NULL};
        if (app_of[sel])
            buf_printf(out, "app_id: %s\r\n", app_of[sel]);
        const char *tok[8] = {NULL, C.tok, C.adm, C.adm, C.tok_carol, C.adm2, "garbage-token", NULL};
        if (tok[sel])
            buf_printf(out, "access-token: %s\r\n", tok[sel]);
        if (sel == 3)
            buf_printf(out, "user_id: %s\r\n", C.bob);
        break;
    }
    case FACE_LIVE:
        /* 0 unsigned, 1 and 5-7 v2, 2 QBox, 3 v2 with a wrong SK, 4 v2 of the second app */
        if (sel == 0)
            break;
        sign(out, sel == 2, sel == 4 ? C.ak2 : C.ak, sel == 3 ? C.sk2 : sel == 4 ? C.sk2 : C.sk, method, target,
             host, hs, n_hs, body, body_len);
        break;
    case FACE_APP: {
        const char *sid[8] = {NULL, C.sid, C.sid_dave, "0123456789abcdef", C.sid, C.sid, C.sid, C.sid};
        if (sid[sel])
            buf_printf(out, "Cookie: %s%s=%s\r\n", sel == 4 ? "a=b; " : "", cfg_str(CFG_session_cookie), sid[sel]);
        break;
    }
    }
}

/*
 * Frames text ("METHOD TARGET\nheaders\n\nbody") as an HTTP/1.1 request.
 * *own_framing: the input gave Content-Length or Transfer-Encoding itself,
 * or broke the syntax of the request line or a header (the server may then
 * close without an answer).
 */
static void frame(struct buf *out, int face, unsigned sel, int keep_alive, const char *text, size_t n,
                  int *own_framing, char **path_out)
{
    const char *end = text + n, *nl = memchr(text, '\n', n);
    const char *line_end = nl ? nl : end;
    size_t ll = (size_t)(line_end - text);
    if (ll && text[ll - 1] == '\r')
        ll--;
    *own_framing = !well_formed_line(text, ll, 1);
    const char *sp = memchr(text, ' ', ll);
    char *method = strndup(text, sp ? (size_t)(sp - text) : ll);
    char *target = sp ? strndup(sp + 1, ll - (size_t)(sp + 1 - text)) : strdup("/");
    if (!method || !target)
        abort();
    struct hdr hs[MAX_HDRS];
    size_t n_hs = 0;
    int length_given = 0;
    const char *p = nl ? nl + 1 : end, *body = end;
    struct buf lines = {0};
    const char *host = "127.0.0.1";
    char *host_copy = NULL;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        const char *le = e ? e : end;
        size_t len = (size_t)(le - p);
        if (len && p[len - 1] == '\r')
            len--;
        if (!len) {
            body = e ? e + 1 : end;
            break;
        }
        buf_add(&lines, p, len);
        buf_add(&lines, "\r\n", 2);
        if (!well_formed_line(p, len, 0))
            *own_framing = 1;
        struct hdr h;
        if (n_hs < MAX_HDRS && split_header(p, len, &h)) {
            hs[n_hs++] = h;
            if (is_header(&h, "Content-Length") || is_header(&h, "Transfer-Encoding"))
                *own_framing = length_given = 1;
            if (is_header(&h, "Host") && !host_copy)
                host = host_copy = strndup(h.value, h.value_len);
        }
        p = e ? e + 1 : end;
    }
    size_t body_len = (size_t)(end - body);
    buf_printf(out, "%s %s HTTP/1.1\r\nConnection: %s\r\n", method, target, keep_alive ? "keep-alive" : "close");
    if (!host_copy)
        buf_str(out, "Host: 127.0.0.1\r\n");
    if (lines.n)
        buf_add(out, lines.p, lines.n);
    creds(out, face, sel, method, target, host, hs, n_hs, body, body_len);
    if (!length_given && (body_len || !strcmp(method, "POST") || !strcmp(method, "PUT")))
        buf_printf(out, "Content-Length: %zu\r\n", body_len);
    buf_add(out, "\r\n", 2);
    buf_add(out, body, body_len);
    const char *q = strchr(target, '?');
    *path_out = strndup(target, q ? (size_t)(q - target) : strlen(target));
    free(lines.p);
    free(host_copy);
    free(method);
    free(target);
}

/* Open file descriptors: connections and their sockets must not pile up. */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* ---- the store: snapshot and restore ---- */

static long long data_version(void)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(live_db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void copy_db(sqlite3 *to, sqlite3 *from)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
        fprintf(stderr, "fuzz: store snapshot/restore: %s\n", sqlite3_errmsg(to));
        abort();
    }
    sqlite3_backup_finish(b);
}

static void take_snapshot(void)
{
    if (sqlite3_open_v2(db_path, &live_db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_open(":memory:", &snap) != SQLITE_OK)
        abort();
    sqlite3_busy_timeout(live_db, 5000);
    copy_db(snap, live_db);
    snap_version = data_version();
}

/* Puts the store back as setup left it when an input changed it. */
static void restore(void)
{
    long long v = data_version();
    if (v == snap_version)
        return;
    copy_db(live_db, snap);
    snap_version = data_version();
}

/* ---- setup ---- */

/* One request made by the harness itself; the answer's JSON (caller decrefs) and Set-Cookie value. */
static json_t *call(int face, const char *method, const char *path, const char *headers, const char *body,
                    char *cookie, size_t cookie_cap)
{
    struct buf req = {0}, ans = {0};
    buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s", method, path, headers);
    buf_printf(&req, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
    struct answer a;
    if (exchange(face, req.p, req.n, 0, &ans) || parse_answer(&ans, &a)) {
        fprintf(stderr, "fuzz setup: %s %s: no answer\n", method, path);
        abort();
    }
    if (cookie) {
        const char *c = strcasestr(a.headers, "\r\nSet-Cookie: ");
        const char *eq = c ? strchr(c, '=') : NULL;
        size_t n = eq ? strcspn(eq + 1, ";\r") : 0;
        if (!n || n >= cookie_cap)
            abort();
        memcpy(cookie, eq + 1, n);
        cookie[n] = '\0';
    }
    json_t *o = json_loadb(a.body, a.body_len, 0, NULL);
    if (!o) {
        fprintf(stderr, "fuzz setup: %s %s: %d %s\n", method, path, a.status, a.body);
        abort();
    }
    free(req.p);
    free(ans.p);
    return o;
}

static void copy_str(char *dst, size_t cap, json_t *o, const char *path)
{
    json_t *v = o;
    char key[64];
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ".");
        snprintf(key, sizeof(key), "%.*s", (int)n, p);
        v = json_object_get(v, key);
        p += n + (p[n] == '.');
    }
    const char *s = json_string_value(v);
    if (!s && json_is_integer(v)) {
        snprintf(dst, cap, "%lld", (long long)json_integer_value(v));
        return;
    }
    if (!s || strlen(s) >= cap) {
        char *d = json_dumps(o, 0);
        fprintf(stderr, "fuzz setup: no %s in %s\n", path, d ? d : "?");
        abort();
    }
    snprintf(dst, cap, "%s", s);
}

static void seed_im_user(const char *name, char *token, size_t cap, char *id, size_t id_cap)
{
    char hdr[128], body[128];
    snprintf(hdr, sizeof(hdr), "app_id: %s\r\n", C.app);
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"secret123\"}", name);
    json_decref(call(FACE_IM, "POST", "/user/register/v2", hdr, body, NULL, 0));
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":\"secret123\"}", name);
    json_t *o = call(FACE_IM, "POST", "/token/user", hdr, body, NULL, 0);
    if (token)
        copy_str(token, cap, o, "data.token");
    if (id)
        copy_str(id, id_cap, o, "data.user_id");
    json_decref(o);
}

/* A verification token for the phone (send_code, then verify_code with the development code). */
static void verification(const char *phone, char *vt, size_t cap)
{
    char body[160];
    snprintf(body, sizeof(body), "{\"region\":\"86\",\"phone\":\"%s\"}", phone);
    json_decref(call(FACE_APP, "POST", "/user/send_code", "", body, NULL, 0));
    snprintf(body, sizeof(body), "{\"region\":\"86\",\"phone\":\"%s\",\"code\":\"999999\"}", phone);
    json_t *o = call(FACE_APP, "POST", "/user/verify_code", "", body, NULL, 0);
    copy_str(vt, cap, o, "result.verification_token");
    json_decref(o);
}

static void seed_app_user(const char *phone, const char *nick, char *sid, size_t sid_cap, char *uid, size_t uid_cap)
{
    char vt[80], body[256];
    verification(phone, vt, sizeof(vt));
    snprintf(body, sizeof(body), "{\"nickname\":\"%s\",\"password\":\"secret123\",\"verification_token\":\"%s\"}",
             nick, vt);
    json_t *o = call(FACE_APP, "POST", "/user/register", "", body, sid, sid_cap);
    copy_str(uid, uid_cap, o, "result.id");
    json_decref(o);
}

static void remove_dir(void)
{
    static const char *const files[] = {"userd.db", "userd.db-wal", "userd.db-shm", "default-app.json"};
    char p[300];
    for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void setup(void)
{
    fuzz_tmpdir(dir, sizeof(dir));
    atexit(remove_dir);
    snprintf(db_path, sizeof(db_path), "%s/userd.db", dir);
    char url[320];
    snprintf(url, sizeof(url), "sqlite:%s", db_path);
    fuzz_quiet();
    fuzz_set("store.url", url);
    fuzz_set("data.dir", dir);
    fuzz_set("password.opslimit", "1"); /* the cheapest Argon2id: see the comment at the top */
    fuzz_set("password.memlimit_kib", "8");
    fuzz_set("password.threads", "1");
    fuzz_set("password.nice", "0");
    fuzz_set("sms.dev_code", "999999");
    fuzz_set("http.trust_proxy", "true"); /* X-Forwarded-For is parsed too */
    fuzz_set("sms.resend_interval", "0");  /* setup asks carol's phone twice */
    fuzz_set("verify.token_ttl", "86400"); /* $vt stays valid through a long run */
    fuzz_set("qiniu.access_key", "fuzz-ak");
    fuzz_set("qiniu.secret_key", "fuzz-sk");
    fuzz_set("qiniu.bucket", "fuzz");
    fuzz_set("qiniu.domain", "fuzz.example.com");

    struct ctx c;
    struct app_creds cr;
    if (ctx_open(&c) || pw_init(&c) || app_ensure_default(&c, dir) || app_create(&c, "second", &cr)) {
        fprintf(stderr, "fuzz setup: cannot prepare the store\n");
        abort();
    }
    snprintf(C.app2, sizeof(C.app2), "%s", cr.app_id);
    snprintf(C.ak2, sizeof(C.ak2), "%s", cr.access_key);
    snprintf(C.sk2, sizeof(C.sk2), "%s", cr.secret_key);
    snprintf(C.adm2, sizeof(C.adm2), "%s", cr.admin_token);
    ctx_close(&c);

    char p[300];
    snprintf(p, sizeof(p), "%s/default-app.json", dir);
    json_t *def = json_load_file(p, 0, NULL);
    if (!def)
        abort();
    copy_str(C.app, sizeof(C.app), def, "app_id");
    copy_str(C.ak, sizeof(C.ak), def, "access_key");
    copy_str(C.sk, sizeof(C.sk), def, "secret_key");
    copy_str(C.adm, sizeof(C.adm), def, "admin_token");
    json_decref(def);

    if (http_pool_start(1, 64) || !(daemons[FACE_IM] = http_daemon_external(&im_face)) ||
        !(daemons[FACE_LIVE] = http_daemon_external(&live_face)) ||
        !(daemons[FACE_APP] = http_daemon_external(&app_face)))
        abort();

    seed_im_user("alice", C.tok, sizeof(C.tok), NULL, 0);
    seed_im_user("bob", NULL, 0, C.bob, sizeof(C.bob));
    seed_app_user("13900000001", "carol", C.sid, sizeof(C.sid), C.uid, sizeof(C.uid));
    seed_app_user("13900000002", "dave", C.sid_dave, sizeof(C.sid_dave), C.uid2, sizeof(C.uid2));
    {
        /* carol's IM token, through the app face's login */
        json_t *l = call(FACE_APP, "POST", "/user/login",
                         "", "{\"region\":\"86\",\"phone\":\"13900000001\",\"password\":\"secret123\"}", NULL, 0);
        copy_str(C.tok_carol, sizeof(C.tok_carol), l, "result.token");
        json_decref(l);
    }
    verification("13900000009", C.vt, sizeof(C.vt));
    verification("13900000001", C.vtr, sizeof(C.vtr));

    /* a live user, through a signed request */
    {
        const char *body = "{\"user_id\":\"lu1\",\"nick\":\"Lu\",\"avatar\":\"https://x.example/a.png\"}";
        struct buf req = {0}, ans = {0};
        struct hdr h = {"Content-Type", "application/json", 12, 16};
        buf_str(&req, "POST /server/user/register HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      "Content-Type: application/json\r\n");
        sign(&req, 0, C.ak, C.sk, "POST", "/server/user/register", "127.0.0.1", &h, 1, body, strlen(body));
        buf_printf(&req, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
        struct answer a;
        if (exchange(FACE_LIVE, req.p, req.n, 0, &ans) || parse_answer(&ans, &a) || a.status != 200) {
            fprintf(stderr, "fuzz setup: live register: %s\n", ans.p);
            abort();
        }
        free(req.p);
        free(ans.p);
    }
    take_snapshot();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (sodium_init() < 0)
        abort();
    setup();
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    fds_after_setup = open_fds();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned f = data[0] | 0x20;
    int face = f == 'i' ? FACE_IM : f == 'l' ? FACE_LIVE : f == 'a' ? FACE_APP : data[0] % 3;
    int raw = !(data[0] & 0x20);
    unsigned sel = (unsigned)(data[1] - '0') & 7, twice = (unsigned)(data[1] - '0') & 8;
    struct buf text = {0}, req = {0}, ans = {0};
    substitute(&text, (const char *)data + 2, size - 2);
    if (!text.p)
        buf_add(&text, "", 0);
    int own_framing = 1;
    char *path = NULL;
    if (raw) {
        buf_add(&req, text.p, text.n);
    } else {
        if (twice) { /* first on a kept-alive connection: nothing of one request may leak into the next */
            frame(&req, face, sel, 1, text.p, text.n, &own_framing, &path);
            free(path);
        }
        frame(&req, face, sel, 0, text.p, text.n, &own_framing, &path);
    }
    int hung = exchange(face, req.p, req.n, own_framing, &ans);
    if (verbose)
        fprintf(stderr, "---- request (%s face)\n%s\n---- answer\n%s\n", face == FACE_IM ? "IM" : face == FACE_LIVE ? "live" : "app",
                req.p, ans.p);
    FUZZ_ASSERT(!hung, "no answer within %d ms to:\n%s", HANG_MS, req.p);
    /*
     * No answer carries an app's secret key or a password hash, unless the
     * request held that text itself (a batch answer echoes usernames, and
     * libFuzzer learns strings from comparisons).
     */
    const char *secrets[] = {C.sk, C.sk2, "$argon2"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(*secrets); i++)
        FUZZ_ASSERT(!memmem(ans.p, ans.n, secrets[i], strlen(secrets[i])) ||
                        memmem(req.p, req.n, secrets[i], strlen(secrets[i])),
                    "a secret in the answer to:\n%s\n--- got:\n%s", req.p, ans.p);
    if (!own_framing) {
        /* A request the harness framed is complete and well formed as far as the framing goes. */
        struct answer a;
        int head = !strncmp(req.p, "HEAD ", 5); /* the harness frames each copy with the one method */
        FUZZ_ASSERT(!parse_answer_at(ans.p, ans.p + ans.n, head, &a), "no HTTP answer to:\n%s\n--- got:\n%s", req.p,
                    ans.p);
        for (int more = 1; more; more = !parse_answer_at(a.next, ans.p + ans.n, head, &a)) { /* each answer */
            FUZZ_ASSERT(a.status < 500 || a.status == 501 || a.status == 505, "status %d to:\n%s\n--- got:\n%s",
                        a.status, req.p, ans.p);
            check_envelope(face, &a, path);
        }
    }
    restore();
    /* A few may open late (the hashing thread's store connection); one per input is a leak. */
    int fds = open_fds();
    FUZZ_ASSERT(fds <= fds_after_setup + 16, "%d file descriptors open, %d after setup", fds, fds_after_setup);
    free(path);
    free(text.p);
    free(req.p);
    free(ans.p);
    return 0;
}
