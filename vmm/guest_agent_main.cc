// proctor-guest-agent: runs the host's commands in a JeOS guest that was
// saved, so that a guest restored from it needs no SSH login first.
//
//   proctor-guest-agent PORT_NAME
//
// Opens the virtio-serial port named PORT_NAME, goes to the background
// (the parent exits 0 once the port is open, 1 with a line on stderr if
// it cannot be) and serves the port as guest_agent_wire.h says, one
// command at a time, until the guest ends. A guest restored from a saved
// one resumes it blocked in its read: the first command after a restore
// costs a fork and an exec, not a login (some 0.2 s under TCG).
//
// A static program of libc alone: it runs in any JeOS image, whatever
// libraries the image holds. Single-threaded.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "runner/base/frame_io.h"
#include "vmm/guest_agent_wire.h"

namespace {

using proctor::frames::HeaderLength;
using proctor::frames::kHeaderSize;
using proctor::frames::SendFrame;
using proctor::frames::SendInt32Frame;
namespace wire = proctor::vmm::agent_wire;

sigset_t original_mask;

// The port's device, found by its name as the kernel lists it.
int OpenPort(const char* name) {
  DIR* dir = opendir("/sys/class/virtio-ports");
  if (dir == nullptr) return -1;
  int fd = -1;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::string base = std::string("/sys/class/virtio-ports/") + e->d_name;
    char have[256] = {};
    int n = open((base + "/name").c_str(), O_RDONLY | O_CLOEXEC);
    if (n < 0) continue;
    ssize_t len = read(n, have, sizeof(have) - 1);
    close(n);
    while (len > 0 && have[len - 1] == '\n') have[--len] = '\0';
    if (len > 0 && strcmp(have, name) == 0) {
      fd = open((std::string("/dev/") + e->d_name).c_str(), O_RDWR | O_CLOEXEC);
      break;
    }
  }
  closedir(dir);
  return fd;
}

// A port whose host end is not connected reads as EOF at once and polls
// as POLLHUP: wait for the kernel's SIGIO, which it sends when the host
// connects (with a timeout, should the signal be missed).
void AwaitHost(int port) {
  timespec second = {1, 0};
  sigset_t io;
  sigemptyset(&io);
  sigaddset(&io, SIGIO);
  pollfd p = {port, POLLIN, 0};
  while (poll(&p, 1, 0) >= 0 && (p.revents & POLLHUP) != 0) {
    sigtimedwait(&io, nullptr, &second);
  }
}

// Reads exactly `n` bytes from the port, waiting for its host whenever it
// is not connected. False on an error of the port itself.
bool ReadPort(int port, char* buf, size_t n) {
  while (n > 0) {
    ssize_t r = read(port, buf, n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (r == 0) {
      AwaitHost(port);
      continue;
    }
    buf += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool ReadFrame(int port, uint8_t* type, std::string* data) {
  char header[kHeaderSize];
  if (!ReadPort(port, header, kHeaderSize)) return false;
  uint32_t len = HeaderLength(header);
  if (len > wire::kMaxFrame) return false;
  *type = static_cast<uint8_t>(header[0]);
  data->resize(len);
  return ReadPort(port, &(*data)[0], len);
}

bool Send(int port, wire::Frame type, const char* data, size_t n) {
  return SendFrame(port, type, data, n);
}

// The command's process: /bin/sh -c SCRIPT with the environment dropbear
// gives a command, in a session of its own.
pid_t Spawn(const std::string& script, int in, int out, int err) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  signal(SIGPIPE, SIG_DFL);
  setsid();
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  if (chdir("/root") != 0 && chdir("/") != 0) _exit(127);
  char* const env[] = {const_cast<char*>("HOME=/root"),
                       const_cast<char*>("USER=root"),
                       const_cast<char*>("LOGNAME=root"),
                       const_cast<char*>("SHELL=/bin/sh"),
                       const_cast<char*>("PATH=/usr/bin:/bin"),
                       nullptr};
  execle("/bin/sh", "sh", "-c", script.c_str(), nullptr, env);
  static const char kFailed[] = "proctor-guest-agent: cannot run /bin/sh\n";
  ssize_t ignored = write(2, kFailed, sizeof(kFailed) - 1);
  (void)ignored;
  _exit(127);
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

// One command, from kRun to its kExit. False when the host went away
// meanwhile (the command was killed; nothing more is sent).
bool Run(int port, const std::string& script) {
  int in[2], out[2], err[2];
  bool piped = pipe2(in, O_CLOEXEC) == 0;
  if (piped && pipe2(out, O_CLOEXEC) != 0) {
    for (int fd : in) close(fd);
    piped = false;
  }
  if (piped && pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
    piped = false;
  }
  if (!piped) {
    static const char kNoPipe[] = "proctor-guest-agent: no pipe\n";
    Send(port, wire::kStderr, kNoPipe, sizeof(kNoPipe) - 1);
    return SendInt32Frame(port, wire::kExit, 255);
  }
  pid_t pid = Spawn(script, in[0], out[1], err[1]);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  // Knowing when the shell exits lets output still held open by what it
  // left in the background not keep the command's end waiting.
  int exited = pid > 0 ? static_cast<int>(syscall(SYS_pidfd_open, pid, 0)) : -1;
  int stdin_fd = in[1], outputs[2] = {out[0], err[0]};
  std::string pending;
  bool input_done = false, host_gone = pid < 0, shell_gone = pid < 0;
  char buf[1 << 16];
  while (outputs[0] >= 0 || outputs[1] >= 0) {
    pollfd p[5] = {{host_gone ? -1 : port, POLLIN, 0},
                   {outputs[0], POLLIN, 0},
                   {outputs[1], POLLIN, 0},
                   {pending.empty() ? -1 : stdin_fd, POLLOUT, 0},
                   {shell_gone ? -1 : exited, POLLIN, 0}};
    // After the shell's end, what it left behind gets 100 ms of quiet.
    int ready = poll(p, 5, shell_gone && exited >= 0 ? 100 : -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) break;
    if (p[0].revents & POLLIN) {
      uint8_t type;
      std::string data;
      if (!ReadFrame(port, &type, &data)) {
        host_gone = true;
      } else if (type == wire::kInput) {
        pending += data;
      } else if (type == wire::kInputEnd) {
        input_done = true;
      } else if (type == wire::kKill && pid > 0) {
        kill(-pid, SIGKILL);
      } else if (type == wire::kPing) {
        // The host's check, during a long command, that the agent lives.
        host_gone = !Send(port, wire::kPong, data.data(), data.size());
      }
    } else if (p[0].revents & (POLLHUP | POLLERR)) {
      host_gone = true;
    }
    if (host_gone && pid > 0 && !shell_gone) kill(-pid, SIGKILL);
    if (p[3].revents != 0) {
      ssize_t w = write(stdin_fd, pending.data(), pending.size());
      if (w > 0) pending.erase(0, static_cast<size_t>(w));
      if (w < 0 && errno != EAGAIN && errno != EINTR) pending.clear();
    }
    if (input_done && pending.empty() && stdin_fd >= 0) {
      close(stdin_fd);
      stdin_fd = -1;
    }
    for (int i : {0, 1}) {
      if (p[1 + i].revents == 0) continue;
      ssize_t r = read(outputs[i], buf, sizeof(buf));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        close(outputs[i]);
        outputs[i] = -1;
      } else if (!host_gone) {
        host_gone = !Send(port, i == 0 ? wire::kStdout : wire::kStderr, buf,
                          static_cast<size_t>(r));
      }
    }
    if (p[4].revents != 0) shell_gone = true;
  }
  for (int fd : {stdin_fd, outputs[0], outputs[1], exited}) {
    if (fd >= 0) close(fd);
  }
  int status = 0;
  int32_t code = 255;
  if (pid > 0 && waitpid(pid, &status, 0) == pid) code = ExitCode(status);
  if (host_gone) return false;
  return SendInt32Frame(port, wire::kExit, code);
}

// One line of a kSetUp; "" when it was done, else why not.
std::string SetUpLine(const std::string& line) {
  size_t space = line.find(' ');
  std::string what = line.substr(0, space);
  std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
  if (what == "clock") {
    long long ns = strtoll(arg.c_str(), nullptr, 10);
    timespec ts = {static_cast<time_t>(ns / 1000000000),
                   static_cast<long>(ns % 1000000000)};
    if (clock_settime(CLOCK_REALTIME, &ts) != 0) {
      return std::string("clock_settime: ") + strerror(errno);
    }
    return "";
  }
  if (what == "console") {
    int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return std::string("/dev/console: ") + strerror(errno);
    arg += "\n";
    bool written = proctor::frames::WriteBytes(fd, arg.data(), arg.size());
    close(fd);
    return written ? "" : "cannot write /dev/console";
  }
  if (what == "mount9p") {
    size_t at = arg.find(' ');
    std::string tag = arg.substr(0, at);
    std::string path = at == std::string::npos ? "" : arg.substr(at + 1);
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return "mkdir " + path + ": " + strerror(errno);
    }
    if (mount(tag.c_str(), path.c_str(), "9p", MS_RDONLY,
              "trans=virtio,version=9p2000.L") != 0) {
      return "mount " + tag + " on " + path + ": " + strerror(errno);
    }
    return "";
  }
  return "unknown set-up line: " + line;
}

bool SetUp(int port, const std::string& lines) {
  std::string failed;
  size_t at = 0;
  while (at < lines.size() && failed.empty()) {
    size_t end = lines.find('\n', at);
    if (end == std::string::npos) end = lines.size();
    failed = SetUpLine(lines.substr(at, end - at));
    at = end + 1;
  }
  if (!failed.empty()) {
    failed = "proctor-guest-agent: " + failed + "\n";
    Send(port, wire::kStderr, failed.data(), failed.size());
  }
  return SendInt32Frame(port, wire::kExit, failed.empty() ? 0 : 1);
}

[[noreturn]] void Serve(int port) {
  for (;;) {
    uint8_t type;
    std::string data;
    if (!ReadFrame(port, &type, &data)) {
      // A damaged frame: what follows cannot be trusted either. The host
      // gives up on this guest; a second apart, so as not to spin.
      sleep(1);
      continue;
    }
    if (type == wire::kPing) {
      Send(port, wire::kPong, data.data(), data.size());
    } else if (type == wire::kRun) {
      Run(port, data);
    } else if (type == wire::kSetUp) {
      SetUp(port, data);
    }
    // kInput, kInputEnd and kKill of a command that has ended: late.
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: proctor-guest-agent PORT_NAME\n");
    return 2;
  }
  int port = OpenPort(argv[1]);
  if (port < 0) {
    fprintf(stderr, "proctor-guest-agent: no virtio-serial port named %s\n",
            argv[1]);
    return 1;
  }
  pid_t child = fork();
  if (child < 0) return 1;
  if (child > 0) return 0;
  setsid();
  int null = open("/dev/null", O_RDWR);
  for (int fd : {0, 1, 2}) dup2(null, fd);
  if (null > 2) close(null);
  if (chdir("/") != 0) return 1;
  signal(SIGPIPE, SIG_IGN);
  sigset_t io;
  sigemptyset(&io);
  sigaddset(&io, SIGIO);
  sigprocmask(SIG_BLOCK, &io, &original_mask);
  fcntl(port, F_SETOWN, getpid());
  fcntl(port, F_SETFL, fcntl(port, F_GETFL) | O_ASYNC);
  Serve(port);
}
