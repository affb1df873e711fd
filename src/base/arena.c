#include "arena.h"

#include <malloc.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 4096

struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *p;
    size_t wipe; /* > 0: wipe that many bytes at p instead of calling fn */
};

struct arena {
    struct block *head;
    struct cleanup *cleanups;
    int wipe; /* zero every block before freeing it */
};

static void oom(void)
{
    fputs("userd: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

void xfree_wiped(void *p)
{
    if (!p)
        return;
    sodium_memzero(p, malloc_usable_size(p));
    free(p);
}

static struct block *block_new(size_t cap, struct block *next)
{
    if (cap > SIZE_MAX - sizeof(struct block))
        oom(); /* no such piece of memory exists */
    struct block *b = xmalloc(sizeof(*b) + cap);
    b->next = next;
    b->used = 0;
    b->cap = cap;
    return b;
}

struct arena *arena_new(void)
{
    struct arena *a = xcalloc(1, sizeof(*a));
    a->head = block_new(ARENA_BLOCK - sizeof(struct block), NULL);
    return a;
}

void arena_free(struct arena *a)
{
    if (!a)
        return;
    for (struct cleanup *c = a->cleanups; c; c = c->next) {
        if (c->wipe)
            sodium_memzero(c->p, c->wipe);
        else
            c->fn(c->p);
    }
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        if (a->wipe)
            sodium_memzero(b->data, b->used);
        free(b);
        b = next;
    }
    free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX - (align - 1))
        oom(); /* rounding up would wrap to a tiny size */
    n = (n + align - 1) & ~(align - 1);
    struct block *b = a->head;
    if (b->cap - b->used < n) {
        if (n > ARENA_BLOCK / 4) {
            /* A large piece gets a block of its own behind the current one. */
            struct block *big = block_new(n, b->next);
            b->next = big;
            big->used = n;
            return memset(big->data, 0, n);
        }
        b = a->head = block_new(ARENA_BLOCK - sizeof(struct block), b);
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return memset(p, 0, n);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void arena_on_free(struct arena *a, void (*fn)(void *), void *p)
{
    struct cleanup *c = arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->p = p;
    c->next = a->cleanups;
    a->cleanups = c;
}

void arena_wipe_all(struct arena *a) { a->wipe = 1; }

void arena_wipe_on_free(struct arena *a, void *p, size_t n)
{
    struct cleanup *c = arena_alloc(a, sizeof(*c));
    c->p = p;
    c->wipe = n;
    c->next = a->cleanups;
    a->cleanups = c;
}
