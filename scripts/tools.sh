#!/usr/bin/env bash
# Builds the real servers the project runs against (Temporal dev server, kine, kube-apiserver,
# kube-controller-manager, versitygw) from the Go module proxy, once, into a cache outside the
# repository keyed by version. A fresh clone on the same machine reuses them. The time-skipping
# test server of the workflow tests (Java, part of Temporal's Java SDK) comes from Maven Central.
#
#   scripts/tools.sh            build what is missing, print one "name=path" line per tool
#   scripts/tools.sh --env      print shell exports (BC_TEMPORAL_BIN=... etc.)
#   ... --test                  also the time-skipping test server (needs Java and Maven), the
#                               schema fuzzer schemathesis (PyPI, into a Python venv; needs python3
#                               with venv) and the S3 server versitygw; the test command asks for
#                               them, `npm start` does not
#
# A binary of the pinned version already on PATH is used instead of building.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${BACKUP_CENTER_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/backup-center/tools}

TEMPORAL_VERSION=v1.5.1
KINE_VERSION=v0.17.5
# io.temporal:temporal-test-server on Maven Central (the SDK's own download site is not reachable
# from everywhere the tests run).
TEST_SERVER_VERSION=1.28.0
# schemathesis on PyPI: the schema-driven fuzzer test/integration/fuzz.test.ts runs against the API.
SCHEMATHESIS_VERSION=4.32.5
# versitygw (Apache-2.0): the S3 server the S3 vault backend's tests run against (MinIO is AGPL).
VERSITYGW_VERSION=v1.8.0
K8S_VERSION=$(grep -Eo 'k8s.io/kubernetes v[0-9][^ ]*' "$here/tools/k8s/go.mod" | head -1 | cut -d' ' -f2)
[ -n "$K8S_VERSION" ] || { echo "[tools] cannot read the k8s.io/kubernetes version from tools/k8s/go.mod" >&2; exit 1; }

log() { printf '[tools] %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  echo "[tools] Go is not installed: install Go 1.26 or later (https://go.dev/dl or apt-get install golang) and run again." >&2
  exit 1
fi

mode=; with_test_server=
for arg in "$@"; do
  case "$arg" in
    --env) mode=env ;;
    --test) with_test_server=1 ;;
    *) echo "[tools] unknown argument $arg (use --env, --test)" >&2; exit 2 ;;
  esac
done

for cmd in ${with_test_server:+java mvn}; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "[tools] $cmd is not installed: the workflow tests' time-skipping server is Java, fetched with Maven. Install Java 17 or later and Maven (apt-get install openjdk-17-jre-headless maven) and run again." >&2
    exit 1
  fi
done
if [ -n "$with_test_server" ]; then
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "[tools] python3 with the venv module is not installed: the API fuzz test runs schemathesis, installed from PyPI into a virtual environment. Install Python 3.9 or later with venv (apt-get install python3 python3-venv) and run again." >&2
    exit 1
  fi
fi

mkdir -p "$cache"
# One build at a time per machine: the start and test commands may run side by side.
exec 9>"$cache/.lock"
flock 9

export CGO_ENABLED=0
export GOFLAGS=${GOFLAGS:--buildvcs=false}

# on_path NAME VERSION-PATTERN VERSION-ARGS...: prints the path of NAME on PATH if its version matches.
on_path() {
  local name=$1 pattern=$2; shift 2
  local p
  p=$(command -v "$name" 2>/dev/null) || return 1
  case "$p" in "$cache"/*) return 1 ;; esac
  "$p" "$@" 2>/dev/null | grep -q -- "$pattern" && { echo "$p"; return 0; }
  return 1
}

# build NAME VERSION CMD...: runs CMD with $out set to the versioned target dir unless the binary exists.
ensure() {
  local name=$1 version=$2; shift 2
  local dir="$cache/$name-$version"
  if [ -x "$dir/$name" ]; then echo "$dir/$name"; return; fi
  log "building $name $version into $dir (first time only; several minutes)"
  local start=$SECONDS tmp="$dir.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  "$@" "$tmp"
  rm -rf "$dir"; mv "$tmp" "$dir"
  log "built $name $version in $((SECONDS - start))s"
  echo "$dir/$name"
}

build_temporal() { GOBIN="$1" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_VERSION"; }
build_kine() { GOBIN="$1" go install "github.com/k3s-io/kine@$KINE_VERSION"; }
build_versitygw() { GOBIN="$1" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"; }
# The version stamp Kubernetes' own build sets (hack/lib/version.sh): /version and the
# compatibility-version logic read it; without it the binary reports v0.0.0-master.
k8s_ldflags() {
  local v=${K8S_VERSION#v} pkg=k8s.io/component-base/version
  local major=${v%%.*} rest=${v#*.}
  echo "-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=${rest%%.*} -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
}
build_k8s() { (cd "$here/tools/k8s" && go build -trimpath -ldflags "$(k8s_ldflags)" -o "$1/$2" "k8s.io/kubernetes/cmd/$2"); }
build_apiserver() { build_k8s "$1" kube-apiserver; }
build_kcm() { build_k8s "$1" kube-controller-manager; }
# The Java time-skipping test server: its jar and dependencies copied from Maven Central into lib/,
# and a wrapper taking the arguments the TypeScript SDK gives an 'existing-path' test server
# executable (the port, then any extraArgs). It execs java: the SDK stops the server by killing
# the process it started.
build_test_server() {
  local out=$1
  cat > "$out/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.backup-center</groupId>
  <artifactId>temporal-test-server-deps</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$TEST_SERVER_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  mvn -q -B -Dstyle.color=never -f "$out/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out/lib" >&2
  rm "$out/pom.xml"
  cat > "$out/temporal-test-server" <<'WRAPPER'
#!/usr/bin/env bash
# Temporal's time-skipping test server. Usage: temporal-test-server PORT [ARGS...]
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2086 # BC_TEST_SERVER_JAVA_OPTS: JVM options, split on spaces
exec java ${BC_TEST_SERVER_JAVA_OPTS:-} -cp "$dir/lib/*" io.temporal.testserver.TestServer "$@"
WRAPPER
  chmod +x "$out/temporal-test-server"
}

# schemathesis from PyPI into a virtual environment of its own, and a wrapper that runs its CLI
# module with the venv's python (the venv's own scripts name the temporary build dir in their
# shebang lines; the venv's python finds its packages wherever the venv is moved).
build_schemathesis() {
  local out=$1
  python3 -m venv "$out/venv" >&2
  "$out/venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
  cat > "$out/schemathesis" <<'WRAPPER'
#!/usr/bin/env bash
# schemathesis, from the virtual environment next to this file.
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$dir/venv/bin/python" -m schemathesis.cli "$@"
WRAPPER
  chmod +x "$out/schemathesis"
  "$out/schemathesis" --version >&2
}

temporal=$(on_path temporal "${TEMPORAL_VERSION#v}" --version) || temporal=$(ensure temporal "$TEMPORAL_VERSION" build_temporal)
kine=$(on_path kine "${KINE_VERSION#v}" --version) || kine=$(ensure kine "$KINE_VERSION" build_kine)
apiserver=$(on_path kube-apiserver "$K8S_VERSION" --version) || apiserver=$(ensure kube-apiserver "$K8S_VERSION" build_apiserver)
kcm=$(on_path kube-controller-manager "$K8S_VERSION" --version) || kcm=$(ensure kube-controller-manager "$K8S_VERSION" build_kcm)
test_server=
[ -z "$with_test_server" ] || test_server=$(ensure temporal-test-server "$TEST_SERVER_VERSION" build_test_server)
schemathesis=
[ -z "$with_test_server" ] || schemathesis=$(ensure schemathesis "$SCHEMATHESIS_VERSION" build_schemathesis)
versitygw=
[ -z "$with_test_server" ] || versitygw=$(ensure versitygw "$VERSITYGW_VERSION" build_versitygw)

if [ "$mode" = env ]; then
  printf 'export BC_TEMPORAL_BIN=%q\nexport BC_KINE_BIN=%q\nexport BC_KUBE_APISERVER_BIN=%q\nexport BC_KUBE_CONTROLLER_MANAGER_BIN=%q\n' \
    "$temporal" "$kine" "$apiserver" "$kcm"
  [ -z "$test_server" ] || printf 'export BC_TEMPORAL_TEST_SERVER_BIN=%q\n' "$test_server"
  [ -z "$schemathesis" ] || printf 'export BC_SCHEMATHESIS_BIN=%q\n' "$schemathesis"
  [ -z "$versitygw" ] || printf 'export BC_VERSITYGW_BIN=%q\n' "$versitygw"
else
  printf 'temporal=%s\nkine=%s\nkube-apiserver=%s\nkube-controller-manager=%s\n' "$temporal" "$kine" "$apiserver" "$kcm"
  [ -z "$test_server" ] || printf 'temporal-test-server=%s\n' "$test_server"
  [ -z "$schemathesis" ] || printf 'schemathesis=%s\n' "$schemathesis"
  [ -z "$versitygw" ] || printf 'versitygw=%s\n' "$versitygw"
fi
