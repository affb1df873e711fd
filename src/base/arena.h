#ifndef USERD_ARENA_H
#define USERD_ARENA_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Memory scoped to one request (nginx r->pool, h2o req->pool): everything a
 * request allocates comes from its arena and is freed in one go at its end.
 * Cleanups run first, in reverse order of registration, for the things that
 * are not plain memory (json_t references, secrets to wipe).
 *
 * Out of memory is decided once: the allocation wrappers abort.
 */
struct arena;

/** A new, empty arena. Never NULL (aborts on OOM). */
struct arena *arena_new(void);

/** Runs the cleanups, then frees every block and the arena. NULL is a no-op. */
void arena_free(struct arena *a);

/** n bytes, aligned for any type, zeroed. Aborts (out of memory) when n cannot be had. */
void *arena_alloc(struct arena *a, size_t n);

/** A copy of s (NULL gives NULL). */
char *arena_strdup(struct arena *a, const char *s);

/** A NUL-terminated copy of the first n bytes of s. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/** printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Registers fn(p) to run when the arena is freed. */
void arena_on_free(struct arena *a, void (*fn)(void *), void *p);

/** Registers a wipe of n bytes at p (sodium_memzero) when the arena is freed. */
void arena_wipe_on_free(struct arena *a, void *p, size_t n);

/**
 * Zeroes everything the arena ever handed out when it is freed (a request
 * that carries a password: its body and every copy a handler made).
 */
void arena_wipe_all(struct arena *a);

/*
 * Allocation wrappers that abort on OOM, for memory outside any arena. A
 * size that cannot exist (arena_alloc near SIZE_MAX) is out of memory too.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/** Zeroes the whole allocation (malloc_usable_size), then frees it. NULL is a no-op. */
void xfree_wiped(void *p);

#endif
