/* Offline record encryption through the C ABI: round trip, wrong key, tampering, and the argument
 * checks of toz_record_encrypt / toz_record_decrypt. */
#include "check.h"

#define PLAINTEXT "{\"name\":\"Alice\",\"ssn\":\"123-45-6789\",\"note\":\"h\\u00e9llo \xe2\x9c\x93\",\"empty\":\"\"}"

static char *encrypt(const toz_access_key *ak, const char *data) {
  char *out = SENTINEL;
  EXPECT_OK(toz_record_encrypt(ak, data, &out));
  CHECK(out != NULL && out != SENTINEL);
  return out;
}

static void check_field(const char *json, const char *key, const char *want) {
  char *got = json_get(json, key);
  CHECK(got != NULL);
  CHECK_STR_EQ(got, want);
  free(got);
}

static void test_round_trip(void) {
  toz_access_key *ak = new_access_key();
  char *enc = encrypt(ak, PLAINTEXT), *enc2 = encrypt(ak, PLAINTEXT), *dec = SENTINEL, *field;
  int dots = 0;
  const char *p;

  /* Same field names, EDK.EDKN.EF.EFN values, no plaintext; fresh nonces every time. */
  CHECK(enc[0] == '{');
  field = json_get(enc, "ssn");
  CHECK(field != NULL);
  for (p = field; *p; p++) dots += *p == '.';
  CHECK(dots == 3);
  free(field);
  field = json_get(enc, "empty"); /* empty values are encrypted too */
  CHECK(field != NULL && strlen(field) > 3);
  free(field);
  CHECK_LACKS(enc, "Alice");
  CHECK_LACKS(enc, "123-45-6789");
  CHECK(strcmp(enc, enc2) != 0);

  EXPECT_OK(toz_record_decrypt(ak, enc, &dec));
  CHECK(dec != NULL && dec != SENTINEL);
  check_field(dec, "name", "Alice");
  check_field(dec, "ssn", "123-45-6789");
  check_field(dec, "note", "h\xc3\xa9llo \xe2\x9c\x93");
  check_field(dec, "empty", "");
  toz_free_string(dec);
  dec = SENTINEL;
  EXPECT_OK(toz_record_decrypt(ak, enc2, &dec));
  check_field(dec, "ssn", "123-45-6789");
  toz_free_string(dec);

  dec = encrypt(ak, "{}");
  CHECK_STR_EQ(dec, "{}");
  toz_free_string(dec);

  toz_free_string(enc);
  toz_free_string(enc2);
  toz_free_access_key(ak);
}

static void test_failures(void) {
  toz_access_key *ak = new_access_key(), *other = new_access_key();
  char *enc = encrypt(ak, PLAINTEXT), *out = SENTINEL, *tampered, *p;

  /* Another key: CRYPTO, and the message never contains the plaintext. */
  EXPECT_KIND_HIDING(toz_record_decrypt(other, enc, &out), CRYPTO, "123-45-6789");
  EXPECT_KIND_HIDING(toz_record_decrypt(other, enc, &out), CRYPTO, "Alice");

  /* One altered character inside the ssn field's EF part. */
  tampered = malloc(strlen(enc) + 1);
  CHECK(tampered != NULL);
  strcpy(tampered, enc);
  p = strstr(tampered, "\"ssn\":\"");
  CHECK(p != NULL);
  p = strchr(strchr(p + 7, '.') + 1, '.') + 1; /* start of EF */
  p[3] = p[3] == 'A' ? 'B' : 'A';
  EXPECT_KIND_HIDING(toz_record_decrypt(ak, tampered, &out), CRYPTO, "123-45-6789");
  free(tampered);

  EXPECT_KIND(toz_record_decrypt(ak, "{\"ssn\":\"not-four-parts\"}", &out), INVALID_ARGUMENT);
  EXPECT_KIND(toz_record_decrypt(ak, "{\"ssn\":", &out), JSON);
  EXPECT_KIND(toz_record_decrypt(ak, "[\"a\"]", &out), JSON);
  EXPECT_KIND(toz_record_encrypt(ak, "{\"ssn\":", &out), JSON);
  EXPECT_KIND(toz_record_encrypt(ak, "[\"a\"]", &out), JSON);
  EXPECT_KIND(toz_record_encrypt(ak, "{\"age\":42}", &out), JSON);
  EXPECT_KIND(toz_record_encrypt(ak, "{\"nested\":{\"a\":\"b\"}}", &out), JSON);

  EXPECT_KIND(toz_record_encrypt(NULL, PLAINTEXT, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_record_encrypt(ak, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_record_encrypt(ak, PLAINTEXT, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_record_encrypt(ak, BAD_UTF8, &out), INVALID_UTF8);
  EXPECT_KIND(toz_record_encrypt(ak, "{\"a\":\"\xff\xfe\"}", &out), INVALID_UTF8);
  EXPECT_KIND(toz_record_decrypt(NULL, enc, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_record_decrypt(ak, NULL, &out), NULL_ARGUMENT);
  EXPECT_KIND(toz_record_decrypt(ak, enc, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_record_decrypt(ak, BAD_UTF8, &out), INVALID_UTF8);
  CHECK(out == SENTINEL);

  toz_free_string(enc);
  toz_free_access_key(ak);
  toz_free_access_key(other);
}

/* A key sent to another client through an EAK decrypts what the writer encrypted. */
static void test_shared_key(void) {
  toz_credentials *writer = new_credentials(NULL), *reader = new_credentials(NULL);
  toz_access_key *ak = new_access_key(), *reader_ak = SENTINEL;
  char *writer_pk = public_key_of(writer), *reader_pk = public_key_of(reader);
  char *eak = SENTINEL, *enc = encrypt(ak, PLAINTEXT), *dec = SENTINEL;

  EXPECT_OK(toz_access_key_wrap(ak, reader_pk, writer, &eak));
  EXPECT_OK(toz_access_key_unwrap(eak, writer_pk, reader, &reader_ak));
  EXPECT_OK(toz_record_decrypt(reader_ak, enc, &dec));
  check_field(dec, "ssn", "123-45-6789");

  toz_free_string(dec);
  toz_free_string(enc);
  toz_free_string(eak);
  free(writer_pk);
  free(reader_pk);
  toz_free_access_key(reader_ak);
  toz_free_access_key(ak);
  toz_free_credentials(writer);
  toz_free_credentials(reader);
}

int main(void) {
  test_round_trip();
  test_failures();
  test_shared_key();
  puts("test_records: ok");
  return 0;
}
