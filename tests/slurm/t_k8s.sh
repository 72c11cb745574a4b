#!/bin/bash
# t_k8s.sh - contrib/shard/listscrub-job.yaml without a cluster: it parses
# as YAML (python3's yaml module), its parts fit together (an Indexed Job
# whose completions is the SHARDS both Jobs are given, the ConfigMap keys
# and the volume the pods use), and the scripts in it, run here as the pods
# would run them (JOB_COMPLETION_INDEX, the ConfigMap's files, the work
# volume as directories) with a stand-in listscrub, give each shard and the
# merge the arguments README.k8s says.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$srcdir/tests/e2e/lib.sh"

Y=$srcdir/contrib/shard/listscrub-job.yaml
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "1..0 # SKIP python3 has no yaml module (Debian: python3-yaml)"
	exit 0
fi
plan 17

# The manifest, flattened by python3: KEY=VALUE lines, and the ConfigMap's
# files written into $T/config
facts=$(python3 - "$Y" "$T/config" <<'EOF'
import os, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
out = os.makedirs(sys.argv[2], exist_ok=True)
def p(k, v): print("%s=%s" % (k, v))
p("kinds", " ".join(d["kind"] for d in docs))
cms = [d for d in docs if d["kind"] == "ConfigMap"]
for k, v in cms[0]["data"].items():
    open(os.path.join(sys.argv[2], k), "w").write(v)
p("cm", cms[0]["metadata"]["name"])
pvc = [d for d in docs if d["kind"] == "PersistentVolumeClaim"][0]
p("pvc", pvc["metadata"]["name"])
p("pvc_access", ",".join(pvc["spec"]["accessModes"]))
for d in docs:
    if d["kind"] != "Job":
        continue
    n = d["metadata"]["name"]
    s = d["spec"]
    t = s["template"]["spec"]
    c = t["containers"][0]
    env = {e["name"]: e.get("value", "(ref)") for e in c.get("env", [])}
    vols = {v["name"]: v for v in t["volumes"]}
    mounts = {m["mountPath"]: vols[m["name"]] for m in c["volumeMounts"]}
    for k in ("completionMode", "completions", "parallelism"):
        if k in s:
            p("%s.%s" % (n, k), s[k])
    p(n + ".restart", t["restartPolicy"])
    p(n + ".command", " ".join(c["command"]))
    for k, v in sorted(env.items()):
        p("%s.env.%s" % (n, k), v)
    w = mounts.get(env.get("WORK"), {})
    p(n + ".work_claim", w.get("persistentVolumeClaim", {}).get("claimName", ""))
    cf = mounts.get(env.get("CONFIG"), {})
    p(n + ".config_map", cf.get("configMap", {}).get("name", ""))
EOF
) || bail "python3 could not read $Y"
fact() { printf '%s\n' "$facts" | sed -n "s/^$1=//p"; }

is "$(fact kinds)" "PersistentVolumeClaim ConfigMap Job Job" \
    "the manifest parses: a claim, a ConfigMap and two Jobs"
is "$(fact listscrub-shards.completionMode)" Indexed "the shards are an Indexed Job"
N=$(fact listscrub-shards.completions)
is "$(fact listscrub-shards.env.SHARDS)|$(fact listscrub-merge.env.SHARDS)" "$N|$N" \
    "SHARDS of both Jobs is the Indexed Job's completions ($N)"
ok "parallelism from 1 to completions" test "$(fact listscrub-shards.parallelism)" -ge 1 -a \
    "$(fact listscrub-shards.parallelism)" -le "$N"
is "$(fact listscrub-shards.restart)|$(fact listscrub-merge.restart)" "Never|Never" \
    "restartPolicy Never (a failed pod is retried as a new one)"
is "$(fact listscrub-shards.work_claim)|$(fact listscrub-merge.work_claim)|$(fact listscrub-shards.config_map)|$(fact listscrub-merge.config_map)" \
    "$(fact pvc)|$(fact pvc)|$(fact cm)|$(fact cm)" \
    "both Jobs mount the claim at WORK and the ConfigMap at CONFIG"
is "$(fact pvc_access)" ReadWriteMany "the work volume is shared by pods on any node"
ok "the commands run scripts of the ConfigMap" eval \
    "test -s \"$T/config/\$(basename \"\$(fact listscrub-shards.command | cut -d' ' -f2)\")\" &&
     test -s \"$T/config/\$(basename \"\$(fact listscrub-merge.command | cut -d' ' -f2)\")\""

# ---------------------------------------------------------------- the pods' scripts, here
FAKE=$T/fake-listscrub
cat >"$FAKE" <<'EOF'
#!/bin/bash
if [ "$1" = merge ]; then
	printf '%s\n' "$@" >"$FAKE_DIR/merge.args"
	exit 0
fi
prev= part= shard=
for a in "$@"; do
	case $prev in --part) part=$a ;; --shard) shard=$a ;; esac
	prev=$a
done
printf '%s\n' "$@" >"$FAKE_DIR/shard-${shard%/*}.args"
echo "part $shard" >"$part"
exit "${FAKE_RC:-0}"
EOF
chmod +x "$FAKE"
export FAKE_DIR=$T/args
mkdir -p "$FAKE_DIR" "$T/work"
printf '%s\n' Email a@example.com >"$T/work/list.csv"
# pod SCRIPT [VAR=VALUE...] - run the ConfigMap's script as a pod would
pod() {
	local s=$1
	shift
	env JOB_COMPLETION_INDEX= SHARDS="$N" LISTSCRUB="$FAKE" INPUT="$T/work/list.csv" \
		WORK="$T/work" CONFIG="$T/config" NODE_NAME=node-a "$@" sh "$T/config/$s"
}
opts=$(grep -v '^#' "$T/config/options" | grep . | tr '\n' ' ')
outs=$(grep -v '^#' "$T/config/outputs" | grep . | tr '\n' ' ')
ok "the ConfigMap has options and outputs" test -n "$opts" -a -n "$outs"

for i in $(seq 0 $((N - 2))); do
	pod shard.sh JOB_COMPLETION_INDEX="$i" 2>>"$T/pods.err"
done
pod merge.sh WAIT_SECONDS=0 POLL_SECONDS=0 2>"$T/merge.err"
is "$?|$(test -e "$FAKE_DIR/merge.args" && echo merged)" "1|" \
    "merge with a part missing: waits, then gives up (status 1), no merge"
like "$(cat "$T/merge.err")" "gave up waiting for shard\\(s\\) $((N - 1)) of $N" \
    "merge with a part missing: names the missing shard"
FAKE_RC=3 pod shard.sh JOB_COMPLETION_INDEX=$((N - 1)) 2>>"$T/pods.err"
is "$?" 0 "a degraded shard (status 3) has written its part: the pod succeeds"
want=
for i in $(seq 0 $((N - 1))); do
	got=$(tr '\n' ' ' <"$FAKE_DIR/shard-$i.args" 2>/dev/null)
	[ "$got" = "--probe --shard $i/$N --part $T/work/parts/shard-$i-of-$N.part $opts$T/work/list.csv " ] ||
		want="$want shard $i: $got;"
done
is "$want" "" "pod I: --probe --shard I/N, its part on the work volume, the options, the input"
pod merge.sh WAIT_SECONDS=0 2>"$T/merge.err"
parts=
for i in $(seq 0 $((N - 1))); do parts="$parts$T/work/parts/shard-$i-of-$N.part "; done
is "$?|$(tr '\n' ' ' <"$FAKE_DIR/merge.args" 2>/dev/null)" "0|merge $opts$outs$T/work/list.csv $parts" \
    "merge: the options, the outputs, the input, every part"

# shard-options: the shards' only
printf -- '--cache\n/var/tmp/store.db\n' >"$T/config/shard-options"
rm -f "$FAKE_DIR"/*.args
pod shard.sh JOB_COMPLETION_INDEX=0 2>>"$T/pods.err"
pod merge.sh WAIT_SECONDS=0 2>>"$T/merge.err"
is "$(tr '\n' ' ' <"$FAKE_DIR/shard-0.args")|$(grep -c -x -- --cache "$FAKE_DIR/merge.args")" \
    "--probe --shard 0/$N --part $T/work/parts/shard-0-of-$N.part $opts--cache /var/tmp/store.db $T/work/list.csv |0" \
    "shard-options go to the shards, not to the merge"
: >"$T/config/shard-options"

# sources: the node's line
printf 'node-b 192.0.2.12\nnode-a 192.0.2.11,2001:db8::11\n' >"$T/config/sources"
pod shard.sh JOB_COMPLETION_INDEX=1 2>>"$T/pods.err"
is "$(tr '\n' ' ' <"$FAKE_DIR/shard-1.args")" \
    "--probe --shard 1/$N --part $T/work/parts/shard-1-of-$N.part --source-address 192.0.2.11,2001:db8::11 $opts$T/work/list.csv " \
    "sources: the pod probes from its node's address"
rm -f "$FAKE_DIR/shard-1.args"
pod shard.sh JOB_COMPLETION_INDEX=1 NODE_NAME=node-c 2>"$T/nonode.err"
is "$?|$(test -e "$FAKE_DIR/shard-1.args" && echo ran)" "2|" \
    "sources without a line for the node: status 2, listscrub not run"
