#include "runner/sysinfo/sysinfo.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runner/base/atomic_file.h"
#include "runner/base/duration.h"
#include "runner/base/make_dirs.h"
#include "runner/base/subprocess.h"
#include "runner/base/text.h"
#include "runner/base/unique_fd.h"

namespace proctor {
namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

// Runs one command into `out_path`; "" on success, else the problem.
std::string RunOne(const SysinfoEntry& e, const std::string& out_path,
                   const std::string& path_env) {
  std::string exe = FindProgram(e.argv[0], path_env);
  if (exe.empty()) return "command not found";
  UniqueFd out(
      open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out.valid()) return "cannot create output file";
  SpawnOptions opts;
  opts.argv = e.argv;
  opts.argv[0] = exe;
  opts.env = {absl::StrCat("PATH=", path_env), "LC_ALL=C"};
  opts.stdout_fd = out.get();
  opts.stderr_fd = out.get();
  absl::StatusOr<Subprocess> child = Subprocess::Spawn(opts);
  if (!child.ok()) return std::string(child.status().message());
  absl::Time deadline = absl::Now() + e.timeout;
  for (;;) {
    int status;
    pid_t r = waitpid(child->pid(), &status, WNOHANG);
    if (r == child->pid()) {
      child->MarkReaped();
      child->SignalGroup(SIGKILL);  // anything it left behind
      ExitInfo info = DecodeWaitStatus(status);
      if (info.exited && info.code == 0) return "";
      return info.exited ? absl::StrCat("exit status ", info.code)
                         : absl::StrCat("killed by signal ", info.signal);
    }
    if (absl::Now() > deadline) {
      return absl::StrCat(
          "timed out after ",
          absl::FormatDuration(e.timeout));  // ~Subprocess kills
    }
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace

absl::StatusOr<std::vector<SysinfoEntry>> ParseSysinfoConfig(
    absl::string_view text) {
  std::vector<SysinfoEntry> entries;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_no;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    SysinfoEntry e;
    size_t i = 1;
    for (; i < words.size(); ++i) {
      if (absl::StartsWith(words[i], "timeout=")) {
        absl::StatusOr<absl::Duration> t = ParseTimeout(words[i].substr(8));
        if (!t.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "sysinfo config line ", line_no, ": ", t.status().message()));
        }
        e.timeout = *t;
      } else if (words[i] == "if-installed") {
        e.if_installed = true;
      } else {
        break;
      }
    }
    if (words[0] == "command" && i < words.size()) {
      e.argv.assign(words.begin() + i, words.end());
      e.output_name = SanitizeFileName(absl::StrJoin(e.argv, "_"));
    } else if (words[0] == "file" && i + 1 == words.size()) {
      e.is_file = true;
      e.path = words[i];
      e.output_name = SanitizeFileName(absl::StripPrefix(e.path, "/"));
      for (char& c : e.output_name) {
        if (c == '/') c = '_';
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("sysinfo config line ", line_no,
                       ": want 'command ARGV...' or "
                       "'file PATH', got '",
                       line, "'"));
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

absl::StatusOr<std::vector<SysinfoEntry>> LoadSysinfoConfig(
    const std::string& path) {
  if (path.empty()) return ParseSysinfoConfig(kDefaultSysinfoConfig);
  std::string text;
  if (!ReadFile(path, &text)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read sysinfo config ", path));
  }
  return ParseSysinfoConfig(text);
}

std::vector<std::string> CollectSysinfo(
    const std::vector<SysinfoEntry>& entries, const std::string& dir,
    const std::string& path_env) {
  std::vector<std::string> problems;
  absl::Status made = MakeDirs(dir);
  if (!made.ok()) return {std::string(made.message())};
  for (const SysinfoEntry& e : entries) {
    std::string out = absl::StrCat(dir, "/", e.output_name);
    if (e.is_file) {
      std::string content;
      if (!ReadFile(e.path, &content)) {
        problems.push_back(absl::StrCat(e.path, ": cannot read"));
        continue;
      }
      absl::Status s = WriteFileAtomically(out, content);
      if (!s.ok()) problems.push_back(std::string(s.message()));
    } else {
      std::string why = RunOne(e, out, path_env);
      if (why == "command not found" && e.if_installed) {
        unlink(out.c_str());
        continue;
      }
      if (!why.empty()) {
        problems.push_back(absl::StrCat(absl::StrJoin(e.argv, " "), ": ", why));
        if (why == "command not found") unlink(out.c_str());
      }
    }
  }
  std::string text;
  for (const std::string& p : problems) absl::StrAppend(&text, p, "\n");
  if (!problems.empty())
    WriteFileAtomically(dir + "/problems", text).IgnoreError();
  return problems;
}

absl::Status WriteDmesgDiff(const std::string& pre_dir,
                            const std::string& post_dir,
                            const std::string& out) {
  std::string pre, post;
  if (!ReadFile(pre_dir + "/dmesg", &pre) ||
      !ReadFile(post_dir + "/dmesg", &post)) {
    return absl::NotFoundError("no dmesg snapshot to compare");
  }
  std::vector<absl::string_view> pre_lines =
      absl::StrSplit(pre, '\n', absl::SkipEmpty());
  std::vector<absl::string_view> post_lines =
      absl::StrSplit(post, '\n', absl::SkipEmpty());
  size_t from = 0;
  if (!pre_lines.empty()) {
    for (size_t i = post_lines.size(); i-- > 0;) {
      if (post_lines[i] == pre_lines.back()) {
        from = i + 1;
        break;
      }
    }
  }
  std::string diff;
  for (size_t i = from; i < post_lines.size(); ++i) {
    absl::StrAppend(&diff, "+", post_lines[i], "\n");
  }
  return WriteFileAtomically(out, diff);
}

}  // namespace proctor
