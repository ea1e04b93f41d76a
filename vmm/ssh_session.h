// A session with a guest over SSH (libssh), authenticated with a per-job
// ephemeral ed25519 key.
//
//   GuestKey key = GuestKey::Generate();          // give key.public_line()
//   absl::StatusOr<SshSession> s =                // to the guest at boot
//       SshSession::WaitForLogin("127.0.0.1", port, key, absl::Seconds(60));
//   absl::StatusOr<CmdResult> r = s->Cmd("uname -r");
//
// The guest is a throwaway VM on a loopback port, so its host key is not
// checked.
#ifndef PROCTOR_VMM_SSH_SESSION_H_
#define PROCTOR_VMM_SSH_SESSION_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "vmm/guest_shell.h"

struct ssh_key_struct;
struct ssh_session_struct;

namespace proctor::vmm {

class GuestKey {
 public:
  static absl::StatusOr<GuestKey> Generate();
  // Reads a private key written by Save().
  static absl::StatusOr<GuestKey> Load(const std::string& path);
  // Writes the private key (mode 0600) for helper processes.
  absl::Status Save(const std::string& path) const;
  ~GuestKey();
  GuestKey(GuestKey&& other) noexcept;
  GuestKey& operator=(GuestKey&&) = delete;

  // "ssh-ed25519 AAAA... proctor", an authorized_keys line.
  const std::string& public_line() const { return public_line_; }
  ssh_key_struct* key() const { return key_; }

 private:
  GuestKey() = default;
  absl::Status ExportPublicLine();
  ssh_key_struct* key_ = nullptr;
  std::string public_line_;
};

class SshSession : public GuestShell {
 public:
  // Connects and authenticates as root, retrying until `timeout` while the
  // guest boots. DeadlineExceeded when the guest never answers; Aborted as
  // soon as `alive`, if given, says the guest is gone.
  static absl::StatusOr<SshSession> WaitForLogin(
      const std::string& host, int port, const GuestKey& key,
      absl::Duration timeout, const std::function<bool()>& alive = nullptr);
  ~SshSession() override;
  SshSession(SshSession&& other) noexcept;
  SshSession& operator=(SshSession&&) = delete;

  // GuestShell: a channel per command. A cancelled command's channel is
  // closed; the session stays usable.
  absl::StatusOr<int> Stream(
      absl::string_view command,
      const std::function<void(absl::string_view)>& on_out,
      const std::function<void(absl::string_view)>& on_err,
      absl::string_view input = "", absl::Duration timeout = absl::Hours(24),
      const std::function<bool()>& cancelled = nullptr) override;
  SshSession* AsSsh() override { return this; }
  // An interactive login shell on a PTY, wired to this process's terminal
  // (raw mode while it runs); returns the shell's exit status.
  absl::StatusOr<int> InteractiveShell();
  // Copies `content` to `guest_path` (mode `mode`) through `cat`.
  absl::Status WriteFile(const std::string& guest_path,
                         absl::string_view content, int mode = 0644);
  // The content of `guest_path`; NotFound with the guest's reason if it
  // cannot be read.
  absl::StatusOr<std::string> ReadFile(const std::string& guest_path);

 private:
  SshSession() = default;
  ssh_session_struct* session_ = nullptr;
};

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_SSH_SESSION_H_
