#include "vmm/qemu_process.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "runner/base/private_dir.h"
#include "runner/base/unique_fd.h"
#include "vmm/qemu_argv.h"

extern char** environ;

namespace proctor::vmm {

namespace {

absl::Mutex live_mutex(absl::kConstInit);
std::set<pid_t>* live_pids ABSL_GUARDED_BY(live_mutex) = nullptr;

// Spawns QEMU and registers it in one step under the registry's lock: a
// QemuStartsHeld holder sees every QEMU that exists.
absl::StatusOr<Subprocess> SpawnRegistered(const SpawnOptions& spawn) {
  absl::MutexLock lock(&live_mutex);
  absl::StatusOr<Subprocess> proc = Subprocess::Spawn(spawn);
  if (!proc.ok()) return proc;
  if (live_pids == nullptr) live_pids = new std::set<pid_t>;
  live_pids->insert(proc->pid());
  return proc;
}

void Unregister(pid_t pid) {
  absl::MutexLock lock(&live_mutex);
  if (live_pids != nullptr) live_pids->erase(pid);
}

}  // namespace

QemuStartsHeld::QemuStartsHeld() { live_mutex.Lock(); }

QemuStartsHeld::~QemuStartsHeld() { live_mutex.Unlock(); }

std::vector<pid_t> QemuStartsHeld::live() const {
  live_mutex.AssertHeld();
  return live_pids != nullptr
             ? std::vector<pid_t>(live_pids->begin(), live_pids->end())
             : std::vector<pid_t>();
}

void KillAllQemus() {
  absl::MutexLock lock(&live_mutex);
  if (live_pids == nullptr) return;
  for (pid_t pid : *live_pids) kill(-pid, SIGKILL);
}

absl::StatusOr<int> FreeLocalPort() {
  UniqueFd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return absl::UnavailableError(
        absl::StrCat("no free port: ", strerror(errno)));
  }
  return ntohs(addr.sin_port);
}

std::string QemuStderrTail(const std::string& path, size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > max) text = text.substr(text.size() - max);
  std::vector<absl::string_view> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) lines.push_back(line);
  }
  return absl::StrJoin(lines, "; ");
}

absl::StatusOr<std::unique_ptr<QemuProcess>> QemuProcess::Launch(
    const QemuConfig& config, const std::string& qemu, bool* exited_early) {
  *exited_early = false;
  auto vm = std::unique_ptr<QemuProcess>(new QemuProcess());
  // The QMP socket lives in a private directory with a short path (unix
  // socket paths are limited to 108 bytes; result trees are deep).
  absl::StatusOr<std::string> dir = MakePrivateDir("proctor-vm");
  if (!dir.ok()) return dir.status();
  vm->private_dir_ = *dir;
  QemuEndpoints endpoints;
  endpoints.qmp_socket = vm->private_dir_ + "/qmp.sock";
  if (config.agent) {
    endpoints.agent_socket = vm->agent_socket_ =
        vm->private_dir_ + "/agent.sock";
  }
  endpoints.console_log = vm->console_log_ = config.run_dir + "/console.log";
  absl::StatusOr<int> port = FreeLocalPort();
  if (!port.ok()) return port.status();
  endpoints.ssh_port = vm->ssh_port_ = *port;
  vm->argv_ = QemuArgv(config, qemu, endpoints);
  std::ofstream(config.run_dir + "/qemu.cmdline")
      << absl::StrJoin(vm->argv_, " ") << "\n";

  std::string stderr_path = config.run_dir + "/qemu.stderr";
  UniqueFd err(open(stderr_path.c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  SpawnOptions spawn;
  spawn.argv = vm->argv_;
  for (char** e = environ; *e != nullptr; ++e) spawn.env.push_back(*e);
  spawn.stderr_fd = err.get();
  // No QEMU outlives its owner, even one killed by SIGKILL.
  spawn.die_with_parent = true;
  absl::StatusOr<Subprocess> proc = SpawnRegistered(spawn);
  if (!proc.ok()) return proc.status();
  vm->process_ = *std::move(proc);

  // QEMU creates the socket early; it is gone at once if it cannot start.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  absl::StatusOr<QmpClient> qmp = absl::UnavailableError("not connected");
  while (absl::Now() < deadline && vm->Running()) {
    qmp = QmpClient::Connect(endpoints.qmp_socket, absl::Milliseconds(200));
    if (qmp.ok()) break;
  }
  if (!qmp.ok()) {
    vm->Stop(absl::Milliseconds(100));
    *exited_early = true;
    return absl::UnavailableError(
        absl::StrCat("QEMU did not start: ", QemuStderrTail(stderr_path)));
  }
  vm->qmp_ = std::make_unique<QmpClient>(*std::move(qmp));
  vm->qmp_->LogTo(config.run_dir + "/qmp.log");
  return vm;
}

absl::StatusOr<std::unique_ptr<QemuProcess>> QemuProcess::Start(
    const QemuConfig& config) {
  const char* path = getenv("PATH");
  std::string qemu = FindProgram(config.qemu, path != nullptr ? path : "");
  if (qemu.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("QEMU not found: ", config.qemu,
                     " (Debian: apt install qemu-system-x86)"));
  }
  for (const std::string& f : {config.kernel, config.initramfs}) {
    if (access(f.c_str(), R_OK) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("guest image file missing: ", f));
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(config.run_dir, ec);
  // The SSH port may be taken between FreeLocalPort and QEMU's bind: a few
  // tries.
  absl::StatusOr<std::unique_ptr<QemuProcess>> vm;
  bool exited_early = true;
  for (int attempt = 0; attempt < 3 && exited_early; ++attempt) {
    vm = Launch(config, qemu, &exited_early);
  }
  return vm;
}

bool QemuProcess::Running() {
  if (exit_.has_value() || process_.pid() <= 0) return false;
  int status = 0;
  pid_t r = waitpid(process_.pid(), &status, WNOHANG);
  if (r == process_.pid()) {
    Unregister(r);
    process_.MarkReaped();
    exit_ = DecodeWaitStatus(status);
    return false;
  }
  if (r < 0 && errno == ECHILD) {
    // Someone else's waitpid(-1) reaped it: gone, status unknown.
    process_.MarkReaped();
    exit_ = ExitInfo();
    exit_->code = -1;
    return false;
  }
  return true;
}

bool QemuProcess::WaitForExit(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (Running()) {
    if (absl::Now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

absl::Status QemuProcess::WaitForConsole(absl::string_view marker,
                                         absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  std::ifstream log(console_log_, std::ios::binary);
  std::string window;  // unread bytes, and the tail a marker may start in
  char buf[4096];
  for (;;) {
    bool running = Running();  // before reading: a last line is not missed
    log.clear();
    while (log.read(buf, sizeof(buf)), log.gcount() > 0) {
      window.append(buf, static_cast<size_t>(log.gcount()));
      if (absl::StrContains(window, marker)) return absl::OkStatus();
      if (window.size() > marker.size())
        window.erase(0, window.size() - marker.size());
      log.clear();
    }
    if (!running) {
      return absl::AbortedError(
          absl::StrCat("QEMU exited before the console said \"", marker, "\""));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("the console did not say \"", marker, "\" within ",
                       absl::FormatDuration(timeout)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!log.is_open()) log.open(console_log_, std::ios::binary);
  }
}

void QemuProcess::Stop(absl::Duration grace) {
  pid_t pid = process_.pid();
  if (Running() && qmp_ != nullptr) {
    qmp_->Execute("quit", {}, grace).IgnoreError();
  }
  if (!WaitForExit(grace)) {
    process_.SignalGroup(SIGTERM);
    if (!WaitForExit(grace)) {
      process_.SignalGroup(SIGKILL);
      WaitForExit(absl::Seconds(5));
    }
  }
  if (pid > 0) Unregister(pid);
  qmp_ = nullptr;
  if (!private_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(private_dir_, ec);
    private_dir_.clear();
  }
}

QemuProcess::~QemuProcess() { Stop(); }

}  // namespace proctor::vmm
