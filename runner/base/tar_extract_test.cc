#include "runner/base/tar_extract.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "gtest/gtest.h"

namespace proctor {
namespace {

// A tar of `files` (name, content); a name ending in "@" followed by a
// target is a symlink ("link@/tmp" links "link" to "/tmp").
std::string Tar(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const auto& [name, content] : files) {
    archive_entry* e = archive_entry_new();
    size_t at = name.find('@');
    archive_entry_set_pathname(e, name.substr(0, at).c_str());
    archive_entry_set_perm(e, 0644);
    if (at != std::string::npos) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, name.substr(at + 1).c_str());
      archive_write_header(a, e);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
      archive_write_header(a, e);
      archive_write_data(a, content.data(), content.size());
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

std::string Dir(const char* name) {
  std::string d = std::string(getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::create_directories(d);
  return d;
}

TEST(ExtractTarTest, FilesLandInTheDirectory) {
  std::string d = Dir("ok");
  ASSERT_TRUE(
      ExtractTar(Tar({{"./a.txt", "alpha"}, {"sub/b.txt", "beta"}}), d).ok());
  std::ifstream in(d + "/sub/b.txt");
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "beta");
  EXPECT_TRUE(std::filesystem::exists(d + "/a.txt"));
}

TEST(ExtractTarTest, AbsolutePathsAreRefusedAndNothingIsWritten) {
  std::string d = Dir("evil-abs");
  std::string target = std::string(getenv("TEST_TMPDIR")) + "/evil-abs-file";
  EXPECT_FALSE(ExtractTar(Tar({{target, "x"}}), d).ok());
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_FALSE(std::filesystem::exists(d + target));
}

TEST(ExtractTarTest, ParentPathsAreRefusedAndNothingIsWritten) {
  std::string d = Dir("evil-up");
  EXPECT_FALSE(ExtractTar(Tar({{"../evil-up-file", "x"}}), d).ok());
  EXPECT_FALSE(std::filesystem::exists(std::string(getenv("TEST_TMPDIR")) +
                                       "/evil-up-file"));
}

TEST(ExtractTarTest, WritingThroughASymlinkIsRefused) {
  std::string d = Dir("evil-link");
  std::string outside = Dir("outside");
  absl::Status s =
      ExtractTar(Tar({{"link@" + outside, ""}, {"link/planted", "x"}}), d);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(std::filesystem::exists(outside + "/planted"));
}

TEST(ExtractTarTest, TruncatedDataIsAnErrorNamingTheEntry) {
  std::string tar = Tar({{"big.txt", std::string(100000, 'x')}});
  absl::Status s = ExtractTar(tar.substr(0, 5000), Dir("truncated"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("big.txt"), absl::string_view::npos) << s;
}

TEST(ExtractTarTest, EmptyInputIsNothingToDo) {
  EXPECT_TRUE(ExtractTar("", Dir("empty")).ok());
}

}  // namespace
}  // namespace proctor
