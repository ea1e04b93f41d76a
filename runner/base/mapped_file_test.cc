#include "runner/base/mapped_file.h"

#include <fstream>

#include "gtest/gtest.h"
#include "runner/base/test_dir.h"

namespace proctor {
namespace {

TEST(MappedFileTest, GivesTheFilesBytes) {
  std::string path = FreshTestDir() + "/f";
  std::ofstream(path, std::ios::binary) << std::string("ab\0cd", 5);
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->bytes(), absl::string_view("ab\0cd", 5));
  MappedFile moved = *std::move(f);
  EXPECT_EQ(moved.bytes().size(), 5u);
}

TEST(MappedFileTest, EmptyFileIsEmpty) {
  std::string path = FreshTestDir() + "/empty";
  std::ofstream(path).flush();
  absl::StatusOr<MappedFile> f = MappedFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->bytes().empty());
}

TEST(MappedFileTest, MissingFileAndDirectoryAreErrors) {
  EXPECT_FALSE(MappedFile::Open("/nonexistent/file").ok());
  EXPECT_FALSE(MappedFile::Open(FreshTestDir()).ok());
}

}  // namespace
}  // namespace proctor
