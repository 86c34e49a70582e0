/* Every client function of the C ABI against a live toz-server: registration with and without
 * backup, records with versions, query and search, sharing and revoking, authorizers, client
 * info, backup listing and recovery, and the failure paths (wrong token, used-up one-time token,
 * revoked reader, stale version, unknown record). Run through scripts/with-server.sh. */
#define _POSIX_C_SOURCE 200809L /* popen */
#include <stdbool.h>

#include "live.h"

static const char *api_url, *token;

static toz_client *client_of(const toz_credentials *c) {
  toz_client *client = SENTINEL;
  EXPECT_OK(toz_client_new(c, NULL, &client));
  return client;
}

static toz_credentials *registered(const char *name, bool backup) {
  toz_credentials *c = SENTINEL;
  EXPECT_OK(toz_register(api_url, token, name, backup, NULL, &c));
  CHECK(c != NULL && c != SENTINEL);
  return c;
}

static char *id_of(const toz_client *client) {
  char *info = SENTINEL, *id;
  EXPECT_OK(toz_client_public_info(client, &info));
  id = json_get(info, "client_id");
  CHECK(id != NULL && strlen(id) == 36);
  toz_free_string(info);
  return id;
}

static void records_with_versions(toz_client *alice) {
  char *rec = SENTINEL, *read = SENTINEL, *updated = SENTINEL, *id, *version, *new_version, *edited;
  EXPECT_OK(toz_client_write_record(alice, "contact", "{\"name\":\"Alice\",\"ssn\":\"123-45-6789\"}",
                                    "{\"team\":\"blue\"}", &rec));
  id = json_get(rec, "record_id");
  version = json_get(rec, "version");
  CHECK(id && version);
  CHECK_CONTAINS(rec, "\"team\":\"blue\"");
  toz_free_string(rec);

  EXPECT_OK(toz_client_read_record(alice, id, NULL, &read));
  CHECK_CONTAINS(read, "\"ssn\":\"123-45-6789\"");
  edited = replace_once(read, "\"Alice\"", "\"Alice B.\"");
  toz_free_string(read);
  read = SENTINEL;
  EXPECT_OK(toz_client_read_record(alice, id, "[\"name\"]", &read));
  CHECK_CONTAINS(read, "\"name\":\"Alice\"");
  CHECK_LACKS(read, "ssn");
  toz_free_string(read);

  EXPECT_OK(toz_client_update_record(alice, edited, &updated));
  new_version = json_get(updated, "version");
  CHECK(new_version && strcmp(new_version, version) != 0);
  toz_free_string(updated);
  updated = SENTINEL;
  /* The old version is stale now. */
  EXPECT_HTTP(toz_client_update_record(alice, edited, &updated), CONFLICT, 409);
  CHECK(updated == SENTINEL);
  EXPECT_HTTP(toz_client_delete_record(alice, id, version), CONFLICT, 409);
  EXPECT_OK(toz_client_delete_record(alice, id, new_version));
  read = SENTINEL;
  EXPECT_HTTP(toz_client_read_record(alice, id, NULL, &read), NOT_FOUND, 404);
  CHECK(read == SENTINEL);
  free(edited);
  free(new_version);
  free(version);
  free(id);
}

static void query_and_search(toz_client *alice) {
  char *out = SENTINEL;
  for (int i = 0; i < 3; i++) {
    char *rec = SENTINEL;
    EXPECT_OK(toz_client_write_record(alice, "paint", "{\"n\":\"x\"}", i ? "{\"color\":\"red\"}" : "{\"color\":\"green\"}", &rec));
    toz_free_string(rec);
  }
  EXPECT_OK(toz_client_query(alice,
                             "{\"content_types\":[\"paint\"],\"include_data\":true,"
                             "\"plain\":{\"eq\":{\"name\":\"color\",\"value\":\"red\"}}}",
                             &out));
  CHECK_CONTAINS(out, "\"n\":\"x\"");
  CHECK_LACKS(out, "green");
  toz_free_string(out);
  out = SENTINEL;
  EXPECT_OK(toz_client_search(alice, "{\"include_data\":true,\"match\":[{\"terms\":{\"content_types\":[\"paint\"]}}]}", &out));
  CHECK_CONTAINS(out, "\"total_results\":3");
  toz_free_string(out);
  out = SENTINEL;
  EXPECT_HTTP(toz_client_query(alice, "{\"after_index\":-99}", &out), HTTP, 400);
  CHECK(out == SENTINEL);
}

static void sharing_and_authorizers(toz_client *alice, toz_client *bob, toz_client *carol) {
  char *rec = SENTINEL, *read = SENTINEL, *list = SENTINEL, *id;
  char *alice_id = id_of(alice), *bob_id = id_of(bob), *carol_id = id_of(carol);
  EXPECT_OK(toz_client_write_record(alice, "medical", "{\"note\":\"penicillin\"}", NULL, &rec));
  id = json_get(rec, "record_id");
  toz_free_string(rec);

  EXPECT_HTTP(toz_client_read_record(bob, id, NULL, &read), FORBIDDEN, 403);
  EXPECT_OK(toz_client_share(alice, "medical", bob_id));
  EXPECT_OK(toz_client_read_record(bob, id, NULL, &read));
  CHECK_CONTAINS(read, "penicillin");
  toz_free_string(read);
  EXPECT_OK(toz_client_outgoing_shares(alice, &list));
  CHECK_CONTAINS(list, bob_id);
  toz_free_string(list);
  EXPECT_OK(toz_client_incoming_shares(bob, &list));
  CHECK_CONTAINS(list, alice_id);
  toz_free_string(list);
  EXPECT_OK(toz_client_revoke(alice, "medical", bob_id));
  read = SENTINEL;
  EXPECT_HTTP(toz_client_read_record(bob, id, NULL, &read), FORBIDDEN, 403);
  CHECK(read == SENTINEL);

  /* carol becomes alice's authorizer and shares with bob on her behalf. */
  /* Refused by the library itself: carol holds no copy of alice's key. */
  EXPECT_KIND(toz_client_share_on_behalf_of(carol, alice_id, "medical", bob_id), FORBIDDEN);
  EXPECT_OK(toz_client_add_authorizer(alice, "medical", carol_id));
  EXPECT_OK(toz_client_authorizers(alice, &list));
  CHECK_CONTAINS(list, carol_id);
  toz_free_string(list);
  EXPECT_OK(toz_client_granted_authorizations(carol, &list));
  CHECK_CONTAINS(list, alice_id);
  toz_free_string(list);
  EXPECT_OK(toz_client_share_on_behalf_of(carol, alice_id, "medical", bob_id));
  EXPECT_OK(toz_client_read_record(bob, id, NULL, &read));
  CHECK_CONTAINS(read, "penicillin");
  toz_free_string(read);
  EXPECT_OK(toz_client_revoke_on_behalf_of(carol, alice_id, "medical", bob_id));
  read = SENTINEL;
  EXPECT_HTTP(toz_client_read_record(bob, id, NULL, &read), FORBIDDEN, 403);
  EXPECT_OK(toz_client_remove_authorizer(alice, "medical", carol_id));
  free(id);
  free(alice_id);
  free(bob_id);
  free(carol_id);
}

static void client_info(toz_client *alice, toz_client *bob) {
  char *info = SENTINEL, *bob_id = id_of(bob);
  EXPECT_OK(toz_client_info(alice, bob_id, &info));
  CHECK_CONTAINS(info, bob_id);
  CHECK_CONTAINS(info, "curve25519");
  toz_free_string(info);
  info = SENTINEL;
  EXPECT_HTTP(toz_client_info(alice, "doesnt exist", &info), NOT_FOUND, 404);
  CHECK(info == SENTINEL);
  free(bob_id);
}

static void backup_and_recovery(const toz_credentials *alice_creds, toz_client *alice) {
  toz_credentials *queen_creds = SENTINEL, *recovered = SENTINEL;
  toz_client *queen, *again;
  char *list = SENTINEL, *alice_id = id_of(alice), *rec = SENTINEL, *read = SENTINEL, *id, *want, *got;
  EXPECT_OK(toz_credentials_load_file(live_env("TOZ_TEST_BACKUP_CREDENTIALS"), &queen_creds));
  queen = client_of(queen_creds);
  EXPECT_OK(toz_client_list_backups(queen, &list));
  CHECK_CONTAINS(list, alice_id);
  toz_free_string(list);
  EXPECT_OK(toz_client_recover_credentials(queen, alice_id, &recovered));
  want = credentials_json(alice_creds);
  got = credentials_json(recovered);
  CHECK_STR_EQ(want, got);
  again = client_of(recovered);
  EXPECT_OK(toz_client_write_record(alice, "diary", "{\"entry\":\"recovered\"}", NULL, &rec));
  id = json_get(rec, "record_id");
  toz_free_string(rec);
  EXPECT_OK(toz_client_read_record(again, id, NULL, &read));
  CHECK_CONTAINS(read, "recovered");
  toz_free_string(read);
  toz_free_credentials(recovered);
  recovered = SENTINEL;
  /* No backup of that client: reported by the library after an empty query. */
  EXPECT_KIND(toz_client_recover_credentials(queen, "00000000-0000-4000-8000-000000000009", &recovered), NOT_FOUND);
  CHECK(recovered == SENTINEL);
  toz_free_client(again);
  toz_free_client(queen);
  free(id);
  free(want);
  free(got);
  free(alice_id);
  toz_free_credentials(queen_creds);
}

static void registration_failures(void) {
  toz_credentials *c = SENTINEL;
  char command[1024], *one_time;
  EXPECT_HTTP(toz_register(api_url, "not-a-token", "x", false, NULL, &c), FORBIDDEN, 403);
  CHECK(c == SENTINEL);
  snprintf(command, sizeof command, "\"%s\" token create --database \"%s\" --email \"%s\" --uses 1",
           live_env("TOZ_SERVER_BIN"), live_env("TOZ_TEST_DATABASE"), live_env("TOZ_TEST_ACCOUNT_EMAIL"));
  one_time = command_output(command);
  EXPECT_OK(toz_register(api_url, one_time, "first", false, NULL, &c));
  toz_free_credentials(c);
  c = SENTINEL;
  EXPECT_HTTP(toz_register(api_url, one_time, "second", false, NULL, &c), FORBIDDEN, 403);
  CHECK(c == SENTINEL);
  free(one_time);
}

int main(void) {
  toz_credentials *alice_creds, *bob_creds, *carol_creds;
  toz_client *alice, *bob, *carol;
  api_url = live_env("TOZ_TEST_API_URL");
  token = live_env("TOZ_TEST_REGISTRATION_TOKEN");

  alice_creds = registered("alice", true);
  bob_creds = registered("bob", false);
  carol_creds = registered("carol", false);
  alice = client_of(alice_creds);
  bob = client_of(bob_creds);
  carol = client_of(carol_creds);

  records_with_versions(alice);
  query_and_search(alice);
  sharing_and_authorizers(alice, bob, carol);
  client_info(alice, bob);
  backup_and_recovery(alice_creds, alice);
  registration_failures();

  toz_free_client(carol);
  toz_free_client(bob);
  toz_free_client(alice);
  toz_free_credentials(carol_creds);
  toz_free_credentials(bob_creds);
  toz_free_credentials(alice_creds);
  puts("test_client_live: ok");
  return 0;
}
