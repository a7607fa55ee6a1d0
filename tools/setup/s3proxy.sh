#!/usr/bin/env bash
# S3Proxy (an S3 API server over a local directory, from Maven Central) under the shared cache, for
# the suites that store MLflow artifacts in an S3-compatible bucket; fetched only when missing.
set -euo pipefail

S3PROXY_VERSION=4.1.0
S3PROXY_SHA1=0a0b89e982bc1b1b5757d45b61109e05a840dd87 # of s3proxy-4.1.0-jar-with-dependencies.jar

DOWNLOADS="${MLOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mlops}"
JAR="$DOWNLOADS/s3proxy/s3proxy-$S3PROXY_VERSION.jar"
LINK="$DOWNLOADS/s3proxy/s3proxy.jar" # what libs/testing/src/s3-server.ts runs
if [[ -f $JAR ]] && echo "$S3PROXY_SHA1  $JAR" | sha1sum -c --quiet >/dev/null 2>&1; then ln -sfn "${JAR##*/}" "$LINK"; exit 0; fi
command -v java >/dev/null 2>&1 || { echo "s3proxy: java is not installed (S3Proxy $S3PROXY_VERSION needs Java 17+)" >&2; exit 1; }
echo "==> S3Proxy $S3PROXY_VERSION into $JAR" >&2
mkdir -p "${JAR%/*}"
url="https://repo1.maven.org/maven2/org/gaul/s3proxy/$S3PROXY_VERSION/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
curl -fsSL --retry 3 -o "$JAR.part" "$url"
echo "$S3PROXY_SHA1  $JAR.part" | sha1sum -c --quiet || { rm -f "$JAR.part"; echo "s3proxy: checksum mismatch for $url" >&2; exit 1; }
mv "$JAR.part" "$JAR"
ln -sfn "${JAR##*/}" "$LINK"
