#include "images/archive_tree.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/strip.h"
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

ArchiveTree Sample() {
  ArchiveTree tree;
  tree.AddFile("usr/bin/tool", "#!/bin/sh\n", 0755);
  tree.AddSymlink("bin/sh", "busybox");
  tree.AddFile("bin/busybox", std::string(100000, 'b'), 0755);
  tree.AddDir("tmp", 01777);
  return tree;
}

class ArchiveTreeTest : public ::testing::TestWithParam<ArchiveFormat> {};

TEST_P(ArchiveTreeTest, SameTreeGivesSameBytes) {
  std::string dir = getenv("TEST_TMPDIR");
  ASSERT_TRUE(Sample().Write(dir + "/a", GetParam(), false).ok());
  ASSERT_TRUE(Sample().Write(dir + "/b", GetParam(), false).ok());
  EXPECT_EQ(ReadFile(dir + "/a"), ReadFile(dir + "/b"));
  ASSERT_TRUE(Sample().Write(dir + "/a.gz", GetParam(), true).ok());
  ASSERT_TRUE(Sample().Write(dir + "/b.gz", GetParam(), true).ok());
  EXPECT_EQ(ReadFile(dir + "/a.gz"), ReadFile(dir + "/b.gz"));
}

TEST_P(ArchiveTreeTest, EntriesAreSortedOwnedByRootAndUndated) {
  std::string path = std::string(getenv("TEST_TMPDIR")) + "/c.gz";
  ASSERT_TRUE(Sample().Write(path, GetParam(), true).ok());
  archive* a = archive_read_new();
  archive_read_support_format_all(a);
  archive_read_support_filter_gzip(a);
  ASSERT_EQ(archive_read_open_filename(a, path.c_str(), 4096), ARCHIVE_OK);
  std::vector<std::string> names;
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    // tar marks a directory with a trailing slash.
    names.emplace_back(absl::StripSuffix(archive_entry_pathname(e), "/"));
    EXPECT_EQ(archive_entry_uid(e), 0);
    EXPECT_EQ(archive_entry_gid(e), 0);
    EXPECT_EQ(archive_entry_mtime(e), 0);
    EXPECT_FALSE(archive_entry_atime_is_set(e));
    EXPECT_FALSE(archive_entry_ctime_is_set(e));
    const char* uname = archive_entry_uname(e);
    EXPECT_TRUE(uname == nullptr || *uname == '\0') << uname;
    if (names.back() == "bin/sh") {
      EXPECT_STREQ(archive_entry_symlink(e), "busybox");
    }
    if (names.back() == "tmp") {
      EXPECT_EQ(archive_entry_perm(e), 01777);
    }
  }
  archive_read_free(a);
  EXPECT_THAT(names,
              ::testing::ElementsAre("bin", "bin/busybox", "bin/sh", "tmp",
                                     "usr", "usr/bin", "usr/bin/tool"));
}

TEST(ArchiveTreeFormatTest, TarIsAPosixTarAndCpioANewcCpio) {
  std::string dir = getenv("TEST_TMPDIR");
  ASSERT_TRUE(Sample().Write(dir + "/f.tar", ArchiveFormat::kTar, false).ok());
  ASSERT_TRUE(
      Sample().Write(dir + "/f.cpio", ArchiveFormat::kCpio, false).ok());
  EXPECT_EQ(ReadFile(dir + "/f.tar").substr(257, 5), "ustar");
  EXPECT_EQ(ReadFile(dir + "/f.cpio").substr(0, 6), "070701");
}

TEST(ArchiveTreeDirectoryTest, WriteDirectoryGivesFilesLinksAndModes) {
  std::string dir = std::string(getenv("TEST_TMPDIR")) + "/tree";
  ArchiveTree tree = Sample();
  tree.AddDir("ro", 0555);
  tree.AddFile("ro/inside", "x", 0644);
  ASSERT_TRUE(tree.WriteDirectory(dir).ok());
  EXPECT_EQ(ReadFile(dir + "/usr/bin/tool"), "#!/bin/sh\n");
  EXPECT_EQ(ReadFile(dir + "/bin/sh").size(), 100000u);  // through the link
  namespace fs = std::filesystem;
  EXPECT_EQ(fs::read_symlink(dir + "/bin/sh"), "busybox");
  EXPECT_EQ(fs::status(dir + "/usr/bin/tool").permissions(),
            static_cast<fs::perms>(0755));
  EXPECT_EQ(fs::status(dir + "/tmp").permissions(),
            static_cast<fs::perms>(01777));
  EXPECT_EQ(fs::status(dir + "/ro").permissions(),
            static_cast<fs::perms>(0555));
  EXPECT_EQ(ReadFile(dir + "/ro/inside"), "x");
  fs::permissions(dir + "/ro", fs::perms::owner_all);  // let Bazel clean up
}

TEST(ArchiveTreeDirectoryTest, SymlinkTargetIsKnownOnlyForSymlinks) {
  ArchiveTree tree = Sample();
  ASSERT_NE(tree.SymlinkTarget("bin/sh"), nullptr);
  EXPECT_EQ(*tree.SymlinkTarget("bin/sh"), "busybox");
  EXPECT_EQ(tree.SymlinkTarget("bin/busybox"), nullptr);
  EXPECT_EQ(tree.SymlinkTarget("nothing"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Formats, ArchiveTreeTest,
                         ::testing::Values(ArchiveFormat::kCpio,
                                           ArchiveFormat::kTar));

}  // namespace
}  // namespace proctor::images
