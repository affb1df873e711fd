#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/captcha.h"

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* A PNG that libgd reads back at the advertised size. */
static void assert_png(const unsigned char *png, int len)
{
    gdImagePtr im;

    assert_non_null(png);
    assert_true(len > (int)sizeof png_sig);
    assert_memory_equal(png, png_sig, sizeof png_sig);
    im = gdImageCreateFromPngPtr(len, (void *)png);
    assert_non_null(im);
    assert_int_equal(gdImageSX(im), CAPTCHA_WIDTH);
    assert_int_equal(gdImageSY(im), CAPTCHA_HEIGHT);
    gdImageDestroy(im);
}

static void test_new(void **state)
{
    char answer[CAPTCHA_LEN + 1];
    unsigned char *png = NULL;
    int len = 0;

    (void)state;
    assert_int_equal(captcha_new(answer, &png, &len), 0);
    assert_int_equal(strlen(answer), CAPTCHA_LEN);
    assert_png(png, len);
    assert_int_equal(captcha_check(answer, answer), 0);
    free(png);
}

/* The one generator of answers (imgcode.c keeps them, captcha_new draws them): alphabet, length, spread. */
static void test_answer(void **state)
{
    int seen[256] = {0};

    (void)state;
    assert_true(sodium_init() >= 0);
    for (int round = 0; round < 1000; round++) {
        char answer[CAPTCHA_LEN + 1];

        memset(answer, 'x', sizeof(answer));
        captcha_answer(answer);
        assert_int_equal(strlen(answer), CAPTCHA_LEN);
        assert_int_equal(strspn(answer, CAPTCHA_ALPHABET), CAPTCHA_LEN);
        for (int i = 0; i < CAPTCHA_LEN; i++)
            seen[(unsigned char)answer[i]]++;
    }
    for (const char *p = CAPTCHA_ALPHABET; *p; p++)
        if (seen[(unsigned char)*p] == 0)
            fail_msg("'%c' never drawn", *p);
}

/* Answers use only the alphabet, and every letter of it turns up. */
static void test_alphabet(void **state)
{
    const char *alphabet = CAPTCHA_ALPHABET;
    size_t n = strlen(alphabet);
    int seen[256] = {0};

    (void)state;
    assert_null(strpbrk(alphabet, "0O1Il"));
    for (int round = 0; round < 400; round++) {
        char answer[CAPTCHA_LEN + 1];
        unsigned char *png = NULL;
        int len = 0;

        assert_int_equal(captcha_new(answer, &png, &len), 0);
        assert_int_equal(strlen(answer), CAPTCHA_LEN);
        assert_int_equal(strspn(answer, alphabet), CAPTCHA_LEN);
        for (int i = 0; i < CAPTCHA_LEN; i++)
            seen[(unsigned char)answer[i]]++;
        free(png);
    }
    /* 1600 draws from 32 symbols: a missing one means a broken draw. */
    for (size_t i = 0; i < n; i++) {
        if (seen[(unsigned char)alphabet[i]] == 0)
            fail_msg("'%c' never drawn", alphabet[i]);
    }
}

static void test_render(void **state)
{
    unsigned char *a = NULL, *b = NULL;
    int alen = 0, blen = 0;

    (void)state;
    assert_int_equal(captcha_render("AB2C", &a, &alen), 0);
    assert_png(a, alen);
    assert_int_equal(captcha_render("AB2C", &b, &blen), 0);
    assert_png(b, blen);
    /* Fresh noise each time. */
    assert_true(alen != blen || memcmp(a, b, (size_t)alen) != 0);
    free(a);
    free(b);
}

static void test_render_invalid(void **state)
{
    static const char *const bad[] = {"", "ABC", "ABCDE", "AB0C", "ABOC", "AB1C",
                                      "ABIC", "ablc", "AB C", "ab2c"};
    unsigned char *png = (unsigned char *)"sentinel";
    int len = 99;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(captcha_render(bad[i], &png, &len), -E_INVALID);
        assert_null(png);
        assert_int_equal(len, 0);
    }
    assert_int_equal(captcha_render(NULL, &png, &len), -E_INVALID);
    assert_int_equal(captcha_render("AB2C", NULL, &len), -E_INVALID);
    assert_int_equal(captcha_render("AB2C", &png, NULL), -E_INVALID);
}

static void test_new_invalid(void **state)
{
    char answer[CAPTCHA_LEN + 1];
    unsigned char *png = NULL;
    int len = 0;

    (void)state;
    assert_int_equal(captcha_new(NULL, &png, &len), -E_INVALID);
    assert_int_equal(captcha_new(answer, NULL, &len), -E_INVALID);
    assert_int_equal(captcha_new(answer, &png, NULL), -E_INVALID);
}

static void test_check(void **state)
{
    static const struct {
        const char *expected, *given;
        int rc;
    } v[] = {
        {"AB2C", "AB2C", 0},
        {"AB2C", "ab2c", 0},
        {"AB2C", "aB2c", 0},
        {"ab2c", "AB2C", 0},
        {"AB2C", "AB2D", -E_CODE_WRONG},
        {"AB2C", "XB2C", -E_CODE_WRONG},
        {"AB2C", "AB3C", -E_CODE_WRONG},
        {"AB2C", "AB2", -E_CODE_WRONG},
        {"AB2C", "AB2CD", -E_CODE_WRONG},
        {"AB2C", "AB2C ", -E_CODE_WRONG},
        {"AB2C", " AB2C", -E_CODE_WRONG},
        {"AB2C", "", -E_CODE_WRONG},
        {"", "", -E_CODE_WRONG},
        {"ABC", "ABC", -E_CODE_WRONG},
        {"A@2C", "A`2C", -E_CODE_WRONG}, /* only letters fold */
        {"AB[C", "AB{C", -E_CODE_WRONG},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (captcha_check(v[i].expected, v[i].given) != v[i].rc)
            fail_msg("captcha_check(\"%s\", \"%s\") != %d", v[i].expected, v[i].given,
                     v[i].rc);
    }
    assert_int_equal(captcha_check("AB2C", NULL), -E_CODE_WRONG);
    assert_int_equal(captcha_check(NULL, "AB2C"), -E_CODE_WRONG);
    assert_int_equal(captcha_check(NULL, NULL), -E_CODE_WRONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new),
        cmocka_unit_test(test_answer),
        cmocka_unit_test(test_alphabet),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_invalid),
        cmocka_unit_test(test_new_invalid),
        cmocka_unit_test(test_check),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
