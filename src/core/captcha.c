#include "captcha.h"

#include <gd.h>
#include <gdfontg.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/*
 * The text is drawn at half size with the 9x15 Giant font and scaled up
 * twice (nearest neighbour), so glyphs are 18x30 in the 120x40 image: the
 * built-in fonts are too small to read on a phone otherwise. Noise is drawn
 * afterwards at full size, so its lines stay one pixel thin.
 */
#define SCALE 2
#define SMALL_W (CAPTCHA_WIDTH / SCALE)
#define SMALL_H (CAPTCHA_HEIGHT / SCALE)
#define NOISE_LINES 5
#define NOISE_DOTS 160
#define NOISE_COLOURS 6

/* A uniform integer in [lo, hi]. */
static int rnd(int lo, int hi)
{
    return lo + (int)randombytes_uniform((uint32_t)(hi - lo + 1));
}

/* A random colour with each channel in [lo, hi], from the palette of im. */
static int rnd_colour(gdImagePtr im, int lo, int hi)
{
    return gdImageColorResolve(im, rnd(lo, hi), rnd(lo, hi), rnd(lo, hi));
}

static int valid_answer(const char *answer)
{
    for (size_t i = 0; i < CAPTCHA_LEN; i++) {
        if (answer[i] == '\0' || strchr(CAPTCHA_ALPHABET, answer[i]) == NULL)
            return 0;
    }
    return answer[CAPTCHA_LEN] == '\0';
}

/* The text, light background, per-character colour and jitter, half size. */
static gdImagePtr draw_text(const char *answer, const int bg[3])
{
    gdFontPtr font = gdFontGetGiant();
    int slot = SMALL_W / CAPTCHA_LEN;
    gdImagePtr im = gdImageCreate(SMALL_W, SMALL_H);

    if (im == NULL)
        return NULL;
    /* The first colour allocated in a palette image is its background. */
    (void)gdImageColorAllocate(im, bg[0], bg[1], bg[2]);
    for (int i = 0; i < CAPTCHA_LEN; i++) {
        int x = i * slot + (slot - font->w) / 2 + rnd(-1, 1);
        int y = rnd(0, SMALL_H - font->h);

        gdImageChar(im, font, x, y, answer[i], rnd_colour(im, 0, 110));
    }
    return im;
}

static void draw_noise(gdImagePtr im)
{
    int colours[NOISE_COLOURS];

    for (int i = 0; i < NOISE_COLOURS; i++)
        colours[i] = rnd_colour(im, 90, 200);
    for (int i = 0; i < NOISE_DOTS; i++) {
        gdImageSetPixel(im, rnd(0, CAPTCHA_WIDTH - 1), rnd(0, CAPTCHA_HEIGHT - 1),
                        colours[rnd(0, NOISE_COLOURS - 1)]);
    }
    for (int i = 0; i < NOISE_LINES; i++) {
        gdImageLine(im, rnd(0, CAPTCHA_WIDTH - 1), rnd(0, CAPTCHA_HEIGHT - 1),
                    rnd(0, CAPTCHA_WIDTH - 1), rnd(0, CAPTCHA_HEIGHT - 1),
                    rnd_colour(im, 40, 160));
    }
}

int captcha_render(const char *answer, unsigned char **png, int *png_len)
{
    int rc = -E_INTERNAL;
    int bg[3];
    gdImagePtr small = NULL, im = NULL;
    void *gdpng = NULL;
    int size = 0;

    if (png == NULL || png_len == NULL)
        return -E_INVALID;
    *png = NULL;
    *png_len = 0;
    if (answer == NULL || !valid_answer(answer))
        return -E_INVALID;
    if (sodium_init() < 0)
        return -E_INTERNAL;

    for (int i = 0; i < 3; i++)
        bg[i] = rnd(225, 255);
    small = draw_text(answer, bg);
    im = gdImageCreate(CAPTCHA_WIDTH, CAPTCHA_HEIGHT);
    if (small == NULL || im == NULL)
        goto out;
    (void)gdImageColorAllocate(im, bg[0], bg[1], bg[2]);
    gdImageCopyResized(im, small, 0, 0, 0, 0, CAPTCHA_WIDTH, CAPTCHA_HEIGHT, SMALL_W,
                       SMALL_H);
    draw_noise(im);

    gdpng = gdImagePngPtr(im, &size);
    if (gdpng == NULL || size <= 0)
        goto out;
    /* A copy, so callers free() it and need not know about gdFree(). */
    *png = malloc((size_t)size);
    if (*png == NULL)
        goto out;
    memcpy(*png, gdpng, (size_t)size);
    *png_len = size;
    rc = 0;
out:
    if (gdpng != NULL)
        gdFree(gdpng);
    if (im != NULL)
        gdImageDestroy(im);
    if (small != NULL)
        gdImageDestroy(small);
    return rc;
}

void captcha_answer(char answer[CAPTCHA_LEN + 1])
{
    static const char alphabet[] = CAPTCHA_ALPHABET;

    for (int i = 0; i < CAPTCHA_LEN; i++)
        answer[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    answer[CAPTCHA_LEN] = '\0';
}

int captcha_new(char answer[CAPTCHA_LEN + 1], unsigned char **png, int *png_len)
{
    int rc;

    if (answer == NULL || png == NULL || png_len == NULL)
        return -E_INVALID;
    answer[0] = '\0';
    *png = NULL;
    *png_len = 0;
    if (sodium_init() < 0)
        return -E_INTERNAL;

    captcha_answer(answer);
    rc = captcha_render(answer, png, png_len);
    if (rc != 0)
        sodium_memzero(answer, CAPTCHA_LEN + 1);
    return rc;
}

/* Copies an answer of exactly CAPTCHA_LEN characters to out in upper case. */
static int fold(const char *s, unsigned char out[CAPTCHA_LEN])
{
    size_t i;

    for (i = 0; i < CAPTCHA_LEN && s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        /* Without a branch or a locale table: data-independent timing. */
        unsigned char lower = (unsigned char)((unsigned)(c - 'a') < 26u);

        out[i] = (unsigned char)(c - (lower << 5));
    }
    return i == CAPTCHA_LEN && s[CAPTCHA_LEN] == '\0';
}

int captcha_check(const char *expected, const char *given)
{
    unsigned char e[CAPTCHA_LEN], g[CAPTCHA_LEN];

    if (expected == NULL || given == NULL || !fold(expected, e) || !fold(given, g))
        return -E_CODE_WRONG;
    return sodium_memcmp(e, g, CAPTCHA_LEN) == 0 ? 0 : -E_CODE_WRONG;
}
