#include "vmm/qmp_client.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "runner/base/unix_socket.h"

namespace proctor::vmm {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

int RemainingMillis(absl::Time deadline) {
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(absl::ToInt64Milliseconds(left) + 1);
}

}  // namespace

Value StringValue(absl::string_view s) {
  Value v;
  v.set_string_value(std::string(s));
  return v;
}

Value NumberValue(double d) {
  Value v;
  v.set_number_value(d);
  return v;
}

Value BoolValue(bool b) {
  Value v;
  v.set_bool_value(b);
  return v;
}

absl::StatusOr<QmpClient> QmpClient::Connect(const std::string& socket_path,
                                             absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<UniqueFd> fd = ConnectUnixSocket(socket_path, timeout);
  if (!fd.ok()) {
    return absl::Status(fd.status().code(),
                        absl::StrCat("QMP: ", fd.status().message()));
  }
  QmpClient client;
  client.fd_ = *std::move(fd);
  // QEMU can emit an event (RESUME, as the machine starts) ahead of the
  // greeting: keep events for WaitForEvent and read on.
  absl::StatusOr<Struct> greeting = client.Receive(deadline);
  while (greeting.ok() && greeting->fields().count("event") > 0) {
    client.events_.push_back(*std::move(greeting));
    greeting = client.Receive(deadline);
  }
  if (!greeting.ok()) return greeting.status();
  auto qmp = greeting->fields().find("QMP");
  if (qmp == greeting->fields().end()) {
    std::string text;
    (void)google::protobuf::util::MessageToJsonString(*greeting, &text);
    return absl::DataLossError(
        absl::StrCat("QMP: the first message is not a greeting: ", text));
  }
  const Struct& q =
      qmp->second.struct_value().fields().at("version").struct_value();
  const Struct& v = q.fields().at("qemu").struct_value();
  client.version_ = absl::StrFormat(
      "%d.%d.%d", static_cast<int>(v.fields().at("major").number_value()),
      static_cast<int>(v.fields().at("minor").number_value()),
      static_cast<int>(v.fields().at("micro").number_value()));
  absl::StatusOr<Value> caps =
      client.Execute("qmp_capabilities", {}, deadline - absl::Now());
  if (!caps.ok()) return caps.status();
  return client;
}

void QmpClient::LogTo(const std::string& path) {
  log_ = std::make_unique<std::ofstream>(path, std::ios::app);
}

void QmpClient::Log(absl::string_view direction, absl::string_view line) {
  if (log_ == nullptr) return;
  *log_ << absl::FormatTime("%H:%M:%E3S", absl::Now(), absl::UTCTimeZone())
        << " " << direction << " " << line << "\n";
  log_->flush();
}

absl::Status QmpClient::Send(const Struct& message) {
  std::string line;
  auto s = google::protobuf::util::MessageToJsonString(message, &line);
  if (!s.ok()) return absl::InternalError(std::string(s.message()));
  Log("->", line);
  line.push_back('\n');
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = send(fd_.get(), p, left, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(
          absl::StrCat("QMP: send: ", strerror(errno)));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<Struct> QmpClient::Receive(absl::Time deadline) {
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
      Log("<-", absl::StripTrailingAsciiWhitespace(line));
      Struct message;
      auto s = google::protobuf::util::JsonStringToMessage(line, &message);
      if (!s.ok()) {
        return absl::DataLossError(
            absl::StrCat("QMP: bad message: ", std::string(s.message())));
      }
      return message;
    }
    pollfd p = {fd_.get(), POLLIN, 0};
    int r = poll(&p, 1, RemainingMillis(deadline));
    if (r == 0) return absl::DeadlineExceededError("QMP: no answer in time");
    if (r < 0 && errno != EINTR) {
      return absl::UnavailableError(absl::StrCat("QMP: ", strerror(errno)));
    }
    char buf[4096];
    ssize_t n = read(fd_.get(), buf, sizeof(buf));
    if (n == 0)
      return absl::UnavailableError("QMP: QEMU closed the connection");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return absl::UnavailableError(absl::StrCat("QMP: ", strerror(errno)));
    }
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

absl::StatusOr<Value> QmpClient::Execute(absl::string_view command,
                                         const Struct& arguments,
                                         absl::Duration timeout) {
  Struct message;
  (*message.mutable_fields())["execute"] = StringValue(command);
  if (!arguments.fields().empty()) {
    *(*message.mutable_fields())["arguments"].mutable_struct_value() =
        arguments;
  }
  std::string id = absl::StrCat("proctor-", next_id_++);
  (*message.mutable_fields())["id"] = StringValue(id);
  absl::Status sent = Send(message);
  if (!sent.ok()) return sent;
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    absl::StatusOr<Struct> reply = Receive(deadline);
    if (!reply.ok()) {
      return absl::Status(
          reply.status().code(),
          absl::StrCat(command, ": ", reply.status().message()));
    }
    const auto& fields = reply->fields();
    if (fields.count("event") > 0) {
      events_.push_back(*std::move(reply));
      continue;
    }
    auto rid = fields.find("id");
    if (rid == fields.end() || rid->second.string_value() != id) continue;
    auto error = fields.find("error");
    if (error != fields.end()) {
      const auto& e = error->second.struct_value().fields();
      return absl::FailedPreconditionError(absl::StrCat(
          command, ": ", e.count("class") ? e.at("class").string_value() : "",
          ": ", e.count("desc") ? e.at("desc").string_value() : ""));
    }
    auto ret = fields.find("return");
    return ret == fields.end() ? Value() : ret->second;
  }
}

absl::StatusOr<Struct> QmpClient::WaitForEvent(absl::string_view name,
                                               absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    for (auto it = events_.begin(); it != events_.end(); ++it) {
      if (it->fields().at("event").string_value() == name) {
        Struct event = std::move(*it);
        events_.erase(it);
        return event;
      }
    }
    absl::StatusOr<Struct> message = Receive(deadline);
    if (!message.ok()) {
      return absl::Status(
          message.status().code(),
          absl::StrCat("waiting for ", name, ": ", message.status().message()));
    }
    if (message->fields().count("event") > 0)
      events_.push_back(*std::move(message));
  }
}

}  // namespace proctor::vmm
