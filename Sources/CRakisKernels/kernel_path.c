#define _GNU_SOURCE
#include "rakis_kernels.h"
#include <stdlib.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#endif

// Which path every kernel takes: decided once per process.
int rakis_kernels_avx2(void) {
#if defined(__x86_64__)
    // Read once per process (every thread computes the same answer, so the race is harmless).
    static volatile int decided = -1;
    if (decided < 0) {
        const char *portable = getenv("RAKIS_PORTABLE_KERNELS");
        int forced = portable != NULL && portable[0] == '1';
        decided = !forced && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
    }
    return decided;
#else
    return 0;
#endif
}

int rakis_usable_cpus(void) {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}
