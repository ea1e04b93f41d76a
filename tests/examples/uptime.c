// The RFC's uptime test in C; built by tests/examples/build-c-test.sh.
#include <stdlib.h>

int main(void) { return system("uptime > /dev/null") == 0 ? 0 : 1; }
