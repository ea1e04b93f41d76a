#include "runner/report/html_report.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "runner/engine/verdict.h"
#include "runner/report/job_store.h"
#include "runner/report/xml_writer.h"

namespace proctor {

// html_report.css and html_report.js, embedded at build time (BUILD.bazel).
extern const char kHtmlReportStyle[];
extern const char kHtmlReportScript[];

namespace {

constexpr size_t kOutputBytes = 64 * 1024;

// The last kOutputBytes of a file, and whether it holds more.
std::string TailOf(const std::string& path, bool* cut) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  *cut = false;
  if (!in) return "";
  std::streamoff size = in.tellg();
  std::streamoff from = 0;
  if (size > static_cast<std::streamoff>(kOutputBytes)) {
    from = size - static_cast<std::streamoff>(kOutputBytes);
    *cut = true;
  }
  in.seekg(from);
  std::string data(static_cast<size_t>(size - from), '\0');
  in.read(&data[0], static_cast<std::streamsize>(data.size()));
  return data;
}

void Link(XmlWriter* w, const std::string& href, absl::string_view text) {
  w->Start("a");
  w->Attr("href", href);
  w->Text(text);
  w->FullEnd();
}

void Output(XmlWriter* w, const std::string& path, const char* stream) {
  bool cut = false;
  std::string text = TailOf(path, &cut);
  if (text.empty()) return;
  w->Start("h4");
  w->Text(cut ? absl::StrCat(stream, " (its last 64 KiB)") : stream);
  w->FullEnd();
  w->Start("pre");
  w->Text(text);
  w->FullEnd();
}

// A test's sub-results: its TAP points, or the cases of its JUnit file
// (`kind`, counted `total`, of which `not_stored` are not among `points`).
void Points(XmlWriter* w, const char* kind,
            const google::protobuf::RepeatedPtrField<TapPoint>& points,
            int64_t total, int64_t not_stored) {
  if (points.empty()) return;
  const char* unit = std::string(kind) == "TAP" ? " points" : " cases";
  w->Start("h4");
  w->Text(not_stored > 0
              ? absl::StrCat(kind, ": ", total, unit, ", ", points.size(),
                             " shown (the first ones, every failing one and "
                             "the last ones)")
              : absl::StrCat(kind, ": ", points.size(), unit));
  w->FullEnd();
  w->Start("table");
  w->Attr("class", "points");
  for (const TapPoint& p : points) {
    w->Start("tr");
    w->Start("td");
    w->Text(p.ok() ? "ok" : "not ok");
    w->FullEnd();
    w->Start("td");
    w->Text(absl::StrCat(p.number()));
    w->FullEnd();
    w->Start("td");
    w->Text(p.description());
    w->FullEnd();
    w->Start("td");
    w->Text(p.directive().empty()
                ? ""
                : absl::StrCat("# ", p.directive(), " ", p.reason()));
    w->FullEnd();
    w->End();
  }
  w->FullEnd();
}

void Cell(XmlWriter* w, absl::string_view text, const char* cls = nullptr) {
  w->Start("td");
  if (cls != nullptr) w->Attr("class", cls);
  w->Text(text);
  w->FullEnd();
}

void Head(XmlWriter* w, const std::string& name) {
  w->Start("head");
  w->Start("meta");
  w->Attr("charset", "utf-8");
  w->End();
  w->Start("title");
  w->Text(absl::StrCat("proctor: ", name));
  w->FullEnd();
  w->Start("style");
  w->Raw(kHtmlReportStyle);
  w->FullEnd();
  w->FullEnd();
}

// The job's name, command line and times.
void Heading(XmlWriter* w, const JobResult& job, const std::string& name) {
  w->Start("h1");
  w->Text(name);
  w->FullEnd();
  w->Start("p");
  w->Start("code");
  w->Text(absl::StrJoin(job.argv(), " "));
  w->FullEnd();
  w->FullEnd();
  w->Start("p");
  w->Attr("class", "meta");
  w->Text(absl::StrFormat("started %s, %.1f s, exit %d%s", job.start_time(),
                          job.duration_seconds(), job.exit_code(),
                          job.complete() ? "" : ", incomplete"));
  w->FullEnd();
  if (!job.error().empty()) {
    w->Start("p");
    w->Attr("id", "error");
    w->Start("span");
    w->Attr("class", "badge ERROR");
    w->Text("stopped before its tests");
    w->FullEnd();
    w->Text(job.error());
    w->FullEnd();
  }
}

// A badge per verdict; passed and failed always, the others when any.
void SummaryBadges(XmlWriter* w, const Summary& s) {
  w->Start("p");
  w->Attr("id", "summary");
  for (const auto& [cls, n, what] :
       {std::tuple<const char*, int, const char*>{"PASS", s.passed(), "passed"},
        {"FAIL", s.failed(), "failed"},
        {"ERROR", s.errors(), "errors"},
        {"TIMEOUT", s.timeouts(), "timed out"},
        {"INTERRUPTED", s.interrupted(), "interrupted"},
        {"SKIPPED", s.skipped(), "skipped"}}) {
    if (n == 0 && std::string(cls) != "PASS" && std::string(cls) != "FAIL")
      continue;
    w->Start("span");
    w->Attr("class", absl::StrCat("badge ", cls));
    w->Text(absl::StrCat(n, " ", what));
    w->FullEnd();
  }
  if (s.flaky() > 0) w->Text(absl::StrCat(" (", s.flaky(), " flaky)"));
  w->FullEnd();
}

// The name box and a checkbox per verdict, which the script reads.
void Filters(XmlWriter* w) {
  w->Start("div");
  w->Attr("class", "filters");
  w->Start("input");
  w->Attr("id", "filter");
  w->Attr("type", "search");
  w->Attr("placeholder", "filter by name");
  w->End();
  for (Status st : {PASS, FAIL, ERROR, TIMEOUT, SKIPPED, INTERRUPTED}) {
    w->Start("label");
    w->Start("input");
    w->Attr("type", "checkbox");
    w->Attr("class", "status");
    w->Attr("value", StatusName(st));
    w->Attr("checked", "checked");
    w->End();
    w->Text(StatusName(st));
    w->FullEnd();
  }
  w->FullEnd();
}

void TestRow(XmlWriter* w, const TestResult& t, const std::string& job_dir) {
  w->Start("tr");
  w->Attr("class", "test");
  w->Attr("data-status", StatusName(t.status()));
  w->Attr("data-name", t.name());
  Cell(w, absl::StrCat(t.index()));
  w->Start("td");
  w->Start("details");
  w->Start("summary");
  w->Text(t.name());
  w->FullEnd();
  Link(w, t.dir() + "/", "files");
  // Most tests write nothing: their files are not even opened.
  if (t.stdout_stats().kept_bytes() > 0)
    Output(w, absl::StrCat(job_dir, "/", t.dir(), "/stdout"), "stdout");
  if (t.stderr_stats().kept_bytes() > 0)
    Output(w, absl::StrCat(job_dir, "/", t.dir(), "/stderr"), "stderr");
  Points(w, "TAP", t.tap_points(), t.tap_summary().points(),
         t.tap_summary().points_not_stored());
  Points(w, "JUnit", t.junit_cases(), t.junit_summary().cases(),
         t.junit_summary().cases_not_stored());
  w->FullEnd();  // details
  w->FullEnd();  // td
  Cell(w, t.where());
  std::string status = StatusName(t.status());
  if (t.flaky()) absl::StrAppend(&status, " (flaky)");
  w->Start("td");
  w->Start("span");
  w->Attr("class", absl::StrCat("badge ", StatusName(t.status())));
  w->Text(status);
  w->FullEnd();
  w->FullEnd();
  Cell(w, absl::StrFormat("%.2f s", t.duration_seconds()));
  Cell(w, t.reason());
  w->FullEnd();  // tr
}

void TestTable(XmlWriter* w, const JobResult& job, const std::string& job_dir) {
  w->Start("table");
  w->Attr("id", "tests");
  w->Start("thead");
  w->Start("tr");
  for (const char* h : {"#", "test", "where", "status", "time", "reason"}) {
    w->Start("th");
    w->Text(h);
    w->FullEnd();
  }
  w->FullEnd();
  w->FullEnd();
  w->Start("tbody");
  for (const TestResult& t : job.tests()) TestRow(w, t, job_dir);
  w->FullEnd();  // tbody
  w->FullEnd();  // table
  w->Start("p");
  w->Attr("id", "shown");
  w->Text(
      absl::StrCat(job.tests_size(), " of ", job.tests_size(), " tests shown"));
  w->FullEnd();
}

// What the job ran on, from its sysinfo and vm/ directories.
void SystemTable(XmlWriter* w, const std::string& job_dir) {
  w->Start("h2");
  w->Text("System");
  w->FullEnd();
  SysinfoHighlights h = Highlights(job_dir);
  w->Start("table");
  w->Attr("class", "sysinfo");
  for (const auto& [key, value] :
       {std::pair<const char*, std::string>{"kernel", h.kernel()},
        {"os", h.os()},
        {"cpu", h.cpu()},
        {"QEMU", h.qemu()},
        {"accelerator", h.accel()}}) {
    if (value.empty()) continue;
    w->Start("tr");
    w->Start("th");
    w->Text(key);
    w->FullEnd();
    Cell(w, value);
    w->FullEnd();
  }
  w->FullEnd();
}

// Links to the job's other files, those that exist.
void FileLinks(XmlWriter* w, const std::string& job_dir) {
  w->Start("p");
  w->Text("Files: ");
  for (const char* f : {"results.json", "results.xml", "results.tap", "job.log",
                        "environment.json", "sysinfo/", "vm/"}) {
    if (!std::filesystem::exists(absl::StrCat(job_dir, "/", f))) continue;
    Link(w, f, f);
    w->Text(" ");
  }
  w->FullEnd();
}

}  // namespace

std::string RenderHtml(const JobResult& job, const std::string& job_dir) {
  XmlWriter w(/*declaration=*/false);
  w.Raw("<!DOCTYPE html>\n");
  std::string name = std::filesystem::path(job_dir).filename().string();
  w.Start("html");
  w.Attr("lang", "en");
  Head(&w, name);
  w.Start("body");
  Heading(&w, job, name);
  SummaryBadges(&w, job.summary());
  Filters(&w);
  TestTable(&w, job, job_dir);
  SystemTable(&w, job_dir);
  FileLinks(&w, job_dir);
  w.Start("script");
  w.Raw(kHtmlReportScript);
  w.FullEnd();
  w.FullEnd();  // body
  w.FullEnd();  // html
  return w.Finish();
}

}  // namespace proctor
