// A deterministic archive: entries kept sorted by path and written by
// libarchive with uid/gid 0, mtime 0, no user or group names and no
// atime/ctime records (and, for cpio, inode numbers in path order), so the
// same inputs always give the same bytes. The initramfs is a newc cpio;
// image tarballs are POSIX tar.
#ifndef PROCTOR_IMAGES_ARCHIVE_TREE_H_
#define PROCTOR_IMAGES_ARCHIVE_TREE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct archive;

namespace proctor::images {

enum class ArchiveFormat { kCpio, kTar };

class ArchiveTree {
 public:
  // `parent_dirs`: whether adding "a/b" adds an entry for "a" too (a file
  // system wants them; an OCI archive holds only regular files).
  explicit ArchiveTree(bool parent_dirs = true) : parent_dirs_(parent_dirs) {}

  // Paths are relative ("bin/sh"); missing parent directories are added.
  void AddFile(const std::string& path, std::string content, int mode);
  void AddSymlink(const std::string& path, const std::string& target);
  void AddDir(const std::string& path, int mode = 0755);
  bool Contains(const std::string& path) const;
  const std::string* Content(const std::string& path) const;
  // A symlink's target, or nullptr when `path` is not a symlink.
  const std::string* SymlinkTarget(const std::string& path) const;

  // Writes the archive; `gzip` compresses it (no name, no timestamp).
  absl::Status Write(const std::string& out_path, ArchiveFormat format,
                     bool gzip) const;
  // Creates the tree's entries under `dir` (which must not hold them yet),
  // with their modes; symlink targets are written as they are.
  absl::Status WriteDirectory(const std::string& dir) const;
  // The same bytes Write() would give, in memory.
  absl::StatusOr<std::string> Serialize(ArchiveFormat format, bool gzip) const;
  size_t size() const { return entries_.size(); }
  // Every path, sorted.
  std::vector<std::string> Paths() const;

 private:
  struct Entry {
    enum Kind { kFile, kDir, kSymlink } kind = kFile;
    int mode = 0644;
    std::string data;  // content, or symlink target
  };
  void AddParents(const std::string& path);
  absl::Status WriteTo(::archive* a, ArchiveFormat format, bool gzip,
                       const std::string& name) const;
  bool parent_dirs_;
  std::map<std::string, Entry> entries_;
};

}  // namespace proctor::images

#endif  // PROCTOR_IMAGES_ARCHIVE_TREE_H_
