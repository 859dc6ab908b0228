/*
 * sha256.h - a small SHA-256 (FIPS 180-4) for the tests' fingerprints.
 */
#ifndef TPCH_TEST_SHA256_H
#define TPCH_TEST_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx
{
	uint32_t	h[8];
	uint64_t	bytes;
	unsigned char block[64];
	size_t		used;
} sha256_ctx;

void		sha256_init(sha256_ctx *c);
void		sha256_update(sha256_ctx *c, const void *data, size_t len);
void		sha256_final_hex(sha256_ctx *c, char hex[65]);
void		sha256_hex(const void *data, size_t len, char hex[65]);

#endif
