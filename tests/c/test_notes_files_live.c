/* Notes and large files through the C ABI against a live toz-server: notes between registered
 * clients and from an anonymous client, view limits, names, deletion, a reader who is not the
 * recipient; notes behind one-time codes (primed by the writer, or mailed by a challenge);
 * files with a progress callback, a shared reader, a revoked reader, and decryption that leaves
 * nothing behind on failure. Run through scripts/with-server.sh. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live.h"

static const char *api_url, *token;

static toz_client *registered_client_with(const char *name, const char *options_json) {
  toz_credentials *c = SENTINEL;
  toz_client *client = SENTINEL;
  EXPECT_OK(toz_register(api_url, token, name, false, NULL, &c));
  EXPECT_OK(toz_client_new(c, options_json, &client));
  toz_free_credentials(c);
  return client;
}

static toz_client *registered_client(const char *name) { return registered_client_with(name, NULL); }

/* `{"public_key":...,"public_signing_key":...}` of a client, malloc'd. */
static char *recipient_of(const toz_client *client) {
  char *info = SENTINEL, *pk, *spk, *out;
  EXPECT_OK(toz_client_public_info(client, &info));
  pk = json_get(info, "public_key");
  spk = json_get(info, "public_signing_key");
  out = malloc(strlen(pk) + strlen(spk) + 64);
  CHECK(out != NULL);
  sprintf(out, "{\"public_key\":\"%s\",\"public_signing_key\":\"%s\"}", pk, spk);
  toz_free_string(info);
  free(pk);
  free(spk);
  return out;
}

static void notes(toz_client *alice, toz_client *bob, toz_client *eve) {
  char *to_bob = recipient_of(bob), *note = SENTINEL, *read = SENTINEL, *id, name[80];
  toz_credentials *throwaway = new_credentials(api_url);
  toz_client *anonymous = SENTINEL;

  snprintf(name, sizeof name, "{\"id_string\":\"c-note-%ld\",\"max_views\":2}", (long)getpid());
  EXPECT_OK(toz_client_write_note(alice, "{\"secret\":\"the gate code is 4711\"}", to_bob, name, &note));
  CHECK_LACKS(note, "4711");
  id = json_get(note, "note_id");
  toz_free_string(note);
  EXPECT_OK(toz_client_read_note(bob, id, &read));
  CHECK_CONTAINS(read, "\"secret\":\"the gate code is 4711\"");
  toz_free_string(read);
  /* Not the recipient. */
  read = SENTINEL;
  EXPECT_HTTP(toz_client_read_note(eve, id, &read), FORBIDDEN, 403);
  CHECK(read == SENTINEL);
  /* The second view is the last one. */
  snprintf(name, sizeof name, "c-note-%ld", (long)getpid());
  EXPECT_OK(toz_client_read_note_by_name(bob, name, &read));
  toz_free_string(read);
  read = SENTINEL;
  EXPECT_HTTP(toz_client_read_note(bob, id, &read), NOT_FOUND, 404);
  free(id);

  /* Replace by name, then delete. */
  snprintf(name, sizeof name, "{\"id_string\":\"c-named-%ld\"}", (long)getpid());
  EXPECT_OK(toz_client_write_note(alice, "{\"v\":\"1\"}", to_bob, name, &note));
  toz_free_string(note);
  EXPECT_HTTP(toz_client_write_note(alice, "{\"v\":\"dup\"}", to_bob, name, &note), CONFLICT, 409);
  EXPECT_OK(toz_client_replace_note(alice, "{\"v\":\"2\"}", to_bob, name, &note));
  id = json_get(note, "note_id");
  toz_free_string(note);
  EXPECT_OK(toz_client_read_note(bob, id, &read));
  CHECK_CONTAINS(read, "\"v\":\"2\"");
  toz_free_string(read);
  EXPECT_OK(toz_client_delete_note(alice, id));
  EXPECT_HTTP(toz_client_read_note(bob, id, &read), NOT_FOUND, 404);
  free(id);

  /* An anonymous client (throwaway keys, no account) writes to bob. */
  EXPECT_OK(toz_client_new(throwaway, NULL, &anonymous));
  EXPECT_OK(toz_client_write_note(anonymous, "{\"hello\":\"from nobody\"}", to_bob, NULL, &note));
  id = json_get(note, "note_id");
  toz_free_string(note);
  EXPECT_OK(toz_client_read_note(bob, id, &read));
  CHECK_CONTAINS(read, "from nobody");
  toz_free_string(read);
  free(id);
  toz_free_client(anonymous);
  toz_free_credentials(throwaway);
  free(to_bob);
}

/* `{"note_id":"<id>"<extra>}` in `buf`. */
static const char *note_request(char *buf, size_t size, const char *id, const char *extra) {
  snprintf(buf, size, "{\"note_id\":\"%s\"%s}", id, extra);
  return buf;
}

/* The code of the newest mail about note `id` in TOZ_TEST_MAIL_DIR (malloc'd). */
static char *mailed_code(const char *id) {
  char command[1024];
  snprintf(command, sizeof command,
           "grep -l 'X-Toz-Note-Id: %s' '%s'/*.eml | sort | tail -n 1 | xargs sed -n 's/^One-time code: //p' | tr -d '\\r'",
           id, live_env("TOZ_TEST_MAIL_DIR"));
  return command_output(command);
}

/* Notes behind access control policies: a code from the writer (tozny_otp_eacp) and a code
 * mailed by a challenge (email_eacp), each good for one read. */
static void gated_notes(toz_client *alice, toz_client *bob, toz_client *eve) {
  char *to_bob = recipient_of(bob), *note = SENTINEL, *read = SENTINEL, *otp = SENTINEL, *answer = SENTINEL;
  char *id, *code, request[512], extra[256];

  EXPECT_OK(toz_client_write_note(alice, "{\"pin\":\"2468\"}", to_bob,
                                  "{\"eacp\":{\"tozny_otp_eacp\":{\"include\":true}}}", &note));
  CHECK_CONTAINS(note, "\"tozny_otp_eacp\"");
  id = json_get(note, "note_id");
  toz_free_string(note);
  EXPECT_HTTP(toz_client_read_note(bob, id, &read), FORBIDDEN, 403);
  EXPECT_HTTP(toz_client_prime_note(bob, id, 0, &otp), FORBIDDEN, 403);
  EXPECT_HTTP(toz_client_prime_note(eve, id, 0, &otp), FORBIDDEN, 403);
  CHECK(otp == SENTINEL);
  EXPECT_OK(toz_client_prime_note(alice, id, 5, &otp));
  CHECK(strlen(otp) == 64);
  snprintf(extra, sizeof extra, ",\"tozny_otp\":\"%s\"", otp);
  EXPECT_HTTP(toz_client_read_note_with_eacp(eve, note_request(request, sizeof request, id, extra), &read), FORBIDDEN,
              403);
  EXPECT_OK(toz_client_read_note_with_eacp(bob, note_request(request, sizeof request, id, extra), &read));
  CHECK_CONTAINS(read, "\"pin\":\"2468\"");
  toz_free_string(read);
  read = SENTINEL;
  /* Spent. */
  EXPECT_HTTP(toz_client_read_note_with_eacp(bob, request, &read), FORBIDDEN, 403);
  CHECK(read == SENTINEL);
  toz_free_string(otp);
  /* A note without the policy cannot be primed. */
  EXPECT_OK(toz_client_write_note(alice, "{\"a\":\"b\"}", to_bob, NULL, &note));
  free(id);
  id = json_get(note, "note_id");
  toz_free_string(note);
  otp = SENTINEL;
  EXPECT_HTTP(toz_client_prime_note(alice, id, 0, &otp), HTTP, 400);
  EXPECT_HTTP(toz_client_challenge_note(bob, note_request(request, sizeof request, id, ""), &answer), HTTP, 400);
  free(id);

  /* E-mail: the recipient challenges, the code arrives by mail. */
  EXPECT_OK(toz_client_write_note(alice, "{\"pin\":\"1357\"}", to_bob,
                                  "{\"eacp\":{\"email_eacp\":{\"email_address\":\"bob@example.com\"}}}", &note));
  id = json_get(note, "note_id");
  toz_free_string(note);
  EXPECT_HTTP(toz_client_challenge_note(eve, note_request(request, sizeof request, id, ""), &answer), FORBIDDEN, 403);
  CHECK(answer == SENTINEL);
  EXPECT_OK(toz_client_challenge_note(bob, note_request(request, sizeof request, id, ",\"expiry_minutes\":5"), &answer));
  CHECK_CONTAINS(answer, "\"expires_at\"");
  toz_free_string(answer);
  code = mailed_code(id);
  CHECK(strlen(code) == 64);
  snprintf(extra, sizeof extra, ",\"email_otp\":\"%s\"", code);
  EXPECT_OK(toz_client_read_note_with_eacp(bob, note_request(request, sizeof request, id, extra), &read));
  CHECK_CONTAINS(read, "\"pin\":\"1357\"");
  toz_free_string(read);
  free(code);
  free(id);
  free(to_bob);
}

struct progress {
  uint32_t first_stage, last_stage;
  uint64_t last_done, calls;
};

static int on_progress(void *user_data, uint32_t stage, uint64_t done, uint64_t total) {
  struct progress *p = user_data;
  CHECK(stage >= p->last_stage && stage >= 1 && stage <= 3);
  if (stage == p->last_stage) CHECK(done >= p->last_done);
  CHECK(done <= total);
  if (p->calls == 0) p->first_stage = stage;
  p->last_stage = stage;
  p->last_done = done;
  p->calls++;
  return 0;
}

/* Cancels the transfer once half of it is done (returns non-zero), counting its calls. */
static int cancel_halfway(void *user_data, uint32_t stage, uint64_t done, uint64_t total) {
  (void)stage;
  ++*(int *)user_data;
  return done * 2 >= total;
}

static void write_random_file(const char *path, size_t size) {
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  for (size_t i = 0; i < size; i++) fputc((int)((i * 2654435761u) >> 13) & 0xff, f);
  CHECK(fclose(f) == 0);
}

static bool same_files(const char *a, const char *b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int ca, cb;
  bool same = fa && fb;
  while (same && (ca = fgetc(fa)) != EOF) {
    cb = fgetc(fb);
    same = ca == cb;
  }
  same = same && fgetc(fb) == EOF;
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  return same;
}

static void files(toz_client *alice, toz_client *bob) {
  char dir[] = "/tmp/toz-c-files-XXXXXX", in[128], out[128], out2[128], *rec = SENTINEL, *id, *bob_id, *info = SENTINEL;
  struct progress up = {0, 0, 0, 0}, down = {0, 0, 0, 0}, first = {0, 0, 0, 0};
  toz_client *checksum_first;
  struct stat st;
  CHECK(mkdtemp(dir) != NULL);
  snprintf(in, sizeof in, "%s/in.bin", dir);
  snprintf(out, sizeof out, "%s/out.bin", dir);
  snprintf(out2, sizeof out2, "%s/out2.bin", dir);
  write_random_file(in, 3 * 65536 + 7);

  EXPECT_OK(toz_client_write_file(alice, "c-files", in, "{\"kind\":\"test\"}", on_progress, &up, &rec));
  /* toz-server takes the upload in one pass: stage 2 (uploading) only. */
  CHECK(up.calls >= 4 && up.first_stage == 2 && up.last_stage == 2);
  CHECK_CONTAINS(rec, "\"file_meta\"");
  id = json_get(rec, "record_id");
  toz_free_string(rec);
  EXPECT_OK(toz_client_read_file(alice, id, out, on_progress, &down, &rec));
  CHECK(down.calls >= 1 && down.last_stage == 3);
  toz_free_string(rec);
  CHECK(same_files(in, out));

  /* Checksum first, as Tozny's protocol needs: stage 1 (encrypting), then 2. */
  checksum_first = registered_client_with("carol", "{\"single_pass_uploads\":false}");
  EXPECT_OK(toz_client_write_file(checksum_first, "c-files", in, NULL, on_progress, &first, &rec));
  CHECK(first.calls >= 4 && first.first_stage == 1 && first.last_stage == 2);
  CHECK_CONTAINS(rec, "\"checksum\"");
  toz_free_string(rec);
  toz_free_client(checksum_first);

  /* A callback that returns non-zero cancels: CANCELLED, no record, no file at the destination. */
  {
    int calls = 0;
    char *page = SENTINEL, cancelled_out[160];
    rec = SENTINEL;
    EXPECT_KIND(toz_client_write_file(alice, "c-cancelled", in, NULL, cancel_halfway, &calls, &rec), CANCELLED);
    CHECK(rec == SENTINEL && calls >= 1);
    EXPECT_OK(toz_client_query(alice, "{\"content_types\":[\"c-cancelled\"]}", &page));
    CHECK_CONTAINS(page, "\"results\":[]");
    toz_free_string(page);
    snprintf(cancelled_out, sizeof cancelled_out, "%s/cancelled.bin", dir);
    calls = 0;
    EXPECT_KIND(toz_client_read_file(alice, id, cancelled_out, cancel_halfway, &calls, &rec), CANCELLED);
    CHECK(rec == SENTINEL && calls >= 1 && stat(cancelled_out, &st) != 0);
  }

  /* Shared with bob, bob downloads; revoked, bob is refused and nothing is written. */
  EXPECT_OK(toz_client_public_info(bob, &info));
  bob_id = json_get(info, "client_id");
  toz_free_string(info);
  EXPECT_OK(toz_client_share(alice, "c-files", bob_id));
  EXPECT_OK(toz_client_read_file(bob, id, out2, NULL, NULL, &rec));
  toz_free_string(rec);
  CHECK(same_files(in, out2));
  CHECK(unlink(out2) == 0);
  EXPECT_OK(toz_client_revoke(alice, "c-files", bob_id));
  rec = SENTINEL;
  EXPECT_HTTP(toz_client_read_file(bob, id, out2, NULL, NULL, &rec), FORBIDDEN, 403);
  CHECK(rec == SENTINEL && stat(out2, &st) != 0);

  unlink(in);
  unlink(out);
  rmdir(dir);
  free(bob_id);
  free(id);
}

int main(void) {
  toz_client *alice, *bob, *eve;
  api_url = live_env("TOZ_TEST_API_URL");
  token = live_env("TOZ_TEST_REGISTRATION_TOKEN");
  alice = registered_client("alice");
  bob = registered_client("bob");
  eve = registered_client("eve");
  notes(alice, bob, eve);
  gated_notes(alice, bob, eve);
  files(alice, bob);
  toz_free_client(eve);
  toz_free_client(bob);
  toz_free_client(alice);
  puts("test_notes_files_live: ok");
  return 0;
}
