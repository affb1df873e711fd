#ifndef USERD_EMBED_H
#define USERD_EMBED_H

/*
 * Files built into the binary (docs/operations.md, "Embedded files"): the
 * OpenAPI documents the ops listener serves, the console's assets. The
 * bytes are copied into .rodata by the assembler's .incbin when the object
 * that names them is compiled, so the binary needs no file at run time and
 * serves exactly what it was built and tested with.
 *
 *   EMBED_FILE(openapi_im, "docs/openapi/im.json");   (file scope, one .c file)
 *   static const struct embed files[] = {
 *       EMBED_ENTRY(openapi_im, "im.json", "application/json"),
 *   };
 *   const struct embed *e = embed_find(files, 1, "im.json");
 *
 * The path is relative to the directory the compiler runs in (the
 * repository's top, where make runs). The compiler does not see the file,
 * so its dependency file does not name it: the Makefile's `embed` function
 * makes the object depend on the files it embeds, e.g.
 *   $(call embed,ops/openapi,docs/openapi/im.json docs/openapi/live.json ...)
 * Each file is followed by a NUL that its length does not count, so a text
 * file may also be read as a C string.
 */
#include <stddef.h>

#define EMBED_FILE(sym, path)                                                                                     \
    __asm__(".pushsection .rodata.embed_" #sym ",\"a\",@progbits\n"                                                \
            ".balign 16\n"                                                                                         \
            ".globl embed_" #sym "_start\n"                                                                        \
            ".hidden embed_" #sym "_start\n"                                                                       \
            "embed_" #sym "_start:\n"                                                                              \
            ".incbin \"" path "\"\n"                                                                               \
            ".globl embed_" #sym "_end\n"                                                                          \
            ".hidden embed_" #sym "_end\n"                                                                         \
            "embed_" #sym "_end:\n"                                                                                \
            ".byte 0\n"                                                                                            \
            ".popsection\n");                                                                                      \
    extern const unsigned char embed_##sym##_start[], embed_##sym##_end[]

struct embed {
    const char *name; /* what it is looked up by, e.g. "im.json" */
    const char *type; /* its Content-Type */
    const unsigned char *start, *end;
};

#define EMBED_ENTRY(sym, name, type) {name, type, embed_##sym##_start, embed_##sym##_end}

/** The entry called name in table t (n entries), or NULL. */
const struct embed *embed_find(const struct embed *t, size_t n, const char *name);

/** The entry's length in bytes (without the NUL after it). */
static inline size_t embed_len(const struct embed *e) { return (size_t)(e->end - e->start); }

#endif
