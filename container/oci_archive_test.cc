#include "container/oci_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <map>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/sha256.h"

namespace proctor::container {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// name -> content, and whether every entry was a regular file.
std::map<std::string, std::string> Members(const std::string& path,
                                           bool* only_files) {
  std::map<std::string, std::string> m;
  *only_files = true;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 1 << 16), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    if (archive_entry_filetype(e) != AE_IFREG) *only_files = false;
    std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
    archive_read_data(a, &data[0], data.size());
    m[archive_entry_pathname(e)] = data;
  }
  archive_read_free(a);
  return m;
}

OciConfig Config() {
  OciConfig c;
  c.user = "1000:1000";
  c.env = {"PATH=/bin"};
  c.entrypoint = {"/bin/proctor", "run"};
  c.volumes = {"/tests", "/results"};
  c.labels = {{"z.last", "1"}, {"a.first", "2"}};
  return c;
}

class OciArchiveTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name) {
    std::string path = std::string(getenv("TEST_TMPDIR")) + "/" + name;
    absl::StatusOr<OciDigests> d =
        WriteOciArchive({{"layer one", "base"}, {"layer two", "extra"}},
                        Config(), "proctor:test", path);
    EXPECT_TRUE(d.ok()) << d.status();
    if (d.ok()) digests_ = *d;
    return path;
  }
  OciDigests digests_;
};

TEST_F(OciArchiveTest, SameInputsGiveTheSameBytes) {
  EXPECT_EQ(ReadFile(Write("a.tar")), ReadFile(Write("b.tar")));
}

TEST_F(OciArchiveTest, HoldsOnlyRegularFilesOfBothLayouts) {
  bool only_files = false;
  auto m = Members(Write("c.tar"), &only_files);
  EXPECT_TRUE(only_files);
  EXPECT_EQ(m.count("oci-layout"), 1u);
  EXPECT_EQ(m.count("index.json"), 1u);
  EXPECT_EQ(m.count("manifest.json"), 1u);
  // Two layers, the config and the manifest.
  int blobs = 0;
  for (const auto& [name, data] : m) {
    if (name.rfind("blobs/sha256/", 0) != 0) continue;
    ++blobs;
    EXPECT_EQ(name.substr(13), Sha256Hex(data)) << "blob named by its digest";
  }
  EXPECT_EQ(blobs, 4);
}

TEST_F(OciArchiveTest, IndexAndDockerManifestPointAtTheManifestAndConfig) {
  bool only_files;
  auto m = Members(Write("d.tar"), &only_files);
  EXPECT_THAT(m["index.json"], HasSubstr("\"digest\":\"" + digests_.manifest));
  EXPECT_THAT(
      m["index.json"],
      HasSubstr("\"org.opencontainers.image.ref.name\":\"proctor:test\""));
  std::string manifest = m["blobs/sha256/" + digests_.manifest.substr(7)];
  EXPECT_THAT(manifest, HasSubstr("\"digest\":\"" + digests_.config));
  EXPECT_THAT(manifest, HasSubstr("\"size\":9}"));  // a number, not a string
  EXPECT_THAT(m["manifest.json"], HasSubstr("\"Config\":\"blobs/sha256/" +
                                            digests_.config.substr(7) + "\""));
  EXPECT_THAT(m["manifest.json"], HasSubstr("\"RepoTags\":[\"proctor:test\"]"));
}

TEST_F(OciArchiveTest, ConfigIsDatedAtTheEpochWithSortedKeys) {
  bool only_files;
  auto m = Members(Write("e.tar"), &only_files);
  std::string config = m["blobs/sha256/" + digests_.config.substr(7)];
  EXPECT_THAT(config, HasSubstr("\"created\":\"1970-01-01T00:00:00Z\""));
  EXPECT_THAT(config, HasSubstr("\"Volumes\":{\"/results\":{},\"/tests\":{}}"));
  EXPECT_THAT(config,
              HasSubstr("\"Labels\":{\"a.first\":\"2\",\"z.last\":\"1\"}"));
  EXPECT_THAT(config,
              HasSubstr("\"diff_ids\":[\"sha256:" + Sha256Hex("layer one") +
                        "\",\"sha256:" + Sha256Hex("layer two") + "\"]"));
  EXPECT_LT(config.find("\"architecture\""), config.find("\"config\""));
  EXPECT_LT(config.find("\"config\""), config.find("\"created\""));
}

}  // namespace
}  // namespace proctor::container
