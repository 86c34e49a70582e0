/* toz.h included twice in each of two translation units linked together: the include guard works
 * and the header defines nothing that would clash at link time. */
#include "toz.h"
#include "toz.h"

#include <stdio.h>
#include <string.h>

const char *double_include_b(void);

int main(void) {
  int ok = strcmp(double_include_b(), toz_version()) == 0;
  puts(ok ? "double_include: ok" : "double_include: FAILED");
  return ok ? 0 : 1;
}
