#include "vmm/agent_session.h"

#include <poll.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "runner/base/frame_io.h"
#include "runner/base/unix_socket.h"
#include "vmm/guest_agent_wire.h"

namespace proctor::vmm {
namespace {

namespace wire = agent_wire;

// How often a wait looks at `cancelled`.
constexpr absl::Duration kTick = absl::Milliseconds(50);
// A command quiet this long has the agent pinged; an agent silent for
// kSilence after that is gone (killed by the command, say `kill -9 -1`),
// which the port does not show, as QEMU's end of it stays open.
constexpr absl::Duration kQuiet = absl::Seconds(5);
constexpr absl::Duration kSilence = absl::Seconds(20);

}  // namespace

absl::StatusOr<std::unique_ptr<AgentSession>> AgentSession::Connect(
    const std::string& socket_path, absl::Duration timeout) {
  absl::StatusOr<UniqueFd> fd = ConnectUnixSocket(socket_path, timeout);
  if (!fd.ok()) {
    return absl::UnavailableError(
        absl::StrCat("guest agent: ", fd.status().message()));
  }
  return std::unique_ptr<AgentSession>(new AgentSession(*std::move(fd)));
}

bool AgentSession::Send(uint8_t type, absl::string_view data) {
  if (!frames::SendFrame(fd_.get(), type, data.data(), data.size())) {
    broken_ = true;
    return false;
  }
  return true;
}

absl::Status AgentSession::NextFrame(absl::Time deadline,
                                     const std::function<bool()>& cancelled,
                                     uint8_t* type, std::string* data) {
  for (;;) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("no answer from the guest agent");
    }
    if (cancelled && cancelled()) {
      return absl::CancelledError("guest command cancelled");
    }
    pollfd p = {fd_.get(), POLLIN, 0};
    int wait =
        static_cast<int>(absl::ToInt64Milliseconds(std::min(left, kTick)) + 1);
    int ready = poll(&p, 1, wait);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char header[frames::kHeaderSize];
    if (!frames::ReadExactly(fd_.get(), header, sizeof(header))) break;
    uint32_t len = frames::HeaderLength(header);
    if (len > wire::kMaxFrame) {
      broken_ = true;
      return absl::DataLossError("guest agent: a damaged frame");
    }
    data->resize(len);
    if (!frames::ReadExactly(fd_.get(), &(*data)[0], len)) break;
    *type = static_cast<uint8_t>(header[0]);
    return absl::OkStatus();
  }
  // QEMU closed its end: the guest is gone.
  broken_ = true;
  *type = 0;
  data->clear();
  return absl::OkStatus();
}

absl::Status AgentSession::Ping(absl::Duration timeout) {
  if (broken_) return absl::UnavailableError("guest agent: connection broken");
  // A fresh token each time: an answer to an earlier ping is not this one's.
  std::string token = absl::StrCat(absl::ToUnixNanos(absl::Now()));
  if (!Send(wire::kPing, token)) {
    return absl::UnavailableError("guest agent: QEMU closed the port");
  }
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    uint8_t type;
    std::string data;
    absl::Status next = NextFrame(deadline, nullptr, &type, &data);
    if (!next.ok()) {
      return absl::DeadlineExceededError(
          absl::StrCat("the guest agent did not answer within ",
                       absl::FormatDuration(timeout)));
    }
    if (type == 0) {
      return absl::UnavailableError("guest agent: QEMU closed the port");
    }
    if (type == wire::kPong && data == token) return absl::OkStatus();
  }
}

absl::StatusOr<int> AgentSession::AwaitExit(
    absl::Time deadline, const std::function<bool()>& cancelled,
    const std::function<void(absl::string_view)>& on_out,
    const std::function<void(absl::string_view)>& on_err) {
  absl::Time heard = absl::Now();
  bool pinged = false;
  for (;;) {
    uint8_t type;
    std::string data;
    absl::Time wake = std::min(deadline, heard + (pinged ? kSilence : kQuiet));
    absl::Status next = NextFrame(wake, cancelled, &type, &data);
    if (absl::IsDeadlineExceeded(next) && absl::Now() < deadline) {
      if (pinged) {
        broken_ = true;
        return -1;
      }
      pinged = Send(wire::kPing, "alive?");
      heard = absl::Now();
      continue;
    }
    if (!next.ok()) return next;
    heard = absl::Now();
    pinged = false;
    switch (type) {
      case 0:
        return -1;
      case wire::kStdout:
        on_out(data);
        break;
      case wire::kStderr:
        on_err(data);
        break;
      case wire::kExit: {
        int32_t code = -1;
        if (data.size() == 4) memcpy(&code, data.data(), 4);
        return code;
      }
      default:
        break;  // a late pong
    }
  }
}

absl::Status AgentSession::SetUp(const SetUpRequest& request,
                                 absl::Duration timeout) {
  if (broken_) return absl::UnavailableError("guest agent: connection broken");
  std::string lines =
      absl::StrCat("clock ", absl::ToUnixNanos(request.clock), "\n");
  if (!request.console_line.empty()) {
    absl::StrAppend(&lines, "console ", request.console_line, "\n");
  }
  if (!request.mount_point.empty()) {
    absl::StrAppend(&lines, "mount9p ", request.share_tag, " ",
                    request.mount_point, "\n");
  }
  if (!Send(wire::kSetUp, lines)) {
    return absl::UnavailableError("guest agent: QEMU closed the port");
  }
  std::string err;
  absl::StatusOr<int> status = AwaitExit(
      absl::Now() + timeout, nullptr, [](absl::string_view) {},
      [&](absl::string_view s) { err.append(s.data(), s.size()); });
  if (!status.ok()) {
    broken_ = true;
    return status.status();
  }
  if (*status != 0) {
    return absl::UnavailableError(
        *status < 0 ? std::string("guest agent: QEMU closed the port")
                    : std::string(absl::StripTrailingAsciiWhitespace(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> AgentSession::Stream(
    absl::string_view command,
    const std::function<void(absl::string_view)>& on_out,
    const std::function<void(absl::string_view)>& on_err,
    absl::string_view input, absl::Duration timeout,
    const std::function<bool()>& cancelled) {
  if (broken_) return absl::UnavailableError("guest agent: connection broken");
  bool sent = Send(wire::kRun, command);
  for (size_t at = 0; sent && at < input.size(); at += 1 << 16) {
    sent = Send(wire::kInput, input.substr(at, 1 << 16));
  }
  if (!sent || !Send(wire::kInputEnd, "")) {
    return absl::UnavailableError("guest agent: QEMU closed the port");
  }
  absl::StatusOr<int> status =
      AwaitExit(absl::Now() + timeout, cancelled, on_out, on_err);
  if (status.ok()) return status;
  absl::Status failed = status.status();
  if (absl::IsDeadlineExceeded(failed)) {
    failed = absl::DeadlineExceededError(absl::StrCat(
        "guest command still running after ", absl::FormatDuration(timeout)));
  }
  if (broken_) return failed;
  // The command ends with its process group; its last output and exit
  // status are read, so the next command starts on a clean stream.
  if (Send(wire::kKill, "")) {
    absl::Time drain = absl::Now() + absl::Seconds(5);
    for (;;) {
      uint8_t type;
      std::string data;
      if (!NextFrame(drain, nullptr, &type, &data).ok() || type == 0) {
        broken_ = true;
        break;
      }
      if (type == wire::kExit) break;
    }
  }
  return failed;
}

}  // namespace proctor::vmm
