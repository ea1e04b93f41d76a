#include "images/cpio_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor::images {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

CpioTree Sample() {
  CpioTree tree;
  tree.AddFile("usr/bin/tool", "#!/bin/sh\n", 0755);
  tree.AddSymlink("bin/sh", "busybox");
  tree.AddFile("bin/busybox", std::string(100000, 'b'), 0755);
  tree.AddDir("tmp", 01777);
  return tree;
}

TEST(CpioTreeTest, SameTreeGivesSameBytes) {
  std::string dir = getenv("TEST_TMPDIR");
  ASSERT_TRUE(Sample().Write(dir + "/a.cpio", false).ok());
  ASSERT_TRUE(Sample().Write(dir + "/b.cpio", false).ok());
  EXPECT_EQ(ReadFile(dir + "/a.cpio"), ReadFile(dir + "/b.cpio"));
  ASSERT_TRUE(Sample().Write(dir + "/a.cpio.gz", true).ok());
  ASSERT_TRUE(Sample().Write(dir + "/b.cpio.gz", true).ok());
  EXPECT_EQ(ReadFile(dir + "/a.cpio.gz"), ReadFile(dir + "/b.cpio.gz"));
}

TEST(CpioTreeTest, EntriesAreSortedOwnedByRootAndUndated) {
  std::string path = std::string(getenv("TEST_TMPDIR")) + "/c.cpio.gz";
  ASSERT_TRUE(Sample().Write(path, true).ok());
  archive* a = archive_read_new();
  archive_read_support_format_cpio(a);
  archive_read_support_filter_gzip(a);
  ASSERT_EQ(archive_read_open_filename(a, path.c_str(), 4096), ARCHIVE_OK);
  std::vector<std::string> names;
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    names.push_back(archive_entry_pathname(e));
    EXPECT_EQ(archive_entry_uid(e), 0);
    EXPECT_EQ(archive_entry_gid(e), 0);
    EXPECT_EQ(archive_entry_mtime(e), 0);
    if (names.back() == "bin/sh") {
      EXPECT_STREQ(archive_entry_symlink(e), "busybox");
    }
    if (names.back() == "tmp") EXPECT_EQ(archive_entry_perm(e), 01777);
  }
  archive_read_free(a);
  EXPECT_THAT(names,
              ::testing::ElementsAre("bin", "bin/busybox", "bin/sh", "tmp",
                                     "usr", "usr/bin", "usr/bin/tool"));
}

}  // namespace
}  // namespace proctor::images
