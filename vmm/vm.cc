#include "vmm/vm.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "vmm/qmp_client.h"

namespace proctor::vmm {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kGuestReady[] = "proctor: guest ready";

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
  std::string line, last, panic;
  while (std::getline(in, line)) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty()) continue;
    last = std::string(l);
    if (absl::StrContains(l, "Kernel panic")) panic = last;
  }
  return (panic.empty() ? last : panic).substr(0, 200);
}

absl::StatusOr<std::unique_ptr<Vm>> Vm::Boot(VmOptions options) {
  if (options.key == nullptr) {
    absl::StatusOr<GuestKey> key = GuestKey::Generate();
    if (!key.ok()) return key.status();
    options.key = std::make_shared<const GuestKey>(*std::move(key));
  }
  options.qemu.authorized_key = options.key->public_line();
  for (int i = 0; i < options.hotplug_ports; ++i) {
    options.qemu.extra_args.insert(
        options.qemu.extra_args.end(),
        {"-device", absl::StrCat("pcie-root-port,id=hp", i, ",chassis=", i + 1,
                                 ",bus=pcie.0")});
  }
  std::unique_ptr<Vm> vm(new Vm(std::move(options)));
  absl::StatusOr<std::unique_ptr<QemuProcess>> qemu =
      QemuProcess::Start(vm->options_.qemu);
  if (!qemu.ok()) return qemu.status();
  vm->qemu_ = *std::move(qemu);
  QemuProcess* booting = vm->qemu_.get();
  // images/init.sh prints this once dropbear listens; SSH is tried only
  // then (see QemuProcess::WaitForConsole).
  absl::Duration timeout = vm->options_.boot_timeout;
  absl::Time deadline = absl::Now() + timeout;
  absl::Status ready = booting->WaitForConsole(kGuestReady, timeout);
  absl::StatusOr<SshSession> login =
      !ready.ok() ? ready
                  : SshSession::WaitForLogin(
                        "127.0.0.1", booting->ssh_port(), *vm->options_.key,
                        std::max(deadline - absl::Now(), absl::Seconds(10)),
                        [booting]() { return booting->Running(); });
  if (!login.ok()) {
    const std::string& log = booting->console_log();
    std::string line = TellingConsoleLine(log);
    return absl::Status(
        absl::IsDeadlineExceeded(login.status())
            ? absl::StatusCode::kDeadlineExceeded
            : absl::StatusCode::kUnavailable,
        absl::StrCat(absl::IsAborted(login.status())
                         ? "QEMU exited before the guest answered SSH"
                         : std::string(login.status().message()),
                     line.empty()
                         ? ""
                         : absl::StrCat("; the console says \"", line, "\""),
                     "; console log: ", log));
  }
  vm->session_ = std::make_unique<SshSession>(*std::move(login));
  return vm;
}

Vm::~Vm() {
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
    QemuProcess* q = qemu_.get();
    absl::StatusOr<SshSession> s =
        SshSession::WaitForLogin("127.0.0.1", q->ssh_port(), *options_.key,
                                 timeout, [q]() { return q->Running(); });
    if (!s.ok()) return Step("log in", s.status());
    session_ = std::make_unique<SshSession>(*std::move(s));
  }
  return session_.get();
}

absl::StatusOr<std::string> Vm::Cmd(absl::string_view command,
                                    absl::Duration timeout) {
  absl::StatusOr<SshSession*> s = WaitForLogin();
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
  session_ = nullptr;
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
