// The one renderer of the status page's live part (summary, probes, checks, timeline). The server
// calls it with an `h` that builds escaped HTML; the page's script holds this same function's
// source (`renderStatus.toString()`) and calls it with an `h` that builds DOM nodes with text
// nodes, so the page without JavaScript and the page after an event show the same rows by
// construction. For that, the function refers to nothing but its parameters and JavaScript's
// built-ins: no imports, no module-level helpers (a test renders the built package's page in a
// browser, so a bundler that broke this would fail it).
import type { StatusView } from './status-view.js'

/** @internal Makes an element: tag, attributes (undefined ones left out), children (strings are text). */
export type Hyperscript<N> = (tag: string, attrs: Readonly<Record<string, string | undefined>> | null, children?: readonly (N | string)[]) => N

/** @internal Renders the live part of the status page. Self-contained: see the file's header. */
export function renderStatus<N>(view: StatusView, h: Hyperscript<N>): N {
  const ICONS: Record<string, string> = { pass: '✓', warn: '▲', fail: '✕', pending: '…' }
  const LABELS: Record<string, string> = { pass: 'pass', warn: 'warn', fail: 'fail', pending: 'no result yet' }
  const state = (value: string): N =>
    h('span', { class: `state state-${ICONS[value] === undefined ? 'other' : value}` }, [h('span', { class: 'icon', 'aria-hidden': 'true' }, [ICONS[value] ?? '•']), ` ${LABELS[value] ?? value}`])
  const iso = (ms: number): string => new Date(ms).toISOString()
  const clock = (ms: number | undefined): N | string => (ms === undefined ? '—' : h('time', { datetime: iso(ms), title: iso(ms) }, [`${iso(ms).slice(11, 19)}Z`]))
  const ms = (value: number | undefined): string => (value === undefined ? '—' : `${value < 10 ? value.toFixed(1) : String(Math.round(value))} ms`)
  const move = (previous: string | undefined, current: string): string => `${previous ?? 'start'} → ${current}`
  const spark = (durations: readonly number[], outcomes: string, timeout: number): N => {
    const width = 120
    const height = 24
    const count = durations.length
    if (count === 0) return h('span', { class: 'muted' }, ['no runs yet'])
    let slowest = 0
    let failed = 0
    for (let index = 0; index < count; index += 1) {
      if ((durations[index] as number) > slowest) slowest = durations[index] as number
      if (outcomes[index] === 'f') failed += 1
    }
    // The scale: the slowest run, at least 1 ms (a row of sub-millisecond runs is a flat line).
    const max = Math.max(slowest, 1)
    const step = count > 1 ? width / (count - 1) : 0
    const x = (index: number): string => (count > 1 ? index * step : width / 2).toFixed(1)
    const y = (duration: number): string => (height - 2 - (duration / max) * (height - 4)).toFixed(1)
    const points = durations.map((duration, index) => `${x(index)},${y(duration)}`).join(' ')
    const label = `${count} recent runs: last ${ms(durations[count - 1])}, slowest ${ms(slowest)}, deadline ${ms(timeout)}, ${failed} failed`
    const marks = durations.flatMap((duration, index) => (outcomes[index] === 'f' ? [h('circle', { class: 'spark-fail', cx: x(index), cy: y(duration), r: '2.5' })] : []))
    return h('svg', { class: 'spark', role: 'img', 'aria-label': label, viewBox: `-3 0 ${width + 6} ${height}`, width: String(width + 6), height: String(height) }, [
      h('polyline', { class: 'spark-line', points, fill: 'none' }),
      ...marks,
    ])
  }
  const output = (text: string | undefined): N | string => (text === undefined ? '' : h('span', { class: text === 'reason withheld' ? 'output muted' : 'output' }, [text]))

  const worst = view.probes.find((probe) => probe.probe === 'readiness')?.state ?? 'pending'
  const summary = h('p', { id: 'summary', class: 'summary' }, [
    state(worst),
    ` readiness · phase ${view.phase} · ${view.started ? 'started' : 'starting'} · as of `,
    clock(view.time),
  ])
  const probes = h('table', { id: 'probes' }, [
    h('caption', null, ['Probes: what each would answer now, from the results in memory']),
    h('thead', null, [h('tr', null, [h('th', { scope: 'col' }, ['Probe']), h('th', { scope: 'col' }, ['State']), h('th', { scope: 'col' }, ['Since']), h('th', { scope: 'col' }, ['Checks'])])]),
    h(
      'tbody',
      null,
      view.probes.map((probe) =>
        h('tr', { 'data-probe': probe.probe, 'data-state': probe.state }, [
          h('th', { scope: 'row' }, [h('a', { href: probe.href, id: `probe-${probe.probe}` }, [probe.probe])]),
          h('td', null, [state(probe.state)]),
          h('td', null, [clock(probe.since)]),
          h('td', null, [probe.checks.length === 0 ? h('span', { class: 'muted' }, ['none']) : probe.checks.join(', ')]),
        ]),
      ),
    ),
  ])
  const checks =
    view.checks.length === 0
      ? h('p', { id: 'checks', class: 'muted' }, ['No checks.'])
      : h('table', { id: 'checks' }, [
          h('caption', null, [`Checks: last result, deadline and the last ${view.capacity} runs`]),
          h('thead', null, [
            h(
              'tr',
              null,
              ['Check', 'State', 'Last run', 'Deadline', 'Recent runs', 'Last change', 'Output'].map((title) => h('th', { scope: 'col' }, [title])),
            ),
          ]),
          h(
            'tbody',
            null,
            view.checks.map((check) =>
              h('tr', { 'data-check': check.name, 'data-state': check.state }, [
                h('th', { scope: 'row' }, [
                  check.name,
                  h('span', { class: 'tags muted' }, [` ${check.kind}${check.critical ? '' : ', non-critical'} · ${check.probes.join(', ')}`]),
                ]),
                h('td', null, [state(check.state), check.running ? h('span', { class: 'muted' }, [' (running)']) : '']),
                h('td', null, [ms(check.duration), ' ', h('span', { class: 'muted' }, ['at ']), clock(check.time)]),
                h('td', null, [ms(check.timeout)]),
                h('td', null, [spark(check.durations, check.outcomes, check.timeout)]),
                h('td', null, check.last === undefined ? ['—'] : [move(check.last.previous, check.last.current), ' ', h('span', { class: 'muted' }, ['at ']), clock(check.last.time)]),
                h('td', null, [output(check.output)]),
              ]),
            ),
          ),
        ])
  const timeline =
    view.timeline.length === 0
      ? h('p', { id: 'timeline', class: 'muted' }, ['No transitions yet.'])
      : h(
          'ol',
          { id: 'timeline' },
          view.timeline.map((entry) =>
            h('li', { 'data-kind': entry.kind, 'data-subject': entry.subject }, [
              clock(entry.time),
              ' ',
              h('span', { class: 'subject' }, [entry.kind === 'service' ? 'service' : `${entry.kind} ${entry.subject}`]),
              ' ',
              entry.kind === 'service' ? entry.current : move(entry.previous, entry.current),
              entry.output === undefined ? '' : ' ',
              output(entry.output),
            ]),
          ),
        )
  return h('div', { id: 'live-part' }, [
    summary,
    h('section', { 'aria-labelledby': 'probes-title' }, [h('h2', { id: 'probes-title' }, ['Probes']), probes]),
    h('section', { 'aria-labelledby': 'checks-title' }, [h('h2', { id: 'checks-title' }, ['Checks']), checks]),
    h('section', { 'aria-labelledby': 'timeline-title' }, [h('h2', { id: 'timeline-title' }, ['Timeline']), timeline]),
  ])
}

/** @internal Escapes text for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string)
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** @internal HTML built by {@link htmlH}: already escaped. */
export class Html {
  constructor(readonly html: string) {}
}

/** @internal The server's `h`: escaped HTML strings. */
export const htmlH: Hyperscript<Html> = (tag, attrs, children = []) => {
  let open = `<${tag}`
  if (attrs !== null) for (const [name, value] of Object.entries(attrs)) if (value !== undefined) open += ` ${name}="${escapeHtml(value)}"`
  let inner = ''
  for (const child of children) inner += child instanceof Html ? child.html : escapeHtml(child)
  return new Html(`${open}>${inner}</${tag}>`)
}
