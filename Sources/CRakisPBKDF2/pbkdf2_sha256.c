// PBKDF2-HMAC-SHA256 on the x86 SHA extensions.
//
// Why this exists beside swift-crypto: the key file's 600,000 rounds are 1.2 million SHA-256
// compressions. swift-crypto's BoringSSL does them in about 0.06 s in a release build, but a
// debug build compiles its C without optimisation, and every `rakis` a test starts spent about
// 0.2 s there (a tenth of the test phase's CPU). This file is always optimised (Package.swift)
// and computes the same bytes; RakisCore's `PBKDF2` falls back to swift-crypto on CPUs without
// the extensions, and a test compares the two.
//
// The rounds stay in 32-bit words: after the first, every HMAC input is one 32-byte digest, so
// each round is two compressions of a block whose words are the previous digest's, a fixed
// padding word and the fixed bit length, with no byte conversion in between.

#include "rakis_pbkdf2.h"

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>
#include <immintrin.h>
#include <string.h>

static const uint32_t initial_state[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const uint32_t round_constants[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

int rakis_pbkdf2_sha256_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    const int sha = (ebx >> 29) & 1;
    return ssse3 && sse41 && sha;
}

/// One compression of the 16 message words `w` (w[0] first, as read big-endian) into `state`
/// (a..h). The extensions keep the state as ABEF and CDGH; it is rearranged on entry and exit.
__attribute__((target("sha,ssse3,sse4.1")))
static void compress(uint32_t state[8], const uint32_t w[16]) {
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    const __m128i abef_start = abef, cdgh_start = cdgh;

    __m128i schedule[4];
#pragma clang loop unroll(full)
    for (int group = 0; group < 16; group++) {
        __m128i words;
        if (group < 4) {
            words = _mm_loadu_si128((const __m128i *)&w[4 * group]);
        } else {
            // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], four words at a time.
            const __m128i back4 = schedule[group % 4], back3 = schedule[(group + 1) % 4];
            const __m128i back2 = schedule[(group + 2) % 4], back1 = schedule[(group + 3) % 4];
            words = _mm_sha256msg1_epu32(back4, back3);
            words = _mm_add_epi32(words, _mm_alignr_epi8(back1, back2, 4));
            words = _mm_sha256msg2_epu32(words, back1);
        }
        schedule[group % 4] = words;
        __m128i message = _mm_add_epi32(words, _mm_load_si128((const __m128i *)&round_constants[4 * group]));
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);
        message = _mm_shuffle_epi32(message, 0x0E);
        abef = _mm_sha256rnds2_epu32(abef, cdgh, message);
    }
    abef = _mm_add_epi32(abef, abef_start);
    cdgh = _mm_add_epi32(cdgh, cdgh_start);

    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

static uint32_t load_big_endian(const uint8_t *bytes) {
    return ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) | ((uint32_t)bytes[2] << 8) | bytes[3];
}

static void compress_bytes(uint32_t state[8], const uint8_t block[64]) {
    uint32_t w[16];
    for (int i = 0; i < 16; i++) w[i] = load_big_endian(block + 4 * i);
    compress(state, w);
}

/// Hashes `length` bytes on from `state`, which has already taken `prefix_length` bytes (whole
/// blocks), padding as SHA-256 does; the digest is left in `state`.
static void hash_tail(uint32_t state[8], uint64_t prefix_length, const uint8_t *data, size_t length) {
    const uint64_t bits = (prefix_length + length) * 8;
    while (length >= 64) {
        compress_bytes(state, data);
        data += 64;
        length -= 64;
    }
    uint8_t block[128] = {0};
    memcpy(block, data, length);
    block[length] = 0x80;
    const size_t total = length + 9 <= 64 ? 64 : 128;
    for (int i = 0; i < 8; i++) block[total - 1 - i] = (uint8_t)(bits >> (8 * i));
    compress_bytes(state, block);
    if (total == 128) compress_bytes(state, block + 64);
}

int rakis_pbkdf2_sha256(const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
                        uint32_t iterations, uint8_t *out, size_t out_length) {
    if (iterations == 0 || !rakis_pbkdf2_sha256_available()) return 0;

    // HMAC's key: the password, or its digest when longer than a block, zero-padded.
    uint8_t key[64] = {0};
    if (password_length > 64) {
        uint32_t digest[8];
        memcpy(digest, initial_state, sizeof digest);
        hash_tail(digest, 0, password, password_length);
        for (int i = 0; i < 8; i++) {
            key[4 * i] = (uint8_t)(digest[i] >> 24), key[4 * i + 1] = (uint8_t)(digest[i] >> 16);
            key[4 * i + 2] = (uint8_t)(digest[i] >> 8), key[4 * i + 3] = (uint8_t)digest[i];
        }
    } else if (password_length > 0) {
        memcpy(key, password, password_length);
    }
    uint32_t inner_start[8], outer_start[8];
    uint8_t padded[64];
    memcpy(inner_start, initial_state, sizeof inner_start);
    memcpy(outer_start, initial_state, sizeof outer_start);
    for (int i = 0; i < 64; i++) padded[i] = key[i] ^ 0x36;
    compress_bytes(inner_start, padded);
    for (int i = 0; i < 64; i++) padded[i] = key[i] ^ 0x5c;
    compress_bytes(outer_start, padded);

    // The first round of each output block hashes salt ‖ INT(block index): the salt's whole
    // blocks once, the rest (under 64 bytes) and the index per output block.
    uint32_t salted_start[8];
    memcpy(salted_start, inner_start, sizeof salted_start);
    const size_t whole = salt_length / 64 * 64, rest = salt_length - whole;
    for (size_t offset = 0; offset < whole; offset += 64) compress_bytes(salted_start, salt + offset);
    uint8_t tail[64 + 4];
    if (rest > 0) memcpy(tail, salt + whole, rest);

    // A round's blocks: the 32-byte digest, 0x80, zeros, and the bit length of 64 + 32 bytes.
    uint32_t message[16] = {0};
    message[8] = 0x80000000u;
    message[15] = (64 + 32) * 8;

    for (uint32_t index = 1; out_length > 0; index++) {
        tail[rest] = (uint8_t)(index >> 24), tail[rest + 1] = (uint8_t)(index >> 16);
        tail[rest + 2] = (uint8_t)(index >> 8), tail[rest + 3] = (uint8_t)index;

        uint32_t digest[8], sum[8];
        memcpy(digest, salted_start, sizeof digest);
        hash_tail(digest, 64 + whole, tail, rest + 4);
        memcpy(message, digest, sizeof digest);
        memcpy(digest, outer_start, sizeof digest);
        compress(digest, message);
        memcpy(sum, digest, sizeof sum);

        for (uint32_t round = 1; round < iterations; round++) {
            memcpy(message, digest, sizeof digest);
            memcpy(digest, inner_start, sizeof digest);
            compress(digest, message);
            memcpy(message, digest, sizeof digest);
            memcpy(digest, outer_start, sizeof digest);
            compress(digest, message);
            for (int i = 0; i < 8; i++) sum[i] ^= digest[i];
        }

        const size_t take = out_length < 32 ? out_length : 32;
        for (size_t i = 0; i < take; i++) *out++ = (uint8_t)(sum[i / 4] >> (24 - 8 * (i % 4)));
        out_length -= take;
    }
    return 1;
}

#else  // Other CPUs: swift-crypto computes it (RakisCore's PBKDF2).

int rakis_pbkdf2_sha256_available(void) { return 0; }

int rakis_pbkdf2_sha256(const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
                        uint32_t iterations, uint8_t *out, size_t out_length) {
    (void)password, (void)password_length, (void)salt, (void)salt_length, (void)iterations, (void)out, (void)out_length;
    return 0;
}

#endif
