/* The C baseline for the binding benchmarks (docs/bindings.md): the cost of toz_version() and of
 * an offline encrypt + decrypt of a 10-field record through the C ABI, where the record's
 * native form is its JSON text. Prints: BENCH c version_ns=<ns> roundtrip_us=<us> */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "toz.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void check(toz_error *err) {
    if (err != NULL) {
        fprintf(stderr, "error: %s\n", toz_error_get_message(err));
        exit(1);
    }
}

int main(void) {
    char record[1400];
    size_t at = 0;
    record[at++] = '{';
    for (int i = 0; i < 10; i++) {
        at += (size_t)sprintf(record + at, "%s\"f%d\":\"", i ? "," : "", i);
        memset(record + at, 'x', 100);
        at += 100;
        record[at++] = '"';
    }
    record[at++] = '}';
    record[at] = '\0';

    toz_access_key *ak = NULL;
    check(toz_access_key_generate(&ak));

    const int version_calls = 5000000;
    volatile const char *sink = NULL;
    double t = now();
    for (int i = 0; i < version_calls; i++) sink = toz_version();
    double version_ns = (now() - t) / version_calls * 1e9;
    (void)sink;

    const int rounds = 20000;
    t = now();
    for (int i = 0; i < rounds; i++) {
        char *enc = NULL, *dec = NULL;
        check(toz_record_encrypt(ak, record, &enc));
        check(toz_record_decrypt(ak, enc, &dec));
        toz_free_string(enc);
        toz_free_string(dec);
    }
    double roundtrip_us = (now() - t) / rounds * 1e6;
    toz_free_access_key(ak);
    printf("BENCH c version_ns=%.1f roundtrip_us=%.2f\n", version_ns, roundtrip_us);
    return 0;
}
