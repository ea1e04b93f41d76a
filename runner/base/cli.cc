#include "runner/base/cli.h"

#include <algorithm>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace proctor {
namespace {

absl::CommandLineFlag* Allowed(const std::string& name,
                               const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
    return nullptr;
  }
  return absl::FindCommandLineFlag(name);
}

}  // namespace

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<std::string>& allowed) {
  ParsedArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.positional.insert(out.positional.end(), args.begin() + i + 1,
                            args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      out.help = true;
      continue;
    }
    std::string name, value;
    bool has_value = false;
    if (absl::StartsWith(arg, "-j") && !absl::StartsWith(arg, "--")) {
      name = "jobs";
      if (arg.size() > 2) {
        value = arg.substr(2);
        has_value = true;
      }
    } else {
      std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
      size_t eq = body.find('=');
      name = body.substr(0, eq);
      if (eq != std::string::npos) {
        value = body.substr(eq + 1);
        has_value = true;
      }
    }
    std::replace(name.begin(), name.end(), '-', '_');
    absl::CommandLineFlag* flag = Allowed(name, allowed);
    if (flag == nullptr && absl::StartsWith(name, "no") && !has_value) {
      absl::CommandLineFlag* negated = Allowed(name.substr(2), allowed);
      if (negated != nullptr && negated->IsOfType<bool>()) {
        flag = negated;
        name = name.substr(2);
        value = "false";
        has_value = true;
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
    }
    if (!has_value) {
      if (flag->IsOfType<bool>()) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("flag ", arg, " needs a value"));
      }
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad value '", value, "' for --", name, ": ", error));
    }
    out.explicit_flags.insert(name);
  }
  return out;
}

std::string FlagOrEnv(const std::string& flag, const char* env) {
  const char* value = getenv(env);
  return !flag.empty() || value == nullptr ? flag : value;
}

std::string FlagHelp(const std::vector<std::string>& allowed) {
  std::string out;
  for (const std::string& name : allowed) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) continue;
    std::string dashed = name;
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    std::string def = flag->DefaultValue();
    absl::StrAppendFormat(&out, "  --%-28s %s\n",
                          def.empty() ? dashed : absl::StrCat(dashed, "=", def),
                          flag->Help());
  }
  return out;
}

absl::StatusOr<int64_t> ParseByteSize(const std::string& text) {
  std::string t = absl::AsciiStrToUpper(text);
  int64_t mult = 1;
  if (!t.empty() && (t.back() == 'B')) t.pop_back();
  if (!t.empty()) {
    switch (t.back()) {
      case 'K':
        mult = int64_t{1} << 10;
        break;
      case 'M':
        mult = int64_t{1} << 20;
        break;
      case 'G':
        mult = int64_t{1} << 30;
        break;
    }
    if (mult != 1) t.pop_back();
  }
  int64_t n;
  if (!absl::SimpleAtoi(t, &n) || n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad size '", text, "' (want e.g. 65536, 512K, 64M)"));
  }
  return n * mult;
}

}  // namespace proctor
