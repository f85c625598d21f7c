# A real dockerd (Debian's docker.io, 20.10) inside a lab namespace, as NOTES.md says:
# its bridges, its iptables-nft rules and its containers live there; the host's own
# daemons, rules and cgroups are not touched.  Source after common.sh; docker_down runs
# from case_cleanup.
#
#   docker_up NS        start dockerd in namespace NS (data under $T/docker)
#   dk ARGS...          the docker client for it
#   docker_image        import "nsbox": a busybox-static rootfs, built offline
#   ct_pid NAME         the PID of a container (for nsenter -n)
#   ct_ip NAME NET      its address on network NET
#   docker_down         containers removed, dockerd and its containerd stopped

DK_DIR=
DK_PID=

docker_need() {
	[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || skip "docker.io is not installed (contrib/setup-deps.sh installs it)"
	[ -x /bin/busybox ] || skip "busybox-static is not installed (contrib/setup-deps.sh installs it)"
}

dk() { /usr/bin/docker -H "unix://$DK_DIR/docker.sock" "$@"; }

docker_up() {
	local ns=$1 i
	DK_DIR=$T/docker
	mkdir -p "$DK_DIR"
	# written once: a case may change it between a docker_stop and the next docker_up
	[ -e "$DK_DIR/daemon.json" ] || cat >"$DK_DIR/daemon.json" <<'JSON'
{ "storage-driver": "vfs", "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "bip": "198.19.0.1/24",
  "default-address-pools": [{ "base": "198.19.128.0/17", "size": 24 }] }
JSON
	# ip netns exec gives a private mount namespace with a fresh /sys, without the
	# cgroup v1 hierarchies dockerd 20.10 wants: mount them there, then exec dockerd
	ip netns exec "$ns" sh -c '
		set -e
		mount -t tmpfs cgroup_root /sys/fs/cgroup
		for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
			mkdir -p /sys/fs/cgroup/$c
			mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c
		done
		mkdir -p /sys/fs/cgroup/systemd /sys/fs/cgroup/unified
		mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
		mount -t cgroup2 none /sys/fs/cgroup/unified
		exec /usr/sbin/dockerd --data-root "$0/data" --exec-root "$0/exec" \
			-H "unix://$0/docker.sock" --pidfile "$0/docker.pid" \
			--config-file "$0/daemon.json"' "$DK_DIR" >"$DK_DIR/log" 2>&1 &
	DK_PID=$!
	for i in $(seq 120); do
		dk info >/dev/null 2>&1 && return 0
		kill -0 "$DK_PID" 2>/dev/null || fail "dockerd exited: $(tail -5 "$DK_DIR/log")"
		sleep 0.25
	done
	fail "dockerd did not answer in 30 s: $(tail -5 "$DK_DIR/log")"
}

docker_image() {
	local a root=$T/rootfs
	mkdir -p "$root/bin"
	cp /bin/busybox "$root/bin/"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	tar -C "$root" -c . | dk import - nsbox >/dev/null || fail "docker import"
}

ct_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }
ct_ip() { dk inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"; }

# docker_restart: stop dockerd (its containers stop) and start it again
docker_stop() {
	[ -n "$DK_PID" ] || return 0
	kill "$DK_PID" 2>/dev/null
	for _ in $(seq 80); do kill -0 "$DK_PID" 2>/dev/null || break; sleep 0.25; done
	kill -9 "$DK_PID" 2>/dev/null
	wait "$DK_PID" 2>/dev/null
	DK_PID=
}

docker_down() {
	[ -n "$DK_DIR" ] || return 0
	[ -n "$DK_PID" ] && dk ps -aq 2>/dev/null | xargs -r /usr/bin/docker -H "unix://$DK_DIR/docker.sock" rm -f >/dev/null 2>&1
	docker_stop
	# containerd and its shims carry this run's paths on their command lines
	pkill -f "$DK_DIR/" 2>/dev/null
	sleep 0.2
	pkill -9 -f "$DK_DIR/" 2>/dev/null
	return 0
}
