// `proctor-guest-exec --mux=SOCKET -- SCRIPT`: what the executor spawns for
// each guest test (guest_mux_client.h). Deliberately without flags
// libraries: its start-up time is paid once per guest test.
#include <string.h>

#include <string>

#include "runner/base/fd_io.h"
#include "runner/guest/guest_mux_client.h"

int main(int argc, char** argv) {
  if (argc == 4 && strncmp(argv[1], "--mux=", 6) == 0 && argv[1][6] != '\0' &&
      strcmp(argv[2], "--") == 0) {
    return proctor::RunGuestScript(argv[1] + 6, argv[3]);
  }
  proctor::WriteAll(
      2,
      "proctor-guest-exec: usage: proctor-guest-exec --mux=SOCKET -- "
      "SCRIPT\n");
  return 2;
}
