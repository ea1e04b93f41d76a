// A root file system picked from Debian packages file by file: the paths
// asked for and everything they need to run. For an ELF file that is its
// program interpreter and its DT_NEEDED libraries, looked up where ld.so
// looks (DT_RUNPATH, then the multiarch and standard directories), and
// again for each library; every symlink on the way comes along. What a
// package ships but nothing asks for stays out: that is how the container
// carries QEMU without its GUI, audio or documentation.
//
//   PackagePool pool;
//   pool.Index(debs);                              // names only
//   pool.Pick({"usr/bin/qemu-system-x86_64", "usr/lib/python3.11/"},
//             excludes, &tree);                    // closure, with content
#ifndef PROCTOR_CONTAINER_ROOTFS_H_
#define PROCTOR_CONTAINER_ROOTFS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "images/archive_tree.h"
#include "images/deb_reader.h"

namespace proctor::container {

class PackagePool {
 public:
  // Indexes the files of these packages (names and kinds; contents are
  // read later, only for what is picked). A path in two packages is taken
  // from the later one.
  absl::Status Index(const std::vector<std::string>& debs);

  // Adds `roots` and what they need to `tree`. A root ending in "/" takes
  // the directory's whole tree, except paths under `excludes`. A root or a
  // library that no package holds is an error naming it and who needs it.
  absl::Status Pick(const std::vector<std::string>& roots,
                    const std::vector<std::string>& excludes,
                    images::ArchiveTree* tree);

  // What an ELF file from outside the packages (proctor itself) needs from
  // them: its interpreter and libraries, as paths to give Pick(). Empty
  // for a file that is not ELF.
  absl::StatusOr<std::vector<std::string>> NeedsOf(
      absl::string_view bytes, const std::string& name) const;

  // The picked paths, sorted (for logs and tests).
  const std::set<std::string>& picked() const { return picked_; }

 private:
  struct Item {
    size_t deb = 0;
    images::DebEntry entry;
  };
  // `path` with symlinked directories on the way resolved, or "" when no
  // package has it.
  std::string Canonical(const std::string& path) const;
  std::string FindLibrary(const std::string& soname,
                          const std::vector<std::string>& runpath,
                          const std::string& origin) const;

  std::vector<std::string> debs_;
  std::map<std::string, Item> items_;
  std::set<std::string> picked_;
};

}  // namespace proctor::container

#endif  // PROCTOR_CONTAINER_ROOTFS_H_
