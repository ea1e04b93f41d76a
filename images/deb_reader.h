// Reads the files of a Debian package (.deb) without unpacking it to disk:
// the .deb is an ar archive whose data.tar.* member holds the files, and
// libarchive reads both layers (ar, then tar with any compression).
#ifndef PROCTOR_IMAGES_DEB_READER_H_
#define PROCTOR_IMAGES_DEB_READER_H_

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace proctor::images {

struct DebEntry {
  std::string path;  // without the leading "./"
  bool is_dir = false;
  bool is_symlink = false;
  bool is_hardlink = false;
  std::string link_target;  // symlink or hard link target
  int mode = 0;             // permission bits
};

// Calls `visit` for each entry of the package's data archive in archive
// order. `read` returns the entry's content (regular files only); calling
// it is optional, and entries not read are skipped cheaply.
using DebVisitor = std::function<absl::Status(
    const DebEntry& entry, const std::function<std::string()>& read)>;

absl::Status ForEachDebFile(const std::string& deb_path,
                            const DebVisitor& visit);

}  // namespace proctor::images

#endif  // PROCTOR_IMAGES_DEB_READER_H_
