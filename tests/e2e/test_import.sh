#!/usr/bin/env bash
# Real-world inputs (issue #10): every bundled example of inputs/real/ goes import -> run ->
# export; the patches must parse as Kubernetes objects (python3-yaml) that pin each workload of
# the manifests to its zone of the run, and the migration plan replayed step by step from the
# current placement must never exceed a zone's capacity or slots and must end in the run's
# placement. Then: a CSV pair as real data comes (extra columns, empty cells, weight 0, quotes,
# CRLF) and its notes; a plan that needs a detour and one that cannot be ordered; the Alibaba
# CallGraph importer on a generated table (exact aggregation, bounded memory); bad inputs to
# every importer (one line "file:line: message", exit 3, no output).
# ZP_ALIBABA_ROWS (default 200000) sets the generated table's rows.
source "$(dirname "$0")/../lib.sh"

WORK=$ZP_TMP/import
rm -rf "$WORK" && mkdir -p "$WORK"
export OMPI_MCA_ess_singleton_isolated=1
REAL=inputs/real

if ! "$PY" -c "import yaml" 2>/dev/null; then
    not_ok "python3-yaml is missing (tools/install-deps.sh installs it)"
    finish
fi

# replay CONFIG SUMMARY PATCHES PLAN_JSON MANIFESTS...: the checks on one example's outputs.
replay() {
    "$PY" - "$@" <<'EOF'
import json, sys, yaml
cfg, summ, patches, plan = (json.load(open(sys.argv[1])), json.load(open(sys.argv[2])),
                            sys.argv[3], json.load(open(sys.argv[4])))
manifests = sys.argv[5:]
zones = [z["name"] for z in cfg["zones"]]
apps = [a["name"] for a in cfg["apps"]]
x = summ["tasks"][0]["placement"]
final = {apps[i]: zones[x[i]] for i in range(len(apps))}
# workloads of the manifests, named as the importer names them (name unique here)
work = {}
for m in manifests:
    for d in yaml.safe_load_all(open(m)):
        objs = (d or {}).get("items", [d]) if d else []
        for o in objs:
            if o and o.get("kind") in ("Deployment", "StatefulSet", "DaemonSet"):
                work[o["metadata"]["name"]] = o["kind"]
docs = [d for d in yaml.safe_load_all(open(patches)) if d is not None]
bad = []
for d in docs:
    name = d["metadata"]["name"]
    terms = d["spec"]["template"]["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    e = terms[0]["matchExpressions"][0]
    ok = (d["apiVersion"] == "apps/v1" and d["kind"] == work.get(name) and
          d["metadata"]["namespace"] and e["key"] == "topology.kubernetes.io/zone" and
          e["operator"] == "In" and e["values"] == [final[name]])
    if not ok:
        bad.append(name)
print("patches", len(docs), "workloads", len(work), "bad", len(bad))
# replay the plan
cap = {z["name"]: z.get("capacity", {}) for z in cfg["zones"]}
slots = {z["name"]: z.get("slots", 10**9) for z in cfg["zones"]}
dem = {a["name"]: a.get("demand", {}) for a in cfg["apps"]}
at = {a["name"]: a.get("current_zone") for a in cfg["apps"]}
def load(z, r):
    return sum(dem[a].get(r, 0) for a in at if at[a] == z)
def over():
    for z in zones:
        if sum(1 for a in at if at[a] == z) > slots[z]:
            return z
        for r, c in cap[z].items():
            if load(z, r) > c * (1 + 1e-9):
                return z
    return None
start_over = over()
exceeded = 0
cost = 0.0
for s in plan["steps"]:
    assert at[s["app"]] == s["from"], s
    at[s["app"]] = s["to"]
    cost += s["move_cost"]
    if over() and over() != start_over:
        exceeded += 1
print("steps", len(plan["steps"]), "exceeded", exceeded, "final_ok", int(at == final),
      "cost", cost, "run_move_cost", summ["tasks"][0]["final"]["move_cost"])
EOF
}

# example NAME IMPORT_ARGS... -- MANIFESTS...
example() {
    local name=$1 out=$WORK/$1
    shift
    local args=() manifests=()
    while [ "$1" != "--" ]; do args+=("$1"); shift; done
    shift
    manifests=("$@")
    mkdir -p "$out"
    "$ZP_BIN" import k8s "${args[@]}" --out "$out/config.json" 2>"$out/import.err"
    expect_eq "$name: import exit 0" "$?" 0
    "$ZP_BIN" validate --config "$out/config.json" >/dev/null
    expect_eq "$name: the imported config validates" "$?" 0
    zp_mpi 1 run --config "$out/config.json" --summary "$out/summary.json" --quiet
    expect_eq "$name: run exit 0" "$?" 0
    local margs=()
    for m in "${manifests[@]}"; do margs+=(--manifests "$m"); done
    "$ZP_BIN" export k8s --config "$out/config.json" --summary "$out/summary.json" "${margs[@]}" \
        --out "$out/patches.yaml" --plan "$out/plan.csv" --plan-json "$out/plan.json" 2>"$out/export.err"
    expect_eq "$name: export exit 0" "$?" 0
    local r
    r=$(replay "$out/config.json" "$out/summary.json" "$out/patches.yaml" "$out/plan.json" \
        "${manifests[@]}" 2>&1)
    echo "    $name: $(tr '\n' ' ' <<<"$r")"
    local np nw
    np=$(awk '/^patches/ {print $2}' <<<"$r")
    nw=$(awk '/^patches/ {print $4}' <<<"$r")
    expect_eq "$name: one patch per workload, parsed as Kubernetes objects pinning the run's zone" \
        "$(awk '/^patches/ {print $6}' <<<"$r") $np" "0 $nw"
    expect_eq "$name: plan replayed: no step exceeds a capacity, ends in the run's placement" \
        "$(awk '/^steps/ {print $4, $6}' <<<"$r")" "0 1"
    expect_eq "$name: plan CSV has one line per step (+ header)" \
        "$(grep -c . "$out/plan.csv")" "$(( $(jq_py "$out/plan.json" 'len(d["steps"])') + 1 ))"
    echo "$r"
}

D=$REAL/online-boutique
r=$(example online-boutique "$D/kubernetes-manifests.yaml" "$D/nodes.json" \
    --calls "jaeger:$D/dependencies.json" --current "$D/current.csv" -- "$D/kubernetes-manifests.yaml")
echo "$r" | grep -v '^patches\|^steps'
expect_eq "online-boutique: 12 workloads, 3 zones from the nodes, 16 dependencies" \
    "$(jq_py "$WORK/online-boutique/config.json" 'len(d["apps"]), len(d["zones"]), len(d["dependencies"])')" \
    "12 3 16"
expect_eq "online-boutique: frontend requests 100m cpu, 64Mi; zone capacity 2 nodes x 350m" \
    "$(jq_py "$WORK/online-boutique/config.json" 'd["apps"][0]["demand"], d["zones"][0]["capacity"]["cpu"]')" \
    "{'cpu': 100, 'ram': 64} 700"
check "online-boutique: the unmatched service is named" \
    grep -q "match no workload (their calls skipped): shoppingassistantservice" "$WORK/online-boutique/import.err"
expect_eq "online-boutique: plan cost = the run's move cost (no detours)" \
    "$(awk '/^steps/ {print ($8 == $10)}' <<<"$r")" 1

D=$REAL/hotel-reservation
r=$(example hotel-reservation "$D/hotel-reservation.yaml" "$D/nodes.yaml" \
    --calls "otel:$D/service-graph.prom" -- "$D/hotel-reservation.yaml")
echo "$r" | grep -v '^patches\|^steps'
expect_eq "hotel-reservation: 19 workloads, 18 dependencies (wrk2 unmatched)" \
    "$(jq_py "$WORK/hotel-reservation/config.json" 'len(d["apps"]), len(d["dependencies"])')" "19 18"
expect_eq "hotel-reservation: OTel samples summed over connection types (search -> geo 3000)" \
    "$(jq_py "$WORK/hotel-reservation/config.json" '[e[2] for e in d["dependencies"] if e[:2] == ["search", "geo"]]')" \
    "[3000]"
check "hotel-reservation: missing memory requests are counted" \
    grep -q "19 containers without a cpu or memory request" "$WORK/hotel-reservation/import.err"

# --- kubectl JSON lists and YAML details ----------------------------------------------------
cat >"$WORK/list.json" <<'EOF'
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"},
  "spec": {"replicas": 3, "template": {"spec": {"nodeSelector": {"topology.kubernetes.io/zone": "a"},
   "containers": [{"name": "db", "resources": {"requests": {"cpu": "1.5", "memory": "2Gi"}}},
                  {"name": "sidecar", "resources": {"requests": {"cpu": "250m", "memory": "128M"}}}]}}}},
 {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
  "spec": {"template": {"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": 0.1, "memory": "64Ki"}}}]}}}},
 {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"topology.kubernetes.io/zone": "a"}},
  "status": {"allocatable": {"cpu": "16", "memory": "64Gi"}}},
 {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n2", "labels": {"failure-domain.beta.kubernetes.io/zone": "b"}},
  "status": {"allocatable": {"cpu": "16000m", "memory": "65536Mi"}}},
 {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n3"}, "status": {"allocatable": {"cpu": "4", "memory": "1Gi"}}}
]}
EOF
"$ZP_BIN" import k8s "$WORK/list.json" --out "$WORK/list-config.json" 2>"$WORK/list.err"
expect_eq "kubectl JSON list: exit 0" "$?" 0
expect_eq "kubectl JSON list: replicas x summed requests (cores, m, Gi, M, Ki), pinned zone" \
    "$(jq_py "$WORK/list-config.json" '[(a["name"], round(a["demand"]["cpu"], 3), round(a["demand"]["ram"], 3), a.get("current_zone")) for a in d["apps"]]')" \
    "[('db', 5250, 6510.211, 'a'), ('agent', 100, 0.062, None)]"
expect_eq "kubectl JSON list: zones from both zone labels; a node without one is skipped" \
    "$(jq_py "$WORK/list-config.json" '[(z["name"], z["capacity"]["cpu"], z["capacity"]["ram"]) for z in d["zones"]]')" \
    "[('a', 16000, 65536), ('b', 16000, 65536)]"
check "kubectl JSON list: the node without a zone label is noted" grep -q "1 nodes without" "$WORK/list.err"

# --- call-graph-only imports (apps = services) -------------------------------------------------
cat >"$WORK/zipkin.json" <<'EOF'
[{"parent": "web", "child": "api", "callCount": 10, "errorCount": 1},
 {"parent": "api", "child": "db", "callCount": 4}, {"parent": "api", "child": "web", "callCount": 2},
 {"parent": "api", "child": "api", "callCount": 9}, {"parent": "db", "child": "cache", "callCount": 0}]
EOF
"$ZP_BIN" import zipkin "$WORK/zipkin.json" --zones 2 --out "$WORK/zipkin-config.json" 2>"$WORK/zipkin.err"
expect_eq "zipkin only: apps are the services, both directions merge on run" \
    "$(jq_py "$WORK/zipkin-config.json" '[a["name"] for a in d["apps"]], d["dependencies"]')" \
    "['web', 'api', 'db', 'cache'] [['web', 'api', 10], ['api', 'web', 2], ['api', 'db', 4]]"
check "zipkin only: self-calls and 0-count pairs are noted" \
    grep -q "1 self-calls skipped" "$WORK/zipkin.err"
check "zipkin only: 0-count pairs are noted" grep -q "1 caller-callee pairs with 0 calls" "$WORK/zipkin.err"

# --- a plan that needs a detour, and one that cannot be ordered ---------------------------------
cat >"$WORK/swap.json" <<'EOF'
{"name": "swap", "resources": ["cpu"], "capacity_mode": "cumulative", "objective": {"imbalance": 2, "move_factor": 0},
 "zones": [{"name": "a", "capacity": {"cpu": 2}}, {"name": "b", "capacity": {"cpu": 2}}, {"name": "c", "capacity": {"cpu": 2}}],
 "apps": [{"name": "x", "demand": {"cpu": 2}, "current_zone": "a"}, {"name": "y", "demand": {"cpu": 1}, "current_zone": "b"},
          {"name": "w", "demand": {"cpu": 1}, "current_zone": "b"}],
 "dependencies": []}
EOF
echo '{"tasks": [{"placement": [1, 0, 0], "final": {"move_cost": 0}}]}' >"$WORK/swap-summary.json"
"$ZP_BIN" export k8s --config "$WORK/swap.json" --summary "$WORK/swap-summary.json" \
    --plan-json "$WORK/swap-plan.json" --plan "$WORK/swap-plan.csv" -q
expect_eq "swap: export exit 0" "$?" 0
expect_eq "swap: x and y, w exchange zones through a detour of x via c" \
    "$(jq_py "$WORK/swap-plan.json" '[(s["app"], s["from"], s["to"], s["reason"]) for s in d["steps"]]')" \
    "[('x', 'a', 'c', 'detour'), ('y', 'b', 'a', 'move'), ('w', 'b', 'a', 'move'), ('x', 'c', 'b', 'move')]"
echo '{"tasks": [{"placement": [1, 0, 0]}]}' >"$WORK/swap-summary.json"
sed 's/"capacity": {"cpu": 2}}]/"capacity": {"cpu": 0}}]/' "$WORK/swap.json" >"$WORK/stuck.json"
err=$("$ZP_BIN" export k8s --config "$WORK/stuck.json" --summary "$WORK/swap-summary.json" \
    --plan "$WORK/stuck-plan.csv" 2>&1)
expect_eq "stuck: no capacity-safe order is exit 3" "$?" 3
check "stuck: one line naming the app that cannot move, no plan written" \
    test "$(wc -l <<<"$err")" = 1 -a ! -e "$WORK/stuck-plan.csv"
grep -q "no capacity-safe order" <<<"$err" || not_ok "stuck: message ($err)"

# --- CSV as real data comes ----------------------------------------------------------------------
printf 'service,kind,cpu_request,memory,cpu_limit_millicores\r\n"web, eu",Deployment,250,,500\r\n"db",StatefulSet,,"1024",2000\r\ncache,Deployment,100,64,\r\n' \
    >"$WORK/real.services.csv"
printf 'source,target,callCount,rpctype\r\n"web, eu",db,0,rpc\r\ndb,cache,,mc\r\n"web, eu",cache,7,"http"\r\n' \
    >"$WORK/real.calls.csv"
zp_mpi 1 run --services "$WORK/real.services.csv" --calls "$WORK/real.calls.csv" --zones 2 \
    --summary "$WORK/real-summary.json" >/dev/null 2>"$WORK/real.err"
expect_eq "real CSV (extra columns, empty cells, weight 0, quotes, CRLF): run exit 0" "$?" 0
check "real CSV: ignored columns named" grep -q "ignored columns: kind, cpu_limit_millicores" "$WORK/real.err"
check "real CSV: empty resource cells counted" grep -q "2 empty resource cells read as 0" "$WORK/real.err"
check "real CSV: empty weight noted" grep -q "1 empty weight cells read as 1" "$WORK/real.err"
check "real CSV: weight-0 call kept" grep -q "1 calls of weight 0 kept" "$WORK/real.err"
expect_eq "real CSV: 3 apps, weight 0 costs nothing (cut weight <= 8)" \
    "$(jq_py "$WORK/real-summary.json" 'd["tasks"][0]["apps"], d["tasks"][0]["final"]["cut_weight"] <= 8')" "3 True"

# --- Alibaba CallGraph: exact aggregation in bounded memory ---------------------------------------
ROWS=${ZP_ALIBABA_ROWS:-200000}
"$PY" - "$WORK/callgraph.csv" "$ROWS" <<'EOF'
import sys
path, rows = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write(",timestamp,traceid,service,rpc_id,rpctype,um,uminstanceid,interface,dm,dminstanceid,rt\n")
    for i in range(rows):
        u = "MS_%d" % (i * 7 % 1000)
        d = "MS_%d" % ((i * 13 + 1) % 1000) if i % 50 else "UNKNOWN"
        f.write("%d,%d,T_%d,S_1,0.%d,rpc,%s,%s_POD_0,xyz,%s,%s_POD_1,1.5\n" % (i, i * 10, i // 20, i % 9, u, u, d, d))
EOF
/usr/bin/time -v "$ZP_BIN" import alibaba "$WORK/callgraph.csv" --zones 4 \
    --out "$WORK/alibaba-config.json" 2>"$WORK/alibaba.err"
expect_eq "alibaba: import exit 0" "$?" 0
expect_eq "alibaba: every known row counted once (calls = rows - UNKNOWN - self)" \
    "$(jq_py "$WORK/alibaba-config.json" 'int(sum(e[2] for e in d["dependencies"]))')" \
    "$("$PY" -c "
r=$ROWS; print(sum(1 for i in range(r) if i % 50 and i*7 % 1000 != (i*13+1) % 1000))")"
check "alibaba: UNKNOWN rows noted" grep -q "call records without a service (UNKNOWN, empty) skipped" "$WORK/alibaba.err"
rss=$(awk '/Maximum resident/ {print $6}' "$WORK/alibaba.err")
expect_le "alibaba: peak memory (KB) bounded" "$rss" 500000

# --- bad inputs to every importer: one line file:line, exit 3, no output ------------------------
bad() {
    local desc=$1 expect=$2
    shift 2
    rm -f "$WORK/bad.json"
    local err
    err=$("$ZP_BIN" "$@" --out "$WORK/bad.json" 2>&1)
    local rc=$?
    if [ "$rc" = 3 ] && [ "$(wc -l <<<"$err")" = 1 ] && [ ! -e "$WORK/bad.json" ] &&
        [[ "$err" == "zoneplace: $expect"* ]]; then
        ok "bad input: $desc"
    else
        not_ok "bad input: $desc (exit $rc, '$err', expected 'zoneplace: $expect...')"
    fi
}
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: two\n  template:\n    spec:\n      containers: [{name: c}]\n' >"$WORK/b1.yaml"
bad "YAML replicas" "$WORK/b1.yaml:6: spec.replicas: expected a whole number" import k8s "$WORK/b1.yaml" --zones 2
printf 'kind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        resources:\n          requests:\n            memory: 64MB\n' >"$WORK/b2.yaml"
bad "YAML memory quantity" "$WORK/b2.yaml:11: spec.template.spec.containers[0].resources.requests.memory: expected a Kubernetes quantity" import k8s "$WORK/b2.yaml" --zones 2
printf 'kind: Deployment\nmetadata:\n  name: a\n  b: [1, 2\n' >"$WORK/b3.yaml"
bad "malformed YAML" "$WORK/b3.yaml:5: malformed YAML" import k8s "$WORK/b3.yaml" --zones 2
printf 'a: &x [*x]\n' >"$WORK/b4.yaml"
bad "YAML alias recursion" "$WORK/b4.yaml:1: nested more than 64 levels deep" import k8s "$WORK/b4.yaml" --zones 2
printf -- '---\nmetadata: {name: x}\n' >"$WORK/b4b.yaml"
bad "YAML without kind" "$WORK/b4b.yaml:2: (document): missing \"kind\"" import k8s "$WORK/b4b.yaml" --zones 2
printf '{"kind": "List", "items": [{"kind": "Deployment", "metadata": {}}]}' >"$WORK/b5.json"
bad "kubectl JSON without a name" "$WORK/b5.json: items[0].metadata: Deployment without metadata.name" import k8s "$WORK/b5.json" --zones 2
printf '[{"parent": "a", "child": "b", "callCount": -1}]' >"$WORK/b6.json"
bad "Jaeger negative count" "$WORK/b6.json: [0].callCount: expected" import jaeger "$WORK/b6.json" --zones 2
printf '{"data": [{"parent": "a", "callCount": 1}]}' >"$WORK/b7.json"
bad "Zipkin link without a child" "$WORK/b7.json: data[0].child: expected a service name" import zipkin "$WORK/b7.json" --zones 2
printf '# TYPE x counter\ntraces_service_graph_request_total{client="a",server="b"} 1\ntraces_service_graph_request_total{client="a" server="b"} 2\n' >"$WORK/b8.prom"
bad "OTel label syntax" "$WORK/b8.prom:3: expected ',' or '}' after a label" import otel "$WORK/b8.prom" --zones 2
printf 'traces_service_graph_request_total{client="a",server="b"} lots\n' >"$WORK/b9.prom"
bad "OTel sample value" "$WORK/b9.prom:1: expected a sample value" import otel "$WORK/b9.prom" --zones 2
printf 'timestamp,um,dm\n1,MS_1,MS_2\n2,MS_3\n' >"$WORK/b10.csv"
bad "Alibaba field count" "$WORK/b10.csv:3: expected 3 fields, found 2" import alibaba "$WORK/b10.csv" --zones 2
printf 'timestamp,traceid,rpctype\n' >"$WORK/b11.csv"
bad "Alibaba without um" "$WORK/b11.csv:1: missing column 'um'" import alibaba "$WORK/b11.csv" --zones 2
printf 'app,zone\nfrontend,mars-1a\n' >"$WORK/b12.csv"
bad "current placement naming an unknown zone" "$WORK/b12.csv:2: unknown zone 'mars-1a'" \
    import k8s "$REAL/online-boutique/kubernetes-manifests.yaml" "$REAL/online-boutique/nodes.json" --current "$WORK/b12.csv"

finish
