/*
 * Shared by the libFuzzer targets (tests/fuzz/<target>.c, docs/robustness.md
 * "Fuzzing"): quiet settings, an invariant check, and slicing of the input.
 * Each target calls the public functions of src/ and checks what their
 * contracts promise; a broken promise aborts, so libFuzzer keeps the input.
 */
#ifndef USERD_FUZZ_H
#define USERD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Aborts with the condition and a printf message when cond is false. */
#define FUZZ_ASSERT(cond, ...)                                                                                   \
    do {                                                                                                         \
        if (!(cond)) {                                                                                           \
            fprintf(stderr, "\n==fuzz== ERROR: invariant broken at %s:%d: %s\nfuzz: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                                        \
            fputc('\n', stderr);                                                                                 \
            abort();                                                                                             \
        }                                                                                                        \
    } while (0)

/** Sets a setting or aborts (a harness bug). */
static inline void fuzz_set(const char *name, const char *value)
{
    char err[256];
    if (cfg_set(name, value, err, sizeof(err))) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
}

/** The defaults, with only errors logged and no access log (the log would be most of the time). */
static inline void fuzz_quiet(void)
{
    cfg_reset();
    fuzz_set("log.level", "error");
    fuzz_set("log.access", "false");
    log_set_level(LOG_ERROR);
}

/**
 * Makes a private directory for a target's store or files: under $TMPDIR,
 * else /dev/shm (a memory file system: no disk writes between inputs),
 * else /tmp. Aborts when it cannot.
 */
static inline void fuzz_tmpdir(char *out, size_t cap)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    if ((size_t)snprintf(out, cap, "%s/userd-fuzz-XXXXXX", base) >= cap || !mkdtemp(out)) {
        fprintf(stderr, "fuzz: cannot make a directory under %s\n", base);
        abort();
    }
}

/** The rest of an input, consumed piece by piece. */
struct fuzz_in {
    const uint8_t *p;
    size_t n;
};

/**
 * The next piece up to sep (or the rest when there is none), as a malloc'd
 * NUL-terminated copy the caller frees; *len (may be NULL) is its length,
 * which may include NULs.
 */
static inline char *fuzz_next(struct fuzz_in *in, char sep, size_t *len)
{
    const uint8_t *end = in->n ? memchr(in->p, sep, in->n) : NULL;
    size_t n = end ? (size_t)(end - in->p) : in->n;
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, in->p, n);
    s[n] = '\0';
    in->p += n + (end != NULL);
    in->n -= n + (end != NULL);
    if (len)
        *len = n;
    return s;
}

/** The next byte, 0 when the input is used up. */
static inline uint8_t fuzz_byte(struct fuzz_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

#endif
