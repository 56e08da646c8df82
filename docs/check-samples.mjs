// Every code block marked `<!-- sample: PATH -->` in the Markdown docs must be the file at PATH
// (relative to the Markdown file), which `tsc -p docs/tsconfig.json` type-checks. Run in CI.
// `node docs/check-samples.mjs --write` copies each file into its blocks instead of checking.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const markdown = [
  'README.md',
  ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
  ...readdirSync(join(root, 'packages')).map((name) => `packages/${name}/README.md`),
]
const SAMPLE = /<!-- sample: (\S+) -->\s*\n```ts\n([\s\S]*?)```/g
let checked = 0
const problems = []
for (const file of markdown) {
  let text
  try {
    text = readFileSync(join(root, file), 'utf8')
  } catch {
    continue
  }
  if (process.argv.includes('--write')) {
    const written = text.replace(SAMPLE, (block, path) => {
      try {
        return `<!-- sample: ${path} -->\n\`\`\`ts\n${readFileSync(resolve(dirname(join(root, file)), path), 'utf8').trimEnd()}\n\`\`\``
      } catch {
        return block
      }
    })
    if (written !== text) writeFileSync(join(root, file), written)
    text = written
  }
  for (const [, path, code] of text.matchAll(SAMPLE)) {
    const target = resolve(dirname(join(root, file)), path)
    let source
    try {
      source = readFileSync(target, 'utf8')
    } catch {
      problems.push(`${file}: sample ${path} does not exist`)
      continue
    }
    checked += 1
    if (source.trim() !== code.trim()) problems.push(`${file}: the block marked ${path} differs from ${relative(root, target)}`)
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(`docs samples: ${checked} blocks match their type-checked files`)
