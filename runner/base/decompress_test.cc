#include "runner/base/decompress.h"

#include <archive.h>

#include "gtest/gtest.h"
#include "runner/base/test_compress.h"

namespace proctor {
namespace {

TEST(DecompressTest, EachFilterGivesTheBytesBack) {
  std::string text(100000, 'x');
  for (int filter : {ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_XZ,
                     ARCHIVE_FILTER_ZSTD, ARCHIVE_FILTER_BZIP2}) {
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
