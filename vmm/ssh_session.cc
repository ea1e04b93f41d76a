#include "vmm/ssh_session.h"

#include <libssh/libssh.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runner/base/text.h"

namespace proctor::vmm {
absl::StatusOr<GuestKey> GuestKey::Generate() {
  GuestKey k;
  if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &k.key_) != SSH_OK) {
    return absl::InternalError("libssh: cannot generate an ed25519 key");
  }
  absl::Status exported = k.ExportPublicLine();
  if (!exported.ok()) return exported;
  return k;
}

absl::StatusOr<GuestKey> GuestKey::Load(const std::string& path) {
  GuestKey k;
  if (ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr,
                                  &k.key_) != SSH_OK) {
    return absl::NotFoundError(absl::StrCat("cannot read the SSH key ", path));
  }
  absl::Status exported = k.ExportPublicLine();
  if (!exported.ok()) return exported;
  return k;
}

absl::Status GuestKey::Save(const std::string& path) const {
  mode_t old = umask(077);
  int rc = ssh_pki_export_privkey_file(key_, nullptr, nullptr, nullptr,
                                       path.c_str());
  umask(old);
  if (rc != SSH_OK)
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status GuestKey::ExportPublicLine() {
  char* b64 = nullptr;
  if (ssh_pki_export_pubkey_base64(key_, &b64) != SSH_OK) {
    return absl::InternalError("libssh: cannot export the public key");
  }
  public_line_ = absl::StrCat("ssh-ed25519 ", b64, " proctor");
  ssh_string_free_char(b64);
  return absl::OkStatus();
}

GuestKey::GuestKey(GuestKey&& other) noexcept
    : key_(std::exchange(other.key_, nullptr)),
      public_line_(std::move(other.public_line_)) {}

GuestKey::~GuestKey() {
  if (key_ != nullptr) ssh_key_free(key_);
}

absl::StatusOr<SshSession> SshSession::WaitForLogin(
    const std::string& host, int port, const GuestKey& key,
    absl::Duration timeout, const std::function<bool()>& alive) {
  absl::Time deadline = absl::Now() + timeout;
  std::string last = "no attempt";
  while (absl::Now() < deadline) {
    if (alive && !alive()) {
      return absl::AbortedError(absl::StrCat(
          "the guest stopped before SSH answered (last: ", last, ")"));
    }
    SshSession s;
    s.session_ = ssh_new();
    long connect_timeout = 2;
    int verbosity = SSH_LOG_NOLOG;
    unsigned int uport = static_cast<unsigned int>(port);
    ssh_options_set(s.session_, SSH_OPTIONS_HOST, host.c_str());
    ssh_options_set(s.session_, SSH_OPTIONS_PORT, &uport);
    ssh_options_set(s.session_, SSH_OPTIONS_USER, "root");
    ssh_options_set(s.session_, SSH_OPTIONS_TIMEOUT, &connect_timeout);
    ssh_options_set(s.session_, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    // No ~/.ssh: nothing from the user's configuration leaks in.
    ssh_options_set(s.session_, SSH_OPTIONS_SSH_DIR, "/nonexistent");
    bool process_config = false;
    ssh_options_set(s.session_, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
    // Small request packets must leave at once: with Nagle's algorithm a
    // channel open waited for the guest's delayed ACK, 40 ms each time.
    int nodelay = 1;
    ssh_options_set(s.session_, SSH_OPTIONS_NODELAY, &nodelay);
    if (ssh_connect(s.session_) == SSH_OK) {
      if (ssh_userauth_publickey(s.session_, nullptr, key.key()) ==
          SSH_AUTH_SUCCESS) {
        return s;
      }
      last = absl::StrCat("authentication failed: ", ssh_get_error(s.session_));
    } else {
      last = ssh_get_error(s.session_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("no SSH login on ", host, ":", port, " within ",
                   absl::FormatDuration(timeout), " (last: ", last, ")"));
}

SshSession::SshSession(SshSession&& other) noexcept
    : session_(std::exchange(other.session_, nullptr)) {}

SshSession::~SshSession() {
  if (session_ != nullptr) {
    ssh_disconnect(session_);
    ssh_free(session_);
  }
}

absl::StatusOr<int> SshSession::Stream(
    absl::string_view command,
    const std::function<void(absl::string_view)>& on_out,
    const std::function<void(absl::string_view)>& on_err,
    absl::string_view input, absl::Duration timeout,
    const std::function<bool()>& cancelled) {
  ssh_channel ch = ssh_channel_new(session_);
  if (ch == nullptr) return absl::UnavailableError("libssh: no channel");
  auto close = [ch]() {
    ssh_channel_close(ch);
    ssh_channel_free(ch);
  };
  std::string cmd(command);
  if (ssh_channel_open_session(ch) != SSH_OK ||
      ssh_channel_request_exec(ch, cmd.c_str()) != SSH_OK) {
    std::string why = ssh_get_error(session_);
    close();
    return absl::UnavailableError(absl::StrCat("ssh exec: ", why));
  }
  size_t sent = 0;
  while (sent < input.size()) {
    int n = ssh_channel_write(
        ch, input.data() + sent,
        static_cast<uint32_t>(std::min<size_t>(input.size() - sent, 1 << 15)));
    if (n == SSH_ERROR) break;
    sent += static_cast<size_t>(n);
  }
  ssh_channel_send_eof(ch);

  // Waits on the socket, not on one stream at a time: output on either
  // stream, EOF or a close wakes the loop at once.
  std::unique_ptr<ssh_event_struct, void (*)(ssh_event)> event(ssh_event_new(),
                                                               ssh_event_free);
  ssh_event_add_session(event.get(), session_);
  absl::Time deadline = absl::Now() + timeout;
  char buf[1 << 14];
  absl::Status failed;
  for (;;) {
    for (int is_stderr : {0, 1}) {
      int n;
      while ((n = ssh_channel_read_nonblocking(ch, buf, sizeof(buf),
                                               is_stderr)) > 0) {
        (is_stderr ? on_err
                   : on_out)(absl::string_view(buf, static_cast<size_t>(n)));
      }
      if (n == SSH_ERROR) {
        failed = absl::UnavailableError(
            absl::StrCat("ssh read: ", ssh_get_error(session_)));
      }
    }
    if (!failed.ok()) break;
    if (ssh_channel_is_eof(ch) || !ssh_channel_is_open(ch)) break;
    if (absl::Now() > deadline) {
      failed = absl::DeadlineExceededError(absl::StrCat(
          "guest command still running after ", absl::FormatDuration(timeout)));
      break;
    }
    if (cancelled && cancelled()) {
      failed = absl::CancelledError("guest command cancelled");
      break;
    }
    if (ssh_event_dopoll(event.get(), 50) == SSH_ERROR &&
        !ssh_is_connected(session_)) {
      failed = absl::UnavailableError(
          absl::StrCat("ssh read: ", ssh_get_error(session_)));
      break;
    }
  }
  ssh_event_remove_session(event.get(), session_);
  if (!failed.ok()) {
    close();
    return failed;
  }
  int status = ssh_channel_get_exit_status(ch);
  close();
  return status;
}

absl::StatusOr<int> SshSession::InteractiveShell() {
  ssh_channel ch = ssh_channel_new(session_);
  if (ch == nullptr) return absl::UnavailableError("libssh: no channel");
  struct winsize ws = {};
  ioctl(0, TIOCGWINSZ, &ws);
  const char* term = getenv("TERM");
  if (ssh_channel_open_session(ch) != SSH_OK ||
      ssh_channel_request_pty_size(ch, term ? term : "xterm",
                                   ws.ws_col ? ws.ws_col : 80,
                                   ws.ws_row ? ws.ws_row : 24) != SSH_OK ||
      ssh_channel_request_shell(ch) != SSH_OK) {
    std::string why = ssh_get_error(session_);
    ssh_channel_free(ch);
    return absl::UnavailableError(absl::StrCat("ssh shell: ", why));
  }
  struct termios saved;
  bool tty = tcgetattr(0, &saved) == 0;
  if (tty) {
    struct termios raw = saved;
    cfmakeraw(&raw);
    tcsetattr(0, TCSANOW, &raw);
  }
  char buf[4096];
  while (ssh_channel_is_open(ch) && !ssh_channel_is_eof(ch)) {
    struct pollfd p = {0, POLLIN, 0};
    if (poll(&p, 1, 20) > 0) {
      ssize_t n = read(0, buf, sizeof(buf));
      if (n <= 0) {
        ssh_channel_send_eof(ch);
      } else {
        ssh_channel_write(ch, buf, static_cast<uint32_t>(n));
      }
    }
    for (int is_stderr : {0, 1}) {
      int n = ssh_channel_read_nonblocking(ch, buf, sizeof(buf), is_stderr);
      if (n > 0) {
        ssize_t ignored = write(is_stderr ? 2 : 1, buf, static_cast<size_t>(n));
        (void)ignored;
      }
    }
  }
  if (tty) tcsetattr(0, TCSANOW, &saved);
  int status = ssh_channel_get_exit_status(ch);
  ssh_channel_close(ch);
  ssh_channel_free(ch);
  return status;
}

absl::Status SshSession::WriteFile(const std::string& guest_path,
                                   absl::string_view content, int mode) {
  absl::StatusOr<CmdResult> r =
      Cmd(absl::StrFormat("cat > %s && chmod %o %s", ShellQuote(guest_path),
                          mode, ShellQuote(guest_path)),
          content);
  if (!r.ok()) return r.status();
  if (r->exit_status != 0) {
    return absl::UnavailableError(
        absl::StrCat("writing ", guest_path, " in the guest: ", r->err));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SshSession::ReadFile(
    const std::string& guest_path) {
  absl::StatusOr<CmdResult> r = Cmd("cat -- " + ShellQuote(guest_path));
  if (!r.ok()) return r.status();
  if (r->exit_status != 0) {
    return absl::NotFoundError(absl::StrCat(
        "reading ", guest_path,
        " in the guest: ", absl::StripTrailingAsciiWhitespace(r->err)));
  }
  return std::move(r->out);
}

}  // namespace proctor::vmm
