#include "base/lowprio.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/errors.h"
#include "base/log.h"

struct job {
    void (*fn)(void *);
    void *arg;
    int done;
    pthread_cond_t cv;
    struct job *next;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    int stopping, n, nice;
    pthread_t *threads;
} L = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *worker(void *unused)
{
    (void)unused;
    pthread_setname_np(pthread_self(), "userd-argon2");
    /* Linux: the nice value is per thread (PRIO_PROCESS with a thread id). */
    if (L.nice >= LOWPRIO_IDLE) {
        struct sched_param sp = {0};
        int err = pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
        if (err)
            log_warn("hashing thread: cannot take the idle scheduling class: %s", strerror(err));
    } else if (L.nice && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), L.nice)) {
        log_warn("hashing thread: cannot lower its priority: %s", strerror(errno));
    }

    pthread_mutex_lock(&L.mu);
    for (;;) {
        while (!L.head && !L.stopping)
            pthread_cond_wait(&L.cv, &L.mu);
        struct job *j = L.head;
        if (!j)
            break; /* stopping, and nothing left */
        L.head = j->next;
        if (!L.head)
            L.tail = NULL;
        pthread_mutex_unlock(&L.mu);
        j->fn(j->arg);
        pthread_mutex_lock(&L.mu);
        j->done = 1;
        pthread_cond_signal(&j->cv);
    }
    pthread_mutex_unlock(&L.mu);
    return NULL;
}

int lowprio_start(int n, int nice)
{
    L.nice = nice < 0 ? 0 : nice > LOWPRIO_IDLE ? LOWPRIO_IDLE : nice;
    L.stopping = 0;
    L.threads = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*L.threads));
    for (int i = 0; i < n; i++) {
        if (pthread_create(&L.threads[i], NULL, worker, NULL))
            return -E_INTERNAL;
        L.n++;
    }
    return 0;
}

void lowprio_run(void (*fn)(void *), void *arg)
{
    struct job j = {.fn = fn, .arg = arg};
    pthread_mutex_lock(&L.mu);
    if (!L.n || L.stopping) {
        pthread_mutex_unlock(&L.mu);
        fn(arg);
        return;
    }
    pthread_cond_init(&j.cv, NULL);
    if (L.tail)
        L.tail->next = &j;
    else
        L.head = &j;
    L.tail = &j;
    pthread_cond_signal(&L.cv);
    while (!j.done)
        pthread_cond_wait(&j.cv, &L.mu);
    pthread_mutex_unlock(&L.mu);
    pthread_cond_destroy(&j.cv);
}

void lowprio_stop(void)
{
    pthread_mutex_lock(&L.mu);
    L.stopping = 1;
    pthread_cond_broadcast(&L.cv);
    pthread_mutex_unlock(&L.mu);
    for (int i = 0; i < L.n; i++)
        pthread_join(L.threads[i], NULL);
    free(L.threads);
    L.threads = NULL;
    L.n = 0;
}
