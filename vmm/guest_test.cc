// The JeOS image booted by QemuProcess under TCG, driven over QMP and SSH:
// one behaviour per test, one VM shared by the tests that only talk to it.
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "vmm/qemu_process.h"
#include "vmm/ssh_session.h"

namespace proctor::vmm {
namespace {

using ::testing::HasSubstr;

std::string Image(const char* file) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/proctor/images/jeos_minimal/",
                      file);
}

QemuConfig BaseConfig(const std::string& name) {
  QemuConfig c;
  c.kernel = Image("vmlinux");
  c.initramfs = Image("initramfs");
  c.run_dir = absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
  return c;
}

void BootAndLogin(const std::string& name, const GuestKey& key,
                  std::unique_ptr<QemuProcess>* vm,
                  std::unique_ptr<SshSession>* s) {
  QemuConfig c = BaseConfig(name);
  c.authorized_key = key.public_line();
  absl::StatusOr<std::unique_ptr<QemuProcess>> started = QemuProcess::Start(c);
  ASSERT_TRUE(started.ok()) << started.status();
  *vm = *std::move(started);
  absl::StatusOr<SshSession> login = SshSession::WaitForLogin(
      "127.0.0.1", (*vm)->ssh_port(), key, absl::Seconds(90));
  ASSERT_TRUE(login.ok()) << login.status();
  *s = std::make_unique<SshSession>(*std::move(login));
}

class SharedGuestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = new GuestKey(*GuestKey::Generate());
    share_ = absl::StrCat(getenv("TEST_TMPDIR"), "/share");
    std::filesystem::create_directories(share_);
    std::ofstream(share_ + "/input.txt") << "from the host\n";
    QemuConfig c = BaseConfig("shared");
    c.authorized_key = key_->public_line();
    c.share_dir = share_;
    absl::StatusOr<std::unique_ptr<QemuProcess>> vm = QemuProcess::Start(c);
    ASSERT_TRUE(vm.ok()) << vm.status();
    vm_ = vm->release();
    absl::StatusOr<SshSession> s = SshSession::WaitForLogin(
        "127.0.0.1", vm_->ssh_port(), *key_, absl::Seconds(90));
    ASSERT_TRUE(s.ok()) << s.status();
    session_ = new SshSession(*std::move(s));
  }
  static void TearDownTestSuite() {
    delete session_;
    delete vm_;
    delete key_;
  }

  static GuestKey* key_;
  static QemuProcess* vm_;
  static SshSession* session_;
  static std::string share_;
};

GuestKey* SharedGuestTest::key_ = nullptr;
QemuProcess* SharedGuestTest::vm_ = nullptr;
SshSession* SharedGuestTest::session_ = nullptr;
std::string SharedGuestTest::share_;

TEST_F(SharedGuestTest, CmdReturnsExitStatusStdoutAndStderr) {
  absl::StatusOr<CmdResult> r = session_->Cmd("echo out; echo err >&2; exit 3");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_status, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
}

TEST_F(SharedGuestTest, CmdFeedsStdin) {
  absl::StatusOr<CmdResult> r =
      session_->Cmd("wc -c", std::string(100000, 'x'));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "100000\n");
}

TEST_F(SharedGuestTest, WriteFileCopiesContentAndMode) {
  ASSERT_TRUE(
      session_->WriteFile("/tmp/it's here.sh", "#!/bin/sh\necho copied\n", 0755)
          .ok());
  absl::StatusOr<CmdResult> r = session_->Cmd("'/tmp/it'\\''s here.sh'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "copied\n");
}

TEST_F(SharedGuestTest, ReadFileCopiesEveryByteBack) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  bytes += std::string(200000, 'z');
  ASSERT_TRUE(session_->WriteFile("/tmp/bytes", bytes).ok());
  absl::StatusOr<std::string> back = session_->ReadFile("/tmp/bytes");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, bytes);
}

TEST_F(SharedGuestTest, ReadFileOfAMissingFileIsNotFound) {
  absl::StatusOr<std::string> r = session_->ReadFile("/tmp/no such file");
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("No such file"));
}

TEST_F(SharedGuestTest, TestShareIsMountedReadOnly) {
  absl::StatusOr<CmdResult> r =
      session_->Cmd("cat /tests/input.txt; touch /tests/x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "from the host\n");
  EXPECT_NE(r->exit_status, 0);
}

TEST_F(SharedGuestTest, CmdTimeoutIsAnError) {
  absl::StatusOr<CmdResult> r =
      session_->Cmd("sleep 30", "", absl::Milliseconds(500));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(SharedGuestTest, QmpSeesARunningGuest) {
  absl::StatusOr<google::protobuf::Value> s =
      vm_->qmp().Execute("query-status");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->struct_value().fields().at("status").string_value(), "running");
}

TEST_F(SharedGuestTest, ConsoleLogAndCommandLineAreKept) {
  std::ifstream console(vm_->console_log());
  std::string text((std::istreambuf_iterator<char>(console)), {});
  EXPECT_THAT(text, HasSubstr("proctor: guest ready"));
  std::string dir = std::filesystem::path(vm_->console_log()).parent_path();
  EXPECT_TRUE(std::filesystem::exists(dir + "/qemu.cmdline"));
}

TEST(GuestLifecycleTest, PoweroffInTheGuestEndsQemu) {
  absl::StatusOr<GuestKey> key = GuestKey::Generate();
  std::unique_ptr<QemuProcess> vm;
  std::unique_ptr<SshSession> s;
  BootAndLogin("poweroff", *key, &vm, &s);
  ASSERT_NE(s, nullptr);
  // The session dies with the guest; how the command ends does not matter.
  s->Cmd("poweroff -f", "", absl::Seconds(10)).IgnoreError();
  EXPECT_TRUE(vm->WaitForExit(absl::Seconds(20)));
}

TEST(GuestLifecycleTest, QemuKilledMidSessionFailsTheCommand) {
  absl::StatusOr<GuestKey> key = GuestKey::Generate();
  std::unique_ptr<QemuProcess> vm;
  std::unique_ptr<SshSession> s;
  BootAndLogin("killed", *key, &vm, &s);
  ASSERT_NE(s, nullptr);
  kill(vm->pid(), SIGKILL);
  absl::StatusOr<CmdResult> r =
      s->Cmd("sleep 5; echo never", "", absl::Seconds(30));
  EXPECT_TRUE(!r.ok() || r->exit_status == -1) << r->out;
  EXPECT_TRUE(vm->WaitForExit(absl::Seconds(5)));
}

TEST(GuestLifecycleTest, WrongKeyNeverLogsInAndTimesOut) {
  absl::StatusOr<GuestKey> key = GuestKey::Generate();
  absl::StatusOr<GuestKey> other = GuestKey::Generate();
  QemuConfig c = BaseConfig("wrongkey");
  c.authorized_key = key->public_line();
  absl::StatusOr<std::unique_ptr<QemuProcess>> vm = QemuProcess::Start(c);
  ASSERT_TRUE(vm.ok()) << vm.status();
  absl::StatusOr<SshSession> s = SshSession::WaitForLogin(
      "127.0.0.1", (*vm)->ssh_port(), *other, absl::Seconds(15));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.status().message(), HasSubstr("no SSH login"));
}

TEST(GuestLifecycleTest, MissingQemuBinaryIsNamed) {
  QemuConfig c = BaseConfig("noqemu");
  c.qemu = "qemu-system-nonexistent";
  absl::StatusOr<std::unique_ptr<QemuProcess>> vm = QemuProcess::Start(c);
  EXPECT_EQ(vm.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(vm.status().message(),
              HasSubstr("QEMU not found: qemu-system-nonexistent"));
}

TEST(GuestLifecycleTest, MissingImageIsNamed) {
  QemuConfig c = BaseConfig("noimage");
  c.kernel = "/nonexistent/vmlinux";
  absl::StatusOr<std::unique_ptr<QemuProcess>> vm = QemuProcess::Start(c);
  EXPECT_THAT(vm.status().message(), HasSubstr("/nonexistent/vmlinux"));
}

TEST(GuestLifecycleTest, QemuThatCannotStartIsReportedWithItsError) {
  QemuConfig c = BaseConfig("badarg");
  c.extra_args = {"-no-such-qemu-option"};
  absl::StatusOr<std::unique_ptr<QemuProcess>> vm = QemuProcess::Start(c);
  EXPECT_EQ(vm.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(vm.status().message(), HasSubstr("no-such-qemu-option"));
}

}  // namespace
}  // namespace proctor::vmm
