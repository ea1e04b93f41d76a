/* TAP from C: proctor reports each point as a test case. */
#include <stdio.h>
#include <stdlib.h>

static int point = 0;
static int failed = 0;

static void ok(int cond, const char *what) {
  printf("%sok %d - %s\n", cond ? "" : "not ", ++point, what);
  if (!cond) failed = 1;
}

int main(void) {
  printf("TAP version 14\n1..3\n");
  ok(2 + 2 == 4, "addition");
  ok(7 / 2 == 3, "integer division truncates");
  ok(abs(-5) == 5, "abs");
  return failed;
}
