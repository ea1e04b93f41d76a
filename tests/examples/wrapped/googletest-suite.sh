#!/bin/sh
# A GoogleTest binary, built where it runs. It writes its cases to
# $XML_OUTPUT_FILE by itself (as under `bazel test`), and each becomes one
# of this test's cases in every report.
# proctor: requires=cmd:g++,file:/usr/include/gtest/gtest.h
set -e
g++ -std=c++17 -o "$TEMPDIR/strings_test" "$(dirname "$0")/strings_test.cc" \
  -lgtest -lgtest_main -pthread
exec "$TEMPDIR/strings_test"
