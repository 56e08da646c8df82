// Linking the objects without a pod spec to the workloads: the Services whose selector matches a
// pod template's labels, the Ingresses whose backends name those Services, a workload's Namespace.
// Only what the files hold is seen: an object applied from elsewhere is not.
import { isRecord } from './record.js'
import type { KubeObject, LintResource } from './load.js'

/** Two namespaces are the same, or one is unset (`kubectl apply -n` decides it). @internal */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b
}

/** The Services whose (non-empty) selector matches the pods of `resource`. @internal */
export function selectingServices(resource: LintResource, objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((object) => {
    if (object.kind !== 'Service' || !sameNamespace(object.namespace, resource.namespace)) return false
    const spec = isRecord(object.body.spec) ? object.body.spec : {}
    return selects(isRecord(spec.selector) ? spec.selector : {}, resource.pod.labels)
  })
}

/** A Service's selector picks the pods whose labels hold every pair of it; an empty one picks none. @internal */
export function selects(selector: Readonly<Record<string, unknown>>, labels: Readonly<Record<string, string>>): boolean {
  const pairs = Object.entries(selector)
  return pairs.length > 0 && pairs.every(([key, value]) => labels[key] === String(value))
}

/** The names of the Services an Ingress sends traffic to (networking.k8s.io/v1 and v1beta1 shapes). */
function backendServices(ingress: KubeObject): string[] {
  const names: string[] = []
  const add = (backend: unknown): void => {
    if (!isRecord(backend)) return
    if (isRecord(backend.service) && typeof backend.service.name === 'string') names.push(backend.service.name)
    if (typeof backend.serviceName === 'string') names.push(backend.serviceName)
  }
  const spec = isRecord(ingress.body.spec) ? ingress.body.spec : {}
  add(spec.defaultBackend)
  add(spec.backend)
  for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
    const http = isRecord(rule) && isRecord(rule.http) ? rule.http : undefined
    for (const path of Array.isArray(http?.paths) ? http.paths : []) if (isRecord(path)) add(path.backend)
  }
  return names
}

/** The Ingresses that route to `service`. @internal */
export function routingIngresses(service: KubeObject, objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((object) => object.kind === 'Ingress' && sameNamespace(object.namespace, service.namespace) && backendServices(object).includes(service.name))
}

/** The Namespace object of `resource`, when the files hold it (and the workload names its namespace). @internal */
export function namespaceOf(resource: LintResource, objects: readonly KubeObject[]): KubeObject | undefined {
  if (resource.namespace === undefined) return undefined
  return objects.find((object) => object.kind === 'Namespace' && object.name === resource.namespace)
}
