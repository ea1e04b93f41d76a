#include "runner/base/decompress.h"

#include <archive.h>
#include <archive_entry.h>

#include <vector>

#include "gtest/gtest.h"

namespace proctor {
namespace {

std::string Compressed(const std::string& payload, int filter) {
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  archive_write_add_filter(a, filter);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_write_header(a, e);
  archive_write_data(a, payload.data(), payload.size());
  archive_write_close(a);
  archive_entry_free(e);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

TEST(DecompressTest, EachFilterGivesTheBytesBack) {
  std::string text(100000, 'x');
  for (int filter : {ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_ZSTD,
                     ARCHIVE_FILTER_BZIP2}) {
    Decompressed d = Decompress(Compressed(text, filter));
    EXPECT_EQ(d.error, "") << filter;
    EXPECT_EQ(d.data, text) << filter;
  }
}

TEST(DecompressTest, TrailingBytesAreAnError) {
  std::string text(100000, 'y');
  Decompressed d = Decompress(Compressed(text, ARCHIVE_FILTER_XZ) + "junk");
  EXPECT_NE(d.error, "");
  EXPECT_LE(d.data.size(), text.size());
}

TEST(DecompressTest, PlainBytesComeBackAsTheyAre) {
  Decompressed d = Decompress("plain text, not compressed");
  EXPECT_EQ(d.error, "");
  EXPECT_EQ(d.data, "plain text, not compressed");
}

}  // namespace
}  // namespace proctor
