// QmpClient against a real QEMU with no guest at all (-M none): the
// protocol is the same, and it starts in milliseconds.
#include "vmm/qmp_client.h"

#include <stdlib.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/subprocess.h"

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

TEST(QmpConnectTest, MissingSocketTimesOut) {
  absl::StatusOr<QmpClient> qmp = QmpClient::Connect(
      "/tmp/proctor-no-such-socket", absl::Milliseconds(100));
  EXPECT_EQ(qmp.status().code(), absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace proctor::vmm
