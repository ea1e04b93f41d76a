#!/bin/bash
# Builds the TAP parser's libFuzzer target with clang (ASan + UBSan) and runs
# it for a short while: a crash, a leak or a sanitizer report fails the test.
set -euo pipefail
src="${TEST_SRCDIR}/proctor/tap"
work="${TEST_TMPDIR}/fuzz"
mkdir -p "$work/corpus"
clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I"${TEST_SRCDIR}/proctor" \
  "$src/fuzz.cc" "$src/parser.cc" -o "$work/fuzz" \
  -labsl_strings -labsl_strings_internal -labsl_raw_hash_set -labsl_hash \
  -labsl_city -labsl_low_level_hash -labsl_int128 -labsl_throw_delegate \
  -labsl_raw_logging_internal -lre2
printf 'TAP version 14\n1..2\nok 1 - a # SKIP b\n    1..1\n    ok\nnot ok 2\n  ---\n  x: y\n  ...\n' \
  >"$work/corpus/seed1"
printf 'KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n  ok 1 t\nok 1 s\nBail out!\n' \
  >"$work/corpus/seed2"
"$work/fuzz" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=4096 \
  -print_final_stats=1 "$work/corpus" 2>&1 | tail -n 15
