#include "runner/base/decompress.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace proctor {

Decompressed Decompress(absl::string_view bytes) {
  Decompressed d;
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(),
                                                archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  archive_entry* e;
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) !=
          ARCHIVE_OK ||
      archive_read_next_header(a.get(), &e) != ARCHIVE_OK) {
    const char* why = archive_error_string(a.get());
    d.error = why != nullptr ? why : "not a compressed stream";
    return d;
  }
  char buf[1 << 16];
  la_ssize_t n;
  while ((n = archive_read_data(a.get(), buf, sizeof(buf))) > 0) {
    d.data.append(buf, static_cast<size_t>(n));
  }
  if (n < 0) {
    const char* why = archive_error_string(a.get());
    d.error = why != nullptr ? why : "read error";
  }
  return d;
}

}  // namespace proctor
