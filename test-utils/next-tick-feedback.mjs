// Run as a child process with `--allow-natives-syntax --expose-gc` (test-utils/next-tick.ts does):
// imports the module given as argument (the set-up under test, or none), runs a full garbage
// collection while no process.nextTick entry is queued (what a large application's start-up
// does), calls nextTick again, and prints V8's own view of nextTick's feedback (%DebugPrint).
const setup = process.argv[2]
if (setup !== undefined) await import(setup)

const drainTicks = () => new Promise((resolve) => setImmediate(resolve))
// Enough calls for V8 to allocate nextTick's feedback (it does so lazily) and fill it.
const ticks = () => {
  for (let index = 0; index < 100; index += 1) process.nextTick(() => undefined)
}
ticks()
await drainTicks()
globalThis.gc()
globalThis.gc()
ticks()
await drainTicks()
// Compiled at run time: the natives syntax stays out of this file's source for every other tool.
new Function('f', '%DebugPrint(f)')(process.nextTick)
