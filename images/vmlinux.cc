#include "images/vmlinux.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace proctor::images {

namespace {

uint32_t Le32(absl::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// The compressed kernel, as the x86 boot protocol's header places it:
// payload_offset and payload_length count from the protected-mode code,
// which follows (setup_sects + 1) sectors of setup. The XZ stream must end
// exactly there; what follows it is the rest of the bzImage.
absl::string_view Payload(absl::string_view bzimage) {
  if (bzimage.size() > 0x250 && bzimage.substr(0x202, 4) == "HdrS") {
    size_t setup_sects = static_cast<unsigned char>(bzimage[0x1f1]);
    if (setup_sects == 0) setup_sects = 4;
    size_t start = (setup_sects + 1) * 512 + Le32(bzimage, 0x248);
    size_t length = Le32(bzimage, 0x24c);
    if (start < bzimage.size() && length <= bzimage.size() - start) {
      return bzimage.substr(start, length);
    }
  }
  return bzimage;
}

}  // namespace

absl::StatusOr<std::string> ExtractVmlinux(absl::string_view bzimage) {
  static constexpr absl::string_view kXzMagic(
      "\xfd"
      "7zXZ\0",
      6);
  absl::string_view image = Payload(bzimage);
  size_t at = image.find(kXzMagic);
  if (at == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "no XZ payload in the kernel image (is it an XZ-compressed bzImage?)");
  }
  bzimage = image;
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
  if (!absl::StartsWith(out,
                        "\x7f"
                        "ELF")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kernel payload did not decompress to an ELF file",
        n < 0 ? absl::StrCat(": ", archive_error_string(a.get())) : ""));
  }
  return out;
}

}  // namespace proctor::images
