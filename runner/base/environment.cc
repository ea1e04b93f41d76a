#include "runner/base/environment.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace proctor {

std::vector<std::string> WithVariables(
    std::vector<std::string> env,
    const std::vector<std::pair<std::string, std::string>>& vars) {
  absl::flat_hash_map<std::string, size_t> wanted;
  for (size_t i = 0; i < vars.size(); ++i) wanted[vars[i].first] = i;
  std::vector<bool> done(vars.size(), false);
  std::vector<std::string> out;
  out.reserve(env.size() + vars.size());
  for (std::string& e : env) {
    auto it = wanted.find(e.substr(0, e.find('=')));
    if (it == wanted.end()) {
      out.push_back(std::move(e));
    } else if (!done[it->second]) {
      const auto& [name, value] = vars[it->second];
      out.push_back(absl::StrCat(name, "=", value));
      done[it->second] = true;
    }  // a later duplicate of a variable set here goes
  }
  for (size_t i = 0; i < vars.size(); ++i) {
    if (!done[i])
      out.push_back(absl::StrCat(vars[i].first, "=", vars[i].second));
  }
  return out;
}

}  // namespace proctor
