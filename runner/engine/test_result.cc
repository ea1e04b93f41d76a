#include "runner/engine/test_result.h"

#include "runner/base/text.h"
#include "runner/base/time_format.h"

namespace proctor {
namespace {

void ConvertMetadata(const std::vector<std::pair<std::string, std::string>>& in,
                     google::protobuf::RepeatedPtrField<TapMetadata>* out) {
  for (const auto& [key, value] : in) {
    TapMetadata* m = out->Add();
    m->set_key(SanitizeUtf8(key));
    m->set_value(SanitizeUtf8(value));
  }
}

void ConvertPoints(const std::vector<tap::TestPoint>& in,
                   google::protobuf::RepeatedPtrField<TapPoint>* out) {
  for (const tap::TestPoint& p : in) {
    TapPoint* o = out->Add();
    o->set_number(p.number);
    o->set_ok(p.ok);
    o->set_description(SanitizeUtf8(p.description));
    if (p.directive == tap::Directive::kSkip) o->set_directive("SKIP");
    if (p.directive == tap::Directive::kTodo) o->set_directive("TODO");
    o->set_reason(SanitizeUtf8(p.reason));
    o->set_yaml(SanitizeUtf8(p.yaml));
    o->set_subtest_name(SanitizeUtf8(p.subtest_name));
    ConvertMetadata(p.metadata, o->mutable_metadata());
    if (p.subtest != nullptr) {
      ConvertPoints(p.subtest->points, o->mutable_subtest());
      o->set_subtest_points_not_stored(p.subtest->points_not_stored());
      ConvertMetadata(p.subtest->metadata, o->mutable_subtest_metadata());
      o->set_subtest_from_comments(p.subtest_from_comments);
      for (const std::string& d : p.subtest->diagnostics) {
        o->add_subtest_diagnostics(SanitizeUtf8(d));
      }
    }
  }
}

}  // namespace

TestResult BaseResult(const PlannedTest& test) {
  TestResult r;
  r.set_index(test.index);
  r.set_name(SanitizeUtf8(test.name));
  r.set_path(SanitizeUtf8(test.path));
  r.set_where(WhereName(test.where));
  r.set_dir(SanitizeUtf8(test.dir));
  r.set_timeout_seconds(absl::ToDoubleSeconds(test.timeout));
  for (const std::string& t : test.tags) r.add_tags(SanitizeUtf8(t));
  return r;
}

TestResult DecidedResult(const PlannedTest& test, Status status,
                         absl::string_view reason, absl::Time start) {
  TestResult r = BaseResult(test);
  r.set_start_time(FormatRfc3339(start));
  r.set_status(status);
  r.set_reason(SanitizeUtf8(reason));
  return r;
}

void AddTap(const tap::Document& doc, TestResult* result) {
  result->set_tap(true);
  TapSummary* s = result->mutable_tap_summary();
  s->set_version(doc.version);
  s->set_ktap(doc.ktap);
  s->set_planned(doc.plan.count);
  s->set_points(doc.point_count);
  s->set_failed(doc.failed);
  s->set_skipped(doc.skipped);
  s->set_todo(doc.todo);
  s->set_bailed_out(doc.bailed_out);
  s->set_bail_reason(SanitizeUtf8(doc.bail_reason));
  s->set_points_not_stored(doc.points_not_stored());
  ConvertMetadata(doc.metadata, s->mutable_metadata());
  for (const std::string& d : doc.diagnostics) {
    s->add_diagnostics(SanitizeUtf8(d));
  }
  ConvertPoints(doc.points, result->mutable_tap_points());
}

void AddJunit(const JunitReport& report, const std::string& file,
              TestResult* result) {
  JunitSummary* s = result->mutable_junit_summary();
  s->set_file(file);
  s->set_cases(report.total);
  s->set_failed(report.failed);
  s->set_errors(report.errors);
  s->set_skipped(report.skipped);
  s->set_cases_not_stored(report.not_stored);
  for (const std::string& d : report.diagnostics) {
    s->add_diagnostics(SanitizeUtf8(d));
  }
  for (const JunitCase& c : report.cases) {
    TapPoint* p = result->add_junit_cases();
    p->set_number(c.ordinal);
    p->set_description(SanitizeUtf8(c.FullName()));
    p->set_ok(c.outcome == JunitCase::Outcome::kPass ||
              c.outcome == JunitCase::Outcome::kSkip);
    if (c.outcome == JunitCase::Outcome::kSkip) {
      p->set_directive("SKIP");
      p->set_reason(SanitizeUtf8(c.message));
    } else if (!p->ok()) {
      p->set_yaml(SanitizeUtf8(absl::StrCat(
          c.outcome == JunitCase::Outcome::kError ? "error: " : "failure: ",
          c.message, c.text.empty() ? "" : "\n", c.text)));
    }
  }
}

}  // namespace proctor
