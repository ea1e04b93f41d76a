// What the host and the guest agent (guest_agent_main.cc) say on the
// agent's virtio-serial port: frames of runner/base/frame_io.h, one
// command at a time.
//
//   host -> agent   kPing DATA        answered by kPong with the same DATA,
//                                     during a command too
//                   kRun SCRIPT       /bin/sh -c SCRIPT, in a session of its
//                                     own, cwd /root, as SSH would run it
//                   kInput DATA       the command's stdin, then kInputEnd
//                   kKill             SIGKILL to the command's process group
//                   kSetUp LINES      a restored guest's set-up, by the agent
//                                     itself (no process started): lines
//                                     "clock UNIX_NANOS" (the wall clock),
//                                     "console TEXT" (a line on
//                                     /dev/console), "mount9p TAG PATH"
//                                     (the share, read-only); answered like
//                                     a command, kStderr saying what failed
//   agent -> host   kStdout, kStderr  its output as it comes
//                   kExit INT32       its exit status (128 + N for signal
//                                     N), after the last output
//
// The agent writes only in answer to the host: what the guest writes on a
// port whose host end is not connected is lost.
#ifndef PROCTOR_VMM_GUEST_AGENT_WIRE_H_
#define PROCTOR_VMM_GUEST_AGENT_WIRE_H_

#include <cstdint>

namespace proctor::vmm::agent_wire {

// The port's name: /sys/class/virtio-ports/*/name in the guest.
inline constexpr char kPortName[] = "org.proctor.agent";

enum Frame : uint8_t {
  kStdout = 1,
  kStderr = 2,
  kExit = 3,
  kPing = 'p',
  kPong = 'P',
  kRun = 'r',
  kInput = 'i',
  kInputEnd = 'e',
  kKill = 'k',
  kSetUp = 's',
};

// Frames larger than this are refused: a damaged stream, not a command.
inline constexpr uint32_t kMaxFrame = 64u << 20;

}  // namespace proctor::vmm::agent_wire

#endif  // PROCTOR_VMM_GUEST_AGENT_WIRE_H_
