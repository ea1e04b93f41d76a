#include "vmm/vm.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "runner/base/text.h"
#include "vmm/guest_agent.h"
#include "vmm/guest_agent_wire.h"
#include "vmm/qmp_client.h"
#include "vmm/saved_state.h"

namespace proctor::vmm {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kGuestReady[] = "proctor: guest ready";
// What a restored guest's console starts with: it is empty otherwise.
constexpr char kGuestRestored[] = "proctor: guest restored";

void Set(Struct* s, const std::string& key, Value v) {
  (*s->mutable_fields())[key] = std::move(v);
}

double Number(const Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? 0 : it->second.number_value();
}

std::string Text(const Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? "" : it->second.string_value();
}

absl::Status Step(absl::string_view step, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(step, ": ", s.message()));
}

}  // namespace

std::string TellingConsoleLine(const std::string& console_log) {
  std::ifstream in(console_log, std::ios::binary);
  std::string line, last, panic, lacks;
  while (std::getline(in, line)) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty()) continue;
    last = std::string(l);
    if (absl::StrContains(l, "Kernel panic")) panic = last;
    // The JeOS init's own verdict on a kernel without the guest's
    // drivers; the panic that follows it is only its consequence.
    if (absl::StartsWith(l, "proctor: the guest kernel lacks")) lacks = last;
  }
  return (!lacks.empty()   ? lacks
          : !panic.empty() ? panic
                           : last)
      .substr(0, 200);
}

absl::Status Vm::Prepare(VmOptions* options) {
  if (options->key == nullptr) {
    absl::StatusOr<GuestKey> key = GuestKey::Generate();
    if (!key.ok()) return key.status();
    options->key = std::make_shared<const GuestKey>(*std::move(key));
  }
  options->qemu.authorized_key = options->key->public_line();
  for (int i = 0; i < options->hotplug_ports; ++i) {
    options->qemu.extra_args.insert(
        options->qemu.extra_args.end(),
        {"-device", absl::StrCat("pcie-root-port,id=hp", i, ",chassis=", i + 1,
                                 ",bus=pcie.0")});
  }
  if (!options->state_dir.empty()) {
    options->qemu.memory_file = StateRamFile(options->state_dir);
    options->qemu.mount_share_at_boot = false;
    options->qemu.agent = true;
  }
  return absl::OkStatus();
}

absl::Status Vm::AwaitLogin(absl::Duration timeout) {
  QemuProcess* q = qemu_.get();
  absl::StatusOr<SshSession> login =
      SshSession::WaitForLogin("127.0.0.1", q->ssh_port(), *options_.key,
                               timeout, [q]() { return q->Running(); });
  if (!login.ok()) return login.status();
  session_ = std::make_unique<SshSession>(*std::move(login));
  return absl::OkStatus();
}

namespace {

// A start that did not reach the login, in words that say where to look.
absl::Status StartFailure(const absl::Status& login, const std::string& log) {
  std::string line = TellingConsoleLine(log);
  return absl::Status(
      absl::IsDeadlineExceeded(login) ? absl::StatusCode::kDeadlineExceeded
                                      : absl::StatusCode::kUnavailable,
      absl::StrCat(
          absl::IsAborted(login) ? "QEMU exited before the guest answered SSH"
                                 : std::string(login.message()),
          line.empty() ? "" : absl::StrCat("; the console says \"", line, "\""),
          "; console log: ", log));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Vm>> Vm::Boot(VmOptions options) {
  if (absl::Status prepared = Prepare(&options); !prepared.ok()) {
    return prepared;
  }
  options.qemu.memory_file_shared = true;
  std::unique_ptr<Vm> vm(new Vm(std::move(options)));
  if (!vm->options_.state_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(vm->options_.state_dir, ec);
    // A state saved before is no longer this guest's.
    std::filesystem::remove(vm->options_.state_dir + "/identity", ec);
    std::filesystem::remove(StateAgentFile(vm->options_.state_dir), ec);
  }
  absl::StatusOr<std::unique_ptr<QemuProcess>> qemu =
      QemuProcess::Start(vm->options_.qemu);
  if (!qemu.ok()) return qemu.status();
  vm->qemu_ = *std::move(qemu);
  // images/init.sh prints this once dropbear listens; SSH is tried only
  // then (see QemuProcess::WaitForConsole).
  absl::Duration timeout = vm->options_.boot_timeout;
  absl::Time deadline = absl::Now() + timeout;
  absl::Status ready = vm->qemu_->WaitForConsole(kGuestReady, timeout);
  if (ready.ok()) {
    ready = vm->AwaitLogin(std::max(deadline - absl::Now(), absl::Seconds(10)));
  }
  if (!ready.ok()) return StartFailure(ready, vm->console_log());
  if (!vm->options_.state_dir.empty()) {
    if (absl::Status set = vm->SetUpGuest(false); !set.ok()) return set;
    // Without its agent the guest is still one to save: its restores log
    // in, as they did before there was an agent.
    if (absl::Status agent = vm->StartAgent(); !agent.ok()) {
      vm->agent_ = nullptr;
      std::ofstream(vm->options_.qemu.run_dir + "/agent.log")
          << "the guest agent did not start, restores of this guest log in "
             "by SSH: "
          << agent.message() << "\n";
    }
  }
  return vm;
}

absl::Status Vm::StartAgent() {
  // Connected before the agent opens its port: it then never finds the
  // port's host end closed, in this guest or in those restored from it.
  absl::StatusOr<std::unique_ptr<AgentSession>> agent =
      AgentSession::Connect(qemu_->agent_socket(), absl::Seconds(5));
  if (!agent.ok()) return agent.status();
  agent_ = *std::move(agent);
  constexpr char kPath[] = "/run/proctor-guest-agent";
  if (absl::Status copied =
          session_->WriteFile(kPath, GuestAgentProgram(), 0755);
      !copied.ok()) {
    return copied;
  }
  absl::StatusOr<CmdResult> started =
      session_->Cmd(absl::StrCat(kPath, " ", agent_wire::kPortName));
  if (!started.ok()) return started.status();
  if (started->exit_status != 0) {
    return absl::UnavailableError(
        absl::StrCat("exit ", started->exit_status, ": ",
                     absl::StripAsciiWhitespace(started->err)));
  }
  if (absl::Status ping = agent_->Ping(absl::Seconds(30)); !ping.ok()) {
    return ping;
  }
  std::ofstream marker(StateAgentFile(options_.state_dir));
  if (!marker) return absl::UnavailableError("cannot write the agent marker");
  return absl::OkStatus();
}

absl::StatusOr<GuestShell*> Vm::Shell() {
  if (agent_ != nullptr && !agent_->broken()) return agent_.get();
  absl::StatusOr<SshSession*> s = WaitForLogin();
  if (!s.ok()) return s.status();
  return *s;
}

absl::StatusOr<std::unique_ptr<Vm>> Vm::Restore(VmOptions options) {
  if (options.state_dir.empty()) {
    return absl::InvalidArgumentError("restore: no state_dir given");
  }
  if (absl::Status prepared = Prepare(&options); !prepared.ok()) {
    return prepared;
  }
  absl::StatusOr<std::string> identity = StateIdentity(options.qemu);
  if (!identity.ok()) return Step("restore", identity.status());
  if (absl::Status ok = CheckState(options.state_dir, *identity); !ok.ok()) {
    return ok;
  }
  options.qemu.incoming = true;
  std::unique_ptr<Vm> vm(new Vm(std::move(options)));
  absl::StatusOr<std::unique_ptr<QemuProcess>> qemu =
      QemuProcess::Start(vm->options_.qemu);
  if (!qemu.ok()) return Step("restore", qemu.status());
  vm->qemu_ = *std::move(qemu);
  // Connected before the guest runs, as when it was saved (StartAgent).
  std::error_code ec;
  if (std::filesystem::exists(StateAgentFile(vm->options_.state_dir), ec)) {
    absl::StatusOr<std::unique_ptr<AgentSession>> agent =
        AgentSession::Connect(vm->qemu_->agent_socket(), absl::Seconds(5));
    if (!agent.ok()) return Step("restore", agent.status());
    vm->agent_ = *std::move(agent);
  }
  absl::Time deadline = absl::Now() + vm->options_.restore_timeout;
  if (absl::Status loaded = vm->LoadState(deadline); !loaded.ok()) {
    return loaded;
  }
  absl::Duration wait = std::min(vm->options_.boot_timeout, absl::Seconds(30));
  absl::Status reached =
      vm->agent_ != nullptr ? vm->agent_->Ping(wait) : vm->AwaitLogin(wait);
  if (!reached.ok()) {
    return Step("restore", StartFailure(reached, vm->console_log()));
  }
  if (vm->agent_ != nullptr) {
    // The agent's own system calls: no process started, which costs a
    // restored QEMU tens of ms of translation each.
    AgentSession::SetUpRequest set_up;
    set_up.clock = absl::Now();
    set_up.console_line = kGuestRestored;
    if (!vm->options_.qemu.share_dir.empty()) {
      set_up.share_tag = "tests";
      set_up.mount_point = "/tests";
    }
    if (absl::Status set = vm->agent_->SetUp(set_up, wait); !set.ok()) {
      return Step("restore: set up", set);
    }
    vm->completed_ = true;
    return vm;
  }
  if (vm->options_.owner_completes_restore) return vm;
  if (absl::Status set = vm->SetUpGuest(true); !set.ok()) {
    return Step("restore", set);
  }
  return vm;
}

absl::Status Vm::LoadState(absl::Time deadline) {
  if (absl::Status set = LeaveRamOutOfMigration(true); !set.ok()) {
    return Step("restore", set);
  }
  Struct incoming;
  Set(&incoming, "uri",
      StringValue("exec:cat " +
                  ShellQuote(StateDevicesFile(options_.state_dir))));
  absl::StatusOr<Value> started = Qmp("migrate-incoming", incoming);
  if (!started.ok()) return Step("restore", started.status());
  std::string stderr_path = options_.qemu.run_dir + "/qemu.stderr";
  for (;; std::this_thread::sleep_for(std::chrono::milliseconds(2))) {
    // QEMU exits when it cannot load a state: its stderr says why.
    if (!qemu_->Running()) {
      return absl::UnavailableError(
          absl::StrCat("restore: QEMU could not load the saved guest: ",
                       QemuStderrTail(stderr_path)));
    }
    absl::StatusOr<Value> q = Qmp("query-migrate");
    if (!q.ok()) {
      // A QEMU that failed the load closes QMP on its way out.
      if (qemu_->WaitForExit(absl::Seconds(2))) continue;
      return Step("restore", q.status());
    }
    std::string status = Text(q->struct_value(), "status");
    if (status == "completed") break;
    if (status == "failed") {
      std::string why = Text(q->struct_value(), "error-desc");
      return absl::UnavailableError(
          absl::StrCat("restore: QEMU could not load the saved guest: ",
                       why.empty() ? QemuStderrTail(stderr_path) : why));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("restore: the saved guest was not loaded within ",
                       absl::FormatDuration(options_.restore_timeout)));
    }
  }
  // The guest was stopped when it was saved: it runs once told to.
  // A migration of the restored guest carries its RAM, as any other's
  // (its destination has no such capability).
  if (absl::Status reset = LeaveRamOutOfMigration(false); !reset.ok()) {
    return Step("restore", reset);
  }
  absl::StatusOr<Value> cont = Qmp("cont");
  if (!cont.ok()) return Step("restore: cont", cont.status());
  return absl::OkStatus();
}

absl::Status Vm::LeaveRamOutOfMigration(bool leave) {
  // The RAM is in the state's file, shared with the guest (or mapped from
  // it): the migration stream carries the devices alone.
  Struct cap;
  Set(&cap, "capability", StringValue("x-ignore-shared"));
  Set(&cap, "state", BoolValue(leave));
  Struct caps;
  *(*caps.mutable_fields())["capabilities"]
       .mutable_list_value()
       ->add_values()
       ->mutable_struct_value() = cap;
  return Qmp("migrate-set-capabilities", caps).status();
}

std::string Vm::SetUpCommand(bool restored) const {
  std::vector<std::string> steps;
  if (restored) {
    // To the nearest second: busybox's date takes no fraction. A booted
    // guest's clock comes from the RTC, to the second as well.
    int64_t now = absl::ToUnixMillis(absl::Now());
    steps.push_back(
        absl::StrCat("date -s @", (now + 500) / 1000, " >/dev/null"));
    // The console of a restored guest starts empty: say what it is.
    steps.push_back(absl::StrCat("echo '", kGuestRestored, "' >/dev/console"));
  }
  if (!options_.qemu.share_dir.empty()) {
    // Once only, with the shell's builtins: a restore's completion may be
    // run twice (guest_mux.h), and each process start costs under TCG.
    steps.push_back(
        "{ m=; while read -r _ p _; do [ \"$p\" != /tests ] || m=1; done "
        "</proc/mounts; [ -n \"$m\" ] || { mkdir -p /tests && mount -t 9p "
        "-o trans=virtio,version=9p2000.L,ro tests /tests; }; }");
  }
  return absl::StrJoin(steps, " && ");
}

absl::Status Vm::SetUpGuest(bool restored) {
  std::string command = SetUpCommand(restored);
  if (command.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> done = Cmd(command, absl::Seconds(30));
  return done.ok() ? absl::OkStatus() : done.status();
}

std::string Vm::RestoreCompletion() const {
  return options_.owner_completes_restore && restored() && !completed_
             ? SetUpCommand(true)
             : "";
}

absl::Status Vm::Save(absl::Duration timeout) {
  if (options_.state_dir.empty() || !options_.qemu.memory_file_shared) {
    // A restored guest maps the state's RAM privately: its changes are in
    // no file, and the state belongs to every guest restored from it.
    return absl::FailedPreconditionError(
        "save: only a guest booted with a state_dir can be saved");
  }
  absl::StatusOr<std::string> identity = StateIdentity(options_.qemu);
  absl::Status saved =
      identity.ok() ? WriteDeviceState(timeout) : identity.status();
  // Gone either way; and the RAM file is complete once QEMU is. Boot
  // removed any earlier identity, so a failed save leaves no state.
  qemu_->Stop();
  agent_ = nullptr;
  if (!saved.ok()) return Step("save", saved);
  return WriteStateIdentity(options_.state_dir, *identity);
}

absl::Status Vm::WriteDeviceState(absl::Duration timeout) {
  if (!options_.qemu.share_dir.empty()) {
    absl::StatusOr<std::string> unmounted = Cmd("umount /tests");
    if (!unmounted.ok()) return unmounted.status();
  }
  // Logged out first: the saved guest keeps no session of this Vm's. The
  // agent stays connected, so that the saved guest's port has its host end
  // open, as every restore's will (Restore).
  session_ = nullptr;
  absl::StatusOr<Value> stopped = Qmp("stop");
  if (!stopped.ok()) return Step("stop", stopped.status());
  if (absl::Status set = LeaveRamOutOfMigration(true); !set.ok()) return set;
  MigrationResult result;
  result.uri = "exec:cat > " + ShellQuote(StateDevicesFile(options_.state_dir));
  Struct arguments;
  Set(&arguments, "uri", StringValue(result.uri));
  absl::StatusOr<Value> started = Qmp("migrate", arguments);
  if (!started.ok()) return started.status();
  return AwaitMigration(nullptr, "", timeout, absl::Now() + timeout, &result);
}

Vm::~Vm() {
  agent_ = nullptr;
  session_ = nullptr;
  qemu_ = nullptr;
}

absl::Status Vm::VerifyAlive() {
  if (!qemu_->Running()) {
    return absl::UnavailableError(
        absl::StrCat("QEMU is gone; the console says \"",
                     TellingConsoleLine(console_log()), "\""));
  }
  absl::StatusOr<Value> status = Qmp("query-status");
  if (!status.ok()) return status.status();
  std::string state = Text(status->struct_value(), "status");
  if (state != "running") {
    return absl::FailedPreconditionError(
        absl::StrCat("the guest is not running: QEMU says ", state));
  }
  return absl::OkStatus();
}

absl::StatusOr<SshSession*> Vm::WaitForLogin(absl::Duration timeout) {
  if (session_ == nullptr) {
    if (absl::Status in = AwaitLogin(timeout); !in.ok()) {
      return Step("log in", in);
    }
  }
  return session_.get();
}

absl::StatusOr<std::string> Vm::Cmd(absl::string_view command,
                                    absl::Duration timeout) {
  absl::StatusOr<GuestShell*> s = Shell();
  if (!s.ok()) return s.status();
  std::string step = absl::StrCat("guest command `", command, "`");
  absl::StatusOr<CmdResult> r = (*s)->Cmd(command, "", timeout);
  if (!r.ok()) return Step(step, r.status());
  if (r->exit_status != 0) {
    return absl::InternalError(
        absl::StrCat(step, " exited ", r->exit_status, ": ",
                     absl::StripAsciiWhitespace(r->err)));
  }
  return r->out;
}

absl::StatusOr<Value> Vm::Qmp(absl::string_view command,
                              const Struct& arguments, absl::Duration timeout) {
  return qemu_->qmp().Execute(command, arguments, timeout);
}

absl::StatusOr<std::unique_ptr<QemuProcess>> Vm::StartDestination(
    const std::string& uri, const std::string& dir) {
  // The same machine, the same key and kernel command line: only the logs'
  // place and -incoming differ.
  ++destinations_;
  QemuConfig c = options_.qemu;
  c.run_dir = dir;
  // A restored source was started with -incoming defer: not this one.
  c.incoming = false;
  c.extra_args.insert(c.extra_args.end(), {"-incoming", uri});
  absl::StatusOr<std::unique_ptr<QemuProcess>> started = QemuProcess::Start(c);
  if (!started.ok()) return Step("start the destination", started.status());
  return started;
}

absl::Status Vm::SetMigrationParameters(const MigrationOptions& o) {
  Struct parameters;
  if (o.downtime_limit_ms != 0)
    Set(&parameters, "downtime-limit", NumberValue(o.downtime_limit_ms));
  if (o.max_bandwidth != 0)
    Set(&parameters, "max-bandwidth", NumberValue(o.max_bandwidth));
  if (parameters.fields().empty()) return absl::OkStatus();
  return Qmp("migrate-set-parameters", parameters).status();
}

absl::Status Vm::AwaitMigration(QemuProcess* dest, const std::string& dest_dir,
                                absl::Duration timeout, absl::Time deadline,
                                MigrationResult* result) {
  for (;; std::this_thread::sleep_for(std::chrono::milliseconds(20))) {
    absl::StatusOr<Value> q = Qmp("query-migrate");
    if (!q.ok()) return q.status();
    const Struct& info = q->struct_value();
    std::string status = Text(info, "status");
    if (status == "completed") {
      result->total_ms = Number(info, "total-time");
      result->downtime_ms = Number(info, "downtime");
      result->setup_ms = Number(info, "setup-time");
      auto ram = info.fields().find("ram");
      if (ram != info.fields().end())
        result->transferred_bytes =
            Number(ram->second.struct_value(), "transferred");
      return absl::OkStatus();
    }
    // A destination that died is the likelier cause of a failure, and its
    // stderr says why: name it either way.
    bool dest_exited = dest != nullptr && !dest->Running();
    std::string dest_note =
        dest_exited ? absl::StrCat("the destination QEMU exited (see ",
                                   dest_dir, "/qemu.stderr)")
                    : "";
    if (status == "failed" || status == "cancelled") {
      std::string why = Text(info, "error-desc");
      return absl::UnavailableError(absl::StrCat(
          "migrate to ", result->uri, ": ", status, why.empty() ? "" : ": ",
          why, dest_exited ? "; " : "", dest_note));
    }
    if (dest_exited) {
      CancelMigration();
      return absl::UnavailableError(absl::StrCat("migrate: ", dest_note));
    }
    if (absl::Now() > deadline) {
      CancelMigration();
      return absl::DeadlineExceededError(absl::StrCat(
          "migrate to ", result->uri, ": not complete within ",
          absl::FormatDuration(timeout), " (status ", status, ")"));
    }
  }
}

absl::Status Vm::AwaitDestinationRunning(QemuProcess* dest,
                                         absl::Time deadline) {
  // The destination starts the guest by itself once the state is in.
  for (;; std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
    absl::StatusOr<Value> q = dest->qmp().Execute("query-status");
    if (!q.ok()) return Step("destination", q.status());
    std::string state = Text(q->struct_value(), "status");
    if (state == "running") return absl::OkStatus();
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "migrate: the destination did not run the guest (status ", state,
          ")"));
    }
  }
}

absl::StatusOr<MigrationResult> Vm::Migrate(const MigrationOptions& o) {
  if (!plugged_.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("migrate: unplug ", plugged_.begin()->first,
                     " first: the "
                     "destination is started without hotplugged devices"));
  }
  MigrationResult result;
  result.uri = o.uri;
  if (result.uri.empty()) {
    absl::StatusOr<int> port = FreeLocalPort();
    if (!port.ok()) return Step("migrate", port.status());
    result.uri = absl::StrCat("tcp:127.0.0.1:", *port);
  }
  // Numbered by destinations started, failed migrations included, so each
  // keeps its own logs; errors name this directory.
  std::string dest_dir =
      absl::StrCat(options_.qemu.run_dir, "/destination.", destinations_ + 1);
  std::unique_ptr<QemuProcess> dest;
  if (!o.external_destination) {
    absl::StatusOr<std::unique_ptr<QemuProcess>> started =
        StartDestination(result.uri, dest_dir);
    if (!started.ok()) return started.status();
    dest = *std::move(started);
  }
  if (absl::Status set = SetMigrationParameters(o); !set.ok()) return set;
  Struct arguments;
  Set(&arguments, "uri", StringValue(result.uri));
  absl::StatusOr<Value> started = Qmp("migrate", arguments);
  if (!started.ok()) return started.status();

  absl::Time deadline = absl::Now() + o.timeout;
  absl::Status done =
      AwaitMigration(dest.get(), dest_dir, o.timeout, deadline, &result);
  if (!done.ok()) return done;
  if (dest == nullptr) return result;
  absl::Status running = AwaitDestinationRunning(dest.get(), deadline);
  if (!running.ok()) return running;
  // Both spoke to the source's QEMU; the destination is logged into anew.
  session_ = nullptr;
  agent_ = nullptr;
  qemu_ = std::move(dest);  // the source QEMU stops here
  ++migrations_;
  return result;
}

void Vm::CancelMigration() {
  Qmp("migrate_cancel").IgnoreError();
  for (absl::Time end = absl::Now() + absl::Seconds(5); absl::Now() < end;
       std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
    absl::StatusOr<Value> q = Qmp("query-migrate");
    if (!q.ok()) return;
    std::string status = Text(q->struct_value(), "status");
    if (status.empty() || status == "completed" || status == "failed" ||
        status == "cancelled") {
      return;
    }
  }
}

absl::StatusOr<std::string> Vm::FreePort() {
  std::set<std::string> taken;
  for (const auto& [id, p] : plugged_) taken.insert(p.port);
  for (int i = 0; i < options_.hotplug_ports; ++i) {
    std::string port = absl::StrCat("hp", i);
    if (taken.count(port) == 0) return port;
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("device_add: no free root port (the guest was booted with ",
                   options_.hotplug_ports, " hotplug ports)"));
}

absl::StatusOr<std::string> Vm::GuestList(const std::string& dir) {
  return Cmd(absl::StrCat("ls -1 ", dir));
}

absl::StatusOr<std::string> Vm::WaitForNewEntry(const std::string& dir,
                                                const std::string& before,
                                                absl::string_view what,
                                                absl::Duration timeout) {
  std::set<absl::string_view> old = absl::StrSplit(before, '\n');
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    absl::StatusOr<std::string> now = GuestList(dir);
    if (!now.ok()) return now.status();
    for (absl::string_view entry : absl::StrSplit(*now, '\n')) {
      if (!entry.empty() && old.count(entry) == 0) return std::string(entry);
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("device_add: the guest showed no new ", what, " in ",
                       dir, " within ", absl::FormatDuration(timeout)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

absl::StatusOr<std::string> Vm::HotplugNic(const std::string& id,
                                           const NicOptions& o) {
  if (plugged_.count(id) > 0)
    return absl::AlreadyExistsError(absl::StrCat("device_add: ", id, " is in"));
  absl::StatusOr<std::string> port = FreePort();
  if (!port.ok()) return port.status();
  absl::StatusOr<std::string> before = GuestList("/sys/class/net");
  if (!before.ok()) return before.status();
  std::string netdev = "netdev-" + id;
  Struct n;
  Set(&n, "type", StringValue("user"));
  Set(&n, "id", StringValue(netdev));
  Set(&n, "net", StringValue(o.net));
  absl::StatusOr<Value> added = Qmp("netdev_add", n);
  if (!added.ok()) return added.status();
  Struct d;
  Set(&d, "driver", StringValue(o.model));
  Set(&d, "id", StringValue(id));
  Set(&d, "netdev", StringValue(netdev));
  Set(&d, "bus", StringValue(*port));
  // A hotplugged NIC is never booted from: no option ROM (the bundled
  // firmware has only what a boot needs).
  Set(&d, "romfile", StringValue(""));
  added = Qmp("device_add", d);
  if (!added.ok()) {
    Struct del;
    Set(&del, "id", StringValue(netdev));
    Qmp("netdev_del", del).IgnoreError();
    return added.status();
  }
  plugged_[id] = {*port, netdev, false};
  return WaitForNewEntry("/sys/class/net", *before, "network interface",
                         o.timeout);
}

absl::StatusOr<std::string> Vm::HotplugDisk(const std::string& id,
                                            const std::string& path,
                                            const std::string& format,
                                            absl::Duration timeout) {
  if (plugged_.count(id) > 0)
    return absl::AlreadyExistsError(absl::StrCat("device_add: ", id, " is in"));
  absl::StatusOr<std::string> port = FreePort();
  if (!port.ok()) return port.status();
  absl::StatusOr<std::string> before = GuestList("/sys/block");
  if (!before.ok()) return before.status();
  std::string node = "disk-" + id;
  Struct file;
  Set(&file, "driver", StringValue("file"));
  Set(&file, "filename", StringValue(path));
  Struct b;
  Set(&b, "driver", StringValue(format));
  Set(&b, "node-name", StringValue(node));
  *(*b.mutable_fields())["file"].mutable_struct_value() = file;
  absl::StatusOr<Value> added = Qmp("blockdev-add", b);
  if (!added.ok()) return added.status();
  Struct d;
  Set(&d, "driver", StringValue("virtio-blk-pci"));
  Set(&d, "id", StringValue(id));
  Set(&d, "drive", StringValue(node));
  Set(&d, "bus", StringValue(*port));
  added = Qmp("device_add", d);
  if (!added.ok()) {
    Struct del;
    Set(&del, "node-name", StringValue(node));
    Qmp("blockdev-del", del).IgnoreError();
    return added.status();
  }
  plugged_[id] = {*port, node, true};
  absl::StatusOr<std::string> name =
      WaitForNewEntry("/sys/block", *before, "disk", timeout);
  if (!name.ok()) return name.status();
  return "/dev/" + *name;
}

absl::Status Vm::Unplug(const std::string& id, absl::Duration timeout) {
  auto it = plugged_.find(id);
  if (it == plugged_.end())
    return absl::NotFoundError(absl::StrCat("device_del: no device ", id));
  Struct d;
  Set(&d, "id", StringValue(id));
  absl::StatusOr<Value> deleted = Qmp("device_del", d);
  if (!deleted.ok()) return deleted.status();
  // QEMU says DEVICE_DELETED once the guest has let the device go; an
  // event for the device's QOM path alone comes too.
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    absl::StatusOr<Struct> event = qemu_->qmp().WaitForEvent(
        "DEVICE_DELETED",
        std::max(deadline - absl::Now(), absl::ZeroDuration()));
    if (!event.ok()) {
      return absl::DeadlineExceededError(
          absl::StrCat("device_del: the guest did not release ", id, " within ",
                       absl::FormatDuration(timeout)));
    }
    auto data = event->fields().find("data");
    if (data != event->fields().end() &&
        Text(data->second.struct_value(), "device") == id) {
      break;
    }
  }
  Struct backend;
  absl::StatusOr<Value> removed;
  if (it->second.block) {
    Set(&backend, "node-name", StringValue(it->second.backend));
    removed = Qmp("blockdev-del", backend);
  } else {
    Set(&backend, "id", StringValue(it->second.backend));
    removed = Qmp("netdev_del", backend);
  }
  plugged_.erase(it);
  return removed.ok() ? absl::OkStatus() : removed.status();
}

}  // namespace proctor::vmm
