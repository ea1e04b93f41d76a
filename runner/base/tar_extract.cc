#include "runner/base/tar_extract.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace proctor {
namespace {

// The current entry's data from `in` to `out`; a read or write that fails
// is an error naming the entry.
absl::Status CopyData(archive* in, archive* out, absl::string_view name) {
  const void* buf;
  size_t size;
  la_int64_t offset;
  int r;
  while ((r = archive_read_data_block(in, &buf, &size, &offset)) ==
         ARCHIVE_OK) {
    if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_OK) {
      return absl::DataLossError(
          absl::StrCat("tar: ", name, ": ", archive_error_string(out)));
    }
  }
  if (r != ARCHIVE_EOF) {
    return absl::DataLossError(
        absl::StrCat("tar: ", name, ": ", archive_error_string(in)));
  }
  if (archive_write_finish_entry(out) < ARCHIVE_OK) {
    return absl::DataLossError(
        absl::StrCat("tar: ", name, ": ", archive_error_string(out)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ExtractTar(absl::string_view tar, const std::string& dir) {
  if (tar.empty()) return absl::OkStatus();
  std::unique_ptr<archive, int (*)(archive*)> in(archive_read_new(),
                                                 archive_read_free);
  std::unique_ptr<archive, int (*)(archive*)> out(archive_write_disk_new(),
                                                  archive_write_free);
  archive_read_support_format_tar(in.get());
  archive_write_disk_set_options(
      out.get(), ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                     ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_PERM);
  if (archive_read_open_memory(in.get(), tar.data(), tar.size()) !=
      ARCHIVE_OK) {
    return absl::DataLossError(
        absl::StrCat("tar: ", archive_error_string(in.get())));
  }
  archive_entry* e;
  int r;
  while ((r = archive_read_next_header(in.get(), &e)) == ARCHIVE_OK) {
    // Names are joined to `dir`, so an absolute name is refused here;
    // libarchive refuses ".." and writing through symlinks.
    std::string name = archive_entry_pathname(e);
    if (absl::StartsWith(name, "/")) {
      return absl::DataLossError(absl::StrCat("tar: absolute path ", name));
    }
    std::string path = absl::StrCat(dir, "/", name);
    archive_entry_set_pathname(e, path.c_str());
    if (archive_write_header(out.get(), e) != ARCHIVE_OK) {
      return absl::DataLossError(
          absl::StrCat("tar: ", archive_error_string(out.get())));
    }
    absl::Status copied = CopyData(in.get(), out.get(), name);
    if (!copied.ok()) return copied;
  }
  if (r != ARCHIVE_EOF) {
    return absl::DataLossError(
        absl::StrCat("tar: ", archive_error_string(in.get())));
  }
  return absl::OkStatus();
}

}  // namespace proctor
