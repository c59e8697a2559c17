#define _GNU_SOURCE
#include "rakis_kernels.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#endif

static int widest_supported(void) {
#if defined(__x86_64__)
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return RAKIS_PATH_PORTABLE;
    return __builtin_cpu_supports("avx512f") ? RAKIS_PATH_AVX512 : RAKIS_PATH_AVX2;
#else
    return RAKIS_PATH_PORTABLE;
#endif
}

// The environment may only narrow the path (tests compare the paths through whole passes);
// asking for a path the CPU lacks gets the widest it has.
static int path_from_environment(int widest) {
    const char *portable = getenv("RAKIS_PORTABLE_KERNELS");
    if (portable != NULL && portable[0] == '1') return RAKIS_PATH_PORTABLE;
    const char *asked = getenv("RAKIS_KERNELS");
    if (asked == NULL) return widest;
    int wanted = widest;
    if (strcmp(asked, "portable") == 0) wanted = RAKIS_PATH_PORTABLE;
    else if (strcmp(asked, "avx2") == 0) wanted = RAKIS_PATH_AVX2;
    return wanted < widest ? wanted : widest;
}

// Which path every kernel takes: decided once per process.
int rakis_kernels_path(void) {
    // Read once per process (every thread computes the same answer, so the race is harmless).
    static volatile int decided = -1;
    if (decided < 0) decided = path_from_environment(widest_supported());
    return decided;
}

int rakis_kernels_widest_path(void) { return widest_supported(); }

const char *rakis_kernels_path_name(int path) {
    switch (path) {
    case RAKIS_PATH_AVX512: return "AVX-512";
    case RAKIS_PATH_AVX2: return "AVX2 with FMA";
    default: return "portable";
    }
}

int rakis_usable_cpus(void) {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}
