// Issue 14: the linter holds the package boundaries. fixtures/lint/deep-imports.ts reaches into
// other packages in every way we know of; each line marked `// error` must be refused, and the
// public entries next to them must not be. The normal `pnpm run lint` ignores that folder.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const fixture = 'fixtures/lint/deep-imports.ts'

describe('the boundary rules', () => {
  it('refuse every deep import in the fixture, and only those', async () => {
    const [result] = await new ESLint({ cwd: root, ignore: false }).lintFiles([fixture])
    const lines = readFileSync(`${root}${fixture}`, 'utf8').split('\n')
    const expected = lines.flatMap((line, index) => (/\/\/ error:/.test(line) ? [index + 1] : []))
    expect(expected.length).toBeGreaterThanOrEqual(8)
    const refused = (result?.messages ?? []).filter((message) => message.message.includes('public entry'))
    expect(refused.map((message) => message.line)).toEqual(expected)
    expect(result?.messages.filter((message) => !refused.includes(message))).toEqual([])
  })

  it('are not bypassed by the normal lint run, which ignores the fixture', async () => {
    expect(await new ESLint({ cwd: root }).isPathIgnored(`${root}${fixture}`)).toBe(true)
  })
})
