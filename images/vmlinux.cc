#include "images/vmlinux.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace proctor::images {

absl::StatusOr<std::string> ExtractVmlinux(absl::string_view bzimage) {
  static constexpr absl::string_view kXzMagic("\xfd" "7zXZ\0", 6);
  size_t at = bzimage.find(kXzMagic);
  if (at == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "no XZ payload in the kernel image (is it an XZ-compressed bzImage?)");
  }
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(),
                                               archive_read_free);
  archive_read_support_filter_xz(a.get());
  archive_read_support_format_raw(a.get());
  absl::string_view payload = bzimage.substr(at);
  if (archive_read_open_memory(a.get(), payload.data(), payload.size()) !=
      ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel payload: ", archive_error_string(a.get())));
  }
  archive_entry* e;
  if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel payload: ", archive_error_string(a.get())));
  }
  std::string out;
  char buf[1 << 16];
  la_ssize_t n;
  while ((n = archive_read_data(a.get(), buf, sizeof(buf))) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  // The bzImage continues after the XZ stream; a complaint about what
  // follows it is expected once the ELF is whole.
  if (!absl::StartsWith(out, "\x7f" "ELF")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kernel payload did not decompress to an ELF file",
        n < 0 ? absl::StrCat(": ", archive_error_string(a.get())) : ""));
  }
  return out;
}

}  // namespace proctor::images
