// issue 13 items 17 and 18: what the README, the docs, the package READMEs and the examples
// teach. A sample that wraps a client query in defineCheck never cancels it and holds a pool
// connection for a whole stall (the pattern bench/outage calls naive): samples use the
// @healthz/checks factory instead, and only the "writing your own check" page writes one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SKIP = new Set(['node_modules', 'dist', '.vitepress', 'site', 'fixtures'])

function files(dir: string, pattern: RegExp): string[] {
  const found: string[] = []
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) found.push(...files(path, pattern))
    else if (pattern.test(name)) found.push(path)
  }
  return found
}

const TAUGHT = [
  join(ROOT, 'README.md'),
  ...files(join(ROOT, 'docs'), /\.(md|ts|mjs)$/),
  ...files(join(ROOT, 'examples'), /\.(md|ts|mjs|js)$/),
  ...readdirSync(join(ROOT, 'packages')).map((name) => join(ROOT, 'packages', name, 'README.md')).filter(existsSync),
].filter((path) => !path.endsWith(join('docs', 'writing-checks.md')) && !path.endsWith('.test.ts'))

/** Every `defineCheck({ … })` call of a file, as text (to its balancing parenthesis). */
function defineCheckCalls(text: string): string[] {
  const calls: string[] = []
  for (let at = text.indexOf('defineCheck('); at !== -1; at = text.indexOf('defineCheck(', at + 1)) {
    let depth = 0
    let end = at + 'defineCheck'.length
    for (; end < text.length; end += 1) {
      if (text[end] === '(') depth += 1
      else if (text[end] === ')' && --depth === 0) break
    }
    calls.push(text.slice(at, end + 1))
  }
  return calls
}

const NAIVE = /\.query\(\s*['"`]SELECT 1|\.ping\(\s*\)|\.execute\(\s*['"`]SELECT 1/i

describe('issue-13 item 17: samples check catalogue clients with @healthz/checks, not defineCheck around a query', () => {
  it('finds the samples it reads', () => {
    expect(TAUGHT.length).toBeGreaterThan(30)
  })

  it('no sample outside docs/writing-checks.md wraps SELECT 1 or PING in defineCheck', () => {
    const naive = TAUGHT.flatMap((path) =>
      defineCheckCalls(readFileSync(path, 'utf8'))
        .filter((call) => NAIVE.test(call))
        .map((call) => `${relative(ROOT, path)}: ${call.split('\n').slice(0, 3).join(' ').slice(0, 120)}`),
    )
    expect(naive).toEqual([])
  })

  it('the root README sample uses postgresCheck', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/postgresCheck\(/)
  })
})

describe('issue-13 item 18: install lines and file references in the docs hold', () => {
  it('a page whose Docker HEALTHCHECK runs node_modules/@healthz/cli installs it as a dependency, not only with --save-dev', () => {
    const wrong = TAUGHT.filter((path) => path.endsWith('.md')).filter((path) => {
      const text = readFileSync(path, 'utf8')
      if (!text.includes('node_modules/@healthz/cli')) return false
      const installs = [...text.matchAll(/npm (?:i|install) ([^\n`]*@healthz\/cli[^\n`]*)/g)].map((match) => match[1] as string)
      return installs.length > 0 && installs.every((line) => /--save-dev|(^|\s)-D(\s|$)/.test(line))
    })
    expect(wrong.map((path) => relative(ROOT, path))).toEqual([])
  })

  it('every relative import in a package README sample is a file that exists or one the prose says is your own module', () => {
    const dangling: string[] = []
    for (const name of readdirSync(join(ROOT, 'packages'))) {
      const readme = join(ROOT, 'packages', name, 'README.md')
      if (!existsSync(readme)) continue
      const text = readFileSync(readme, 'utf8')
      for (const match of text.matchAll(/from '(\.\/[^']+)'/g)) {
        const target = match[1] as string
        // The prose says where it comes from: a module the reader writes themselves.
        const file = target.slice(2)
        const explained = text.split(/\n\n|(?<=\.) /).some((sentence) => sentence.includes(file) && /\byour\b/.test(sentence))
        if (!explained && !existsSync(join(dirname(readme), target))) dangling.push(`${relative(ROOT, readme)}: ${target}`)
      }
    }
    expect(dangling).toEqual([])
  })
})
