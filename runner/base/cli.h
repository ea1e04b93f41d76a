// Command-line parsing for proctor's subcommands, on Abseil flags.
//
// absl::ParseCommandLine exits with status 1 on a bad flag, but proctor
// promises exit 2 for usage errors and knows which flags each subcommand
// takes; so arguments are matched here and values set through Abseil's
// flag reflection (each flag's own parser and help text). `-j N` is short
// for `--jobs=N`; `--` ends the flags.
#ifndef PROCTOR_RUNNER_BASE_CLI_H_
#define PROCTOR_RUNNER_BASE_CLI_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace proctor {

struct ParsedArgs {
  std::vector<std::string> positional;
  std::set<std::string> explicit_flags;  // flags given on the command line
  bool help = false;
};

// Parses `args` (after the subcommand) accepting only `allowed` flags.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<std::string>& allowed);

// "  --name=DEFAULT  help" lines for `allowed`.
std::string FlagHelp(const std::vector<std::string>& allowed);

// `flag` if it is set, else the environment variable `env` ("" if unset).
std::string FlagOrEnv(const std::string& flag, const char* env);

// "64M" -> 67108864; plain numbers are bytes; K, M, G are powers of 1024.
absl::StatusOr<int64_t> ParseByteSize(const std::string& text);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_CLI_H_
