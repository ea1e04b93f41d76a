#include "runner/base/test_compress.h"

#include <archive.h>
#include <archive_entry.h>

namespace proctor {
namespace {

la_ssize_t Append(archive*, void* out, const void* data, size_t size) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

}  // namespace

std::string Compressed(const std::string& payload, int filter) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  archive_write_add_filter(a, filter);
  // Unpadded: the stream ends where the compressor ends it.
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open2(a, &out, nullptr, Append, nullptr, nullptr);
  archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_write_header(a, e);
  archive_write_data(a, payload.data(), payload.size());
  archive_write_close(a);
  archive_entry_free(e);
  archive_write_free(a);
  return out;
}

}  // namespace proctor
