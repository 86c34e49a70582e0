/* Credentials through the C ABI: generate, JSON, public info, files, profiles, seal/unseal, and
 * the argument checks (NULL, invalid UTF-8, malformed JSON) of every credentials function. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv */
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char tmp_root[] = "/tmp/toz-c-test-XXXXXX";

static const char *tmp_path(const char *name) {
  static char buf[4][512];
  static int next;
  char *p = buf[next++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", tmp_root, name);
  return p;
}

static unsigned mode_of(const char *path) {
  struct stat st;
  CHECK(stat(path, &st) == 0);
  return (unsigned)(st.st_mode & 0777);
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  CHECK(fputs(text, f) >= 0);
  CHECK(fclose(f) == 0);
}

/* Loading a file, a profile or a sealed blob gives back exactly `want`. */
static void check_same(const toz_credentials *got, const char *want_json) {
  char *json = credentials_json(got);
  CHECK_STR_EQ(json, want_json);
  free(json);
}

static void test_generate(void) {
  toz_credentials *c = SENTINEL;
  char *info = SENTINEL, *json, *field;

  /* api_url may be NULL or "": both give the default URL. */
  c = new_credentials(NULL);
  EXPECT_OK(toz_credentials_public_info(c, &info));
  CHECK_CONTAINS(info, "\"api_url\":\"https://api.e3db.com\"");
  toz_free_string(info);
  toz_free_credentials(c);

  c = new_credentials("");
  EXPECT_OK(toz_credentials_public_info(c, &info));
  CHECK_CONTAINS(info, "\"api_url\":\"https://api.e3db.com\"");
  toz_free_string(info);
  toz_free_credentials(c);

  c = new_credentials("https://toz.test");
  json = credentials_json(c);
  CHECK_CONTAINS(json, "https://toz.test");
  /* version 2, not registered, both key pairs present */
  CHECK((field = json_get(json, "client_id")) != NULL && field[0] == '\0');
  free(field);
  CHECK((field = json_get(json, "private_key")) != NULL && strlen(field) == 43);
  free(field);
  CHECK((field = json_get(json, "private_signing_key")) != NULL && strlen(field) == 86);
  free(field);
  CHECK((field = json_get(json, "public_signing_key")) != NULL && strlen(field) == 43);
  free(field);
  free(json);
  toz_free_credentials(c);

  /* Two generations never give the same keys. */
  {
    toz_credentials *a = new_credentials(NULL), *b = new_credentials(NULL);
    char *ja = credentials_json(a), *jb = credentials_json(b);
    char *pa = json_get(ja, "private_key"), *pb = json_get(jb, "private_key");
    CHECK(strcmp(pa, pb) != 0);
    free(pa);
    free(pb);
    free(ja);
    free(jb);
    toz_free_credentials(a);
    toz_free_credentials(b);
  }

  c = SENTINEL;
  EXPECT_KIND(toz_credentials_generate(NULL, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_generate(BAD_UTF8, &c), INVALID_UTF8);
  CHECK(c == SENTINEL);
}

static void test_json_round_trip(void) {
  toz_credentials *c = new_credentials("https://toz.test"), *back = SENTINEL;
  char *json = credentials_json(c), *info = SENTINEL, *text = SENTINEL;
  char *private_key = json_get(json, "private_key"), *signing_key = json_get(json, "private_signing_key");

  EXPECT_OK(toz_credentials_from_json(json, &back));
  CHECK(back != NULL && back != SENTINEL);
  check_same(back, json);
  toz_free_credentials(back);

  /* public_info: the public fields, no secrets. */
  EXPECT_OK(toz_credentials_public_info(c, &info));
  CHECK(info[0] == '{');
  CHECK_CONTAINS(info, "\"public_key\"");
  CHECK_CONTAINS(info, "\"public_signing_key\"");
  CHECK_CONTAINS(info, "\"client_id\"");
  CHECK_CONTAINS(info, "\"api_url\":\"https://toz.test\"");
  CHECK_LACKS(info, "private_key");
  CHECK_LACKS(info, "private_signing_key");
  CHECK_LACKS(info, "api_secret");
  CHECK_LACKS(info, private_key);
  CHECK_LACKS(info, signing_key);
  toz_free_string(info);

  /* NULL for each pointer argument; out-parameters untouched on failure. */
  back = SENTINEL;
  text = SENTINEL;
  EXPECT_KIND(toz_credentials_from_json(NULL, &back), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_from_json(json, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_to_json(NULL, &text), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_to_json(c, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_public_info(NULL, &text), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_public_info(c, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_from_json(BAD_UTF8, &back), INVALID_UTF8);
  EXPECT_KIND(toz_credentials_from_json("{\"public_key\":\"\xff\xfe\"}", &back), INVALID_UTF8);
  EXPECT_KIND(toz_credentials_from_json("{not json", &back), JSON);
  EXPECT_KIND(toz_credentials_from_json("", &back), JSON);
  EXPECT_KIND(toz_credentials_from_json("[1,2]", &back), JSON);
  EXPECT_KIND(toz_credentials_from_json("{}", &back), JSON); /* missing keys */
  CHECK(back == SENTINEL);
  CHECK(text == SENTINEL);

  free(private_key);
  free(signing_key);
  free(json);
  toz_free_credentials(c);
}

/* e3db.json text with the value of `key` replaced (malloc'd). */
static char *with_field(const char *json, const char *key, const char *value) {
  char *old = json_get(json, key), *out;
  CHECK(old != NULL && old[0] != '\0');
  out = replace_once(json, old, value);
  free(old);
  return out;
}

static void test_from_json_formats_and_secrets(void) {
  toz_credentials *a = new_credentials(NULL), *b = new_credentials(NULL), *back = SENTINEL;
  char *ja = credentials_json(a), *jb = credentials_json(b);
  char *secret = json_get(ja, "private_key"), *b_public = json_get(jb, "public_key");
  char *text;

  /* version may be a string (Tozny's Python SDK writes "2"); only 1 and 2 exist. */
  text = replace_once(ja, "\"version\": 2", "\"version\": \"2\"");
  EXPECT_OK(toz_credentials_from_json(text, &back));
  check_same(back, ja);
  toz_free_credentials(back);
  back = SENTINEL;
  free(text);
  text = replace_once(ja, "\"version\": 2", "\"version\": 3");
  EXPECT_KIND(toz_credentials_from_json(text, &back), INVALID_ARGUMENT);
  free(text);

  /* A private key that does not match the public key: rejected, and the error never quotes it. */
  text = with_field(ja, "public_key", b_public);
  EXPECT_KIND_HIDING(toz_credentials_from_json(text, &back), INVALID_ARGUMENT, secret);
  free(text);

  /* Bad base64 in a secret field: the message names the field, not the value. */
  text = with_field(ja, "private_key", "SECRETSECRET!!SECRETSECRET");
  EXPECT_KIND_HIDING(toz_credentials_from_json(text, &back), INVALID_ARGUMENT, "SECRETSECRET");
  free(text);

  /* Malformed JSON that contains the key: the message has a position, not the text. */
  text = malloc(2 * strlen(secret) + 64);
  CHECK(text != NULL);
  sprintf(text, "{\"private_key\": \"%s\" \"public_key\": 1}", secret);
  EXPECT_KIND_HIDING(toz_credentials_from_json(text, &back), JSON, secret);
  sprintf(text, "{\"private_key\": \"%s\", \"public_key\": [\"%s\"]}", secret, secret);
  EXPECT_KIND_HIDING(toz_credentials_from_json(text, &back), JSON, secret);
  sprintf(text, "{\"private_key\": \"%s", secret);
  EXPECT_KIND_HIDING(toz_credentials_from_json(text, &back), JSON, secret);
  free(text);
  CHECK(back == SENTINEL);

  free(secret);
  free(b_public);
  free(ja);
  free(jb);
  toz_free_credentials(a);
  toz_free_credentials(b);
}

static void test_files(void) {
  toz_credentials *c = new_credentials(NULL), *other = new_credentials(NULL), *back = SENTINEL;
  char *json = credentials_json(c), *other_json = credentials_json(other);
  const char *path = tmp_path("nested/dir/e3db.json");

  EXPECT_OK(toz_credentials_save_file(c, path, false));
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(tmp_path("nested/dir")) == 0700);
  EXPECT_OK(toz_credentials_load_file(path, &back));
  CHECK(back != SENTINEL);
  check_same(back, json);
  toz_free_credentials(back);

  /* Never silently overwritten; replaced (still 0600) only with overwrite=true. */
  EXPECT_KIND(toz_credentials_save_file(other, path, false), ALREADY_EXISTS);
  back = SENTINEL;
  EXPECT_OK(toz_credentials_load_file(path, &back));
  check_same(back, json);
  toz_free_credentials(back);
  EXPECT_OK(toz_credentials_save_file(other, path, true));
  CHECK(mode_of(path) == 0600);
  back = SENTINEL;
  EXPECT_OK(toz_credentials_load_file(path, &back));
  check_same(back, other_json);
  toz_free_credentials(back);

  /* A file written with a group-readable mode by someone else is still loadable. */
  write_text(tmp_path("plain.json"), json);
  back = SENTINEL;
  EXPECT_OK(toz_credentials_load_file(tmp_path("plain.json"), &back));
  check_same(back, json);
  toz_free_credentials(back);

  back = SENTINEL;
  EXPECT_KIND(toz_credentials_load_file(tmp_path("missing.json"), &back), NOT_FOUND);
  write_text(tmp_path("broken.json"), "{\"public_key\": ");
  EXPECT_KIND(toz_credentials_load_file(tmp_path("broken.json"), &back), JSON);
  EXPECT_KIND(toz_credentials_load_file(tmp_root, &back), IO); /* a directory */
  EXPECT_KIND(toz_credentials_save_file(c, tmp_path("nested"), true), IO); /* a directory */

  EXPECT_KIND(toz_credentials_load_file(NULL, &back), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_load_file(path, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_load_file(BAD_UTF8, &back), INVALID_UTF8);
  EXPECT_KIND(toz_credentials_save_file(NULL, tmp_path("never.json"), false), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_save_file(c, NULL, false), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_save_file(c, BAD_UTF8, false), INVALID_UTF8);
  CHECK(access(tmp_path("never.json"), F_OK) != 0);
  CHECK(back == SENTINEL);

  free(json);
  free(other_json);
  toz_free_credentials(c);
  toz_free_credentials(other);
}

static void test_profiles(void) {
  toz_credentials *c = new_credentials(NULL), *work = new_credentials("https://work.test"), *back = SENTINEL;
  char *json = credentials_json(c), *work_json = credentials_json(work);

  CHECK(setenv("HOME", tmp_root, 1) == 0);

  /* NULL and "" both name the default profile ~/.tozny/e3db.json. */
  EXPECT_OK(toz_credentials_save_profile(c, NULL, false));
  CHECK(mode_of(tmp_path(".tozny/e3db.json")) == 0600);
  EXPECT_KIND(toz_credentials_save_profile(work, "", false), ALREADY_EXISTS);
  EXPECT_OK(toz_credentials_load_profile(NULL, &back));
  check_same(back, json);
  toz_free_credentials(back);
  back = SENTINEL;
  EXPECT_OK(toz_credentials_load_profile("", &back));
  check_same(back, json);
  toz_free_credentials(back);

  EXPECT_OK(toz_credentials_save_profile(work, "work-1.x_y", false));
  CHECK(mode_of(tmp_path(".tozny/work-1.x_y/e3db.json")) == 0600);
  EXPECT_KIND(toz_credentials_save_profile(c, "work-1.x_y", false), ALREADY_EXISTS);
  back = SENTINEL;
  EXPECT_OK(toz_credentials_load_profile("work-1.x_y", &back));
  check_same(back, work_json);
  toz_free_credentials(back);
  EXPECT_OK(toz_credentials_save_profile(c, "work-1.x_y", true));
  back = SENTINEL;
  EXPECT_OK(toz_credentials_load_profile("work-1.x_y", &back));
  check_same(back, json);
  toz_free_credentials(back);

  /* Profile names cannot leave ~/.tozny. */
  back = SENTINEL;
  EXPECT_KIND(toz_credentials_save_profile(c, "../evil", false), INVALID_ARGUMENT);
  EXPECT_KIND(toz_credentials_save_profile(c, "a/b", false), INVALID_ARGUMENT);
  EXPECT_KIND(toz_credentials_save_profile(c, "..", false), INVALID_ARGUMENT);
  EXPECT_KIND(toz_credentials_load_profile("../.tozny", &back), INVALID_ARGUMENT);
  CHECK(access(tmp_path("evil"), F_OK) != 0);
  EXPECT_KIND(toz_credentials_load_profile("nobody", &back), NOT_FOUND);

  EXPECT_KIND(toz_credentials_save_profile(NULL, "p", false), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_save_profile(c, BAD_UTF8, false), INVALID_UTF8);
  EXPECT_KIND(toz_credentials_load_profile("p", NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_load_profile(BAD_UTF8, &back), INVALID_UTF8);
  CHECK(access(tmp_path(".tozny/p"), F_OK) != 0);
  CHECK(back == SENTINEL);

  free(json);
  free(work_json);
  toz_free_credentials(c);
  toz_free_credentials(work);
}

static void test_seal(void) {
  toz_credentials *c = new_credentials(NULL), *back = SENTINEL;
  char *json = credentials_json(c), *secret = json_get(json, "private_key");
  char *sealed = SENTINEL, *copy, *p;
  const char *pass = "correct horse battery staple";

  EXPECT_OK(toz_credentials_seal(c, pass, FAST_SEAL, &sealed));
  CHECK(sealed != NULL && sealed != SENTINEL);
  CHECK_CONTAINS(sealed, "\"opslimit\":1");
  CHECK_CONTAINS(sealed, "\"memlimit\":8388608");
  CHECK_LACKS(sealed, secret);
  CHECK_LACKS(sealed, pass);
  EXPECT_OK(toz_credentials_unseal(sealed, pass, &back));
  CHECK(back != SENTINEL);
  check_same(back, json);
  toz_free_credentials(back);

  back = SENTINEL;
  EXPECT_KIND_HIDING(toz_credentials_unseal(sealed, "wrong horse", &back), WRONG_PASSPHRASE, "wrong horse");
  /* Altered ciphertext or KDF parameters: detected, reported like a wrong passphrase. */
  copy = malloc(strlen(sealed) + 1);
  CHECK(copy != NULL);
  strcpy(copy, sealed);
  p = strstr(copy, "\"ciphertext\":\"");
  CHECK(p != NULL);
  p += strlen("\"ciphertext\":\"") + 10;
  *p = *p == 'A' ? 'B' : 'A';
  EXPECT_KIND(toz_credentials_unseal(copy, pass, &back), WRONG_PASSPHRASE);
  strcpy(copy, sealed);
  p = strstr(copy, "\"opslimit\":1");
  p[strlen("\"opslimit\":")] = '2';
  EXPECT_KIND(toz_credentials_unseal(copy, pass, &back), WRONG_PASSPHRASE);
  free(copy);

  EXPECT_KIND(toz_credentials_unseal("{not json", pass, &back), JSON);
  EXPECT_KIND(toz_credentials_unseal("{}", pass, &back), JSON);
  EXPECT_KIND(toz_credentials_unseal(NULL, pass, &back), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_unseal(sealed, NULL, &back), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_unseal(sealed, pass, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_unseal(BAD_UTF8, pass, &back), INVALID_UTF8);
  EXPECT_KIND(toz_credentials_unseal(sealed, BAD_UTF8, &back), INVALID_UTF8);
  CHECK(back == SENTINEL);
  toz_free_string(sealed);

  /* Seal arguments. options_json may be NULL (libsodium's interactive limits). */
  sealed = SENTINEL;
  EXPECT_KIND(toz_credentials_seal(NULL, pass, FAST_SEAL, &sealed), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_seal(c, NULL, FAST_SEAL, &sealed), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_seal(c, pass, FAST_SEAL, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_credentials_seal(c, BAD_UTF8, FAST_SEAL, &sealed), INVALID_UTF8);
  EXPECT_KIND(toz_credentials_seal(c, pass, BAD_UTF8, &sealed), INVALID_UTF8);
  EXPECT_KIND(toz_credentials_seal(c, pass, "{opslimit", &sealed), JSON);
  EXPECT_KIND(toz_credentials_seal(c, pass, "[1]", &sealed), JSON); /* array: not an object */
  EXPECT_KIND(toz_credentials_seal(c, pass, "{\"opslimit\":0,\"memlimit\":8388608}", &sealed), INVALID_ARGUMENT);
  EXPECT_KIND(toz_credentials_seal(c, pass, "{\"opslimit\":1,\"memlimit\":1024}", &sealed), INVALID_ARGUMENT);
  EXPECT_KIND(toz_credentials_seal(c, "", FAST_SEAL, &sealed), INVALID_ARGUMENT);
  CHECK(sealed == SENTINEL);

  EXPECT_OK(toz_credentials_seal(c, pass, NULL, &sealed));
  CHECK(sealed != SENTINEL);
  CHECK_CONTAINS(sealed, "\"toz_sealed\":1");
  CHECK_CONTAINS(sealed, "\"memlimit\":67108864");
  CHECK_LACKS(sealed, secret);
  toz_free_string(sealed);

  free(secret);
  free(json);
  toz_free_credentials(c);
}

int main(void) {
  CHECK(mkdtemp(tmp_root) != NULL);
  test_generate();
  test_json_round_trip();
  test_from_json_formats_and_secrets();
  test_files();
  test_profiles();
  test_seal();
  toz_free_credentials(NULL);
  {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    CHECK(system(cmd) == 0);
  }
  puts("test_credentials: ok");
  return 0;
}
