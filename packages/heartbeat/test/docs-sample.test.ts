// The testing sample of docs/heartbeats.md runs as printed (it registers its own test). Loaded
// by a computed path so that the package's type-check leaves it to docs/tsconfig.json.
const sample = new URL('../../../docs/examples/heartbeat-test.ts', import.meta.url).href
await import(sample)
