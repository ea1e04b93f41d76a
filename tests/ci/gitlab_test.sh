#!/bin/bash
# The README's GitLab pipeline, run as it is written: gitlab-ci-local
# (tools/setup.sh installs 4.60.0) on a Docker daemon this test starts and
# stops, proctor's image loaded into it, a project holding the example
# suite. Three shard jobs (`parallel: 3`), then the job that merges them;
# checks each shard's JUnit report and the merged one, test by test.
set -euo pipefail
src="$TEST_SRCDIR/proctor"
fail() { echo "FAIL: $*"; exit 1; }
source "$src/tests/container/docker_daemon.sh"
source "$src/tests/ci/readme_block.sh"
# Debian's docker first: gitlab-ci-local runs `docker` from PATH.
export PATH="/usr/bin:/bin:/usr/sbin:/sbin:$PATH"
command -v gitlab-ci-local >/dev/null || fail "no gitlab-ci-local: run tools/setup.sh"

own_dockerd gitlab || fail "no Docker daemon"
out="$(docker load -i "$src/container/image.tar" 2>&1)" || fail "load: $out"

# gitlab-ci-local's helper copies artifacts with bash and rsync, as root.
helper="$dockerd_store/helper"
mkdir -p "$helper/rsync/lib"
cp /usr/bin/rsync "$helper/rsync/"
for lib in $(ldd /usr/bin/rsync | grep -o '/[^ ]*'); do cp -L "$lib" "$helper/rsync/lib/"; done
printf '#!/bin/sh\nexec /opt/rsync/lib/ld-linux-x86-64.so.2 --library-path /opt/rsync/lib /opt/rsync/rsync "$@"\n' \
  >"$helper/rsync.sh"
chmod +x "$helper/rsync.sh"
printf 'FROM proctor:0.1.0\nUSER root\nCOPY rsync/ /opt/rsync/\nCOPY rsync.sh /usr/bin/rsync\nENTRYPOINT []\n' \
  >"$helper/Dockerfile"
docker build -q -t proctor-gitlab-helper:local "$helper" >/dev/null || fail "helper image"

# The project: the example suite (its host tests) and the README's file.
project="$TEST_TMPDIR/project"
mkdir -p "$project"
cp -rL "$src/tests/examples" "$project/tests"
rm -rf "$project/tests/BUILD.bazel" "$project/tests/virt"
readme_block "$src/README.md" ".gitlab-ci.yml: tests/ci/gitlab_test.sh" \
  >"$project/.gitlab-ci.yml" || fail "no GitLab recipe in the README"
git -C "$project" init -q
git -C "$project" add -A
git -C "$project" -c user.name=t -c user.email=t@example.com commit -qm suite

rc=0
(cd "$project" && gitlab-ci-local --pull-policy never \
  --helper-image proctor-gitlab-helper:local) >"$TEST_TMPDIR/out" 2>&1 || rc=$?
log="$TEST_TMPDIR/out"
# The Perl example fails on purpose: its shard job fails, the others pass.
[[ $rc == 1 ]] || fail "gitlab-ci-local exit $rc: $(tail -30 "$log")"
[[ "$(grep -c 'Results stored in /builds/' "$log")" == 3 ]] ||
  fail "not three shard jobs: $(grep 'Results stored' "$log")"
grep -q 'FAIL  tests: \[' "$log" || fail "no failing shard job: $(tail -20 "$log")"
grep -q 'PASS  report' "$log" || fail "the report job did not pass: $(tail -20 "$log")"
grep -q 'Merged 3 jobs into /builds/' "$log" || fail "no merge: $(grep report "$log")"

artifacts="$project/.gitlab-ci-local/artifacts"
cases() { grep -o '<testcase classname="proctor" name="[^"]*"' "$@" | sed 's/.*name="//; s/"$//' | sort; }
merged="$artifacts/report/merged"
[[ -s "$merged/results.xml" ]] || fail "no merged JUnit report in the artifacts"
want="$(cd "$project/tests" && find . -type f -perm -u+x | sed 's|^\./||' | sort)"
[[ "$(cases "$merged/results.xml")" == "$want" ]] ||
  fail "merged report: $(diff <(echo "$want") <(cases "$merged/results.xml"))"
# Every shard's own report, and together the same tests once each.
shard_reports=("$artifacts"/tests*/results/latest/results.xml)
[[ ${#shard_reports[@]} == 3 ]] || fail "shard reports: ${shard_reports[*]}"
[[ "$(cases "${shard_reports[@]}")" == "$want" ]] || fail "the shards did not run each test once"
grep -q '"shard": "2/3"' "$artifacts"/tests*/results/latest/results.json || fail "no shard 2/3"
grep -q '"failed": 1' "$merged/results.json" || fail "merged summary: $(grep -A8 '"summary"' "$merged/results.json")"
echo PASS
