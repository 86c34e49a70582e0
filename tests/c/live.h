/* Helpers for the C tests that talk to a live toz-server (started by scripts/with-server.sh,
 * which exports TOZ_TEST_API_URL, TOZ_TEST_REGISTRATION_TOKEN, TOZ_TEST_BACKUP_CREDENTIALS,
 * TOZ_TEST_ACCOUNT_EMAIL, TOZ_TEST_DATABASE and TOZ_SERVER_BIN). A missing variable is a
 * failure, never a silent skip. */
#ifndef TOZ_TEST_LIVE_H
#define TOZ_TEST_LIVE_H

#include "check.h"

static inline const char *live_env(const char *name) {
  const char *value = getenv(name);
  if (value == NULL || *value == '\0') {
    fprintf(stderr, "%s is not set: run the live C tests through scripts/with-server.sh (scripts/test-c.sh does)\n", name);
    exit(1);
  }
  return value;
}

/* `call` must fail with TOZ_ERROR_KIND_<kind> and carry HTTP status `status` (0: any 4xx). */
#define EXPECT_HTTP(call, kind, status) toz_test_expect_http(__FILE__, __LINE__, #call, (call), TOZ_ERROR_KIND_##kind, (status))

static inline void toz_test_expect_http(const char *file, int line, const char *expr, toz_error *err,
                                        toz_error_kind want, unsigned status) {
  toz_error_kind got = err ? toz_error_get_kind(err) : 0;
  unsigned http = err ? toz_error_get_http_status(err) : 0;
  int ok = err != NULL && got == want && (status ? http == status : (http >= 400 && http < 500));
  if (!ok) {
    fprintf(stderr, "%s:%d: %s\n  expected kind %u (HTTP %u), got kind %u (HTTP %u): \"%s\"\n", file, line, expr,
            (unsigned)want, status, (unsigned)got, http, err ? toz_error_get_message(err) : "no error");
    toz_free_error(err);
    exit(1);
  }
  toz_free_error(err);
}

/* The first line printed by a shell command (malloc'd, newline removed). */
static inline char *command_output(const char *command) {
  char line[512];
  FILE *p = popen(command, "r");
  CHECK(p != NULL);
  CHECK(fgets(line, sizeof line, p) != NULL);
  CHECK(pclose(p) == 0);
  line[strcspn(line, "\r\n")] = '\0';
  {
    char *out = malloc(strlen(line) + 1);
    CHECK(out != NULL);
    strcpy(out, line);
    return out;
  }
}

#endif /* TOZ_TEST_LIVE_H */
