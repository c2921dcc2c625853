#!/usr/bin/env bash
# Fast inner loop for one package without Maven: compiles the package's main and
# test sources (plus any extra dirs given) against target/classes (generated
# protobuf/gRPC classes from the last `mvn compile`) and runs its JUnit tests.
#   dev/quicktest.sh io/vetch/wal                # compile + test package io.vetch.wal
#   dev/quicktest.sh io/vetch/mvcc io/vetch/wal  # several packages
#   dev/quicktest.sh io/vetch/server/apply +io/vetch/mvcc   # "+": compile only, do not run its tests
# QT_ARGS: more JUnit console options (--select-class=...); QT_JAVA_OPTS: JVM options (-Dname=value).
# Needs one prior `mvn -q -DskipTests compile` (for target/classes and the classpath file).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/test-classpath.txt ] || mvn -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
CP="target/classes:$(cat target/test-classpath.txt)"
OUT="$(mktemp -d /tmp/quicktest.XXXXXX)"; trap 'rm -rf "$OUT"' EXIT
SRCS=(); TESTPKGS=()
for p in "$@"; do
  q="${p#+}"
  while IFS= read -r f; do SRCS+=("$f"); done < <(find "src/main/java/$q" "src/test/java/$q" -name '*.java' 2>/dev/null)
  [ "$p" = "$q" ] && TESTPKGS+=(--select-package "${q//\//.}")
done
javac --release 17 -nowarn -d "$OUT" -cp "$CP" "${SRCS[@]}"
CONSOLE="$(ls ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.11.4/*.jar)"
java --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED -Dchronicle.analytics.disable=true -Dvetch.failpoints= ${QT_JAVA_OPTS:-} \
  -jar "$CONSOLE" execute --class-path "$OUT:$CP" "${TESTPKGS[@]}" --disable-banner --details=tree ${QT_ARGS:-}
