# Sourced: a Docker daemon of the caller's own, started and stopped by it,
# so that a test needs no system dockerd and leaves nothing behind.
#   start_dockerd DIR   # state, socket and log under DIR (a short path);
#                       # sets DOCKER_HOST; returns 1 if it does not start
#   stop_dockerd        # its containers removed, the daemon stopped, what
#                       # it mounted under DIR unmounted
# Debian's docker.io: /usr/bin/docker, whatever else is first on PATH. No
# bridge and no iptables rules: containers run --network=none (or on a
# network the caller makes), and the host's network is left as it was.
docker() { /usr/bin/docker "$@"; }

start_dockerd() {
  dockerd_dir="$1"
  export PATH="$PATH:/usr/sbin:/sbin"
  export DOCKER_HOST="unix://$dockerd_dir/sock"
  dockerd --data-root "$dockerd_dir/data" --exec-root "$dockerd_dir/exec" \
    --pidfile "$dockerd_dir/dockerd.pid" -H "$DOCKER_HOST" \
    --iptables=false --ip-masq=false --bridge=none \
    >"$dockerd_dir/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.25
  done
  echo "dockerd did not start: $(tail -5 "$dockerd_dir/dockerd.log")" >&2
  return 1
}

stop_dockerd() {
  [[ -n "${dockerd_pid:-}" ]] || return 0
  docker ps -aq 2>/dev/null | xargs -r /usr/bin/docker rm -f >/dev/null 2>&1 || true
  kill "$dockerd_pid" 2>/dev/null || true
  for _ in $(seq 1 80); do
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -9 "$dockerd_pid" 2>/dev/null || true
  wait "$dockerd_pid" 2>/dev/null || true
  findmnt -rn -o TARGET | grep "^$dockerd_dir/" | sort -r |
    xargs -r -n1 umount -l 2>/dev/null || true
  dockerd_pid=
}

# own_dockerd NAME: start_dockerd under a fresh /tmp/proctor-NAME.XXXXXX
# ($dockerd_store), stopped and removed when the shell exits.
own_dockerd() {
  dockerd_store="$(mktemp -d "/tmp/proctor-$1.XXXXXX")"
  trap 'stop_dockerd; rm -rf "$dockerd_store" 2>/dev/null || true' EXIT
  start_dockerd "$dockerd_store"
}
