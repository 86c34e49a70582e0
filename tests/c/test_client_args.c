/* Argument checks of toz_register and every toz_client_* function, without a server: NULL for
 * each pointer argument, invalid UTF-8 for each string, malformed JSON, out-parameters untouched.
 * The client points at a loopback port where nothing listens, so an argument documented as
 * "may be NULL" shows it was accepted by getting as far as the network (TOZ_ERROR_KIND_NETWORK).
 * Behaviour against a real server is tested by the live tests. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <stdbool.h>
#include <unistd.h>

#include "check.h"

#define NOWHERE "http://127.0.0.1:1"
#define OPTIONS "{\"timeout_ms\":2000,\"retries\":0}"
#define ID "00000000-0000-4000-8000-000000000001"    /* this client */
#define OTHER "00000000-0000-4000-8000-000000000002" /* another client */

/* Credentials that look registered (ids and API key set) for the server at `api_url`. */
static toz_credentials *registered_credentials(const char *api_url) {
  toz_credentials *fresh = new_credentials(api_url), *c = SENTINEL;
  char *json = credentials_json(fresh), *a, *b, *d;
  a = replace_once(json, "\"client_id\": \"\"", "\"client_id\": \"" ID "\"");
  b = replace_once(a, "\"api_key_id\": \"\"", "\"api_key_id\": \"key-id\"");
  d = replace_once(b, "\"api_secret\": \"\"", "\"api_secret\": \"key-secret\"");
  EXPECT_OK(toz_credentials_from_json(d, &c));
  free(json);
  free(a);
  free(b);
  free(d);
  toz_free_credentials(fresh);
  return c;
}

static void test_client_new(void) {
  toz_credentials *c = registered_credentials(NOWHERE), *unregistered = new_credentials(NOWHERE);
  toz_credentials *remote = registered_credentials("http://toz.invalid");
  toz_client *client = SENTINEL;

  EXPECT_OK(toz_client_new(c, NULL, &client)); /* options_json may be NULL */
  CHECK(client != NULL && client != SENTINEL);
  toz_free_client(client);
  client = SENTINEL;
  EXPECT_OK(toz_client_new(c, OPTIONS, &client));
  toz_free_client(client);

  /* Unregistered credentials give an anonymous client: notes only, nothing needing an account
   * (refused before any request is made). */
  client = SENTINEL;
  EXPECT_OK(toz_client_new(unregistered, NULL, &client));
  {
    char *record = SENTINEL;
    EXPECT_KIND(toz_client_write_record(client, "t", "{\"a\":\"b\"}", NULL, &record), INVALID_ARGUMENT);
    CHECK(record == SENTINEL);
  }
  toz_free_client(client);
  client = SENTINEL;
  EXPECT_KIND(toz_client_new(remote, NULL, &client), INSECURE_TRANSPORT);
  EXPECT_KIND(toz_client_new(c, "{\"timeout_ms\":", &client), JSON);
  EXPECT_KIND(toz_client_new(c, "{\"no_such_option\":1}", &client), JSON);
  EXPECT_KIND(toz_client_new(c, "[1000]", &client), JSON); /* array: not an object */
  EXPECT_KIND(toz_client_new(NULL, NULL, &client), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_new(c, NULL, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_new(c, BAD_UTF8, &client), INVALID_UTF8);
  CHECK(client == SENTINEL);
  toz_free_client(NULL);

  toz_free_credentials(c);
  toz_free_credentials(unregistered);
  toz_free_credentials(remote);
}

static void test_register(void) {
  toz_credentials *c = SENTINEL;

  EXPECT_KIND(toz_register(NOWHERE, "token", "name", false, NULL, &c), NETWORK);
  EXPECT_KIND(toz_register(NOWHERE, "token", "name", true, OPTIONS, &c), NETWORK);
  EXPECT_KIND(toz_register("http://toz.invalid", "token", "name", false, NULL, &c), INSECURE_TRANSPORT);
  EXPECT_KIND(toz_register(NOWHERE, "token", "name", false, "{\"retries\":", &c), JSON);
  EXPECT_KIND(toz_register(NOWHERE, "", "name", false, NULL, &c), INVALID_ARGUMENT);
  EXPECT_KIND(toz_register(NOWHERE, "token", "", false, NULL, &c), INVALID_ARGUMENT);
  EXPECT_KIND(toz_register(NULL, "token", "name", false, NULL, &c), NULL_ARGUMENT);
  EXPECT_KIND(toz_register(NOWHERE, NULL, "name", false, NULL, &c), NULL_ARGUMENT);
  EXPECT_KIND(toz_register(NOWHERE, "token", NULL, false, NULL, &c), NULL_ARGUMENT);
  EXPECT_KIND(toz_register(NOWHERE, "token", "name", false, NULL, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_register(BAD_UTF8, "token", "name", false, NULL, &c), INVALID_UTF8);
  EXPECT_KIND(toz_register(NOWHERE, BAD_UTF8, "name", false, NULL, &c), INVALID_UTF8);
  EXPECT_KIND(toz_register(NOWHERE, "token", BAD_UTF8, false, NULL, &c), INVALID_UTF8);
  EXPECT_KIND(toz_register(NOWHERE, "token", "name", false, BAD_UTF8, &c), INVALID_UTF8);
  CHECK(c == SENTINEL);
}

/* Functions of the form f(client, char **json_out). */
typedef toz_error *(*list_fn)(const toz_client *, char **);

static void test_lists(const toz_client *client) {
  static const list_fn fns[] = {toz_client_outgoing_shares, toz_client_incoming_shares, toz_client_authorizers,
                                toz_client_granted_authorizations, toz_client_list_backups};
  size_t i;
  char *out = SENTINEL;
  for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    EXPECT_KIND(fns[i](client, &out), NETWORK);
    EXPECT_KIND(fns[i](NULL, &out), NULL_ARGUMENT);
    EXPECT_KIND(fns[i](client, NULL), NULL_ARGUMENT);
  }
  CHECK(out == SENTINEL);
}

/* Functions of the form f(client, const char *a, const char *b). */
typedef toz_error *(*pair_fn)(const toz_client *, const char *, const char *);
/* Functions of the form f(client, const char *writer, const char *type, const char *reader). */
typedef toz_error *(*triple_fn)(const toz_client *, const char *, const char *, const char *);

static void test_sharing(const toz_client *client) {
  static const pair_fn pairs[] = {toz_client_share, toz_client_revoke, toz_client_add_authorizer,
                                  toz_client_remove_authorizer};
  static const triple_fn triples[] = {toz_client_share_on_behalf_of, toz_client_revoke_on_behalf_of};
  size_t i;
  for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    EXPECT_KIND(pairs[i](client, "notes", OTHER), NETWORK);
    EXPECT_KIND(pairs[i](NULL, "notes", OTHER), NULL_ARGUMENT);
    EXPECT_KIND(pairs[i](client, NULL, OTHER), NULL_ARGUMENT);
    EXPECT_KIND(pairs[i](client, "notes", NULL), NULL_ARGUMENT);
    EXPECT_KIND(pairs[i](client, BAD_UTF8, OTHER), INVALID_UTF8);
    EXPECT_KIND(pairs[i](client, "notes", BAD_UTF8), INVALID_UTF8);
  }
  for (i = 0; i < sizeof triples / sizeof triples[0]; i++) {
    EXPECT_KIND(triples[i](client, OTHER, "notes", OTHER), NETWORK);
    EXPECT_KIND(triples[i](NULL, OTHER, "notes", OTHER), NULL_ARGUMENT);
    EXPECT_KIND(triples[i](client, NULL, "notes", OTHER), NULL_ARGUMENT);
    EXPECT_KIND(triples[i](client, OTHER, NULL, OTHER), NULL_ARGUMENT);
    EXPECT_KIND(triples[i](client, OTHER, "notes", NULL), NULL_ARGUMENT);
    EXPECT_KIND(triples[i](client, BAD_UTF8, "notes", OTHER), INVALID_UTF8);
    EXPECT_KIND(triples[i](client, OTHER, BAD_UTF8, OTHER), INVALID_UTF8);
    EXPECT_KIND(triples[i](client, OTHER, "notes", BAD_UTF8), INVALID_UTF8);
  }
}

static void test_clients(const toz_client *client) {
  char *out = SENTINEL;
  toz_credentials *creds = SENTINEL;

  EXPECT_KIND(toz_client_info(client, ID, &out), NETWORK);
  EXPECT_KIND(toz_client_info(NULL, ID, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_info(client, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_info(client, ID, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_info(client, BAD_UTF8, &out), INVALID_UTF8);
  CHECK(out == SENTINEL);

  EXPECT_KIND(toz_client_recover_credentials(client, ID, &creds), NETWORK);
  EXPECT_KIND(toz_client_recover_credentials(NULL, ID, &creds), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_recover_credentials(client, NULL, &creds), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_recover_credentials(client, ID, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_recover_credentials(client, BAD_UTF8, &creds), INVALID_UTF8);
  CHECK(creds == SENTINEL);
}

static void test_records(const toz_client *client) {
  const char *data = "{\"a\":\"b\"}", *plain = "{\"tag\":\"x\"}";
  const char *record = "{\"meta\":{\"record_id\":\"" ID "\",\"writer_id\":\"" ID "\",\"user_id\":\"" ID
                       "\",\"type\":\"notes\",\"plain\":{},\"version\":\"v1\"},\"data\":{\"a\":\"b\"}}";
  char *out = SENTINEL;

  EXPECT_KIND(toz_client_write_record(client, "notes", data, plain, &out), NETWORK);
  EXPECT_KIND(toz_client_write_record(client, "notes", data, NULL, &out), NETWORK); /* plain may be NULL */
  EXPECT_KIND(toz_client_write_record(NULL, "notes", data, plain, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_write_record(client, NULL, data, plain, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_write_record(client, "notes", NULL, plain, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_write_record(client, "notes", data, plain, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_write_record(client, BAD_UTF8, data, plain, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_write_record(client, "notes", BAD_UTF8, plain, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_write_record(client, "notes", data, BAD_UTF8, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_write_record(client, "notes", "{\"a\":", plain, &out), JSON);
  EXPECT_KIND(toz_client_write_record(client, "notes", data, "[1]", &out), JSON);
  EXPECT_KIND(toz_client_write_record(client, "notes", data, "{\"tag\":1}", &out), JSON);

  EXPECT_KIND(toz_client_read_record(client, ID, NULL, &out), NETWORK); /* fields may be NULL */
  EXPECT_KIND(toz_client_read_record(client, ID, "[\"a\"]", &out), NETWORK);
  EXPECT_KIND(toz_client_read_record(NULL, ID, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_read_record(client, NULL, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_read_record(client, ID, NULL, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_read_record(client, BAD_UTF8, NULL, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_read_record(client, ID, BAD_UTF8, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_read_record(client, ID, "[\"a\"", &out), JSON);
  EXPECT_KIND(toz_client_read_record(client, ID, "{\"a\":1}", &out), JSON);

  EXPECT_KIND(toz_client_update_record(client, record, &out), NETWORK);
  EXPECT_KIND(toz_client_update_record(NULL, record, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_update_record(client, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_update_record(client, record, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_update_record(client, BAD_UTF8, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_update_record(client, "{\"meta\":", &out), JSON);
  EXPECT_KIND(toz_client_update_record(client, "\"record\"", &out), JSON);
  EXPECT_KIND(toz_client_update_record(client, "[]", &out), JSON); /* array: not an object */

  EXPECT_KIND(toz_client_delete_record(client, ID, "v1"), NETWORK);
  EXPECT_KIND(toz_client_delete_record(client, ID, NULL), NETWORK); /* version may be NULL */
  EXPECT_KIND(toz_client_delete_record(NULL, ID, "v1"), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_delete_record(client, NULL, "v1"), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_delete_record(client, BAD_UTF8, "v1"), INVALID_UTF8);
  EXPECT_KIND(toz_client_delete_record(client, ID, BAD_UTF8), INVALID_UTF8);

  /* query and search: f(client, request_json, results_json_out) */
  {
    static const struct {
      toz_error *(*fn)(const toz_client *, const char *, char **);
      const char *request;
    } requests[] = {{toz_client_query, "{\"count\":10}"}, {toz_client_search, "{\"limit\":10}"}};
    size_t i;
    for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
      EXPECT_KIND(requests[i].fn(client, requests[i].request, &out), NETWORK);
      EXPECT_KIND(requests[i].fn(NULL, "{}", &out), NULL_ARGUMENT);
      EXPECT_KIND(requests[i].fn(client, NULL, &out), NULL_ARGUMENT);
      EXPECT_KIND(requests[i].fn(client, "{}", NULL), NULL_ARGUMENT);
      EXPECT_KIND(requests[i].fn(client, BAD_UTF8, &out), INVALID_UTF8);
      EXPECT_KIND(requests[i].fn(client, "{\"count\":", &out), JSON);
      EXPECT_KIND(requests[i].fn(client, "[1]", &out), JSON);
      EXPECT_KIND(requests[i].fn(client, "\"text\"", &out), JSON);
    }
  }
  CHECK(out == SENTINEL);
}

static void test_public_info(const toz_client *client) {
  char *out = SENTINEL;
  EXPECT_OK(toz_client_public_info(client, &out));
  out = take_string(out);
  CHECK_CONTAINS(out, "\"client_id\":\"" ID "\"");
  CHECK_LACKS(out, "private");
  CHECK_LACKS(out, "key-secret");
  free(out);
  out = SENTINEL;
  EXPECT_KIND(toz_client_public_info(NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_public_info(client, NULL), NULL_ARGUMENT);
  CHECK(out == SENTINEL);
}

/* write_note and replace_note: f(client, data_json, recipient_json, options_json, note_json_out). */
typedef toz_error *(*note_write_fn)(const toz_client *, const char *, const char *, const char *, char **);
/* read_note and read_note_by_name: f(client, id, note_json_out). */
typedef toz_error *(*note_read_fn)(const toz_client *, const char *, char **);

static void test_notes(const toz_client *client) {
  static const note_write_fn writes[] = {toz_client_write_note, toz_client_replace_note};
  static const note_read_fn reads[] = {toz_client_read_note, toz_client_read_note_by_name};
  const char *data = "{\"a\":\"b\"}", *options = "{\"id_string\":\"n1\",\"max_views\":3}";
  toz_credentials *reader = new_credentials(NULL);
  char *info = SENTINEL, *pk, *spk, recipient[256], *out = SENTINEL;
  size_t i;

  EXPECT_OK(toz_credentials_public_info(reader, &info));
  pk = json_get(info, "public_key");
  spk = json_get(info, "public_signing_key");
  CHECK(pk != NULL && spk != NULL);
  snprintf(recipient, sizeof recipient, "{\"public_key\":\"%s\",\"public_signing_key\":\"%s\"}", pk, spk);

  EXPECT_KIND(toz_client_write_note(client, data, recipient, NULL, &out), NETWORK); /* options may be NULL */
  EXPECT_KIND(toz_client_replace_note(client, data, recipient, NULL, &out), INVALID_ARGUMENT); /* needs a name */
  for (i = 0; i < sizeof writes / sizeof writes[0]; i++) {
    EXPECT_KIND(writes[i](client, data, recipient, options, &out), NETWORK);
    EXPECT_KIND(writes[i](NULL, data, recipient, options, &out), NULL_ARGUMENT);
    EXPECT_KIND(writes[i](client, NULL, recipient, options, &out), NULL_ARGUMENT);
    EXPECT_KIND(writes[i](client, data, NULL, options, &out), NULL_ARGUMENT);
    EXPECT_KIND(writes[i](client, data, recipient, options, NULL), NULL_ARGUMENT);
    EXPECT_KIND(writes[i](client, BAD_UTF8, recipient, options, &out), INVALID_UTF8);
    EXPECT_KIND(writes[i](client, data, BAD_UTF8, options, &out), INVALID_UTF8);
    EXPECT_KIND(writes[i](client, data, recipient, BAD_UTF8, &out), INVALID_UTF8);
    EXPECT_KIND(writes[i](client, "{\"a\":", recipient, options, &out), JSON);
    EXPECT_KIND(writes[i](client, "[1]", recipient, options, &out), JSON);
    EXPECT_KIND(writes[i](client, data, "{\"public_key\":", options, &out), JSON);
    EXPECT_KIND(writes[i](client, data, "{}", options, &out), JSON);
    EXPECT_KIND(writes[i](client, data, recipient, "{\"max_views\":", &out), JSON);
    EXPECT_KIND(writes[i](client, data, recipient, "{\"no_such_option\":1}", &out), JSON);
    EXPECT_KIND(writes[i](client, data, recipient, "[\"n1\"]", &out), JSON); /* array: not an object */
  }
  for (i = 0; i < sizeof reads / sizeof reads[0]; i++) {
    EXPECT_KIND(reads[i](client, OTHER, &out), NETWORK);
    EXPECT_KIND(reads[i](NULL, OTHER, &out), NULL_ARGUMENT);
    EXPECT_KIND(reads[i](client, NULL, &out), NULL_ARGUMENT);
    EXPECT_KIND(reads[i](client, OTHER, NULL), NULL_ARGUMENT);
    EXPECT_KIND(reads[i](client, BAD_UTF8, &out), INVALID_UTF8);
  }
  CHECK(out == SENTINEL);

  /* Gated notes: read_note_with_eacp and challenge_note take a request naming one note. */
  {
    static const note_read_fn requests[] = {toz_client_read_note_with_eacp, toz_client_challenge_note};
    const char *by_id = "{\"note_id\":\"" ID "\",\"email_otp\":\"x\"}";
    for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
      EXPECT_KIND(requests[i](client, i == 0 ? by_id : "{\"id_string\":\"n\"}", &out), NETWORK);
      EXPECT_KIND(requests[i](NULL, by_id, &out), NULL_ARGUMENT);
      EXPECT_KIND(requests[i](client, NULL, &out), NULL_ARGUMENT);
      EXPECT_KIND(requests[i](client, by_id, NULL), NULL_ARGUMENT);
      EXPECT_KIND(requests[i](client, BAD_UTF8, &out), INVALID_UTF8);
      EXPECT_KIND(requests[i](client, "{\"note_id\":", &out), JSON);
      EXPECT_KIND(requests[i](client, "[1]", &out), JSON);
      EXPECT_KIND(requests[i](client, "{\"no_such_key\":1}", &out), JSON);
      EXPECT_KIND(requests[i](client, "{}", &out), INVALID_ARGUMENT); /* names no note */
      EXPECT_KIND(requests[i](client, "{\"note_id\":\"a\",\"id_string\":\"b\"}", &out), INVALID_ARGUMENT);
    }
    EXPECT_KIND(toz_client_prime_note(client, ID, 0, &out), NETWORK);
    EXPECT_KIND(toz_client_prime_note(NULL, ID, 0, &out), NULL_ARGUMENT);
    EXPECT_KIND(toz_client_prime_note(client, NULL, 0, &out), NULL_ARGUMENT);
    EXPECT_KIND(toz_client_prime_note(client, ID, 0, NULL), NULL_ARGUMENT);
    EXPECT_KIND(toz_client_prime_note(client, BAD_UTF8, 0, &out), INVALID_UTF8);
    EXPECT_KIND(toz_client_prime_note(client, ID, -1, &out), INVALID_ARGUMENT);
    EXPECT_KIND(toz_client_prime_note(client, "", 0, &out), INVALID_ARGUMENT);
    EXPECT_KIND(writes[0](client, data, recipient, "{\"eacp\":[1]}", &out), JSON);
    EXPECT_KIND(writes[0](client, data, recipient, "{\"eacp\":{\"tozny_otp_eacp\":{\"include\":true}}}", &out),
                NETWORK);
    CHECK(out == SENTINEL);
  }

  EXPECT_KIND(toz_client_delete_note(client, OTHER), NETWORK);
  EXPECT_KIND(toz_client_delete_note(NULL, OTHER), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_delete_note(client, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_delete_note(client, BAD_UTF8), INVALID_UTF8);

  free(pk);
  free(spk);
  toz_free_string(info);
  toz_free_credentials(reader);
}

static int on_progress(void *user_data, uint32_t stage, uint64_t done, uint64_t total) {
  (void)stage, (void)done, (void)total;
  ++*(int *)user_data;
  return 0;
}

static void test_files(const toz_client *client) {
  char path[] = "/tmp/toz-c-upload-XXXXXX", dest[64];
  const char *plain = "{\"name\":\"x\"}";
  char *out = SENTINEL;
  int fd = mkstemp(path), calls = 0;

  CHECK(fd >= 0 && write(fd, "hello", 5) == 5 && close(fd) == 0);
  snprintf(dest, sizeof dest, "%s.out", path);

  /* progress and user_data may be NULL; plain_json may be NULL. */
  EXPECT_KIND(toz_client_write_file(client, "files", path, plain, on_progress, &calls, &out), NETWORK);
  EXPECT_KIND(toz_client_write_file(client, "files", path, NULL, NULL, NULL, &out), NETWORK);
  EXPECT_KIND(toz_client_write_file(NULL, "files", path, plain, NULL, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_write_file(client, NULL, path, plain, NULL, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_write_file(client, "files", NULL, plain, NULL, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_write_file(client, "files", path, plain, NULL, NULL, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_write_file(client, BAD_UTF8, path, plain, NULL, NULL, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_write_file(client, "files", BAD_UTF8, plain, NULL, NULL, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_write_file(client, "files", path, BAD_UTF8, NULL, NULL, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_write_file(client, "files", path, "{\"name\":", NULL, NULL, &out), JSON);
  EXPECT_KIND(toz_client_write_file(client, "files", path, "{\"size\":5}", NULL, NULL, &out), JSON);

  /* A failed download leaves nothing at the destination. */
  EXPECT_KIND(toz_client_read_file(client, OTHER, dest, on_progress, &calls, &out), NETWORK);
  EXPECT_KIND(toz_client_read_file(client, OTHER, dest, NULL, NULL, &out), NETWORK);
  CHECK(access(dest, F_OK) != 0);
  EXPECT_KIND(toz_client_read_file(NULL, OTHER, dest, NULL, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_read_file(client, NULL, dest, NULL, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_read_file(client, OTHER, NULL, NULL, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_read_file(client, OTHER, dest, NULL, NULL, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_client_read_file(client, BAD_UTF8, dest, NULL, NULL, &out), INVALID_UTF8);
  EXPECT_KIND(toz_client_read_file(client, OTHER, BAD_UTF8, NULL, NULL, &out), INVALID_UTF8);
  CHECK(out == SENTINEL);
  CHECK(unlink(path) == 0);
}

int main(void) {
  toz_credentials *c;
  toz_client *client = SENTINEL;

  test_client_new();
  test_register();

  c = registered_credentials(NOWHERE);
  EXPECT_OK(toz_client_new(c, OPTIONS, &client));
  toz_free_credentials(c); /* the client keeps its own copy */
  test_lists(client);
  test_sharing(client);
  test_clients(client);
  test_records(client);
  test_public_info(client);
  test_notes(client);
  test_files(client);
  toz_free_client(client);

  puts("test_client_args: ok");
  return 0;
}
