/* import_k8s.h - Kubernetes objects as `zoneplace import k8s` reads them: YAML manifests
 * (multi-document, through libyaml) and kubectl's JSON (`kubectl get ... -o json`, a List with
 * "items", or one object), told apart by their first character.
 *
 * Deployments, StatefulSets and DaemonSets become workloads: metadata.name and .namespace
 * ("default" when absent), spec.replicas (default 1; a DaemonSet counts 1), and the sum over
 * spec.template.spec.containers of resources.requests.cpu (cores or m) and .memory (Ki Mi Gi Ti
 * Pi Ei, k M G T P E, or bytes); a zone pinned by the pod template (nodeSelector or a required
 * nodeAffinity "In" with one value on topology.kubernetes.io/zone) is where it runs now. Nodes
 * with a topology.kubernetes.io/zone label (or the older failure-domain.beta.kubernetes.io/zone)
 * add their status.allocatable cpu and memory to that zone. Other kinds are counted and ignored.
 *
 * Errors: YAML "file:line: path: message" (the line of the offending node), JSON "file: path:
 * message" as for configs (malformed JSON with line:col). */
#ifndef ZP_IMPORT_K8S_H
#define ZP_IMPORT_K8S_H

#include "import.h"

int import_k8s_file(zp_import *im, const char *path);

/* Quantity text as Kubernetes writes it in cores (cpu) or bytes, in *value; -1 when malformed
 * (exposed for the unit tests). */
int k8s_quantity(const char *text, double *value);

/* The label of a node's (or a pod's) zone. */
#define K8S_ZONE_LABEL "topology.kubernetes.io/zone"

#endif
