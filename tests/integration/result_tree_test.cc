// The result tree: every file the README promises, each read back with the
// parser a consumer would use.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tap/parser.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ResultTreeTest : public ProctorTest {
 protected:
  void WriteMixedSuite() {
    Script("pass.sh", "#!/bin/sh\necho out; echo err >&2\n");
    Script("fail.sh", "#!/bin/sh\nexit 1\n");
    Script("skip.sh", "#!/bin/sh\nexit 77\n");
    Script(
        "tap.sh",
        "#!/bin/sh\necho 'TAP version 14'\necho 1..3\necho 'ok 1 - one'\n"
        "echo 'not ok 2 - two # TODO soon'\necho 'ok 3 - three # SKIP none'\n");
    Script("tapfail.sh", "#!/bin/sh\necho 1..1\necho 'not ok 1 - nope'\n");
  }
};

int CountElements(xmlNode* node, const char* name) {
  int n = 0;
  for (xmlNode* c = node; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE &&
        xmlStrcmp(c->name, reinterpret_cast<const xmlChar*>(name)) == 0) {
      ++n;
    }
    n += CountElements(c->children, name);
  }
  return n;
}

TEST_F(ResultTreeTest, JobDirectoryHoldsEveryPromisedFile) {
  WriteMixedSuite();
  RunSuite();
  std::string job = LatestJobDir();
  EXPECT_THAT(fs::path(job).filename().string(),
              ::testing::MatchesRegex("job-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}"
                                      "\\.[0-9]{2}\\.[0-9]{2}-[0-9a-f]{7}"));
  for (const char* f : {"id", "job.log", "results.json", "results.xml",
                        "results.tap", "environment.json"}) {
    EXPECT_TRUE(fs::exists(job + "/" + f)) << f;
  }
  for (const char* f : {"stdout", "stderr", "result.json"}) {
    EXPECT_TRUE(fs::exists(job + "/tests/001-fail.sh/" + f)) << f;
  }
  EXPECT_TRUE(fs::is_directory(job + "/tests/001-fail.sh/outputs"));
  EXPECT_EQ(ReadFile(job + "/tests/002-pass.sh/stdout"), "out\n");
  EXPECT_EQ(ReadFile(job + "/tests/002-pass.sh/stderr"), "err\n");
  std::string id(absl::StripAsciiWhitespace(ReadFile(job + "/id")));
  EXPECT_EQ(id.size(), 40u);
  EXPECT_EQ(LatestJob().id(), id);
  EXPECT_EQ(fs::read_symlink(results() + "/latest").string(),
            fs::path(job).filename().string());
}

TEST_F(ResultTreeTest, ResultsJsonMatchesEachTestsResultJson) {
  WriteMixedSuite();
  RunSuite();
  JobResult job = LatestJob();
  EXPECT_TRUE(job.complete());
  EXPECT_EQ(job.tests_size(), 5);
  EXPECT_EQ(job.summary().passed(), 2);
  EXPECT_EQ(job.summary().failed(), 2);
  EXPECT_EQ(job.summary().skipped(), 1);
  for (const TestResult& t : job.tests()) {
    TestResult single;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(
            ReadFile(LatestJobDir() + "/" + t.dir() + "/result.json"), &single)
            .ok());
    EXPECT_EQ(single.SerializeAsString(), t.SerializeAsString()) << t.name();
  }
}

TEST_F(ResultTreeTest, ResultsTapParsesBackWithEachTestAsAPoint) {
  WriteMixedSuite();
  RunSuite();
  tap::Document doc =
      tap::ParseString(ReadFile(LatestJobDir() + "/results.tap"));
  EXPECT_EQ(doc.version, 14);
  EXPECT_EQ(doc.plan.count, 5);
  EXPECT_EQ(doc.point_count, 5);
  EXPECT_EQ(doc.failed, 2);
  EXPECT_EQ(doc.skipped, 1);
  EXPECT_TRUE(doc.diagnostics.empty()) << doc.diagnostics[0];
  const tap::TestPoint& tap_point = doc.points[3];
  EXPECT_EQ(tap_point.description, "tap.sh");
  ASSERT_NE(tap_point.subtest, nullptr);
  EXPECT_EQ(tap_point.subtest->point_count, 3);
  EXPECT_TRUE(tap_point.subtest->ok());
  EXPECT_THAT(doc.points[0].yaml, HasSubstr("message: \"exit status 1\""));
}

TEST_F(ResultTreeTest, ResultsXmlIsJunitWithTapPointsAsCases) {
  WriteMixedSuite();
  RunSuite();
  std::string path = LatestJobDir() + "/results.xml";
  xmlDoc* doc = xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET);
  ASSERT_NE(doc, nullptr);
  xmlNode* root = xmlDocGetRootElement(doc);
  EXPECT_STREQ(reinterpret_cast<const char*>(root->name), "testsuites");
  // 5 tests + 3 points of tap.sh + 1 of tapfail.sh.
  EXPECT_EQ(CountElements(root, "testcase"), 9);
  EXPECT_EQ(CountElements(root, "failure"), 3);
  EXPECT_EQ(CountElements(root, "skipped"), 2);
  xmlFreeDoc(doc);
  std::string xml = ReadFile(path);
  // Seconds always carry a decimal point (Bazel 4 reads "12" as ms).
  EXPECT_THAT(xml, ::testing::Not(::testing::ContainsRegex("time=\"[0-9]+\"")));
  EXPECT_THAT(xml, HasSubstr("name=\"2 - two\""));
}

TEST_F(ResultTreeTest, TestsGetTheirEnvironment) {
  fs::create_directories(suite() + "/data");
  Script("data/input.txt", "payload\n", 0644);
  Script("env.sh",
         "#!/bin/sh\nset -e\n"
         "test \"$(cat \"$DATA/input.txt\")\" = payload\n"
         "test \"$AUTOTEST_DATA\" = \"$DATA\"\n"
         "test -d \"$TEMPDIR\" && test -w \"$TEMPDIR\"\n"
         "echo \"$TEMPDIR\" > \"$OUTPUTDIR/tempdir\"\n"
         "test \"$PROCTOR_WHERE\" = host\n"
         "test \"$PROCTOR_TEST_NAME\" = env.sh\n"
         "echo \"$PROCTOR_JOB_ID\" > \"$OUTPUTDIR/job_id\"\n");
  RunOutput r = RunSuite();
  ASSERT_EQ(r.exit_code, 0)
      << ReadFile(LatestJobDir() + "/tests/001-env.sh/stderr");
  EXPECT_EQ(LatestJob().tests_size(), 1);  // data/ is not searched for tests
  std::string outputs = LatestJobDir() + "/tests/001-env.sh/outputs/";
  std::string tempdir(
      absl::StripAsciiWhitespace(ReadFile(outputs + "tempdir")));
  EXPECT_FALSE(fs::exists(tempdir)) << "TEMPDIR was not removed";
  EXPECT_EQ(ReadFile(outputs + "job_id"), LatestJob().id() + "\n");
}

TEST_F(ResultTreeTest, KeepTmpKeepsTempdir) {
  Script("t.sh",
         "#!/bin/sh\necho \"$TEMPDIR\" > \"$OUTPUTDIR/tempdir\"\ntouch "
         "\"$TEMPDIR/x\"\n");
  RunSuite({"--keep-tmp"});
  std::string tempdir(absl::StripAsciiWhitespace(
      ReadFile(LatestJobDir() + "/tests/001-t.sh/outputs/tempdir")));
  EXPECT_TRUE(fs::exists(tempdir + "/x"));
  fs::remove_all(tempdir);
}

TEST_F(ResultTreeTest, EnvironmentJsonRedactsSecrets) {
  Script("t.sh", "#!/bin/sh\nexit 0\n");
  Run({"run", "--results-dir=" + results(), "--sysinfo=off", suite()},
      {"MY_API_TOKEN=hunter2", "PLAIN_SETTING=visible"});
  std::string text = ReadFile(LatestJobDir() + "/environment.json");
  Environment env;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(text, &env).ok());
  EXPECT_EQ(env.variables().at("PLAIN_SETTING"), "visible");
  EXPECT_EQ(env.variables().at("MY_API_TOKEN"), "<redacted>");
  EXPECT_THAT(text, ::testing::Not(HasSubstr("hunter2")));
  EXPECT_EQ(env.test_variables().at("PROCTOR_JOB_ID"), LatestJob().id());
}

TEST_F(ResultTreeTest, SysinfoIsRecordedBeforeAndAfterTheJob) {
  Script("t.sh", "#!/bin/sh\nexit 0\n");
  Run({"run", "--results-dir=" + results(), suite()});
  std::string job = LatestJobDir();
  for (const char* phase : {"pre", "post"}) {
    std::string dir = absl::StrCat(job, "/sysinfo/", phase, "/");
    EXPECT_THAT(ReadFile(dir + "uname_-a"), HasSubstr("Linux"));
    EXPECT_THAT(ReadFile(dir + "proc_cpuinfo"), HasSubstr("processor"));
    EXPECT_TRUE(fs::exists(dir + "df_-mP"));
  }
  EXPECT_TRUE(fs::exists(job + "/sysinfo/post/dmesg.diff"));
}

TEST_F(ResultTreeTest, MissingSysinfoCommandIsRecordedAndNotFatal) {
  Script("t.sh", "#!/bin/sh\nexit 0\n");
  std::string config =
      Script("../sysinfo.conf",
             "command uname -r\ncommand no-such-sysinfo-tool\n"
             "command timeout=1 sleep 30\nfile /no/such/file\n",
             0644);
  RunOutput r = Run({"run", "--results-dir=" + results(),
                     "--sysinfo-config=" + config, suite()});
  EXPECT_EQ(r.exit_code, 0);
  std::string problems = ReadFile(LatestJobDir() + "/sysinfo/pre/problems");
  EXPECT_THAT(problems, HasSubstr("no-such-sysinfo-tool: command not found"));
  EXPECT_THAT(problems, HasSubstr("sleep 30: timed out after 1s"));
  EXPECT_THAT(problems, HasSubstr("/no/such/file: cannot read"));
  EXPECT_TRUE(fs::exists(LatestJobDir() + "/sysinfo/pre/uname_-r"));
}

TEST_F(ResultTreeTest, SysinfoOffRecordsNothing) {
  Script("t.sh", "#!/bin/sh\nexit 0\n");
  RunSuite();
  EXPECT_FALSE(fs::exists(LatestJobDir() + "/sysinfo"));
}

TEST_F(ResultTreeTest, PerTestSysinfoGoesIntoEachTestDirectory) {
  Script("t.sh", "#!/bin/sh\nexit 0\n");
  std::string config =
      Script("../sysinfo.conf", "command uname -a\ncommand dmesg\n", 0644);
  Run({"run", "--results-dir=" + results(), "--sysinfo=per-test",
       "--sysinfo-config=" + config, suite()});
  std::string dir = LatestJobDir() + "/tests/001-t.sh/sysinfo/";
  EXPECT_TRUE(fs::exists(dir + "pre/uname_-a"));
  EXPECT_TRUE(fs::exists(dir + "post/uname_-a"));
  EXPECT_TRUE(fs::exists(dir + "post/dmesg.diff"));
}

TEST_F(ResultTreeTest, SysinfoCommandWritesADirectory) {
  std::string dir = results() + "/snapshot";
  RunOutput r = Run({"sysinfo", dir});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(ReadFile(dir + "/uname_-a"), HasSubstr("Linux"));
  EXPECT_THAT(ReadFile(dir + "/proc_meminfo"), HasSubstr("MemTotal"));
}

TEST_F(ResultTreeTest, LatestMovesToTheNewestJob) {
  Script("t.sh", "#!/bin/sh\nexit 0\n");
  RunSuite();
  std::string first = LatestJobDir();
  RunSuite();
  EXPECT_NE(LatestJobDir(), first);
  EXPECT_TRUE(fs::exists(first + "/results.json"));
}

}  // namespace
}  // namespace proctor::testing
