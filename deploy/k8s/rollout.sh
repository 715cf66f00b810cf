#!/usr/bin/env bash
# deploy/k8s/rollout.sh [overlay]   (default: deploy/k8s/overlays/production; kubectl must point at the cluster)
# Applies a release in the order it needs: shared objects first (namespace, config, network policies, Ingress),
# then the migrations Job, waited for; only then the apps, and waits for each Deployment's rollout.
set -euo pipefail
overlay="${1:-$(dirname "$0")/overlays/production}"
rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$overlay" >"$rendered"

echo "== shared objects"
kubectl apply -f "$rendered" --selector 'app.kubernetes.io/component notin (server,migrations)'

echo "== migrations"
# A Job's pod template cannot change, so the previous release's Job goes first.
kubectl delete -f "$rendered" --selector app.kubernetes.io/component=migrations --ignore-not-found --wait
kubectl apply -f "$rendered" --selector app.kubernetes.io/component=migrations
if ! kubectl wait -f "$rendered" --selector app.kubernetes.io/component=migrations --for=condition=complete --timeout=15m; then
  kubectl logs -f "$rendered" --selector app.kubernetes.io/component=migrations --tail=50 2>/dev/null || true
  echo "migrations did not complete; the apps were not rolled out" >&2
  exit 1
fi

echo "== apps"
kubectl apply -f "$rendered" --selector app.kubernetes.io/component=server
for deployment in $(kubectl get -f "$rendered" --selector app.kubernetes.io/component=server -o name | grep '^deployment'); do
  kubectl rollout status "$deployment" --timeout=10m
done
