// What an ELF file needs from the file system to run: its program
// interpreter (PT_INTERP) and the shared libraries it names (DT_NEEDED),
// with its DT_RUNPATH/DT_RPATH, read with libelf from the bytes in memory.
#ifndef PROCTOR_CONTAINER_ELF_DEPS_H_
#define PROCTOR_CONTAINER_ELF_DEPS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor::container {

struct ElfDeps {
  std::string interpreter;           // "" for a library or a static binary
  std::vector<std::string> needed;   // sonames, in DT_NEEDED order
  std::vector<std::string> runpath;  // directories, $ORIGIN unexpanded
};

bool IsElf(absl::string_view bytes);

// InvalidArgument if `bytes` is not an ELF file libelf can read.
absl::StatusOr<ElfDeps> ReadElfDeps(absl::string_view bytes);

}  // namespace proctor::container

#endif  // PROCTOR_CONTAINER_ELF_DEPS_H_
