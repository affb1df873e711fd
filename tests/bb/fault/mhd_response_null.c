/*
 * Fault injection for tests/bb/unchecked.test.mjs (LD_PRELOAD): libmicrohttpd
 * fails to make a response (as it does when out of memory) for every answer
 * whose body holds the marker "fail-this-response"; every other answer is
 * made by the real function.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <microhttpd.h>
#include <string.h>

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode)
{
    static const char marker[] = "fail-this-response";
    struct MHD_Response *(*real)(size_t, void *, enum MHD_ResponseMemoryMode) =
        (struct MHD_Response * (*)(size_t, void *, enum MHD_ResponseMemoryMode)) dlsym(RTLD_NEXT, __func__);
    if (buffer && memmem(buffer, size, marker, sizeof(marker) - 1))
        return NULL;
    return real(size, buffer, mode);
}
