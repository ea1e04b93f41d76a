#include "runner/report/report_writers.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "runner/base/text.h"
#include "runner/engine/verdict.h"
#include "runner/report/xml_writer.h"
#include "tap/writer.h"

namespace proctor {
namespace {

// JUnit readers disagree on units when there is no decimal point (Bazel
// 4.2 reads "12" as milliseconds): always write seconds with three decimals.
std::string Seconds(double s) { return absl::StrFormat("%.3f", s); }

bool IsFailure(Status s) { return s == FAIL || s == TIMEOUT; }
bool IsError(Status s) { return s == ERROR || s == INTERRUPTED; }

void CountPoints(const google::protobuf::RepeatedPtrField<TapPoint>& points,
                 int* tests, int* failures, int* skipped) {
  for (const TapPoint& p : points) {
    ++*tests;
    if (!p.ok() && p.directive() != "TODO") ++*failures;
    if (p.directive() == "SKIP") ++*skipped;
    CountPoints(p.subtest(), tests, failures, skipped);
  }
}

void WritePoints(XmlWriter* x, const std::string& test_name,
                 const std::string& prefix,
                 const google::protobuf::RepeatedPtrField<TapPoint>& points) {
  for (const TapPoint& p : points) {
    std::string id = prefix.empty() ? absl::StrCat(p.number())
                                    : absl::StrCat(prefix, ".", p.number());
    x->Start("testcase");
    x->Attr("classname", test_name);
    x->Attr("name", p.description().empty()
                        ? id
                        : absl::StrCat(id, " - ", p.description()));
    x->Attr("time", Seconds(0));
    if (p.directive() == "SKIP") {
      x->Start("skipped");
      x->Attr("message", p.reason());
      x->End();
    } else if (!p.ok() && p.directive() != "TODO") {
      x->Start("failure");
      x->Attr("message", absl::StrCat("not ok ", id));
      x->Attr("type", "TAP");
      x->Text(p.yaml());
      x->End();
    }
    x->End();
    WritePoints(x, test_name, id, p.subtest());
  }
}

// The stored points as a valid TAP stream of their own: numbered 1..N,
// with a point's own number said where it differs (points were counted and
// not stored before it).
void WriteTapPoints(tap::Writer* w,
                    const google::protobuf::RepeatedPtrField<TapPoint>& points,
                    int64_t not_stored) {
  if (not_stored > 0) {
    w->Comment(
        absl::StrCat(not_stored, " more points were counted and not stored"));
  }
  w->Plan(points.size());
  int64_t n = 0;
  for (const TapPoint& p : points) {
    if (p.subtest_size() > 0) {
      w->BeginSubtest(p.subtest_name().empty() ? p.description()
                                               : p.subtest_name());
      WriteTapPoints(w, p.subtest(), p.subtest_points_not_stored());
      w->EndSubtest();
    }
    tap::PointToWrite out;
    out.ok = p.ok();
    out.number = ++n;
    out.description =
        p.number() == n
            ? p.description()
            : absl::StrCat(p.description(), " [point ", p.number(), "]");
    if (p.directive() == "SKIP") out.directive = tap::Directive::kSkip;
    if (p.directive() == "TODO") out.directive = tap::Directive::kTodo;
    out.reason = p.reason();
    w->Point(out);
  }
}

}  // namespace

absl::StatusOr<std::string> RenderJunit(const JobResult& job) {
  XmlWriter writer;
  XmlWriter* x = &writer;

  int tests = 0, failures = 0, errors = 0, skipped = 0;
  for (const TestResult& t : job.tests()) {
    ++tests;
    if (IsFailure(t.status())) ++failures;
    if (IsError(t.status())) ++errors;
    if (t.status() == SKIPPED) ++skipped;
    CountPoints(t.tap_points(), &tests, &failures, &skipped);
    CountPoints(t.junit_cases(), &tests, &failures, &skipped);
  }
  x->Start("testsuites");
  x->Attr("name", "proctor");
  x->Attr("tests", absl::StrCat(tests));
  x->Attr("failures", absl::StrCat(failures));
  x->Attr("errors", absl::StrCat(errors));
  x->Attr("skipped", absl::StrCat(skipped));
  x->Attr("time", Seconds(job.duration_seconds()));
  x->Start("testsuite");
  x->Attr("name", "proctor");
  x->Attr("id", job.id());
  x->Attr("tests", absl::StrCat(tests));
  x->Attr("failures", absl::StrCat(failures));
  x->Attr("errors", absl::StrCat(errors));
  x->Attr("skipped", absl::StrCat(skipped));
  x->Attr("time", Seconds(job.duration_seconds()));
  x->Attr("timestamp", job.start_time());
  for (const TestResult& t : job.tests()) {
    x->Start("testcase");
    x->Attr("classname", "proctor");
    x->Attr("name", t.name());
    x->Attr("time", Seconds(t.duration_seconds()));
    if (t.status() == SKIPPED) {
      x->Start("skipped");
      x->Attr("message", t.reason());
      x->End();
    } else if (IsFailure(t.status()) || IsError(t.status())) {
      x->Start(IsFailure(t.status()) ? "failure" : "error");
      x->Attr("message", t.reason());
      x->Attr("type", StatusName(t.status()));
      x->End();
    }
    x->Start("system-out");
    x->Text(absl::StrCat("result directory: ", t.dir(), "\n"));
    if (int64_t n = t.tap_summary().points_not_stored(); n > 0) {
      x->Text(absl::StrCat(t.tap_summary().points(), " TAP points, ", n,
                           " of them counted and not stored: every failing "
                           "one is a case below\n"));
    }
    x->End();
    x->End();
    WritePoints(x, t.name(), "", t.tap_points());
    WritePoints(x, t.name(), "", t.junit_cases());
  }
  x->End();
  x->End();
  return writer.Finish();
}

std::string RenderTap(const JobResult& job) {
  std::ostringstream out;
  tap::Writer w(&out);
  w.Version();
  w.Plan(job.tests_size());
  int n = 0;
  for (const TestResult& t : job.tests()) {
    ++n;
    if (t.tap_points_size() > 0) {
      w.BeginSubtest(t.name());
      WriteTapPoints(&w, t.tap_points(), t.tap_summary().points_not_stored());
      w.EndSubtest();
    } else if (t.junit_cases_size() > 0) {
      w.BeginSubtest(t.name());
      WriteTapPoints(&w, t.junit_cases(), t.junit_summary().cases_not_stored());
      w.EndSubtest();
    }
    tap::PointToWrite p;
    p.number = n;
    p.description = t.name();
    p.ok = t.status() == PASS || t.status() == SKIPPED;
    if (t.status() == SKIPPED) {
      p.directive = tap::Directive::kSkip;
      p.reason = t.reason();
    }
    if (!p.ok) {
      p.yaml = {{"status", StatusName(t.status())},
                {"message", t.reason()},
                {"duration_seconds", Seconds(t.duration_seconds())},
                {"dir", t.dir()}};
    }
    w.Point(p);
  }
  if (!job.complete()) w.Comment("job still running or cut short");
  return out.str();
}

}  // namespace proctor
