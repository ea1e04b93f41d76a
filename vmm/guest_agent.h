// The guest agent's program (guest_agent_main.cc, built static), embedded
// in the binaries that copy it into guests: vmm::Vm installs it in a guest
// it will save (VmOptions::agent), and talks to it with AgentSession.
#ifndef PROCTOR_VMM_GUEST_AGENT_H_
#define PROCTOR_VMM_GUEST_AGENT_H_

#include "absl/strings/string_view.h"

namespace proctor::vmm {

// The executable's bytes; valid for the process's life.
absl::string_view GuestAgentProgram();

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_GUEST_AGENT_H_
