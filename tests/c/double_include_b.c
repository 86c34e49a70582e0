/* Second translation unit of the double_include test. */
#include "toz.h"
#include "toz.h"

const char *double_include_b(void);

const char *double_include_b(void) { return TOZ_VERSION_STRING; }
