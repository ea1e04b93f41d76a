/* The floor for running N tests: fork, exec and wait for each file given,
 * in order, nothing else. Used by host_overhead.sh. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int failed = 0;
  for (int i = 1; i < argc; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      execl(argv[i], argv[i], (char*)0);
      _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  printf("%d failed\n", failed);
  return 0;
}
