// Builds the healthz documentation site in one command (`pnpm docs:build` at the root):
//   1. checks the samples: every TypeScript block in the docs is a marked, type-checked file
//      (tsc -p docs/tsconfig.json, docs/check-samples.mjs, and no unmarked ```ts block);
//   2. stages the pages into .stage/: docs/*.md, the package READMEs, with links rewritten for
//      the site (source files become repository links; a dead link fails the build);
//   3. generates the API reference from the JSDoc of every package's src/index.ts (TypeDoc with
//      typedoc-plugin-markdown and typedoc-vitepress-theme);
//   4. builds the static site with VitePress into docs/site/dist.
// Flags: --stage-only (steps 1-3, for `vitepress dev`), --skip-samples (skip step 1).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const site = dirname(fileURLToPath(import.meta.url))
const root = resolve(site, '../..')
const docs = join(root, 'docs')
const stage = join(site, '.stage')
const REPOSITORY = 'https://github.com/healthz/healthz'
const args = new Set(process.argv.slice(2))

// Sidebar order; any other page in docs/ goes under "More", so new pages appear without edits here.
const SECTIONS = [
  { text: 'Introduction', pages: ['README.md', 'getting-started-http.md', 'getting-started-express.md', 'getting-started-koa.md', 'getting-started-fastify.md', 'getting-started-nestjs.md', 'getting-started-hono.md'] },
  { text: 'Guide', pages: ['probes.md', 'formats.md', 'checks.md', 'writing-checks.md', 'shutdown.md', 'runtime.md', 'metrics.md', 'otel.md', 'observing.md', 'heartbeats.md', 'kubernetes.md', 'grpc.md', 'cli.md'] },
  { text: 'Frameworks', pages: ['express.md', 'koa.md', 'fastify.md', 'nestjs.md', 'nextjs.md', 'hono.md', 'fetch.md'] },
  { text: 'Migrating', pages: ['migrate-from-terminus.md', 'migrate-from-lightship.md', 'migrate-from-nestjs-terminus.md'] },
]

function fail(message) {
  console.error(`docs:build: ${message}`)
  process.exit(1)
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) fail(`${command} ${commandArgs.join(' ')} failed (exit ${result.status ?? result.signal})`)
}

// --- 1. samples -----------------------------------------------------------------------------

const markdownFiles = () => [
  'README.md',
  ...readdirSync(docs).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
  ...packages().map((pkg) => `packages/${pkg.dir}/README.md`).filter((file) => existsSync(join(root, file))),
]

function checkSamples() {
  const tsc = join(site, 'node_modules/typescript/bin/tsc')
  console.log('docs:build: type-checking the samples (tsc -p docs/tsconfig.json)')
  run(process.execPath, [tsc, '-p', 'docs/tsconfig.json'])
  run(process.execPath, ['docs/check-samples.mjs'])
  const unmarked = []
  for (const file of markdownFiles()) {
    const text = readFileSync(join(root, file), 'utf8')
    for (const match of text.matchAll(/(<!-- sample: \S+ -->\s*\n)?```(ts|tsx|typescript|mts|cts)\s*\n/g)) {
      if (match[1] === undefined) unmarked.push(`${file}:${text.slice(0, match.index).split('\n').length}`)
    }
  }
  if (unmarked.length > 0) {
    fail(`TypeScript blocks without a <!-- sample: examples/NAME.ts --> marker are not type-checked; make each a file under docs/examples/ and mark it:\n  ${unmarked.join('\n  ')}`)
  }
}

// --- 2. staging -----------------------------------------------------------------------------

function packages() {
  return readdirSync(join(root, 'packages'))
    .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
    .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
    .filter((pkg) => pkg.json.private !== true)
    .sort((a, b) => (a.dir === 'core' ? -1 : b.dir === 'core' ? 1 : a.dir.localeCompare(b.dir)))
}

function title(text, fallback) {
  const heading = /^#\s+(.+)$/m.exec(text)
  return heading ? heading[1].replace(/`/g, '').trim() : fallback
}

/** Where a repository file is published on the site, or undefined when it is not a page. */
function sitePath(repoPath) {
  if (repoPath === 'docs/README.md') return '/'
  const doc = /^docs\/([^/]+)\.md$/.exec(repoPath)
  if (doc) return `/${doc[1]}`
  const readme = /^packages\/([^/]+)\/README\.md$/.exec(repoPath)
  if (readme && existsSync(join(root, repoPath))) return `/packages/${readme[1]}`
  if (repoPath === 'README.md') return '/overview'
  return undefined
}

/** Rewrites the Markdown links of a repository file for the site, outside code blocks. */
function rewriteLinks(text, repoFile) {
  const base = dirname(repoFile)
  const parts = text.split(/(^```[\s\S]*?^```)/m)
  return parts
    .map((part, index) => {
      if (index % 2 === 1) return part // a fenced code block
      return part.replace(/(\]\()([^)\s]+)(\))/g, (whole, open, target, close) => {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) return whole
        const [path, hash = ''] = target.split('#', 2)
        const repoPath = relative(root, resolve(root, base, path)).split('\\').join('/')
        const anchor = hash === '' ? '' : `#${hash}`
        const page = sitePath(repoPath)
        if (page !== undefined) {
          return `${open}${page}${anchor}${close}`
        }
        // Images under docs/images/ (screenshots made by the tests) are published with the site.
        if (repoPath.startsWith('docs/images/') && existsSync(join(root, repoPath))) return `${open}/${repoPath.slice('docs/'.length)}${close}`
        if (existsSync(join(root, repoPath))) {
          const kind = statSync(join(root, repoPath)).isDirectory() ? 'tree' : 'blob'
          return `${open}${REPOSITORY}/${kind}/main/${repoPath}${anchor}${close}`
        }
        return whole // left as it is: VitePress reports it as a dead link and the build fails
      })
    })
    .join('')
}

function stagePages() {
  rmSync(stage, { recursive: true, force: true })
  mkdirSync(join(stage, 'packages'), { recursive: true })
  const docPages = readdirSync(docs).filter((name) => name.endsWith('.md'))
  for (const name of docPages) {
    const text = readFileSync(join(docs, name), 'utf8')
    writeFileSync(join(stage, name === 'README.md' ? 'index.md' : name), rewriteLinks(text, `docs/${name}`))
  }
  writeFileSync(join(stage, 'overview.md'), rewriteLinks(readFileSync(join(root, 'README.md'), 'utf8'), 'README.md'))
  const packagePages = []
  for (const pkg of packages()) {
    const readme = join(root, 'packages', pkg.dir, 'README.md')
    if (!existsSync(readme)) continue
    const text = readFileSync(readme, 'utf8')
    writeFileSync(join(stage, 'packages', `${pkg.dir}.md`), rewriteLinks(text, `packages/${pkg.dir}/README.md`))
    packagePages.push({ text: pkg.json.name, link: `/packages/${pkg.dir}` })
  }
  const listed = new Set()
  const sidebar = []
  const item = (name) => {
    listed.add(name)
    const text = readFileSync(join(docs, name), 'utf8')
    return { text: name === 'README.md' ? 'Overview' : title(text, name), link: name === 'README.md' ? '/' : `/${name.replace(/\.md$/, '')}` }
  }
  for (const section of SECTIONS) {
    const items = section.pages.filter((name) => docPages.includes(name)).map(item)
    if (items.length > 0) sidebar.push({ text: section.text, items })
  }
  const more = docPages.filter((name) => !listed.has(name)).sort().map(item)
  if (more.length > 0) sidebar.push({ text: 'More', items: more })
  sidebar.push({ text: 'Packages', collapsed: true, items: [{ text: 'The repository README', link: '/overview' }, ...packagePages] })
  return sidebar
}

// --- 3. API reference -----------------------------------------------------------------------

async function apiReference() {
  const entryPoints = []
  for (const pkg of packages()) {
    const src = join(root, 'packages', pkg.dir, 'src')
    if (!existsSync(join(src, 'index.ts'))) continue
    entryPoints.push(join(src, 'index.ts'))
    // Subpath entries (`@healthz/heartbeat/redis` → src/redis.ts) are documented too.
    for (const key of Object.keys(pkg.json.exports ?? {})) {
      const sub = /^\.\/([\w-]+)$/.exec(key)
      if (sub && sub[1] !== 'package' && existsSync(join(src, `${sub[1]}.ts`))) entryPoints.push(join(src, `${sub[1]}.ts`))
    }
  }
  console.log(`docs:build: API reference from ${entryPoints.map((file) => relative(root, file)).join(', ')}`)
  const { Application, Converter } = await import('typedoc')
  const app = await Application.bootstrapWithPlugins({
    entryPoints,
    tsconfig: join(site, 'tsconfig.typedoc.json'),
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    out: join(stage, 'api'),
    docsRoot: stage,
    readme: 'none',
    name: 'healthz API reference',
    excludeInternal: true,
    excludePrivate: true,
    skipErrorChecking: true,
    sourceLinkTemplate: `${REPOSITORY}/blob/main/{path}#L{line}`,
    gitRevision: 'main',
    disableGit: true,
    basePath: root,
    entryFileName: 'index',
    hidePageHeader: true,
    useCodeBlocks: true,
    parametersFormat: 'table',
    interfacePropertiesFormat: 'table',
    validation: { notExported: false, invalidLink: true, notDocumented: false },
    logLevel: 'Warn',
  })
  // Modules are named after their package and entry (`@healthz/core`, `@healthz/checks/pg`), not
  // after their folder (`packages/core/src`).
  const names = new Map(packages().map((pkg) => [pkg.dir, pkg.json.name]))
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of context.project.children ?? []) {
      const match = /^packages\/([^/]+)\/src(?:\/(.+))?$/.exec(reflection.name)
      if (match && names.has(match[1])) reflection.name = `${names.get(match[1])}${match[2] ? `/${match[2]}` : ''}`
    }
  })
  const project = await app.convert()
  if (project === undefined) fail('TypeDoc could not convert the packages')
  await app.generateOutputs(project)
  const sidebarFile = join(stage, 'api', 'typedoc-sidebar.json')
  const items = existsSync(sidebarFile) ? JSON.parse(readFileSync(sidebarFile, 'utf8')) : []
  return { text: 'API reference', collapsed: true, items: [{ text: 'Index', link: '/api/' }, ...items] }
}

// --- 4. the site ----------------------------------------------------------------------------

if (!args.has('--skip-samples')) checkSamples()
const sidebar = stagePages()
sidebar.push(await apiReference())
writeFileSync(join(stage, 'site.json'), JSON.stringify({ sidebar, repository: REPOSITORY }, null, 2))
cpSync(join(site, 'public'), join(stage, 'public'), { recursive: true, force: true, errorOnExist: false })
if (existsSync(join(docs, 'images'))) cpSync(join(docs, 'images'), join(stage, 'public', 'images'), { recursive: true, force: true })
if (!args.has('--stage-only')) {
  const { build } = await import('vitepress')
  await build(site)
  console.log(`docs:build: the site is in ${relative(root, join(site, 'dist'))} (preview: pnpm --filter @healthz/docs-site preview)`)
}
