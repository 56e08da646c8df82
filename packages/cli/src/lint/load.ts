// Reading manifests: multi-document YAML (kubectl, Helm's rendered output), `List` kinds, and
// the workload kinds that carry a pod template. Every resource keeps the path of its pod spec
// inside its document, so findings can point at a line.
import { CliError } from '../errors.js'
import { echo } from '../escape.js'
import { describeValue } from '../options.js'
import { sameNamespace, selects } from './link.js'
import { isRecord } from './record.js'

export { isRecord }

/** A path of keys and indexes inside one YAML document. */
export type NodePath = readonly (string | number)[]

/** A workload found in a manifest: the resource and where its pod spec is. */
export interface LintResource {
  /** The file as given (`-` reads stdin, shown as `<stdin>`). */
  readonly file: string
  /** The 1-based index of the YAML document in the file. */
  readonly document: number
  /** Helm's `# Source: chart/templates/x.yaml` comment above the document, when there is one. */
  readonly source: string | undefined
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly namespace: string | undefined
  /** The resource's annotations merged with its pod template's. */
  readonly annotations: Readonly<Record<string, string>>
  /** The pod template's own labels and annotations (a Pod's own), which selectors and injectors see. */
  readonly pod: { readonly labels: Readonly<Record<string, string>>; readonly annotations: Readonly<Record<string, string>> }
  /** The pod spec (`spec` of a Pod, `spec.template.spec` of a Deployment, …). */
  readonly podSpec: Readonly<Record<string, unknown>>
  /** The Services, among all the inputs of the run, whose selector picks this workload's pods. */
  readonly services: readonly ServiceView[]
  /** Where the pod spec is inside the document. */
  readonly podSpecPath: NodePath
  /** The line and column (1-based) of a node inside the document, or of the resource when absent. */
  locate(path: NodePath): { line: number; column: number }
}

/** A Service read from the inputs: what it selects and which ports it sends traffic to. */
export interface ServiceView {
  readonly name: string
  readonly namespace: string | undefined
  readonly type: string
  readonly selector: Readonly<Record<string, string>>
  /**
   * Each port's target in the pod (`targetPort`, or `port` when unset): a number or a port name.
   * Ports named for metrics (`metrics`, `http-metrics`…) are left out: a missed scrape drops no request.
   */
  readonly targetPorts: readonly (string | number)[]
  /** `publishNotReadyAddresses: true`: readiness does not gate its endpoints. */
  readonly publishNotReady: boolean
}

/** A document that was read and left out because it is not a Kubernetes object. */
export interface SkippedDocument {
  readonly file: string
  readonly document: number
  /** Why, in one line: what the document is instead. */
  readonly reason: string
}

/** One file's text and name. */
export interface ManifestInput {
  /** A name for messages and reports, e.g. the path, or `<stdin>`. */
  file: string
  text: string
}

/** An object without a pod spec (Service, Ingress, Namespace, …), for rules that link it to workloads. */
export interface KubeObject {
  readonly file: string
  readonly document: number
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly namespace: string | undefined
  readonly labels: Readonly<Record<string, string>>
  readonly annotations: Readonly<Record<string, string>>
  /** The whole object, as parsed. */
  readonly body: Readonly<Record<string, unknown>>
}

/** What {@link loadManifests} found. */
export interface LoadedManifests {
  /** Workloads with a pod spec. */
  resources: LintResource[]
  /** The other objects (Services, Ingresses, Namespaces, …). */
  others: KubeObject[]
  /** How many Kubernetes objects were read in all, including kinds without a pod spec (Service, ConfigMap, …). */
  objects: number
  /**
   * Documents that are not Kubernetes objects (a Helm values file, Chart.yaml, a Helm template
   * that is not YAML yet): read, left out, and reported here so the caller can say so.
   */
  skipped: SkippedDocument[]
}

// Where each kind keeps its pod spec.
const POD_SPEC_PATHS: Readonly<Record<string, NodePath>> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  // Argo Rollouts and OpenKruise keep a Deployment-shaped template.
  Rollout: ['spec', 'template', 'spec'],
  CloneSet: ['spec', 'template', 'spec'],
}

/**
 * The kinds `healthz lint` looks into (each has a pod template); other kinds are read and skipped.
 *
 * @example
 * ```ts
 * WORKLOAD_KINDS.includes('CronJob') // true
 * ```
 */
export const WORKLOAD_KINDS: readonly string[] = Object.freeze(Object.keys(POD_SPEC_PATHS))

type YamlModule = typeof import('yaml')
type YamlDocument = ReturnType<YamlModule['parseAllDocuments']> extends infer T ? (T extends readonly (infer D)[] ? D : never) : never

/**
 * Parses manifests and returns their workloads, with the Services that select each. Documents
 * that are not Kubernetes objects (no `apiVersion` and `kind`), and files that are unrendered
 * Helm templates, are left out and listed in `skipped`; YAML merge keys (`<<: *anchor`) are
 * honoured, as kubectl does.
 *
 * @throws {CliError} `INPUT` for malformed YAML (other than a Helm template's `{{ }}`).
 * @example
 * ```ts
 * const { resources } = await loadManifests([{ file: 'deploy.yaml', text }])
 * ```
 */
export async function loadManifests(inputs: readonly ManifestInput[]): Promise<LoadedManifests> {
  // Loaded on first use, so `healthz probe` never pays for the YAML parser.
  const yaml = await import('yaml')
  const resources: Array<Omit<LintResource, 'services'>> = []
  const others: KubeObject[] = []
  const services: ServiceView[] = []
  const skipped: SkippedDocument[] = []
  let objects = 0
  for (const input of inputs) {
    const lineCounter = new yaml.LineCounter()
    // merge: kubectl (sigs.k8s.io/yaml, YAML 1.1) honours `<<: *anchor`; the yaml package needs it asked.
    const documents = yaml.parseAllDocuments(input.text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true })
    const list = Array.isArray(documents) ? documents : []
    // A Helm template is not YAML until rendered: leave the file out rather than stop the run.
    if (list.some((doc) => doc.errors.length > 0) && /\{\{-?\s/.test(input.text)) {
      skipped.push({ file: input.file, document: 1, reason: `${echo(input.file, 200)}: is a Helm template, not YAML yet (render it: helm template ./chart | healthz lint -).` })
      continue
    }
    list.forEach((doc: YamlDocument, index: number) => {
      const number = index + 1
      const where = `${echo(input.file, 200)}: document ${number}`
      const problem = doc.errors[0]
      if (problem !== undefined) {
        const at = lineCounter.linePos(problem.pos[0])
        throw new CliError(`${where}: YAML syntax error at line ${at.line}, column ${at.col}: ${echo(firstLine(problem.message), 200)}. Fix the YAML (kubectl apply --dry-run=client -f FILE shows the same).`, { code: 'INPUT', cause: problem })
      }
      if (doc.contents === null) return // an empty document: `---` at the end, or only comments
      let value: unknown
      try {
        value = doc.toJS({ maxAliasCount: 1000 })
      } catch (error) {
        throw new CliError(`${where}: cannot be read: ${echo(error instanceof Error ? error.message : String(error), 200)}.`, { code: 'INPUT', cause: error })
      }
      const line = (path: NodePath): { line: number; column: number } => {
        for (let length = path.length; length >= 0; length -= 1) {
          const node = doc.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined
          if (node !== undefined && node !== null && typeof node === 'object' && Array.isArray(node.range)) {
            const pos = lineCounter.linePos(node.range[0])
            return { line: pos.line, column: pos.col }
          }
        }
        return { line: 1, column: 1 }
      }
      if (value === null || value === undefined) return // `---` followed by nothing
      const source = helmSource(doc.commentBefore ?? (doc.contents as { commentBefore?: string | null } | null)?.commentBefore)
      const visit = (object: unknown, path: NodePath): void => {
        const position = line(path)
        const at = `${where}${path.length > 0 ? ` (${echo(path.join('.'), 200)})` : ''}, line ${position.line}`
        const skip = (reason: string): void => void skipped.push({ file: input.file, document: number, reason })
        if (typeof object !== 'object' || object === null || Array.isArray(object)) {
          return skip(`${at}: is not a Kubernetes object but ${describe(object)}. healthz lint reads Kubernetes manifests: mappings with apiVersion and kind (a Helm chart: pipe \`helm template\` into \`healthz lint -\`).`)
        }
        const record = object as Record<string, unknown>
        const { apiVersion, kind } = record
        if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
          const keys = Object.keys(record)
            .slice(0, 5)
            .map((key) => echo(key))
            .join(', ')
          return skip(`${at}: is not a Kubernetes object: it has no ${[typeof apiVersion === 'string' && apiVersion !== '' ? '' : 'apiVersion', typeof kind === 'string' && kind !== '' ? '' : 'kind'].filter(Boolean).join(' and no ')} (its keys: ${keys || 'none'}). healthz lint reads Kubernetes manifests; check the file is one (a Helm values file is not: render the chart with \`helm template\`).`)
        }
        if (kind === 'List' || (kind.endsWith('List') && Array.isArray(record.items))) {
          const items = Array.isArray(record.items) ? record.items : []
          items.forEach((item, i) => visit(item, [...path, 'items', i]))
          return
        }
        objects += 1
        if (kind === 'Service' && apiVersion === 'v1') services.push(readService(record))
        const metadata = isRecord(record.metadata) ? record.metadata : {}
        const specPath = POD_SPEC_PATHS[kind]
        const podSpec = specPath === undefined ? undefined : getIn(record, specPath)
        if (specPath === undefined || !isRecord(podSpec)) {
          const name = typeof metadata.name === 'string' ? metadata.name : ''
          const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined
          others.push({ file: input.file, document: number, apiVersion, kind, name, namespace, labels: stringRecord(metadata.labels), annotations: stringRecord(metadata.annotations), body: record })
          return
        }
        const templateMetadata = getIn(record, [...specPath.slice(0, -1), 'metadata'])
        const annotations = { ...stringRecord(isRecord(templateMetadata) ? templateMetadata.annotations : undefined), ...stringRecord(metadata.annotations) }
        const podSpecPath = [...path, ...specPath]
        resources.push({
          file: input.file,
          document: number,
          source,
          apiVersion,
          kind,
          name: typeof metadata.name === 'string' ? metadata.name : typeof metadata.generateName === 'string' ? `${metadata.generateName}*` : '(unnamed)',
          namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
          annotations,
          pod: { labels: stringRecord(isRecord(templateMetadata) ? templateMetadata.labels : undefined), annotations: stringRecord(isRecord(templateMetadata) ? templateMetadata.annotations : undefined) },
          podSpec,
          podSpecPath,
          locate: (relative) => line([...podSpecPath, ...relative]),
        })
      }
      visit(value, [])
    })
  }
  const selecting = (resource: Omit<LintResource, 'services'>): ServiceView[] =>
    services.filter((service) => sameNamespace(service.namespace, resource.namespace) && selects(service.selector, resource.pod.labels))
  return { resources: resources.map((resource) => ({ ...resource, services: selecting(resource) })), others, objects, skipped }
}

function readService(record: Record<string, unknown>): ServiceView {
  const metadata = isRecord(record.metadata) ? record.metadata : {}
  const spec = isRecord(record.spec) ? record.spec : {}
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).filter(isRecord)
  return {
    name: typeof metadata.name === 'string' ? metadata.name : '(unnamed)',
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
    type: typeof spec.type === 'string' ? spec.type : 'ClusterIP',
    selector: stringRecord(spec.selector),
    targetPorts: ports
      .filter((port) => !(typeof port.name === 'string' && port.name.includes('metrics')) && !(typeof port.targetPort === 'string' && port.targetPort.includes('metrics')))
      .map((port) => port.targetPort ?? port.port)
      .map((port) => (typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port))
      .filter((port): port is string | number => typeof port === 'number' || (typeof port === 'string' && port !== '')),
    publishNotReady: spec.publishNotReadyAddresses === true,
  }
}



function getIn(value: unknown, path: NodePath): unknown {
  let current = value
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<string | number, unknown>)[key]
  }
  return current
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isRecord(value)) return out
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') out[key] = entry
  return out
}

function helmSource(comment: string | null | undefined): string | undefined {
  const match = /^\s*Source:\s*(\S+)/m.exec(comment ?? '')
  return match?.[1]
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  if (typeof value === 'string') return `the text ${describeValue(value)}`
  return `a ${typeof value}`
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).replace(/\.$/, '')
}
