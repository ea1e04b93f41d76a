#include "tests/integration/harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "runner/base/unique_fd.h"

extern char** environ;

namespace proctor::testing {

namespace {

// This process's environment for proctor, less what `env` overrides (getenv
// finds the first entry) and less Bazel's test contract variables: those
// are this test's, not proctor's, and reach proctor only when a test gives
// them.
std::vector<std::string> InheritedEnv(const std::vector<std::string>& env) {
  static const char* const kBazelTestVars[] = {
      "XML_OUTPUT_FILE",
      "TEST_INFRASTRUCTURE_FAILURE_FILE",
      "TEST_SHARD_INDEX",
      "TEST_TOTAL_SHARDS",
      "TEST_SHARD_STATUS_FILE",
      "TESTBRIDGE_TEST_ONLY",
      "TEST_UNDECLARED_OUTPUTS_DIR"};
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    if (std::find(std::begin(kBazelTestVars), std::end(kBazelTestVars), name) !=
        std::end(kBazelTestVars)) {
      continue;
    }
    bool overridden = false;
    for (const std::string& x : env) {
      if (x.compare(0, name.size() + 1, name + "=") == 0) overridden = true;
    }
    if (!overridden) out.push_back(entry);
  }
  return out;
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Runfile(const std::string& path) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/proctor/", path);
}

std::string ProctorBinary() { return Runfile("runner/proctor"); }

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0; }

void ProctorTest::SetUp() {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  const char* tmp = getenv("TEST_TMPDIR");
  root_ = absl::StrCat(
      tmp ? tmp : "/tmp", "/",
      ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(root_);
  suite_ = root_ + "/suite";
  results_ = root_ + "/results";
  std::filesystem::create_directories(suite_);
  std::filesystem::create_directories(root_ + "/tmp");
}

void ProctorTest::TearDown() {
  std::vector<pid_t> left = Leftovers();
  EXPECT_TRUE(left.empty())
      << left.size() << " processes were left behind, first pid "
      << (left.empty() ? 0 : left[0]);
  for (pid_t pid : left) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

std::vector<pid_t> ProctorTest::Leftovers() {
  // Let processes that are being killed finish dying first.
  std::vector<pid_t> found;
  for (int attempt = 0; attempt < 20; ++attempt) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    found = ChildrenOf(getpid());
    if (found.empty()) break;
    usleep(50 * 1000);
  }
  return found;
}

std::string ProctorTest::Script(const std::string& name,
                                const std::string& body, int mode) {
  std::string path = absl::StrCat(suite_, "/", name);
  std::filesystem::create_directories(
      std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << body;
  chmod(path.c_str(), mode);
  return path;
}

std::vector<std::string> ProctorTest::ProctorEnv(
    const std::vector<std::string>& env) const {
  std::vector<std::string> given = env;
  // TEMPDIRs under this test's directory: what a runner killed on purpose
  // cannot remove stays there, not in the machine's /tmp.
  if (std::none_of(env.begin(), env.end(), [](const std::string& e) {
        return e.rfind("TMPDIR=", 0) == 0;
      })) {
    given.push_back("TMPDIR=" + root_ + "/tmp");
  }
  std::vector<std::string> out = InheritedEnv(given);
  out.insert(out.end(), given.begin(), given.end());
  return out;
}

Subprocess ProctorTest::Start(const std::vector<std::string>& args,
                              const std::string& stdout_file) {
  SpawnOptions o;
  o.argv = {ProctorBinary()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = ProctorEnv({});
  UniqueFd out(open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  o.stdout_fd = out.get();
  absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : Subprocess();
}

RunOutput ProctorTest::Run(const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  return RunBinary(ProctorBinary(), args, env);
}

RunOutput ProctorTest::RunBinary(const std::string& binary,
                                 const std::vector<std::string>& args,
                                 const std::vector<std::string>& env) {
  SpawnOptions o;
  o.argv = {binary};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = ProctorEnv(env);
  std::string out_path = root_ + "/proctor.stdout";
  std::string err_path = root_ + "/proctor.stderr";
  UniqueFd out(open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  UniqueFd err(open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  o.stdout_fd = out.get();
  o.stderr_fd = err.get();
  RunOutput r;
  absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
  if (!p.ok()) {
    ADD_FAILURE() << p.status();
    return r;
  }
  ExitInfo info = p->Wait();
  r.exit_code = info.exited ? info.code : 128 + info.signal;
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  r.lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  return r;
}

RunOutput ProctorTest::RunSuite(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"run", "--results-dir=" + results_,
                                  "--sysinfo=off"};
  all.insert(all.end(), args.begin(), args.end());
  all.push_back(suite_);
  return Run(all);
}

std::string ProctorTest::LatestJobDir() {
  return std::filesystem::canonical(results_ + "/latest").string();
}

JobResult ProctorTest::LatestJob() {
  JobResult job;
  std::string json = ReadFile(results_ + "/latest/results.json");
  auto status = google::protobuf::util::JsonStringToMessage(json, &job);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return job;
}

std::optional<TestResult> ProctorTest::Find(const JobResult& job,
                                            const std::string& name) {
  for (const TestResult& t : job.tests()) {
    if (t.name() == name) return t;
  }
  ADD_FAILURE() << "no result for " << name;
  return TestResult();
}

bool WaitForFile(const std::string& path, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (access(path.c_str(), F_OK) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace proctor::testing
