// VitePress config of the healthz docs site. The pages are staged into ../.stage by build.mjs
// (docs/*.md, the package READMEs, the generated API reference); this file only reads the
// navigation it wrote there.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitepress'
import type { DefaultTheme } from 'vitepress'

interface Staged {
  sidebar: DefaultTheme.SidebarItem[]
  repository: string
}

const staged = JSON.parse(readFileSync(fileURLToPath(new URL('../.stage/site.json', import.meta.url)), 'utf8')) as Staged

/**
 * GitHub's heading ids, so that `page.md#13-kubernetes-probe-configuration` works the same on
 * GitHub and on the site (VitePress's own slugs differ for headings that start with a digit).
 */
function githubSlug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

export default defineConfig({
  title: 'healthz',
  description: 'Health checks, probes and zero-drop shutdown for Node.js services on Kubernetes.',
  srcDir: '.stage',
  outDir: 'dist',
  base: process.env.DOCS_BASE ?? '/',
  cleanUrls: true,
  lastUpdated: false,
  // Dead links to pages fail the build; build.mjs has already turned links to source files into
  // repository links and given announced-but-unwritten pages a placeholder.
  ignoreDeadLinks: false,
  markdown: { anchor: { slugify: githubSlug } },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/' },
      { text: 'CLI', link: '/cli' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: staged.sidebar,
    outline: { level: [2, 3] },
    search: { provider: 'local' },
    socialLinks: [{ icon: 'github', link: staged.repository }],
  },
})
