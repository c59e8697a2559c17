#include "rakis_secp256k1_bench.h"
#include <secp256k1.h>
#include <secp256k1_recovery.h>

int rakis_bench_recover(const unsigned char *digest32, const unsigned char *rs64, int recovery_id, int count, unsigned char *out65) {
    secp256k1_context *context = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    int recovered = 0;
    for (int i = 0; i < count; i++) {
        secp256k1_ecdsa_signature plain, normalized;
        secp256k1_ecdsa_recoverable_signature signature;
        secp256k1_pubkey pubkey;
        size_t length = 65;
        if (!secp256k1_ecdsa_signature_parse_compact(context, &plain, rs64)) continue;
        if (secp256k1_ecdsa_signature_normalize(context, &normalized, &plain)) continue;
        if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, rs64, recovery_id)) continue;
        if (!secp256k1_ecdsa_recover(context, &pubkey, &signature, digest32)) continue;
        secp256k1_ec_pubkey_serialize(context, out65, &length, &pubkey, SECP256K1_EC_UNCOMPRESSED);
        recovered++;
    }
    secp256k1_context_destroy(context);
    return recovered;
}
