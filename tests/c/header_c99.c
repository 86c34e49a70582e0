/* The header compiles as strict C99 (-std=c99 -Wall -Wextra -Wpedantic -Werror) and links. */
#include "toz.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  toz_credentials *credentials = NULL;
  toz_access_key *access_key = NULL;
  toz_error_kind kind = TOZ_ERROR_KIND_NULL_ARGUMENT;
  struct toz_error *err = toz_credentials_generate(NULL, NULL);
  int ok = err != NULL && toz_error_get_kind(err) == kind;
  toz_free_error(err);
  toz_free_credentials(credentials);
  toz_free_access_key(access_key);
  ok = ok && strcmp(toz_version(), TOZ_VERSION_STRING) == 0;
  puts(ok ? "header_c99: ok" : "header_c99: FAILED");
  return ok ? 0 : 1;
}
