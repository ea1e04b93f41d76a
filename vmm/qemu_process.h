// One QEMU process booting a JeOS image, and everything it owns.
//
// Start() runs QEMU with the command line qemu_argv.h builds from a
// QemuConfig: direct kernel boot on q35, serial console to `console.log`,
// QMP on a unix socket in a private 0700 directory, user networking with
// the guest's SSH port forwarded to 127.0.0.1 only, the test directory
// shared read-only over 9p (tag "tests"), a virtio RNG. The command line is
// written next to the console log (qemu.cmdline), QEMU's stderr to
// qemu.stderr. The destructor stops QEMU: QMP `quit`, then SIGTERM, then
// SIGKILL, so no QEMU outlives its QemuProcess.
#ifndef PROCTOR_VMM_QEMU_PROCESS_H_
#define PROCTOR_VMM_QEMU_PROCESS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runner/base/subprocess.h"
#include "vmm/qmp_client.h"

namespace proctor::vmm {

struct QemuConfig {
  std::string qemu = "qemu-system-x86_64";  // a path, or a name in PATH
  std::string kernel;                       // the image's vmlinux
  std::string initramfs;
  std::string accel = "tcg";  // "kvm" or "tcg"
  int memory_mb = 512;
  int cpus = 1;
  std::string authorized_key;  // "ssh-ed25519 AAAA..." for root
  std::string share_dir;       // shared read-only as /tests, if set
  std::string run_dir;  // console.log, qemu.cmdline, qemu.stderr, qmp.log
  std::vector<std::string> kernel_args;  // appended to the command line
  std::vector<std::string> extra_args;   // appended to QEMU's arguments
  // The guest's RAM in this file rather than in anonymous memory: shared
  // (the guest writes through to it: a guest to be saved, vm_state.h) or
  // private (copy-on-write: a guest restored from it, which leaves the
  // file as it was).
  std::string memory_file;
  bool memory_file_shared = false;
  // The JeOS init mounts the share at boot; false leaves that to the
  // owner, after login (QEMU does not save a guest with a 9p mount).
  bool mount_share_at_boot = true;
  // -incoming defer: QEMU waits for QMP migrate-incoming (a restore).
  bool incoming = false;
  // A second QMP monitor, for the owner's users (tests: `proctor vm qmp`),
  // on this unix socket; "" for none. Not part of a saved guest's identity.
  std::string user_qmp_socket;
  // A virtio-serial port for the guest agent (vmm/guest_agent_wire.h),
  // its host end a unix socket beside QMP's (agent_socket()).
  bool agent = false;
};

// A port the kernel just handed out on 127.0.0.1, for QEMU to bind next.
// If someone takes it in between, QEMU fails to start: Start() retries.
absl::StatusOr<int> FreeLocalPort();

// The end of QEMU's stderr file `path` as one line (QEMU's errors are one
// line each), at most the last `max` bytes.
std::string QemuStderrTail(const std::string& path, size_t max = 2000);

// While one exists, no QEMU starts in this process (on any thread), and
// live() lists the QEMUs it started and has not stopped: for a caller
// that kills the children it does not know, and must spare them.
class QemuStartsHeld {
 public:
  QemuStartsHeld();
  ~QemuStartsHeld();
  QemuStartsHeld(const QemuStartsHeld&) = delete;
  QemuStartsHeld& operator=(const QemuStartsHeld&) = delete;
  std::vector<pid_t> live() const;
};

// Kills every QEMU this process started and has not stopped yet (their
// process groups, SIGKILL). For a program about to die of a signal, from a
// thread that waits for it: destructors will not run then.
void KillAllQemus();

class QemuProcess {
 public:
  // Starts QEMU and connects QMP. A missing QEMU binary or image file is a
  // FailedPrecondition naming it; QEMU dying at start is Unavailable with
  // its stderr.
  static absl::StatusOr<std::unique_ptr<QemuProcess>> Start(
      const QemuConfig& config);
  ~QemuProcess();

  int ssh_port() const { return ssh_port_; }
  // QEMU's end of the guest agent's port ("" without QemuConfig::agent).
  const std::string& agent_socket() const { return agent_socket_; }
  pid_t pid() const { return process_.pid(); }
  const std::string& console_log() const { return console_log_; }
  const std::vector<std::string>& command_line() const { return argv_; }
  QmpClient& qmp() { return *qmp_; }

  // Whether QEMU still runs (reaps it if it has exited).
  bool Running();
  // Waits up to `timeout` for QEMU to exit by itself.
  bool WaitForExit(absl::Duration timeout);
  // Waits until the console log holds `marker`: OK; Aborted if QEMU exits
  // first; DeadlineExceeded after `timeout`. The JeOS init prints
  // "proctor: guest ready" once its SSH server listens: probing SSH through
  // the user network before then stalls, as slirp accepts the host's
  // connection before the guest can take it.
  absl::Status WaitForConsole(absl::string_view marker, absl::Duration timeout);
  // How QEMU ended, once Running() or WaitForExit() saw it go. Reaped by
  // someone else's waitpid(-1): neither exited nor signalled, code -1.
  const std::optional<ExitInfo>& exit_info() const { return exit_; }
  // Ends QEMU: QMP quit, SIGTERM after `grace`, SIGKILL after another.
  void Stop(absl::Duration grace = absl::Seconds(2));

 private:
  QemuProcess() = default;
  // One try of Start() with `qemu` resolved. *exited_early is set when
  // QEMU ran but quit before QMP answered (a port taken, say): worth
  // another try.
  static absl::StatusOr<std::unique_ptr<QemuProcess>> Launch(
      const QemuConfig& config, const std::string& qemu, bool* exited_early);

  std::vector<std::string> argv_;
  std::string private_dir_, console_log_, agent_socket_;
  int ssh_port_ = 0;
  Subprocess process_;
  std::optional<ExitInfo> exit_;
  std::unique_ptr<QmpClient> qmp_;
};

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_QEMU_PROCESS_H_
