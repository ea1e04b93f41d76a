// The helper's side of the guest mux (guest_mux.h): hands a script to the
// runner and relays what comes back. Used by `proctor-guest-exec`, the
// small program the executor spawns for each guest test (it starts in
// about a millisecond; proctor itself, with its libraries, takes ~13 ms),
// and by `proctor guest-exec`.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_MUX_CLIENT_H_
#define PROCTOR_RUNNER_GUEST_GUEST_MUX_CLIENT_H_

#include <string>

namespace proctor {

// Where a guest test's outputs go. The script ends by writing `marker` and
// a tar of the test's outputs to its stderr when it has any (guest.h);
// what follows the marker goes to `file` instead of fd 2. No marker: no
// file is made.
struct GuestOutputs {
  std::string file;
  std::string marker;  // empty: stderr is relayed whole
};

// Runs `script` through the mux at `socket_path`, relaying output to fds 1
// and 2; returns the exit status, or 255 (as ssh does) when the guest could
// not be reached or was lost, or `outputs.file` could not be written.
int RunGuestScript(const std::string& socket_path, const std::string& script,
                   const GuestOutputs& outputs = {});

// The arguments both helpers take (proctor-guest-exec and `proctor
// guest-exec`): --mux=SOCKET [--outputs=FILE --marker=MARKER] -- SCRIPT.
// False on anything else.
bool ParseGuestExecArgs(int argc, const char* const* argv,
                        std::string* socket_path, GuestOutputs* outputs,
                        std::string* script);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_MUX_CLIENT_H_
