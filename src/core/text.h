#ifndef USERD_TEXT_H
#define USERD_TEXT_H

/*
 * Text rules every face shares, one function each: counting characters,
 * refusing control characters and invalid UTF-8, reading decimal integers,
 * and HTML-escaping for a face that renders into markup. Pure: they read
 * their arguments only (text_escape_html allocates in the arena given).
 */
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/errors.h"

/** Characters (code points) in s[0..n), which must be valid UTF-8. */
size_t text_chars(const char *s, size_t n);

/** 1 when s[0..n) holds a control character (0x00-0x1f, 0x7f), but \t \r \n when multiline. */
int text_has_control(const char *s, size_t n, int multiline);

/** 1 when every byte of s[0..n) is printable ASCII other than a space (0x21-0x7e): tokens, ids. */
int text_is_visible_ascii(const char *s, size_t n);

/** What is wrong with a piece of text, the first problem found, in this order. */
enum text_problem {
    TEXT_OK,
    TEXT_NUL,     /* a NUL byte inside */
    TEXT_UTF8,    /* not valid UTF-8 */
    TEXT_CONTROL, /* a control character (but \t \r \n when multiline) */
    TEXT_LENGTH,  /* fewer than min or more than max characters */
};

/** Checks text s of n bytes: no NUL, valid UTF-8, no control characters, min-max characters. */
enum text_problem text_check(const char *s, size_t n, size_t min, size_t max, int multiline);

/**
 * Reads a decimal integer: an optional '-' then digits, nothing before or
 * after, within int64_t. 0 and *out set, or -E_INVALID (*out untouched).
 */
int text_to_int(const char *s, int64_t *out) USERD_MUST_CHECK;

/** s with & < > " ' written as HTML entities (&amp; &lt; &gt; &#34; &#39;), in the arena. */
char *text_escape_html(struct arena *a, const char *s);

#endif
