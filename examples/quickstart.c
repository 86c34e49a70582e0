/*
 * toz quickstart: the whole life of a record, in C, against a toz-server.
 *
 *   1. register a client (with a credential backup) using a registration token
 *   2. write an encrypted record and read it back
 *   3. register a second client and share the record type with it; it reads the record
 *   4. revoke the share; the second client is refused
 *   5. recover the first client's credentials from its backup, as the account owner,
 *      and read the record with them
 *
 * Environment: TOZ_API_URL, TOZ_REGISTRATION_TOKEN and TOZ_BACKUP_CREDENTIALS (path of the
 * account backup client's e3db.json, printed by `toz-server account create`). The README's demo
 * command (scripts/demo.sh) starts a server and sets them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toz.h"

/* Prints a failed call's error, frees it, and exits. */
static void check(toz_error *err, const char *what) {
    if (err == NULL) return;
    fprintf(stderr, "%s failed: %s (kind %u, HTTP %u)\n", what, toz_error_get_message(err),
            (unsigned)toz_error_get_kind(err), (unsigned)toz_error_get_http_status(err));
    toz_free_error(err);
    exit(1);
}

static const char *env(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || *value == '\0') {
        fprintf(stderr, "%s is not set (run this through scripts/demo.sh)\n", name);
        exit(2);
    }
    return value;
}

/* Extracts "key":"value" from a small JSON text (enough for a demo's ids; real programs use a
 * JSON parser). The result is malloc'd. */
static char *json_string(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(json, pattern);
    if (start == NULL) return NULL;
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    char *out = malloc((size_t)(end - start) + 1);
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return out;
}

static char *client_id_of(const toz_credentials *creds) {
    char *info = NULL;
    check(toz_credentials_public_info(creds, &info), "toz_credentials_public_info");
    char *id = json_string(info, "client_id");
    toz_free_string(info);
    return id;
}

int main(void) {
    const char *api_url = env("TOZ_API_URL");
    const char *token = env("TOZ_REGISTRATION_TOKEN");
    const char *backup_path = env("TOZ_BACKUP_CREDENTIALS");
    printf("toz %s (ABI %u) talking to %s\n\n", toz_version(), (unsigned)toz_abi_version(), api_url);

    /* 1. Register alice with a backup of her credentials. */
    toz_credentials *alice_creds = NULL;
    check(toz_register(api_url, token, "alice", true, NULL, &alice_creds), "toz_register(alice)");
    char *alice_id = client_id_of(alice_creds);
    printf("1. registered alice as %s; her credentials are backed up to the account\n", alice_id);
    toz_client *alice = NULL;
    check(toz_client_new(alice_creds, NULL, &alice), "toz_client_new(alice)");

    /* 2. Write a record: data fields are encrypted here, plain meta stays searchable. */
    char *written = NULL;
    check(toz_client_write_record(alice, "medical-note", "{\"diagnosis\":\"seasonal allergies\"}",
                                  "{\"patient\":\"p-17\"}", &written),
          "toz_client_write_record");
    char *record_id = json_string(written, "record_id");
    printf("2. alice wrote record %s\n", record_id);
    toz_free_string(written);
    char *read = NULL;
    check(toz_client_read_record(alice, record_id, NULL, &read), "toz_client_read_record(alice)");
    printf("   alice reads it back: %s\n", read);
    toz_free_string(read);

    /* 3. Bob registers without a backup (his private key exists only here) and gets a share. */
    toz_credentials *bob_creds = NULL;
    check(toz_register(api_url, token, "bob", false, NULL, &bob_creds), "toz_register(bob)");
    char *bob_id = client_id_of(bob_creds);
    toz_client *bob = NULL;
    check(toz_client_new(bob_creds, NULL, &bob), "toz_client_new(bob)");
    check(toz_client_share(alice, "medical-note", bob_id), "toz_client_share");
    check(toz_client_read_record(bob, record_id, NULL, &read), "toz_client_read_record(bob)");
    printf("3. alice shared 'medical-note' with bob (%s); bob reads: %s\n", bob_id, read);
    toz_free_string(read);

    /* 4. Revoke: bob is refused from now on. */
    check(toz_client_revoke(alice, "medical-note", bob_id), "toz_client_revoke");
    toz_error *refused = toz_client_read_record(bob, record_id, NULL, &read);
    if (refused == NULL) {
        fprintf(stderr, "bob could still read after the revoke\n");
        return 1;
    }
    printf("4. alice revoked the share; bob is refused: %s (HTTP %u)\n", toz_error_get_message(refused),
           (unsigned)toz_error_get_http_status(refused));
    toz_free_error(refused);

    /* 5. The account owner recovers alice's credentials from the backup and reads as her. */
    toz_credentials *owner_creds = NULL;
    check(toz_credentials_load_file(backup_path, &owner_creds), "toz_credentials_load_file(backup client)");
    toz_client *owner = NULL;
    check(toz_client_new(owner_creds, NULL, &owner), "toz_client_new(backup client)");
    toz_credentials *recovered = NULL;
    check(toz_client_recover_credentials(owner, alice_id, &recovered), "toz_client_recover_credentials");
    toz_client *alice_again = NULL;
    check(toz_client_new(recovered, NULL, &alice_again), "toz_client_new(recovered alice)");
    check(toz_client_read_record(alice_again, record_id, NULL, &read), "toz_client_read_record(recovered alice)");
    printf("5. the account owner recovered alice's credentials from her backup; reading with them: %s\n", read);
    toz_free_string(read);

    toz_free_client(alice_again);
    toz_free_credentials(recovered);
    toz_free_client(owner);
    toz_free_credentials(owner_creds);
    toz_free_client(bob);
    toz_free_credentials(bob_creds);
    toz_free_client(alice);
    toz_free_credentials(alice_creds);
    free(bob_id);
    free(record_id);
    free(alice_id);
    printf("\nquickstart finished: every step worked.\n");
    return 0;
}
