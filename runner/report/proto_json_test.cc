#include "runner/report/proto_json.h"

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "runner/result.pb.h"

namespace proctor {
namespace {

using ::testing::HasSubstr;

// What protobuf's printer writes for the whole message at once.
std::string WholeAtOnce(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  EXPECT_TRUE(
      google::protobuf::util::MessageToJsonString(m, &out, options).ok());
  return out;
}

// Lists at every depth: tests, their points and cases, a point's subtest
// and metadata, and lists left empty.
JobResult NestedJob() {
  JobResult job;
  job.set_id("abc");
  job.set_complete(true);
  TestResult* a = job.add_tests();
  a->set_name("a \"[]\": [].sh");  // the marker's shape, inside a string
  a->set_status(FAIL);
  for (int i = 1; i <= 3; ++i) {
    TapPoint* p = a->add_tap_points();
    p->set_number(i);
    p->set_description("point\nwith a newline");
    p->set_ok(i != 2);
    if (i == 2) {
      TapPoint* s = p->add_subtest();
      s->set_number(1);
      s->set_ok(false);
      s->add_subtest()->set_description("deeper");
      TapMetadata* m = p->add_metadata();
      m->set_key("k");
      m->set_value("v");
    }
  }
  a->add_junit_cases()->set_description("c.case");
  job.add_tests()->set_name("empty.sh");
  return job;
}

TEST(ProtoJsonTest, InPartsIsByteForByteWhatProtobufPrints) {
  JobResult job = NestedJob();
  absl::StatusOr<std::string> json = ToJson(job);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, WholeAtOnce(job));
}

TEST(ProtoJsonTest, AMessageWithoutListsIsPrintedAsItIs) {
  TapPoint p;
  p.set_number(4);
  absl::StatusOr<std::string> json = ToJson(p);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, WholeAtOnce(p));
}

TEST(ProtoJsonTest, UsesProtoFieldNamesEnumNamesAndDefaults) {
  JobResult job = NestedJob();
  job.set_duration_seconds(12);
  absl::StatusOr<std::string> json = ToJson(job);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, HasSubstr("\"duration_seconds\": 12"));
  EXPECT_THAT(*json, HasSubstr("\"status\": \"FAIL\""));
  EXPECT_THAT(*json, HasSubstr("\"ok\": false"));
}

TEST(ProtoJsonTest, DefaultsArePrinted) {
  TestResult t;
  t.set_name("x");
  absl::StatusOr<std::string> json = ToJson(t);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, HasSubstr("\"name\": \"x\""));
  EXPECT_THAT(*json, HasSubstr("\"signal\": 0"));
}

// Pointers to each of `texts`, as ToJsonWithPrinted takes them.
std::vector<const std::string*> Pointers(
    const std::vector<std::string>& texts) {
  std::vector<const std::string*> p;
  for (const std::string& t : texts) p.push_back(&t);
  return p;
}

// Each test of the job as ToJson printed it alone.
std::vector<std::string> PrintedTests(const JobResult& job) {
  std::vector<std::string> printed;
  for (const TestResult& t : job.tests()) {
    absl::StatusOr<std::string> json = ToJson(t);
    EXPECT_TRUE(json.ok());
    printed.push_back(json.value_or(""));
  }
  return printed;
}

TEST(ProtoJsonTest, WithPrintedElementsIsByteForByteWhatProtobufPrints) {
  JobResult job = NestedJob();
  absl::StatusOr<std::string> json =
      ToJsonWithPrinted(job, "tests", Pointers(PrintedTests(job)));
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, WholeAtOnce(job));
}

TEST(ProtoJsonTest, WithPrintedElementsUsesTheGivenTextsAsTheyAre) {
  JobResult job = NestedJob();
  std::vector<std::string> printed = PrintedTests(job);
  printed[1] = "{\n \"name\": \"printed before\"\n}\n";
  absl::StatusOr<std::string> json =
      ToJsonWithPrinted(job, "tests", Pointers(printed));
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json,
              HasSubstr("  {\n   \"name\": \"printed before\"\n  }\n ]"));
  EXPECT_THAT(*json, ::testing::Not(HasSubstr("empty.sh")));
}

TEST(ProtoJsonTest, WithPrintedElementsOfAnotherCountIsAnError) {
  JobResult job = NestedJob();
  std::vector<std::string> printed = PrintedTests(job);
  printed.pop_back();
  absl::StatusOr<std::string> json =
      ToJsonWithPrinted(job, "tests", Pointers(printed));
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInternal);
}

TEST(ProtoJsonTest, WithPrintedElementsOfNoSuchListIsAnError) {
  JobResult job = NestedJob();
  EXPECT_EQ(ToJsonWithPrinted(job, "id", {}).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(ToJsonWithPrinted(job, "no_such_field", {}).status().code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace proctor
