// QmpClient against a real QEMU with no guest at all (-M none): the
// protocol is the same, and it starts in milliseconds.
#include "vmm/qmp_client.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/subprocess.h"

namespace proctor::vmm {
namespace {

using ::testing::HasSubstr;

class QmpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A fresh directory per test: sandboxed test processes can share a pid
    // and /tmp.
    char tmpl[] = "/tmp/proctor-qmp-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    socket_ = dir_ + "/qmp.sock";
    SpawnOptions o;
    o.argv = {"/usr/bin/qemu-system-x86_64",
              "-M",
              "none",
              "-nodefaults",
              "-display",
              "none",
              "-qmp",
              "unix:" + socket_ + ",server=on,wait=off"};
    absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
    ASSERT_TRUE(p.ok()) << p.status();
    qemu_ = *std::move(p);
  }
  void TearDown() override {
    unlink(socket_.c_str());
    rmdir(dir_.c_str());
  }

  std::string dir_, socket_;
  Subprocess qemu_;  // killed with its group when the test ends
};

TEST_F(QmpClientTest, GreetingGivesTheVersion) {
  absl::StatusOr<QmpClient> qmp =
      QmpClient::Connect(socket_, absl::Seconds(10));
  ASSERT_TRUE(qmp.ok()) << qmp.status();
  EXPECT_THAT(qmp->version(),
              ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
}

TEST_F(QmpClientTest, CommandReturnsItsValue) {
  absl::StatusOr<QmpClient> qmp =
      QmpClient::Connect(socket_, absl::Seconds(10));
  ASSERT_TRUE(qmp.ok());
  absl::StatusOr<google::protobuf::Value> status = qmp->Execute("query-status");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->struct_value().fields().count("running"));
}

TEST_F(QmpClientTest, ArgumentsAreSent) {
  absl::StatusOr<QmpClient> qmp =
      QmpClient::Connect(socket_, absl::Seconds(10));
  ASSERT_TRUE(qmp.ok());
  google::protobuf::Struct args;
  (*args.mutable_fields())["command-line"] = StringValue("info version");
  absl::StatusOr<google::protobuf::Value> out =
      qmp->Execute("human-monitor-command", args);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(out->string_value(), HasSubstr(qmp->version()));
}

TEST_F(QmpClientTest, QmpErrorBecomesAStatusWithClassAndDescription) {
  absl::StatusOr<QmpClient> qmp =
      QmpClient::Connect(socket_, absl::Seconds(10));
  ASSERT_TRUE(qmp.ok());
  absl::StatusOr<google::protobuf::Value> r = qmp->Execute("no-such-command");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("CommandNotFound"));
}

TEST_F(QmpClientTest, EventsAreDelivered) {
  absl::StatusOr<QmpClient> qmp =
      QmpClient::Connect(socket_, absl::Seconds(10));
  ASSERT_TRUE(qmp.ok());
  ASSERT_TRUE(qmp->Execute("stop").ok());
  absl::StatusOr<google::protobuf::Struct> e =
      qmp->WaitForEvent("STOP", absl::Seconds(5));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(e->fields().count("timestamp"));
}

TEST_F(QmpClientTest, QuitClosesTheConnection) {
  absl::StatusOr<QmpClient> qmp =
      QmpClient::Connect(socket_, absl::Seconds(10));
  ASSERT_TRUE(qmp.ok());
  EXPECT_TRUE(qmp->Execute("quit").ok());
  ExitInfo exit = qemu_.Wait();
  EXPECT_TRUE(exit.exited);
  absl::StatusOr<google::protobuf::Value> r = qmp->Execute("query-status");
  EXPECT_FALSE(r.ok());
}

// A fake QMP server, named as such: real QEMU sends an event before the
// greeting only when a client wins a start-up race, which a test cannot
// arrange. It sends RESUME, then the greeting, then answers one command.
TEST(QmpConnectTest, EventBeforeTheGreetingIsKeptNotFatal) {
  char tmpl[] = "/tmp/proctor-qmp-fake-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/qmp.sock";
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)),
            0);
  ASSERT_EQ(listen(listener, 1), 0);
  std::thread server([listener]() {
    int c = accept(listener, nullptr, nullptr);
    std::string hello =
        "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1, "
        "\"microseconds\": 2}}\n"
        "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
        "\"major\": 7}, \"package\": \"\"}, \"capabilities\": []}}\n";
    write(c, hello.data(), hello.size());
    char buf[4096];
    ssize_t n = read(c, buf, sizeof(buf));
    std::string request(buf, n > 0 ? n : 0);
    std::string id = request.substr(request.find("proctor-"), 9);
    std::string reply = "{\"return\": {}, \"id\": \"" + id + "\"}\n";
    write(c, reply.data(), reply.size());
    close(c);
  });
  absl::StatusOr<QmpClient> qmp = QmpClient::Connect(path, absl::Seconds(5));
  server.join();
  close(listener);
  unlink(path.c_str());
  rmdir(tmpl);
  ASSERT_TRUE(qmp.ok()) << qmp.status();
  EXPECT_EQ(qmp->version(), "7.2.0");
  EXPECT_TRUE(qmp->WaitForEvent("RESUME", absl::Milliseconds(10)).ok());
}

TEST(QmpConnectTest, MissingSocketTimesOut) {
  absl::StatusOr<QmpClient> qmp = QmpClient::Connect(
      "/tmp/proctor-no-such-socket", absl::Milliseconds(100));
  EXPECT_EQ(qmp.status().code(), absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace proctor::vmm
