/* The C ABI of libtoz for Swift: the repository's generated header, included in place so that it
 * is never copied (and so never drifts). The module map links -ltoz; see ../../README.md. */
#include "../../../../include/toz.h"
