// Saving a real JeOS guest and restoring it (vmm/vm.h, saved_state.h,
// saved_guest.h): a restore is a fresh guest that is no clone where it
// matters, and a state that is damaged or of another guest is refused,
// never restored into a wrong guest. One guest is booted and saved for the
// suite; every test restores its own.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "vmm/saved_guest.h"
#include "vmm/saved_state.h"
#include "vmm/vm.h"
#include "vmm/vm_fixture.h"

namespace proctor::vmm {
namespace {

using ::testing::HasSubstr;

std::string Strip(const absl::StatusOr<std::string>& s) {
  return s.ok() ? std::string(absl::StripAsciiWhitespace(*s)) : "";
}

std::string GenerationId(Vm& vm) {
  absl::StatusOr<google::protobuf::Value> id = vm.Qmp("query-vm-generation-id");
  if (!id.ok()) return "";
  return id->struct_value().fields().at("guid").string_value();
}

// Boots the suite's guest once, with a share, and saves it.
class SavedVmTest : public VmTest {
 protected:
  static void SetUpTestSuite() {
    VmTest::SetUpTestSuite();  // the fixture's guest: its options and logs
    base_ = options();
    std::string root = base_.qemu.run_dir + "/saved";
    std::filesystem::create_directories(root + "/share");
    std::ofstream(root + "/share/marker") << "shared\n";
    base_.qemu.share_dir = root + "/share";
    base_.state_dir = root + "/state";
    base_.qemu.run_dir = root + "/boot";
    absl::StatusOr<GuestKey> key = GuestKey::Generate();
    if (!key.ok()) {
      saved_ = key.status();
      return;
    }
    base_.key = std::make_shared<const GuestKey>(*std::move(key));
    absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Boot(base_);
    if (!vm.ok()) {
      saved_ = vm.status();
      return;
    }
    saved_boot_id_ = Strip((*vm)->Cmd("cat /proc/sys/kernel/random/boot_id"));
    saved_generation_ = GenerationId(**vm);
    saved_ = (*vm)->Save();
    saved_at_ = absl::Now();
  }

  void SetUp() override {
    ASSERT_TRUE(saved_.ok()) << "the guest was not saved: " << saved_;
  }

  // Options for restore number `n`: its own logs.
  static VmOptions RestoreOptions() {
    static int n = 0;
    VmOptions o = base_;
    o.qemu.run_dir = absl::StrCat(o.qemu.run_dir, "/../restore.", ++n);
    return o;
  }

  static VmOptions base_;
  static absl::Status saved_;
  static std::string saved_boot_id_, saved_generation_;
  static absl::Time saved_at_;
};

VmOptions SavedVmTest::base_;
absl::Status SavedVmTest::saved_;
std::string SavedVmTest::saved_boot_id_, SavedVmTest::saved_generation_;
absl::Time SavedVmTest::saved_at_;

// What `dir`'s state belongs to: its identity file without the header and
// the fingerprints of its files.
std::string IdentityText(const std::string& dir) {
  std::ifstream in(dir + "/identity");
  std::string line, text;
  for (int n = 0; std::getline(in, line); ++n) {
    if (n >= 3) absl::StrAppend(&text, line, "\n");
  }
  return text;
}

// A copy of the state whose RAM is the same file (a hard link), recorded
// as saved, for tests that damage the rest. `with_agent` false: as if the
// guest had been saved without its agent (its restores log in by SSH).
std::string CopyOfState(const std::string& dir, const std::string& to,
                        bool with_agent = true) {
  std::filesystem::remove_all(to);
  std::filesystem::create_directories(to);
  std::filesystem::create_hard_link(StateRamFile(dir), StateRamFile(to));
  std::filesystem::copy_file(StateDevicesFile(dir), StateDevicesFile(to));
  if (with_agent) {
    std::filesystem::copy_file(StateAgentFile(dir), StateAgentFile(to));
  }
  EXPECT_TRUE(WriteStateIdentity(to, IdentityText(dir)).ok());
  return to;
}

TEST_F(SavedVmTest, RestoredGuestKeepsTheSavedBootIdAndMountsTheShare) {
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(RestoreOptions());
  ASSERT_TRUE(vm.ok()) << vm.status();
  EXPECT_TRUE((*vm)->VerifyAlive().ok());
  ASSERT_EQ(saved_boot_id_.size(), 36u);
  EXPECT_EQ(Strip((*vm)->Cmd("cat /proc/sys/kernel/random/boot_id")),
            saved_boot_id_);
  EXPECT_EQ(Strip((*vm)->Cmd("cat /tests/marker")), "shared");
}

TEST_F(SavedVmTest, TwoRestoredGuestsRunAtOnceAndShareNoFiles) {
  absl::StatusOr<std::unique_ptr<Vm>> a = Vm::Restore(RestoreOptions());
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<std::unique_ptr<Vm>> b = Vm::Restore(RestoreOptions());
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE((*a)->Cmd("echo a > /tmp/left-by-a").ok());
  EXPECT_EQ(Strip((*a)->Cmd("cat /tmp/left-by-a")), "a");
  EXPECT_EQ(Strip((*b)->Cmd("test -e /tmp/left-by-a && echo there || "
                            "echo absent")),
            "absent");
  // The state's RAM file is the saved guest's still: a's write went to a
  // private copy.
  a->reset();
  absl::StatusOr<std::unique_ptr<Vm>> c = Vm::Restore(RestoreOptions());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Strip((*c)->Cmd("test -e /tmp/left-by-a && echo there || "
                            "echo absent")),
            "absent");
}

TEST_F(SavedVmTest, RestoredClockIsTheHostsNotTheTimeOfTheSave) {
  // Long enough after the save that a clock left as saved shows it.
  absl::SleepFor(saved_at_ + absl::Seconds(3) - absl::Now());
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(RestoreOptions());
  ASSERT_TRUE(vm.ok()) << vm.status();
  int64_t guest = 0;
  ASSERT_TRUE(absl::SimpleAtoi(Strip((*vm)->Cmd("date +%s")), &guest));
  double host = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  EXPECT_LE(std::abs(static_cast<double>(guest) - host), 1.0)
      << "guest " << guest << ", host " << host;
}

TEST_F(SavedVmTest, RestoreThroughTheAgentNeedsNoLogin) {
  VmOptions o = RestoreOptions();
  o.owner_completes_restore = true;
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(o);
  ASSERT_TRUE(vm.ok()) << vm.status();
  // The agent set the guest up: nothing is left for the owner, and no SSH
  // session was made, for the restore or for a command.
  EXPECT_EQ((*vm)->RestoreCompletion(), "");
  EXPECT_EQ(Strip((*vm)->Cmd("cat /tests/marker")), "shared");
  EXPECT_EQ((*vm)->ReleaseSession(), nullptr);
  std::unique_ptr<AgentSession> agent = (*vm)->ReleaseAgent();
  ASSERT_NE(agent, nullptr);
  absl::StatusOr<CmdResult> r = agent->Cmd("grep -c ' /tests ' /proc/mounts");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out, "1\n");
}

TEST_F(SavedVmTest, OwnerCompletesARestoreWithoutAgentWithItsFirstCommand) {
  absl::SleepFor(saved_at_ + absl::Seconds(3) - absl::Now());
  VmOptions o = RestoreOptions();
  o.state_dir = CopyOfState(base_.state_dir, o.qemu.run_dir + ".state",
                            /*with_agent=*/false);
  o.owner_completes_restore = true;
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(o);
  ASSERT_TRUE(vm.ok()) << vm.status();
  EXPECT_EQ((*vm)->ReleaseAgent(), nullptr);
  // Left as saved until the owner's command runs.
  EXPECT_EQ(Strip((*vm)->Cmd("test -e /tests/marker && echo there || "
                             "echo absent")),
            "absent");
  std::string completion = (*vm)->RestoreCompletion();
  ASSERT_THAT(completion, HasSubstr("mount -t 9p"));
  int64_t guest = 0;
  ASSERT_TRUE(absl::SimpleAtoi(
      Strip((*vm)->Cmd(completion + " && cat /tests/marker >&2 && date +%s")),
      &guest));
  double host = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  EXPECT_LE(std::abs(static_cast<double>(guest) - host), 1.0);
  EXPECT_EQ(Strip((*vm)->Cmd("cat /tests/marker")), "shared");
  // Run again, it mounts nothing more.
  ASSERT_TRUE((*vm)->Cmd((*vm)->RestoreCompletion()).ok());
  EXPECT_EQ(Strip((*vm)->Cmd("grep -c ' /tests ' /proc/mounts")), "1");
}

TEST_F(SavedVmTest, OnlyARestoreTheOwnerCompletesHasACompletion) {
  VmOptions o = RestoreOptions();
  o.state_dir = CopyOfState(base_.state_dir, o.qemu.run_dir + ".state",
                            /*with_agent=*/false);
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(o);
  ASSERT_TRUE(vm.ok()) << vm.status();
  EXPECT_EQ((*vm)->RestoreCompletion(), "");
  EXPECT_EQ(Strip((*vm)->Cmd("cat /tests/marker")), "shared");
}

TEST_F(SavedVmTest, GuestWhoseAgentCannotStartIsSavedAndRestoredByLogin) {
  // A real fault: the kernel refuses the port's driver, as a kernel built
  // without CONFIG_VIRTIO_CONSOLE would lack it.
  VmOptions o = base_;
  o.qemu.run_dir = base_.qemu.run_dir + "/../no-agent";
  o.state_dir = base_.qemu.run_dir + "/../no-agent.state";
  o.qemu.kernel_args.push_back("module_blacklist=virtio_console");
  absl::StatusOr<std::unique_ptr<Vm>> booted = Vm::Boot(o);
  ASSERT_TRUE(booted.ok()) << booted.status();
  EXPECT_EQ((*booted)->ReleaseAgent(), nullptr);
  std::ifstream log(o.qemu.run_dir + "/agent.log");
  std::string why((std::istreambuf_iterator<char>(log)), {});
  EXPECT_THAT(why, HasSubstr("no virtio-serial port named org.proctor.agent"));
  ASSERT_TRUE((*booted)->Save().ok());
  EXPECT_FALSE(std::filesystem::exists(StateAgentFile(o.state_dir)));

  o.qemu.run_dir += ".restored";
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(o);
  ASSERT_TRUE(vm.ok()) << vm.status();
  EXPECT_EQ((*vm)->ReleaseAgent(), nullptr);
  EXPECT_EQ(Strip((*vm)->Cmd("cat /tests/marker")), "shared");
  EXPECT_NE((*vm)->ReleaseSession(), nullptr);
}

// The agent of a restored guest, as the runner's tests use it.
class AgentTest : public SavedVmTest {
 protected:
  void SetUp() override {
    SavedVmTest::SetUp();
    absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(RestoreOptions());
    ASSERT_TRUE(vm.ok()) << vm.status();
    vm_ = *std::move(vm);
    agent_ = vm_->ReleaseAgent();
    ASSERT_NE(agent_, nullptr);
  }

  std::unique_ptr<Vm> vm_;
  std::unique_ptr<AgentSession> agent_;
};

TEST_F(AgentTest, KeepsStdoutStderrAndTheExitStatusApart) {
  absl::StatusOr<CmdResult> r = agent_->Cmd("echo out; echo err >&2; exit 3");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->exit_status, 3);
}

TEST_F(AgentTest, GivesTheCommandItsInputAndALoginsEnvironment) {
  absl::StatusOr<CmdResult> r = agent_->Cmd(
      "cat; echo; pwd; echo \"$HOME $USER $PATH\"; id -u", "given input");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out, "given input\n/root\n/root root /usr/bin:/bin\n0\n");
}

TEST_F(AgentTest, CarriesOutputLargerThanAnyBuffer) {
  absl::StatusOr<CmdResult> r = agent_->Cmd(
      "head -c 3000000 /dev/zero | tr '\\0' x", "", absl::Minutes(2));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out.size(), 3000000u);
  EXPECT_EQ(r->out.find_first_not_of('x'), std::string::npos);
  std::string input(2000000, 'y');
  r = agent_->Cmd("wc -c", input, absl::Minutes(2));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Strip(r->out), "2000000");
}

TEST_F(AgentTest, ShellKilledBySignalExitsAsAShellWouldSay) {
  absl::StatusOr<CmdResult> r = agent_->Cmd("kill -9 $$");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_status, 128 + 9);
}

TEST_F(AgentTest, BackgroundProcessHoldingTheOutputDoesNotHoldTheCommand) {
  absl::Time start = absl::Now();
  absl::StatusOr<CmdResult> r = agent_->Cmd("sleep 60 & echo started");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out, "started\n");
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
}

TEST_F(AgentTest, CommandPastItsTimeoutIsKilledAndTheNextOneRuns) {
  absl::StatusOr<int> status = agent_->Stream(
      "echo $$ > /tmp/slow.pid; exec sleep 60", [](absl::string_view) {},
      [](absl::string_view) {}, "", absl::Seconds(2));
  EXPECT_EQ(status.status().code(), absl::StatusCode::kDeadlineExceeded)
      << status.status();
  EXPECT_FALSE(agent_->broken());
  absl::StatusOr<CmdResult> r = agent_->Cmd(
      "kill -0 $(cat /tmp/slow.pid) 2>/dev/null && echo alive || "
      "echo gone");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out, "gone\n");
}

TEST_F(AgentTest, CancelledCommandIsKilledInTheGuest) {
  absl::Time cancel_at = absl::Now() + absl::Seconds(1);
  absl::StatusOr<int> status = agent_->Stream(
      "echo $$ > /tmp/cancelled.pid; exec sleep 60", [](absl::string_view) {},
      [](absl::string_view) {}, "", absl::Minutes(1),
      [&]() { return absl::Now() > cancel_at; });
  EXPECT_EQ(status.status().code(), absl::StatusCode::kCancelled)
      << status.status();
  absl::StatusOr<CmdResult> r = agent_->Cmd(
      "kill -0 $(cat /tmp/cancelled.pid) 2>/dev/null && echo alive || "
      "echo gone");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out, "gone\n");
}

TEST_F(AgentTest, CommandThatKillsTheAgentEndsWithoutAnExitStatus) {
  // The port stays open on QEMU's side: only the agent's silence tells.
  absl::Time start = absl::Now();
  absl::StatusOr<int> status = agent_->Stream(
      "kill -9 -1; sleep 60", [](absl::string_view) {},
      [](absl::string_view) {}, "", absl::Minutes(5));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, -1);
  EXPECT_TRUE(agent_->broken());
  EXPECT_LT(absl::Now() - start, absl::Minutes(1));
}

TEST_F(AgentTest, QuietLongCommandIsNotTakenForADeadAgent) {
  absl::StatusOr<CmdResult> r =
      agent_->Cmd("sleep 12; echo done", "", absl::Minutes(2));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out, "done\n");
  EXPECT_FALSE(agent_->broken());
}

TEST_F(AgentTest, GuestThatDiesMidCommandGivesNoExitStatus) {
  std::string out;
  absl::StatusOr<int> status = agent_->Stream(
      "echo before; echo c > /proc/sysrq-trigger; sleep 60",
      [&](absl::string_view s) { out.append(s.data(), s.size()); },
      [](absl::string_view) {}, "", absl::Minutes(1));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, -1);
  EXPECT_EQ(out, "before\n");
  EXPECT_TRUE(agent_->broken());
  EXPECT_FALSE(agent_->Cmd("true").ok());
  EXPECT_TRUE(vm_->qemu().WaitForExit(absl::Seconds(30)));
}

TEST_F(SavedVmTest, EachRestoreGetsANewGenerationIdSoTheGuestReseeds) {
  absl::StatusOr<std::unique_ptr<Vm>> a = Vm::Restore(RestoreOptions());
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<std::unique_ptr<Vm>> b = Vm::Restore(RestoreOptions());
  ASSERT_TRUE(b.ok()) << b.status();
  std::string ga = GenerationId(**a), gb = GenerationId(**b);
  ASSERT_EQ(ga.size(), 36u) << ga;
  ASSERT_EQ(saved_generation_.size(), 36u) << saved_generation_;
  EXPECT_NE(ga, gb);
  EXPECT_NE(ga, saved_generation_);
  // The guest's kernel has the device the id is announced through.
  EXPECT_EQ(Strip((*a)->Cmd("ls /sys/bus/acpi/devices | grep -c QEMUVGID")),
            "1");
}

TEST_F(SavedVmTest, StateOfAnotherGuestIsRefusedSayingWhatDiffers) {
  VmOptions other = RestoreOptions();
  other.qemu.memory_mb = base_.qemu.memory_mb * 2;
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(other);
  ASSERT_FALSE(vm.ok());
  EXPECT_EQ(vm.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(vm.status().message()),
              HasSubstr("is of another guest (QEMU's command line"));
  EXPECT_THAT(std::string(vm.status().message()),
              HasSubstr(absl::StrCat(other.qemu.memory_mb)));

  VmOptions rekeyed = RestoreOptions();
  rekeyed.key = nullptr;  // a fresh key: the saved guest knows the old one
  vm = Vm::Restore(rekeyed);
  ASSERT_FALSE(vm.ok());
  EXPECT_THAT(std::string(vm.status().message()), HasSubstr("proctor.key="));
}

TEST_F(SavedVmTest, TruncatedStateIsRefusedBeforeQemuStarts) {
  VmOptions o = RestoreOptions();
  o.state_dir = CopyOfState(base_.state_dir, o.qemu.run_dir + ".state");
  ASSERT_TRUE(Vm::Restore(o).ok()) << "the copy itself must restore";

  std::filesystem::resize_file(StateDevicesFile(o.state_dir), 4096);
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(o);
  ASSERT_FALSE(vm.ok());
  EXPECT_EQ(vm.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(vm.status().message()),
              HasSubstr("changed since it was saved (devices"));
}

TEST_F(SavedVmTest, StateQemuCannotLoadIsUnavailableWithQemusReason) {
  // A state saved truncated (a full disk, say): its identity matches, so
  // only QEMU can tell.
  VmOptions o = RestoreOptions();
  o.state_dir = CopyOfState(base_.state_dir, o.qemu.run_dir + ".state");
  std::filesystem::resize_file(StateDevicesFile(o.state_dir), 4096);
  ASSERT_TRUE(WriteStateIdentity(o.state_dir, IdentityText(o.state_dir)).ok());
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(o);
  ASSERT_FALSE(vm.ok());
  EXPECT_EQ(vm.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(vm.status().message()),
              HasSubstr("QEMU could not load the saved guest"));
}

TEST_F(SavedVmTest, RestoredGuestCannotBeSavedOverTheState) {
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(RestoreOptions());
  ASSERT_TRUE(vm.ok()) << vm.status();
  absl::Status saved = (*vm)->Save();
  EXPECT_EQ(saved.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(saved.message()),
              HasSubstr("only a guest booted with a state_dir"));
  EXPECT_TRUE(CheckState(base_.state_dir, IdentityText(base_.state_dir)).ok());
}

// A fault this machine cannot cause otherwise: the device state's file is
// a FIFO nobody reads, so QEMU's save never completes.
TEST_F(SavedVmTest, SaveThatHangsTimesOutAndLeavesNoState) {
  VmOptions o = base_;
  o.qemu.run_dir = base_.qemu.run_dir + "/../hang";
  o.state_dir = base_.qemu.run_dir + "/../hang.state";
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Boot(o);
  ASSERT_TRUE(vm.ok()) << vm.status();
  ASSERT_EQ(mkfifo(StateDevicesFile(o.state_dir).c_str(), 0600), 0);
  absl::Time start = absl::Now();
  absl::Status saved = (*vm)->Save(absl::Seconds(2));
  EXPECT_EQ(saved.code(), absl::StatusCode::kDeadlineExceeded) << saved;
  EXPECT_THAT(std::string(saved.message()), HasSubstr("save: "));
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_FALSE((*vm)->qemu().Running());
  EXPECT_FALSE(std::filesystem::exists(o.state_dir + "/identity"));
}

TEST_F(SavedVmTest, RestoredGuestMigratesWithWhatItHolds) {
  absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Restore(RestoreOptions());
  ASSERT_TRUE(vm.ok()) << vm.status();
  // QEMU migrates no guest with a 9p mount, restored or booted.
  ASSERT_TRUE((*vm)->Cmd("echo before > /tmp/migrated && umount /tests").ok());
  absl::StatusOr<MigrationResult> moved = (*vm)->Migrate(MigrationOptions());
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_TRUE((*vm)->VerifyAlive().ok());
  EXPECT_EQ((*vm)->migrations(), 1);
  EXPECT_EQ(Strip((*vm)->Cmd("cat /tmp/migrated")), "before");
}

// A directory that keeps saved guests across processes (saved_guest.h).
class SavedGuestTest : public SavedVmTest {
 protected:
  // The suite's options, without its state or key: the directory's.
  static VmOptions Options(int memory_mb = 0) {
    VmOptions o = RestoreOptions();
    o.state_dir.clear();
    o.key = nullptr;
    o.qemu.share_dir.clear();
    if (memory_mb > 0) o.qemu.memory_mb = memory_mb;
    return o;
  }
  std::string dir_ = absl::StrCat(
      getenv("TEST_TMPDIR"), "/saved-guests-",
      ::testing::UnitTest::GetInstance()->current_test_info()->name());
};

TEST_F(SavedGuestTest, FirstStartBootsAndSavesTheNextRestores) {
  std::string how;
  {
    absl::StatusOr<std::unique_ptr<Vm>> first =
        StartSavedGuest(Options(), dir_, &how);
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_THAT(how, ::testing::StartsWith("booted and saved in " + dir_));
    ASSERT_TRUE((*first)->Cmd("touch /tmp/left-by-first").ok());
  }
  absl::StatusOr<std::unique_ptr<Vm>> second =
      StartSavedGuest(Options(), dir_, &how);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(how, ::testing::StartsWith("restored from " + dir_));
  EXPECT_EQ(Strip((*second)->Cmd("test -e /tmp/left-by-first && echo there "
                                 "|| echo absent")),
            "absent");
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/id_ed25519").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SavedGuestTest, OtherOptionsGetAGuestOfTheirOwn) {
  std::string how;
  ASSERT_TRUE(StartSavedGuest(Options(), dir_, &how).ok());
  absl::StatusOr<std::unique_ptr<Vm>> other =
      StartSavedGuest(Options(base_.qemu.memory_mb + 256), dir_, &how);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_THAT(how, ::testing::StartsWith("booted and saved in "));
  int states = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    states += std::filesystem::exists(e.path() / "identity");
  }
  EXPECT_EQ(states, 2);
}

TEST_F(SavedGuestTest, DamagedSavedGuestIsReplacedSayingWhy) {
  std::string how;
  ASSERT_TRUE(StartSavedGuest(Options(), dir_, &how).ok());
  std::string state = how.substr(how.find(dir_));
  ASSERT_EQ(truncate((state + "/devices").c_str(), 0), 0);
  absl::StatusOr<std::unique_ptr<Vm>> again =
      StartSavedGuest(Options(), dir_, &how);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(how, HasSubstr("booted and saved in " + state));
  EXPECT_THAT(how, HasSubstr("could not be restored"));
  EXPECT_THAT(how, HasSubstr("changed since it was saved"));
  EXPECT_TRUE((*again)->VerifyAlive().ok());
}

}  // namespace
}  // namespace proctor::vmm
