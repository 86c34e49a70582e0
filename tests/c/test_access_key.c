/* Access keys through the C ABI: generate, text form, wrap/unwrap (EAK) between two clients,
 * and the argument checks of every access-key function. */
#include "check.h"

/* The text of `ak` as a malloc'd copy. */
static char *key_text(const toz_access_key *ak) {
  char *text = SENTINEL;
  EXPECT_OK(toz_access_key_to_string(ak, &text));
  return take_string(text);
}

static void test_text_form(void) {
  toz_access_key *ak = new_access_key(), *other = new_access_key(), *back = SENTINEL;
  char *text = key_text(ak), *other_text = key_text(other), *again, padded[64];
  size_t i;

  CHECK(strlen(text) == 43); /* 32 bytes, unpadded base64url */
  for (i = 0; text[i]; i++) CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", text[i]));
  CHECK(strcmp(text, other_text) != 0);

  EXPECT_OK(toz_access_key_from_string(text, &back));
  again = key_text(back);
  CHECK_STR_EQ(again, text);
  free(again);
  toz_free_access_key(back);

  snprintf(padded, sizeof padded, "%s=", text); /* padding accepted */
  back = SENTINEL;
  EXPECT_OK(toz_access_key_from_string(padded, &back));
  again = key_text(back);
  CHECK_STR_EQ(again, text);
  free(again);
  toz_free_access_key(back);

  back = SENTINEL;
  EXPECT_KIND(toz_access_key_from_string("not base64 !!", &back), INVALID_ARGUMENT);
  EXPECT_KIND(toz_access_key_from_string("AAAA", &back), INVALID_ARGUMENT); /* 3 bytes */
  EXPECT_KIND(toz_access_key_from_string("", &back), INVALID_ARGUMENT);
  EXPECT_KIND(toz_access_key_from_string(NULL, &back), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_from_string(text, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_from_string(BAD_UTF8, &back), INVALID_UTF8);
  CHECK(back == SENTINEL);

  again = SENTINEL;
  EXPECT_KIND(toz_access_key_generate(NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_to_string(NULL, &again), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_to_string(ak, NULL), NULL_ARGUMENT);
  CHECK(again == SENTINEL);

  free(text);
  free(other_text);
  toz_free_access_key(ak);
  toz_free_access_key(other);
  toz_free_access_key(NULL);
}

static void test_wrap_unwrap(void) {
  toz_credentials *writer = new_credentials(NULL), *reader = new_credentials(NULL), *stranger = new_credentials(NULL);
  char *writer_pk = public_key_of(writer), *reader_pk = public_key_of(reader), *stranger_pk = public_key_of(stranger);
  toz_access_key *ak = new_access_key(), *back = SENTINEL;
  char *text = key_text(ak), *eak = SENTINEL, *again, *tampered, *dot;

  EXPECT_OK(toz_access_key_wrap(ak, reader_pk, writer, &eak));
  CHECK(eak != NULL && eak != SENTINEL);
  dot = strchr(eak, '.'); /* EAK = ciphertext "." nonce */
  CHECK(dot != NULL && strchr(dot + 1, '.') == NULL);
  CHECK_LACKS(eak, text);

  EXPECT_OK(toz_access_key_unwrap(eak, writer_pk, reader, &back));
  CHECK(back != SENTINEL);
  again = key_text(back);
  CHECK_STR_EQ(again, text);
  free(again);
  toz_free_access_key(back);

  /* Wrong reader, wrong authorizer, altered EAK: CRYPTO, and the key never shows in the message. */
  back = SENTINEL;
  EXPECT_KIND_HIDING(toz_access_key_unwrap(eak, writer_pk, stranger, &back), CRYPTO, text);
  EXPECT_KIND_HIDING(toz_access_key_unwrap(eak, stranger_pk, reader, &back), CRYPTO, text);
  tampered = malloc(strlen(eak) + 1);
  CHECK(tampered != NULL);
  strcpy(tampered, eak);
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_KIND(toz_access_key_unwrap(tampered, writer_pk, reader, &back), CRYPTO);
  free(tampered);
  EXPECT_KIND(toz_access_key_unwrap("no-dot-here", writer_pk, reader, &back), INVALID_ARGUMENT);
  EXPECT_KIND(toz_access_key_unwrap(eak, "AAAA", reader, &back), INVALID_ARGUMENT);

  EXPECT_KIND(toz_access_key_unwrap(NULL, writer_pk, reader, &back), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_unwrap(eak, NULL, reader, &back), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_unwrap(eak, writer_pk, NULL, &back), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_unwrap(eak, writer_pk, reader, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_unwrap(BAD_UTF8, writer_pk, reader, &back), INVALID_UTF8);
  EXPECT_KIND(toz_access_key_unwrap(eak, BAD_UTF8, reader, &back), INVALID_UTF8);
  CHECK(back == SENTINEL);
  toz_free_string(eak);

  eak = SENTINEL;
  EXPECT_KIND(toz_access_key_wrap(ak, "not base64 !!", writer, &eak), INVALID_ARGUMENT);
  EXPECT_KIND(toz_access_key_wrap(ak, "AAAA", writer, &eak), INVALID_ARGUMENT);
  EXPECT_KIND(toz_access_key_wrap(NULL, reader_pk, writer, &eak), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_wrap(ak, NULL, writer, &eak), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_wrap(ak, reader_pk, NULL, &eak), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_wrap(ak, reader_pk, writer, NULL), NULL_ARGUMENT);
  EXPECT_KIND(toz_access_key_wrap(ak, BAD_UTF8, writer, &eak), INVALID_UTF8);
  CHECK(eak == SENTINEL);

  free(text);
  free(writer_pk);
  free(reader_pk);
  free(stranger_pk);
  toz_free_access_key(ak);
  toz_free_credentials(writer);
  toz_free_credentials(reader);
  toz_free_credentials(stranger);
}

int main(void) {
  test_text_form();
  test_wrap_unwrap();
  puts("test_access_key: ok");
  return 0;
}
