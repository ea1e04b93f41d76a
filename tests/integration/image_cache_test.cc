// Guest images given as a tarball file or URL plus its sha256: fetched into
// the content-addressed cache, checked before every use, fetched again when
// the cached copy is damaged, and refused with exit 3 when they do not match.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/sha256.h"
#include "runner/base/unique_fd.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string Tarball() {
  return absl::StrCat(getenv("TEST_SRCDIR"),
                      "/proctor/images/jeos_python_tar.tar");
}

int FreePort() {
  UniqueFd s(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

bool Connects(int port) {
  UniqueFd s(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
}

class ImageCacheTest : public ProctorTest {
 protected:
  void SetUp() override {
    ProctorTest::SetUp();
    cache_ = results() + "-xdg";
    www_ = results() + "-www";
    fs::create_directories(www_);
    fs::copy_file(Tarball(), www_ + "/jeos.tar");
    sha256_ = *Sha256File(Tarball());
  }

  void TearDown() override {
    StopServing();  // before the harness looks for leftover processes
    ProctorTest::TearDown();
  }

  // `proctor image fetch` with its own cache ($XDG_CACHE_HOME).
  RunOutput Fetch(const std::string& source, const std::string& sha256) {
    return Run({"image", "fetch", "--image-sha256=" + sha256, source},
               {"XDG_CACHE_HOME=" + cache_});
  }
  std::string Images() const { return cache_ + "/proctor/images"; }
  std::string Entry() const { return Images() + "/" + sha256_; }

  // Serves www_ over HTTP on 127.0.0.1 (Python's http.server, a real
  // server); returns the URL of the tarball.
  std::string Serve() {
    int port = FreePort();
    SpawnOptions o;
    o.argv = {"/usr/bin/python3", "-m",     "http.server",
              absl::StrCat(port), "--bind", "127.0.0.1",
              "--directory",      www_};
    absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
    if (!p.ok()) {
      ADD_FAILURE() << p.status();
      return "";
    }
    server_ = *std::move(p);
    for (int i = 0; i < 100 && !Connects(port); ++i) usleep(50000);
    return absl::StrCat("http://127.0.0.1:", port, "/jeos.tar");
  }
  void StopServing() {
    if (!server_.running()) return;
    server_.SignalGroup(SIGTERM);
    server_.Wait();
  }

  void Damage(const std::string& file) {
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('\x7f');
  }

  std::vector<std::string> CacheEntries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(Images(), ec))
      names.push_back(e.path().filename().string());
    return names;
  }

  std::string cache_, www_, sha256_;
  Subprocess server_;
};

TEST_F(ImageCacheTest, TarballFileIsUnpackedIntoTheCacheUnderItsDigest) {
  RunOutput r = Fetch(www_ + "/jeos.tar", sha256_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, Entry() + "\n");
  for (const char* f : {"SHA256SUMS", "initramfs", "vmlinux", "tarball"})
    EXPECT_TRUE(fs::exists(Entry() + "/" + f)) << f;
  EXPECT_THAT(CacheEntries(), ::testing::ElementsAre(sha256_));
  EXPECT_EQ(Run({"image", "verify", Entry()}).exit_code, 0);
}

TEST_F(ImageCacheTest, UrlIsFetchedOnceAndThenServedFromTheCache) {
  std::string url = Serve();
  RunOutput first = Fetch(url, sha256_);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  StopServing();
  RunOutput second = Fetch(url, sha256_);
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, Entry() + "\n");
}

TEST_F(ImageCacheTest, WrongDigestIsExitThreeWithBothDigestsAndCachesNothing) {
  std::string wrong(64, '0');
  RunOutput r = Fetch(Serve(), wrong);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("sha256 mismatch: pinned ", wrong,
                                            ", got ", sha256_)));
  EXPECT_THAT(CacheEntries(), ::testing::IsEmpty());
}

TEST_F(ImageCacheTest, DamagedCacheEntryIsFetchedAgain) {
  ASSERT_EQ(Fetch(www_ + "/jeos.tar", sha256_).exit_code, 0);
  Damage(Entry() + "/initramfs");
  RunOutput r = Fetch(www_ + "/jeos.tar", sha256_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cached image is damaged"));
  EXPECT_THAT(r.err, HasSubstr("initramfs: sha256 mismatch"));
  EXPECT_EQ(Run({"image", "verify", Entry()}).exit_code, 0);
}

TEST_F(ImageCacheTest, DamagedTarballInTheCacheIsNoticedToo) {
  ASSERT_EQ(Fetch(www_ + "/jeos.tar", sha256_).exit_code, 0);
  Damage(Entry() + "/tarball");
  RunOutput r = Fetch(www_ + "/jeos.tar", sha256_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("tarball: sha256"));
}

TEST_F(ImageCacheTest, DamagedEntryWithTheSourceGoneIsExitThree) {
  std::string url = Serve();
  ASSERT_EQ(Fetch(url, sha256_).exit_code, 0);
  StopServing();
  Damage(Entry() + "/vmlinux");
  RunOutput r = Fetch(url, sha256_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("cached image is damaged"));
  EXPECT_THAT(r.err, HasSubstr("Couldn't connect to server"));
}

TEST_F(ImageCacheTest, HttpErrorIsExitThreeNamingTheStatus) {
  std::string url = Serve();
  RunOutput r = Fetch(url + ".missing", sha256_);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("404"));
  EXPECT_THAT(CacheEntries(), ::testing::IsEmpty());
}

TEST_F(ImageCacheTest, TarballHoldingOtherFilesIsRefused) {
  std::string dir = www_ + "/evil";
  fs::create_directories(dir + "/etc");
  std::ofstream(dir + "/etc/passwd") << "root::0:0::/:/bin/sh\n";
  std::string tar = www_ + "/evil.tar";
  ASSERT_EQ(system(absl::StrCat("tar -C ", dir, " -cf ", tar, " etc").c_str()),
            0);
  RunOutput r = Fetch(tar, *Sha256File(tar));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("holds etc/passwd, which is not part of an "
                               "image"));
  EXPECT_THAT(CacheEntries(), ::testing::IsEmpty());
}

TEST_F(ImageCacheTest, NotATarballIsExitThree) {
  std::ofstream(www_ + "/junk.tar") << "junk";
  RunOutput r = Fetch(www_ + "/junk.tar", *Sha256File(www_ + "/junk.tar"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("image " + www_ + "/junk.tar: "));
}

TEST_F(ImageCacheTest, TarballWithoutDigestIsAUsageError) {
  RunOutput r = Run({"image", "fetch", www_ + "/jeos.tar"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give its digest with --image-sha256=HEX"));
  EXPECT_EQ(Fetch(www_ + "/jeos.tar", "xyz").exit_code, 2);
  // A directory is pinned by its own SHA256SUMS.
  EXPECT_EQ(Fetch(www_, sha256_).exit_code, 2);
}

TEST_F(ImageCacheTest, GuestTestsRunFromAnImageUrl) {
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\nuname -r\n");
  // Host tests (the virt helpers they call) get the unpacked directory.
  Script("u.sh", "#!/bin/sh\necho \"$PROCTOR_IMAGE\" > \"$OUTPUTDIR/image\"\n");
  RunOutput r =
      Run({"run", "--results-dir=" + results(), "--sysinfo=off", suite()},
          {"XDG_CACHE_HOME=" + cache_, "PROCTOR_IMAGE=" + Serve(),
           "PROCTOR_IMAGE_SHA256=" + sha256_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.lines[1], "t.sh -- PASS");
  EXPECT_THAT(ReadFile(LatestJobDir() + "/vm/qemu.cmdline"),
              HasSubstr(Entry() + "/vmlinux"));
  EXPECT_EQ(ReadFile(LatestJobDir() + "/tests/002-u.sh/outputs/image"),
            Entry() + "\n");
}

}  // namespace
}  // namespace proctor::testing
