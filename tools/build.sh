#!/usr/bin/env bash
# Builds the pinned test binaries (control plane, registries, copy tools, helm) from the Go modules
# beside this script into a cache outside git, keyed on every go.mod/go.sum, this script and the
# Go version: a warm call costs one sha256 over a few files and builds nothing.
# Prints the bin directory as its last line of stdout; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root=${LIFEBOAT_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lifeboat/tools}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -p=2"

if ! command -v go >/dev/null; then
  echo "tools/build.sh: Go is required to build the test binaries (none on PATH)" >&2
  exit 1
fi

key=$( { go version; cat "$here"/build.sh "$here"/*/go.mod "$here"/*/go.sum; } | sha256sum | cut -c1-16)
bin=$cache_root/$key/bin
if [ -f "$bin/.complete" ]; then
  echo "$bin"
  exit 0
fi

log() { echo "tools/build.sh: $*" >&2; }

# Concurrent callers (parallel test runs, npm start beside npm test) build once: the first one
# holds the lock, the others wait and then find the result.
mkdir -p "$cache_root"
exec 9>"$cache_root/$key.lock"
flock 9
if [ -f "$bin/.complete" ]; then
  echo "$bin"
  exit 0
fi

start=$(date +%s)
rm -rf "$bin.tmp" && mkdir -p "$bin.tmp"
out=$bin.tmp

k8s_version=$(cd "$here/k8s" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
minor=$(echo "$k8s_version" | cut -d. -f2)
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$k8s_version"

log "building kube-apiserver, kube-controller-manager, kube-scheduler $k8s_version"
(cd "$here/k8s" && GOBIN=$out go install -trimpath -ldflags "$ldflags" tool)

log "building etcd"
(cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3 &&
  go build -trimpath -ldflags "-s -w" -o "$out/etcdctl" go.etcd.io/etcd/etcdctl/v3)

for m in kwok registry crane regctl helm; do
  log "building $m"
  (cd "$here/$m" && GOBIN=$out go install -trimpath -ldflags "-s -w" tool)
done

# kwok 0.8 ships no default stages: assemble the fast node and pod lifecycle from its module.
kwok_dir=$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
  pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
  cat "$kwok_dir/kustomize/stage/$f.yaml"
  echo '---'
done >"$out/kwok-stages.yaml"

touch "$out/.complete"
rm -rf "$bin" && mv "$out" "$bin"
log "built in $(($(date +%s) - start)) s into $bin"
echo "$bin"
