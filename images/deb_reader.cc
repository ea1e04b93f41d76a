#include "images/deb_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace proctor::images {
namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

std::string ReadAll(archive* a) {
  std::string out;
  char buf[1 << 16];
  la_ssize_t n;
  while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

absl::Status ForEachDebFile(const std::string& deb_path,
                            const DebVisitor& visit) {
  ArchivePtr outer(archive_read_new());
  archive_read_support_format_ar(outer.get());
  if (archive_read_open_filename(outer.get(), deb_path.c_str(), 1 << 16) !=
      ARCHIVE_OK) {
    return absl::NotFoundError(
        absl::StrCat(deb_path, ": ", archive_error_string(outer.get())));
  }
  std::string data;
  archive_entry* e;
  while (archive_read_next_header(outer.get(), &e) == ARCHIVE_OK) {
    if (absl::StartsWith(archive_entry_pathname(e), "data.tar")) {
      data = ReadAll(outer.get());
      break;
    }
  }
  if (data.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(deb_path, ": no data.tar member: not a Debian package"));
  }

  ArchivePtr inner(archive_read_new());
  archive_read_support_format_tar(inner.get());
  archive_read_support_filter_all(inner.get());
  if (archive_read_open_memory(inner.get(), data.data(), data.size()) !=
      ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat(deb_path, ": ", archive_error_string(inner.get())));
  }
  int r;
  while ((r = archive_read_next_header(inner.get(), &e)) == ARCHIVE_OK) {
    DebEntry entry;
    absl::string_view path = archive_entry_pathname(e);
    absl::ConsumePrefix(&path, "./");
    absl::ConsumeSuffix(&path, "/");
    if (path.empty() || path == ".") continue;
    entry.path = std::string(path);
    entry.mode = archive_entry_perm(e);
    entry.is_dir = archive_entry_filetype(e) == AE_IFDIR;
    if (const char* hl = archive_entry_hardlink(e)) {
      entry.is_hardlink = true;
      absl::string_view t = hl;
      absl::ConsumePrefix(&t, "./");
      entry.link_target = std::string(t);
    } else if (archive_entry_filetype(e) == AE_IFLNK) {
      entry.is_symlink = true;
      entry.link_target = archive_entry_symlink(e);
    }
    archive* a = inner.get();
    absl::Status s = visit(entry, [a]() { return ReadAll(a); });
    if (!s.ok()) return s;
  }
  if (r != ARCHIVE_EOF) {
    return absl::DataLossError(
        absl::StrCat(deb_path, ": ", archive_error_string(inner.get())));
  }
  return absl::OkStatus();
}

}  // namespace proctor::images
