/* Consumer program: links toz from an install prefix, generates and frees credentials, and checks
 * that it linked the flavour it asked for (libtoz.so with EXPECT_SHARED, libtoz.a otherwise). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <toz.h>

int main(void) {
  toz_credentials *credentials = NULL;
  toz_error *err = toz_credentials_generate(NULL, &credentials);
  Dl_info info;
  const char *from;
  int shared;

  if (err) {
    fprintf(stderr, "toz_credentials_generate: %s\n", toz_error_get_message(err));
    toz_free_error(err);
    return 1;
  }
  toz_free_credentials(credentials);
  if (strcmp(toz_version(), TOZ_VERSION_STRING) != 0) {
    fprintf(stderr, "library %s, header %s\n", toz_version(), TOZ_VERSION_STRING);
    return 1;
  }
  if (!dladdr((void *)toz_version, &info) || !info.dli_fname) {
    fprintf(stderr, "dladdr failed\n");
    return 1;
  }
  from = strrchr(info.dli_fname, '/') ? strrchr(info.dli_fname, '/') + 1 : info.dli_fname;
  shared = strcmp(from, "libtoz.so") == 0;
#ifdef EXPECT_SHARED
  if (!shared) {
#else
  if (shared) {
#endif
    fprintf(stderr, "toz_version comes from %s: wrong library flavour\n", info.dli_fname);
    return 1;
  }
  printf("toz consumer: toz %s from %s\n", toz_version(), info.dli_fname);
  return 0;
}
