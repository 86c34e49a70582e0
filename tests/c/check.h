/* Tiny assertion helpers for the C tests. Every failed check prints where and exits 1. */
#ifndef TOZ_TEST_CHECK_H
#define TOZ_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toz.h"

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);        \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

#define CHECK_STR_EQ(a, b) CHECK(strcmp((a), (b)) == 0)
#define CHECK_CONTAINS(haystack, needle) CHECK(strstr((haystack), (needle)) != NULL)
#define CHECK_LACKS(haystack, needle) CHECK(strstr((haystack), (needle)) == NULL)

/* A distinct, valid address that out-parameters are set to before a call expected to fail. */
static inline void *toz_test_sentinel(void) {
  static char object;
  return &object;
}
#define SENTINEL toz_test_sentinel()

/* Argon2id work factors small enough for valgrind (libsodium's minimum accepted by toz). */
#define FAST_SEAL "{\"opslimit\":1,\"memlimit\":8388608}"
/* Not UTF-8. */
#define BAD_UTF8 "\xff\xfe"

/* `call` must succeed (return NULL). */
#define EXPECT_OK(call) toz_test_expect(__FILE__, __LINE__, #call, (call), 0, NULL)
/* `call` must fail with TOZ_ERROR_KIND_<kind>; the error is freed. */
#define EXPECT_KIND(call, kind) toz_test_expect(__FILE__, __LINE__, #call, (call), TOZ_ERROR_KIND_##kind, NULL)
/* As EXPECT_KIND, and the message must not contain `secret`. */
#define EXPECT_KIND_HIDING(call, kind, secret) \
  toz_test_expect(__FILE__, __LINE__, #call, (call), TOZ_ERROR_KIND_##kind, (secret))

static inline void toz_test_expect(const char *file, int line, const char *expr, toz_error *err,
                            toz_error_kind want, const char *secret) {
  toz_error_kind got = err ? toz_error_get_kind(err) : 0;
  const char *msg = toz_error_get_message(err);
  int ok = got == want;
  if (err) {
    /* Every error explains itself, and offline errors carry no HTTP status. */
    ok = ok && msg != NULL && msg[0] != '\0' && toz_error_get_http_status(err) == 0;
    ok = ok && (secret == NULL || strstr(msg, secret) == NULL);
  }
  if (!ok) {
    fprintf(stderr, "%s:%d: %s\n  expected kind %u, got kind %u: \"%s\"%s\n", file, line, expr,
            (unsigned)want, (unsigned)got, msg ? msg : "(null)",
            secret && err && strstr(msg, secret) ? " (message leaks a secret)" : "");
    toz_free_error(err);
    exit(1);
  }
  toz_free_error(err);
}

/* Copies the string value of "key" from flat JSON text into a new malloc'd string (or NULL). */
static inline char *json_get(const char *json, const char *key) {
  char pattern[64];
  const char *p, *end;
  char *out;
  snprintf(pattern, sizeof pattern, "\"%s\"", key);
  p = strstr(json, pattern);
  if (!p) return NULL;
  p += strlen(pattern);
  while (*p == ' ' || *p == ':') p++;
  if (*p++ != '"' || !(end = strchr(p, '"'))) return NULL;
  out = malloc((size_t)(end - p) + 1);
  CHECK(out != NULL);
  memcpy(out, p, (size_t)(end - p));
  out[end - p] = '\0';
  return out;
}

/* `text` with the first `old` replaced by `new_text` (malloc'd). */
static inline char *replace_once(const char *text, const char *old, const char *new_text) {
  const char *at = strstr(text, old);
  char *out;
  CHECK(at != NULL);
  out = malloc(strlen(text) - strlen(old) + strlen(new_text) + 1);
  CHECK(out != NULL);
  memcpy(out, text, (size_t)(at - text));
  strcpy(out + (at - text), new_text);
  strcat(out, at + strlen(old));
  return out;
}

/* New credentials (api_url NULL for the default). */
static inline toz_credentials *new_credentials(const char *api_url) {
  toz_credentials *c = SENTINEL;
  EXPECT_OK(toz_credentials_generate(api_url, &c));
  CHECK(c != NULL && c != SENTINEL);
  return c;
}

/* A malloc'd copy of a string the library returned; the library string is freed at once. */
static inline char *take_string(char *s) {
  char *copy;
  CHECK(s != NULL && s != SENTINEL);
  copy = malloc(strlen(s) + 1);
  CHECK(copy != NULL);
  strcpy(copy, s);
  toz_free_string(s);
  return copy;
}

/* The e3db.json text of `c` (malloc'd). */
static inline char *credentials_json(const toz_credentials *c) {
  char *json = SENTINEL;
  EXPECT_OK(toz_credentials_to_json(c, &json));
  return take_string(json);
}

/* The public_key (base64url) of `c`, malloc'd. */
static inline char *public_key_of(const toz_credentials *c) {
  char *info = SENTINEL, *key;
  EXPECT_OK(toz_credentials_public_info(c, &info));
  key = json_get(info, "public_key");
  CHECK(key != NULL && strlen(key) == 43);
  toz_free_string(info);
  return key;
}

static inline toz_access_key *new_access_key(void) {
  toz_access_key *ak = SENTINEL;
  EXPECT_OK(toz_access_key_generate(&ak));
  CHECK(ak != NULL && ak != SENTINEL);
  return ak;
}

#endif /* TOZ_TEST_CHECK_H */
