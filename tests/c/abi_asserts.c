/* ABI pins: the TOZ_ERROR_KIND_* numbers, the sizes of ABI types, and the constants exposed both
 * as macros and as functions. header_coverage checks that every kind in toz.h is listed here. */
#include <stdint.h>

#include "check.h"

/* Every error kind and its number. A number is ABI: never change one here, only add. */
#define TOZ_ERROR_KINDS(X) \
  X(INVALID_ARGUMENT, 1)   \
  X(NULL_ARGUMENT, 2)      \
  X(INVALID_UTF8, 3)       \
  X(JSON, 4)               \
  X(CRYPTO, 5)             \
  X(NETWORK, 6)            \
  X(HTTP, 7)               \
  X(UNAUTHORIZED, 8)       \
  X(NOT_FOUND, 9)          \
  X(CONFLICT, 10)          \
  X(FORBIDDEN, 11)         \
  X(RATE_LIMITED, 12)      \
  X(SERVER, 13)            \
  X(TIMEOUT, 14)           \
  X(TLS, 15)               \
  X(IO, 16)                \
  X(WRONG_PASSPHRASE, 17)  \
  X(ALREADY_EXISTS, 18)    \
  X(SIGNATURE, 19)         \
  X(INSECURE_TRANSPORT, 20)\
  X(CLOSED, 21)            \
  X(CANCELLED, 22)         \
  X(PANIC, 255)

#define PIN_KIND(name, value) _Static_assert(TOZ_ERROR_KIND_##name == (value), "TOZ_ERROR_KIND_" #name " is ABI");
TOZ_ERROR_KINDS(PIN_KIND)

_Static_assert(sizeof(toz_error_kind) == sizeof(uint32_t), "toz_error_kind is 32 bits");
_Static_assert((toz_error_kind)-1 > 0, "toz_error_kind is unsigned");
_Static_assert(TOZ_ABI_VERSION == 2, "this suite pins ABI version 2");
_Static_assert(TOZ_VERSION_MAJOR >= 0 && TOZ_VERSION_MINOR >= 0 && TOZ_VERSION_PATCH >= 0, "version macros are numbers");

/* toz_progress_fn's signature is ABI (version 2: it returns int; non-zero cancels). Assigning a
 * function of exactly that type fails to compile, under -Werror, if the typedef changes. */
static int progress_of_the_abi(void *user_data, uint32_t stage, uint64_t done, uint64_t total) {
  (void)user_data, (void)stage, (void)done, (void)total;
  return 0;
}
static toz_progress_fn const pinned_progress_fn = progress_of_the_abi;

int main(void) {
  char expected[32];
  toz_credentials *c = SENTINEL;
  toz_error *err;

  /* The library is the one the header describes. */
  CHECK_STR_EQ(toz_version(), TOZ_VERSION_STRING);
  snprintf(expected, sizeof expected, "%d.%d.%d", TOZ_VERSION_MAJOR, TOZ_VERSION_MINOR, TOZ_VERSION_PATCH);
  CHECK_STR_EQ(TOZ_VERSION_STRING, expected);
  CHECK(toz_version() == toz_version()); /* static, never freed */
  CHECK(toz_abi_version() == TOZ_ABI_VERSION);
  CHECK(pinned_progress_fn(NULL, 1, 0, 0) == 0);

  /* Kinds cross the ABI as the pinned numbers; the message names the NULL argument. */
  err = toz_credentials_generate(NULL, NULL);
  CHECK(err != NULL);
  CHECK(toz_error_get_kind(err) == 2);
  CHECK_CONTAINS(toz_error_get_message(err), "credentials_out");
  CHECK(toz_error_get_http_status(err) == 0);
  toz_free_error(err);
  err = toz_credentials_generate("\xff", &c);
  CHECK(toz_error_get_kind(err) == 3);
  CHECK_CONTAINS(toz_error_get_message(err), "api_url");
  toz_free_error(err);
  CHECK(c == SENTINEL);

  /* Error getters and free functions accept NULL. */
  CHECK(toz_error_get_kind(NULL) == TOZ_ERROR_KIND_NULL_ARGUMENT);
  CHECK(toz_error_get_message(NULL) != NULL && toz_error_get_message(NULL)[0] == '\0');
  CHECK(toz_error_get_http_status(NULL) == 0);
  toz_free_error(NULL);
  toz_free_string(NULL);
  toz_free_credentials(NULL);
  toz_free_access_key(NULL);

  puts("abi_asserts: ok");
  return 0;
}
