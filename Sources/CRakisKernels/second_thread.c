#include "rakis_kernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define RELAX() _mm_pause()
#else
#define RELAX() ((void)0)
#endif

// One helper thread that runs part 1 of a two-part job while the caller runs part 0. A forward
// pass hands it dozens of short jobs in a row (every split layer), and waking a sleeping thread
// costs more than a short text's whole layer on this kind of machine (a halted virtual CPU is
// woken by the hypervisor), so the helper spins a little while (about 0.1 ms) after each job
// before it sleeps, unless every CPU already has a pass of its own to run.

enum { HELPER_SPINS = 4000, CALLER_SPINS = 4000 };

static atomic_int passes_in_flight = 0;

void rakis_pass_began(void) { atomic_fetch_add_explicit(&passes_in_flight, 1, memory_order_relaxed); }
void rakis_pass_ended(void) { atomic_fetch_sub_explicit(&passes_in_flight, 1, memory_order_relaxed); }

// Read once per process (every thread computes the same answer, so the race is harmless).
static int usable_cpus(void) {
    static volatile int cpus = 0;
    if (cpus == 0) cpus = rakis_usable_cpus();
    return cpus;
}

static int every_cpu_has_a_pass(void) {
    return atomic_load_explicit(&passes_in_flight, memory_order_relaxed) >= usable_cpus();
}

int rakis_may_split(void) { return usable_cpus() > 1 && !every_cpu_has_a_pass(); }

static pthread_once_t started = PTHREAD_ONCE_INIT;
static int helper_running = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t posted_changed = PTHREAD_COND_INITIALIZER;
static atomic_int claimed = 0;      // a caller owns the helper
static atomic_uint posted = 0;      // the job number last handed over
static atomic_uint finished = 0;    // the job number last finished
static void (*job)(void *context, int part);
static void *job_context;

static void *helper_main(void *unused) {
    (void)unused;
    unsigned seen = 0;
    for (;;) {
        for (int spins = 0; atomic_load_explicit(&posted, memory_order_acquire) == seen; spins++) {
            if (spins < HELPER_SPINS && !every_cpu_has_a_pass()) { RELAX(); continue; }
            pthread_mutex_lock(&lock);
            while (atomic_load_explicit(&posted, memory_order_acquire) == seen) pthread_cond_wait(&posted_changed, &lock);
            pthread_mutex_unlock(&lock);
        }
        seen = atomic_load_explicit(&posted, memory_order_acquire);
        job(job_context, 1);
        atomic_store_explicit(&finished, seen, memory_order_release);
    }
    return NULL;
}

static void start_helper(void) {
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    helper_running = pthread_create(&thread, &attributes, helper_main, NULL) == 0;
    pthread_attr_destroy(&attributes);
}

void rakis_run_in_two(void (*body)(void *context, int part), void *context) {
    pthread_once(&started, start_helper);
    int expected = 0;
    // Busy (another worker's pass holds it) or missing: both parts here, one after the other.
    if (!helper_running || !atomic_compare_exchange_strong(&claimed, &expected, 1)) {
        body(context, 0);
        body(context, 1);
        return;
    }
    job = body;
    job_context = context;
    unsigned number = atomic_load(&posted) + 1;
    pthread_mutex_lock(&lock);
    atomic_store_explicit(&posted, number, memory_order_release);
    pthread_cond_signal(&posted_changed);
    pthread_mutex_unlock(&lock);
    body(context, 0);
    for (int spins = 0; atomic_load_explicit(&finished, memory_order_acquire) != number; spins++) {
        if (spins < CALLER_SPINS) RELAX(); else sched_yield();
    }
    atomic_store(&claimed, 0);
}
