// The header compiles as C++11 (-Wall -Wextra -Wpedantic -Werror) and its functions link with C
// linkage from C++.
#include "toz.h"

#include <cstdio>
#include <cstring>
#include <type_traits>

static_assert(std::is_same<std::underlying_type<toz_error_kind>::type, uint32_t>::value,
              "toz_error_kind is a uint32_t enum in C++");
static_assert(TOZ_ERROR_KIND_PANIC == 255, "kinds are usable in constant expressions");

int main() {
  toz_credentials *credentials = nullptr;
  toz_error *err = toz_credentials_generate(nullptr, &credentials);
  bool ok = err == nullptr && credentials != nullptr;
  toz_free_credentials(credentials);

  err = toz_credentials_generate(nullptr, nullptr);
  ok = ok && toz_error_get_kind(err) == TOZ_ERROR_KIND_NULL_ARGUMENT;
  toz_free_error(err);
  ok = ok && std::strcmp(toz_version(), TOZ_VERSION_STRING) == 0;
  std::puts(ok ? "header_cxx: ok" : "header_cxx: FAILED");
  return ok ? 0 : 1;
}
