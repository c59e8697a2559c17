#ifndef RAKIS_PBKDF2_H
#define RAKIS_PBKDF2_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the x86 SHA extensions (and the SSSE3 and SSE4.1 they need), else 0.
int rakis_pbkdf2_sha256_available(void);

/// PBKDF2-HMAC-SHA256 (RFC 8018) of `password` and `salt` with `iterations` rounds into
/// `out[0..<out_length]`, on the SHA extensions. Returns 1 when `out` holds the key; 0, with
/// nothing written, when this CPU lacks the extensions (use another implementation) or
/// `iterations` is 0.
int rakis_pbkdf2_sha256(const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
                        uint32_t iterations, uint8_t *out, size_t out_length);

#endif
