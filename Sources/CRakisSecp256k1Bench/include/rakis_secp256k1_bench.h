#ifndef RAKIS_SECP256K1_BENCH_H
#define RAKIS_SECP256K1_BENCH_H

/// The reference for `rakis-bench ethereum`: signer recovery as a tight C loop over the same
/// libsecp256k1 calls rakis makes (parse, normalize check, recoverable parse, recover,
/// serialize). Returns the number of successful recoveries; the last public key goes to out65.
int rakis_bench_recover(const unsigned char *digest32, const unsigned char *rs64, int recovery_id, int count, unsigned char *out65);

#endif
