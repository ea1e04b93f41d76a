// A guest to test against, as the RFC's instrumented tests see one: boot
// it, verify it is alive, log in, run commands in it, speak QMP to its
// QEMU, migrate it to another QEMU, plug NICs and disks in and out.
//
//   VmOptions options;
//   options.qemu.kernel = image + "/vmlinux";  // ... initramfs, run_dir
//   absl::StatusOr<std::unique_ptr<Vm>> vm = Vm::Boot(options);
//   (*vm)->VerifyAlive();
//   absl::StatusOr<std::string> uptime = (*vm)->Cmd("cat /proc/uptime");
//   (*vm)->Migrate({});                // the Vm follows the guest
//   absl::StatusOr<std::string> eth = (*vm)->HotplugNic("nic1", {});
//
// A guest booted once can be saved and then restored any number of times,
// each restore a fresh guest in a fraction of a boot (vmm/saved_state.h):
//
//   options.state_dir = dir;           // the guest's RAM lives there
//   Vm::Boot(options) ... (*vm)->Save();   // that QEMU ends
//   absl::StatusOr<std::unique_ptr<Vm>> fresh = Vm::Restore(options);
//
// A guest booted to be saved runs the guest agent (guest_agent.h), and a
// restored one is reached through it: the first command after a restore
// needs no SSH login, which costs some 0.2 s of a fresh QEMU's CPU under
// TCG. Cmd() uses the agent while there is one; WaitForLogin() logs in.
//
// A restored guest is a clone of the saved one, with three differences
// where a clone must not be one: its wall clock is set to the host's (to
// the second, as a boot's is from the RTC), QEMU gives it a new vmgenid
// (Linux reseeds its random pool), and the share is mounted anew. It keeps
// the saved guest's boot id if that was read before the save (Linux makes
// it on first read; else each restored guest makes its own).
//
// Every error names the step that failed ("migrate: ...", "device_add:
// ..."). Everything a Vm starts (QEMU processes, SSH sessions, the agent's
// connection) ends with
// it. Its logs are in options.qemu.run_dir: console.log, qemu.cmdline,
// qemu.stderr, qmp.log, and one directory per migration destination.
#ifndef PROCTOR_VMM_VM_H_
#define PROCTOR_VMM_VM_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "vmm/agent_session.h"
#include "vmm/qemu_process.h"
#include "vmm/ssh_session.h"

namespace proctor::vmm {

struct VmOptions {
  QemuConfig qemu;  // image, accelerator, memory, run_dir (key: filled in)
  absl::Duration boot_timeout = absl::Seconds(120);
  // PCIe root ports for hotplugged devices: q35's root bus takes none.
  int hotplug_ports = 0;
  // The guest's login key; made fresh when null. A restore needs the key
  // the guest was saved with.
  std::shared_ptr<const GuestKey> key;
  // Where the guest is saved to (Boot, then Save) or restored from
  // (Restore). Boot then keeps the guest's RAM in a file there, the share
  // is mounted after login rather than by the guest's init (QEMU saves no
  // guest with a 9p mount), and the guest agent is started (a guest whose
  // agent cannot start, say a kernel without CONFIG_VIRTIO_CONSOLE, is
  // saved without it, run_dir/agent.log says why, and its restores log in).
  std::string state_dir;
  // For a restore: how long QEMU may take to load the state.
  absl::Duration restore_timeout = absl::Seconds(30);
  // For a restore without an agent: Restore() returns once the guest is
  // logged in, and the owner runs RestoreCompletion() as the start of its
  // first command in the guest, which saves a command's round trip (some
  // 50 ms under TCG). Until then the guest's clock is the saved one's and
  // /tests is absent. A guest with an agent is completed by Restore.
  bool owner_completes_restore = false;
};

struct MigrationOptions {
  // Where the destination listens: "tcp:127.0.0.1:PORT" or "unix:PATH";
  // empty picks a free TCP port on 127.0.0.1.
  std::string uri;
  // Migrate to a destination someone else started (it must already listen
  // on `uri`); the Vm then stays with the source, which is stopped.
  bool external_destination = false;
  int64_t downtime_limit_ms = 0;  // 0: QEMU's default (300 ms)
  int64_t max_bandwidth = 0;      // bytes per second; 0: QEMU's default
  absl::Duration timeout = absl::Minutes(5);
};

struct MigrationResult {
  std::string uri;
  double total_ms = 0;     // QEMU's total-time
  double downtime_ms = 0;  // QEMU's downtime: the guest did not run
  double setup_ms = 0;
  double transferred_bytes = 0;
};

struct NicOptions {
  std::string model = "virtio-net-pci";
  // The user-mode network behind it: the guest is 10.0.3.15 there and
  // the host's 127.0.0.1 is 10.0.3.2.
  std::string net = "10.0.3.0/24";
  absl::Duration timeout = absl::Seconds(30);  // for the guest to see it
};

// The console line that best says why a guest stopped: the JeOS init's
// "proctor: the guest kernel lacks: CONFIG_..." (a kernel without the
// guest's drivers), else the kernel's panic message, else the last
// non-blank line ("" if none).
std::string TellingConsoleLine(const std::string& console_log);

class Vm {
 public:
  // Starts QEMU and waits until the guest accepts an SSH login. A guest
  // that dies or stays silent is Unavailable/DeadlineExceeded quoting the
  // console's telling line and naming the console log.
  static absl::StatusOr<std::unique_ptr<Vm>> Boot(VmOptions options);
  // Starts a guest from the state a Vm booted with the same options (run_dir
  // aside) saved in options.state_dir, and waits until its agent answers
  // (its SSH login, for a guest saved without one).
  // FailedPrecondition when the state is missing, incomplete, changed since
  // it was saved or of another guest (vmm/saved_state.h); Unavailable when
  // QEMU cannot load it. Nothing is left running on failure.
  static absl::StatusOr<std::unique_ptr<Vm>> Restore(VmOptions options);
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // OK when QEMU runs and QMP says the guest is running.
  absl::Status VerifyAlive();
  // The logged-in session (a new one after a migration).
  absl::StatusOr<SshSession*> WaitForLogin(
      absl::Duration timeout = absl::Seconds(60));
  // Runs `command` in the guest: its stdout, or Internal with its exit
  // status and stderr.
  absl::StatusOr<std::string> Cmd(absl::string_view command,
                                  absl::Duration timeout = absl::Minutes(5));
  // A QMP command on this guest's QEMU.
  absl::StatusOr<google::protobuf::Value> Qmp(
      absl::string_view command, const google::protobuf::Struct& arguments = {},
      absl::Duration timeout = absl::Seconds(30));

  // Starts a destination QEMU like this one waiting on `uri`, migrates the
  // guest there and waits for it to complete and run; the source is then
  // stopped and this Vm is the destination. On failure the destination is
  // stopped and the source kept. Hotplugged devices must be unplugged
  // first.
  absl::StatusOr<MigrationResult> Migrate(const MigrationOptions& options);

  // Saves the guest into options.state_dir (a Vm booted with one) and ends
  // its QEMU: the share is unmounted, the guest stopped, QEMU's device
  // state written beside the RAM, then the identity (saved_state.h). A save
  // not done within `timeout` is DeadlineExceeded. Either way this Vm's
  // QEMU is gone afterwards, and on failure no complete state is left.
  absl::Status Save(absl::Duration timeout = absl::Seconds(30));

  // Plugs a NIC with a user-mode network into a free root port and waits
  // for the guest to show the interface; returns its name ("eth1").
  absl::StatusOr<std::string> HotplugNic(const std::string& id,
                                         const NicOptions& options);
  // Plugs a virtio-blk disk backed by `path` (format "raw" or "qcow2")
  // and waits for the guest to show it; returns its device ("/dev/vdb").
  absl::StatusOr<std::string> HotplugDisk(
      const std::string& id, const std::string& path, const std::string& format,
      absl::Duration timeout = absl::Seconds(30));
  // device_del, then waits for QEMU's DEVICE_DELETED (the guest let go of
  // it) and removes the device's backend.
  absl::Status Unplug(const std::string& id,
                      absl::Duration timeout = absl::Seconds(30));

  // Hands over the logged-in session (null if there is none); the Vm logs
  // in again when it needs one.
  std::unique_ptr<SshSession> ReleaseSession() { return std::move(session_); }
  // Hands over the connection to the guest agent (null if there is none);
  // the Vm's commands then go over SSH.
  std::unique_ptr<AgentSession> ReleaseAgent() { return std::move(agent_); }
  // The shell command that completes a restore made with
  // owner_completes_restore: the clock set to the host's (now, to the
  // second), the console marked, the share mounted (once, however often
  // it runs). "" for other guests, and for a guest whose agent completed
  // its restore (Restore does that whenever there is an agent).
  std::string RestoreCompletion() const;
  // Whether this guest was restored from a saved one (not booted).
  bool restored() const { return options_.qemu.incoming; }

  QemuProcess& qemu() { return *qemu_; }
  const GuestKey& key() const { return *options_.key; }
  const std::string& console_log() const { return qemu_->console_log(); }
  int migrations() const { return migrations_; }

 private:
  explicit Vm(VmOptions options) : options_(std::move(options)) {}
  // What Boot and Restore both do to the options: the key, the hotplug
  // ports, the RAM file of a saved guest.
  static absl::Status Prepare(VmOptions* options);
  // Logs in (session_), waiting up to `timeout` while QEMU runs.
  absl::Status AwaitLogin(absl::Duration timeout);
  // Copies the guest agent into a booted guest and starts it (agent_).
  absl::Status StartAgent();
  // The agent's connection while there is one, else the SSH session.
  absl::StatusOr<GuestShell*> Shell();
  // Save's steps while QEMU runs: the share unmounted, the guest stopped,
  // the device state written.
  absl::Status WriteDeviceState(absl::Duration timeout);
  // After Restore's QEMU is up: the device state loaded, the guest running.
  absl::Status LoadState(absl::Time deadline);
  // QMP x-ignore-shared, on both ends of a save: the RAM stays in its file
  // (`leave`); off again once a restore is done.
  absl::Status LeaveRamOutOfMigration(bool leave);
  // Mounts the share, and for a `restored` guest sets its clock to the
  // host's and marks its console: what a guest started with a state_dir
  // needs after login. SetUpCommand is the shell command for it ("" for
  // nothing to do).
  absl::Status SetUpGuest(bool restored);
  std::string SetUpCommand(bool restored) const;
  absl::StatusOr<std::string> FreePort();
  // Migrate's steps: a destination QEMU like this one on -incoming `uri`
  // with its logs in `dir`; the limits of `o`; the migration's end (a
  // failure names a destination that died); the destination's guest
  // running.
  absl::StatusOr<std::unique_ptr<QemuProcess>> StartDestination(
      const std::string& uri, const std::string& dir);
  absl::Status SetMigrationParameters(const MigrationOptions& o);
  absl::Status AwaitMigration(QemuProcess* dest, const std::string& dest_dir,
                              absl::Duration timeout, absl::Time deadline,
                              MigrationResult* result);
  absl::Status AwaitDestinationRunning(QemuProcess* dest, absl::Time deadline);
  // migrate_cancel, then waits (a few seconds at most) until QEMU no longer
  // reports the migration as under way, so that the next one may start.
  void CancelMigration();
  // The guest's entries in `dir` ("/sys/class/net"), one per line.
  absl::StatusOr<std::string> GuestList(const std::string& dir);
  // Waits for an entry of `dir` that `before` did not have.
  absl::StatusOr<std::string> WaitForNewEntry(const std::string& dir,
                                              const std::string& before,
                                              absl::string_view what,
                                              absl::Duration timeout);

  struct Plugged {
    std::string port;     // the root port it sits in
    std::string backend;  // netdev id or block node name
    bool block = false;
  };

  VmOptions options_;
  std::unique_ptr<QemuProcess> qemu_;
  std::unique_ptr<SshSession> session_;
  std::unique_ptr<AgentSession> agent_;
  // A restored guest whose set-up its agent did (Restore): nothing is left
  // for its owner to complete.
  bool completed_ = false;
  std::map<std::string, Plugged> plugged_;  // device id ->
  int migrations_ = 0;
  int destinations_ = 0;  // started, whether or not the migration worked
};

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_VM_H_
