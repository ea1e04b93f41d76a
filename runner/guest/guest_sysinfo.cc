#include "runner/guest/guest_sysinfo.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runner/base/atomic_file.h"
#include "runner/base/make_dirs.h"
#include "runner/base/text.h"

namespace proctor {
std::vector<std::string> CollectGuestSysinfo(
    const std::vector<SysinfoEntry>& entries, const std::string& dir,
    vmm::GuestShell* session) {
  std::vector<std::string> problems;
  absl::Status made = MakeDirs(dir);
  if (!made.ok()) return {std::string(made.message())};
  for (const SysinfoEntry& e : entries) {
    std::string what = e.is_file ? e.path : absl::StrJoin(e.argv, " ");
    std::string command;
    if (e.is_file) {
      command = absl::StrCat("cat ", ShellQuote(e.path));
    } else {
      std::vector<std::string> quoted;
      for (const std::string& a : e.argv) quoted.push_back(ShellQuote(a));
      command = absl::StrCat("command -v ", ShellQuote(e.argv[0]),
                             " >/dev/null || exit 127; exec ",
                             absl::StrJoin(quoted, " "), " 2>&1");
    }
    absl::StatusOr<vmm::CmdResult> r = session->Cmd(command, "", e.timeout);
    if (!r.ok()) {
      problems.push_back(absl::StrCat(what, ": ", r.status().message()));
      continue;
    }
    if (r->exit_status == 127 && !e.is_file) {
      problems.push_back(absl::StrCat(what, ": command not found"));
      continue;
    }
    if (e.is_file && r->exit_status != 0) {
      problems.push_back(absl::StrCat(what, ": cannot read"));
      continue;
    }
    if (r->exit_status != 0) {
      problems.push_back(absl::StrCat(what, ": exit status ", r->exit_status));
    }
    WriteFileAtomically(absl::StrCat(dir, "/", e.output_name), r->out)
        .IgnoreError();
  }
  std::string text;
  for (const std::string& p : problems) absl::StrAppend(&text, p, "\n");
  if (!problems.empty())
    WriteFileAtomically(dir + "/problems", text).IgnoreError();
  return problems;
}

}  // namespace proctor
