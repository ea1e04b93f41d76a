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
namespace {

constexpr size_t kOutputBytes = 64 * 1024;

constexpr char kStyle[] = R"(
body { font: 14px/1.4 sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin-bottom: .2em; }
code, pre { font-family: monospace; }
pre { background: #f6f6f6; padding: .5em; overflow-x: auto; max-height: 30em; }
table { border-collapse: collapse; }
#tests { width: 100%; }
#tests th, #tests td, .sysinfo th, .sysinfo td { text-align: left;
  padding: .25em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
.badge { display: inline-block; padding: .15em .6em; border-radius: .8em;
  color: #fff; margin-right: .3em; font-weight: bold; }
.PASS { background: #2e7d32; } .FAIL { background: #c62828; }
.ERROR { background: #6a1b9a; } .TIMEOUT { background: #ef6c00; }
.SKIPPED { background: #757575; } .INTERRUPTED { background: #4e342e; }
.filters { margin: 1em 0; } .filters label { margin-right: .8em; }
summary { cursor: pointer; }
.points td { padding: 0 .5em; border: none; }
.meta { color: #555; }
#tests td:nth-child(4), #tests td:nth-child(5) { white-space: nowrap; }
)";

// Filters the rows by name and status; #status=A,B&q=TEXT presets both,
// and #open=NAME opens that test's output.
constexpr char kScript[] = R"(
(function () {
  var input = document.getElementById('filter');
  var boxes = document.querySelectorAll('input.status');
  var rows = document.querySelectorAll('tr.test');
  function apply() {
    var q = input.value.toLowerCase(), on = {}, shown = 0;
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    rows.forEach(function (r) {
      var ok = on[r.dataset.status] &&
               r.dataset.name.toLowerCase().indexOf(q) >= 0;
      r.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById('shown').textContent =
        shown + ' of ' + rows.length + ' tests shown';
  }
  var h = new URLSearchParams(location.hash.slice(1));
  if (h.has('status')) {
    var want = h.get('status').split(',');
    boxes.forEach(function (b) { b.checked = want.indexOf(b.value) >= 0; });
  }
  if (h.has('q')) input.value = h.get('q');
  if (h.has('open')) {
    rows.forEach(function (r) {
      if (r.dataset.name === h.get('open'))
        r.querySelector('details').open = true;
    });
  }
  input.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
)";

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

void Points(XmlWriter* w, const TestResult& t) {
  if (t.tap_points().empty()) return;
  w->Start("h4");
  w->Text(absl::StrCat("TAP: ", t.tap_points_size(), " points"));
  w->FullEnd();
  w->Start("table");
  w->Attr("class", "points");
  for (const TapPoint& p : t.tap_points()) {
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

}  // namespace

std::string RenderHtml(const JobResult& job, const std::string& job_dir) {
  XmlWriter w(/*declaration=*/false);
  w.Raw("<!DOCTYPE html>\n");
  std::string name = std::filesystem::path(job_dir).filename().string();
  w.Start("html");
  w.Attr("lang", "en");
  w.Start("head");
  w.Start("meta");
  w.Attr("charset", "utf-8");
  w.End();
  w.Start("title");
  w.Text(absl::StrCat("proctor: ", name));
  w.FullEnd();
  w.Start("style");
  w.Raw(kStyle);
  w.FullEnd();
  w.FullEnd();  // head

  w.Start("body");
  w.Start("h1");
  w.Text(name);
  w.FullEnd();
  w.Start("p");
  w.Start("code");
  w.Text(absl::StrJoin(job.argv(), " "));
  w.FullEnd();
  w.FullEnd();
  w.Start("p");
  w.Attr("class", "meta");
  w.Text(absl::StrFormat("started %s, %.1f s, exit %d%s", job.start_time(),
                         job.duration_seconds(), job.exit_code(),
                         job.complete() ? "" : ", incomplete"));
  w.FullEnd();

  const Summary& s = job.summary();
  w.Start("p");
  w.Attr("id", "summary");
  for (const auto& [cls, n, what] :
       {std::tuple<const char*, int, const char*>{"PASS", s.passed(), "passed"},
        {"FAIL", s.failed(), "failed"},
        {"ERROR", s.errors(), "errors"},
        {"TIMEOUT", s.timeouts(), "timed out"},
        {"INTERRUPTED", s.interrupted(), "interrupted"},
        {"SKIPPED", s.skipped(), "skipped"}}) {
    if (n == 0 && std::string(cls) != "PASS" && std::string(cls) != "FAIL")
      continue;
    w.Start("span");
    w.Attr("class", absl::StrCat("badge ", cls));
    w.Text(absl::StrCat(n, " ", what));
    w.FullEnd();
  }
  if (s.flaky() > 0) w.Text(absl::StrCat(" (", s.flaky(), " flaky)"));
  w.FullEnd();

  w.Start("div");
  w.Attr("class", "filters");
  w.Start("input");
  w.Attr("id", "filter");
  w.Attr("type", "search");
  w.Attr("placeholder", "filter by name");
  w.End();
  for (Status st : {PASS, FAIL, ERROR, TIMEOUT, SKIPPED, INTERRUPTED}) {
    w.Start("label");
    w.Start("input");
    w.Attr("type", "checkbox");
    w.Attr("class", "status");
    w.Attr("value", StatusName(st));
    w.Attr("checked", "checked");
    w.End();
    w.Text(StatusName(st));
    w.FullEnd();
  }
  w.FullEnd();

  w.Start("table");
  w.Attr("id", "tests");
  w.Start("thead");
  w.Start("tr");
  for (const char* h : {"#", "test", "where", "status", "time", "reason"}) {
    w.Start("th");
    w.Text(h);
    w.FullEnd();
  }
  w.FullEnd();
  w.FullEnd();
  w.Start("tbody");
  for (const TestResult& t : job.tests()) {
    w.Start("tr");
    w.Attr("class", "test");
    w.Attr("data-status", StatusName(t.status()));
    w.Attr("data-name", t.name());
    Cell(&w, absl::StrCat(t.index()));
    w.Start("td");
    w.Start("details");
    w.Start("summary");
    w.Text(t.name());
    w.FullEnd();
    Link(&w, t.dir() + "/", "files");
    // Most tests write nothing: their files are not even opened.
    if (t.stdout_stats().kept_bytes() > 0)
      Output(&w, absl::StrCat(job_dir, "/", t.dir(), "/stdout"), "stdout");
    if (t.stderr_stats().kept_bytes() > 0)
      Output(&w, absl::StrCat(job_dir, "/", t.dir(), "/stderr"), "stderr");
    Points(&w, t);
    w.FullEnd();  // details
    w.FullEnd();  // td
    Cell(&w, t.where());
    std::string status = StatusName(t.status());
    if (t.flaky()) absl::StrAppend(&status, " (flaky)");
    w.Start("td");
    w.Start("span");
    w.Attr("class", absl::StrCat("badge ", StatusName(t.status())));
    w.Text(status);
    w.FullEnd();
    w.FullEnd();
    Cell(&w, absl::StrFormat("%.2f s", t.duration_seconds()));
    Cell(&w, t.reason());
    w.FullEnd();  // tr
  }
  w.FullEnd();  // tbody
  w.FullEnd();  // table
  w.Start("p");
  w.Attr("id", "shown");
  w.Text(
      absl::StrCat(job.tests_size(), " of ", job.tests_size(), " tests shown"));
  w.FullEnd();

  w.Start("h2");
  w.Text("System");
  w.FullEnd();
  SysinfoHighlights h = Highlights(job_dir);
  w.Start("table");
  w.Attr("class", "sysinfo");
  for (const auto& [key, value] :
       {std::pair<const char*, std::string>{"kernel", h.kernel()},
        {"os", h.os()},
        {"cpu", h.cpu()},
        {"QEMU", h.qemu()},
        {"accelerator", h.accel()}}) {
    if (value.empty()) continue;
    w.Start("tr");
    w.Start("th");
    w.Text(key);
    w.FullEnd();
    Cell(&w, value);
    w.FullEnd();
  }
  w.FullEnd();
  w.Start("p");
  w.Text("Files: ");
  for (const char* f : {"results.json", "results.xml", "results.tap", "job.log",
                        "environment.json", "sysinfo/", "vm/"}) {
    if (!std::filesystem::exists(absl::StrCat(job_dir, "/", f))) continue;
    Link(&w, f, f);
    w.Text(" ");
  }
  w.FullEnd();
  w.Start("script");
  w.Raw(kScript);
  w.FullEnd();
  w.FullEnd();  // body
  w.FullEnd();  // html
  return w.Finish();
}

}  // namespace proctor
