#!/usr/bin/env bash
# Brings up a one-node Slurm cluster on 127.0.0.1 (Debian's slurm-wlm 22.05 + munge) for the Slurm study test.
# Idempotent: installs what is missing, writes munge.key and slurm.conf for this host's real CPU count and memory,
# (re)starts munged, slurmctld and slurmd, and waits until the node is idle. Needs root (or passwordless sudo).
# Usage: scripts/slurm-test-cluster.sh [stop]
set -euo pipefail
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo -n"; fi

if [ "${1:-}" = "stop" ]; then
    for daemon in slurmd slurmctld; do
        if [ -f "/run/$daemon.pid" ]; then $sudo_cmd kill "$(cat "/run/$daemon.pid")" 2>/dev/null || true; fi
    done
    exit 0
fi

if ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq slurm-wlm munge >/dev/null
fi

node=$(hostname -s)
cpus=$(nproc)
# slurmd drains a node that has less memory than configured: announce 90 % of what it has.
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))

$sudo_cmd mkdir -p /etc/munge /var/log/munge /var/lib/munge /run/munge /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
if [ ! -s /etc/munge/munge.key ]; then
    $sudo_cmd dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
$sudo_cmd chown -R munge:munge /etc/munge /var/log/munge /var/lib/munge /run/munge
$sudo_cmd chmod 0700 /etc/munge /var/log/munge /var/lib/munge
$sudo_cmd chmod 0755 /run/munge
$sudo_cmd chmod 0400 /etc/munge/munge.key
if ! munge -n </dev/null >/dev/null 2>&1; then
    $sudo_cmd -u munge /usr/sbin/munged 2>/dev/null || $sudo_cmd runuser -u munge -- /usr/sbin/munged
fi

conf=$(cat <<CONF
# Written by scripts/slurm-test-cluster.sh: one node on 127.0.0.1, for tests.
ClusterName=lowresgen-test
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MinJobAge=300
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memory} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
)
if [ "$(cat /etc/slurm/slurm.conf 2>/dev/null)" != "$conf" ]; then
    echo "$conf" | $sudo_cmd tee /etc/slurm/slurm.conf >/dev/null
    "$0" stop
fi

if ! scontrol ping 2>/dev/null | grep -q UP; then
    $sudo_cmd slurmctld
fi
if ! pgrep -x slurmd >/dev/null; then
    $sudo_cmd slurmd
fi

for _ in $(seq 1 60); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
    case "$state" in
        idle|mixed|allocated) echo "Slurm test cluster up: node $node, $cpus CPUs, ${memory} MB ($state)"; exit 0 ;;
        *drain*|*down*) $sudo_cmd scontrol update NodeName="$node" State=RESUME 2>/dev/null || true ;;
    esac
    sleep 1
done
echo "Slurm test cluster did not come up (node state: ${state:-unknown}); see /var/log/slurm/" >&2
exit 1
