import { health } from './health.js'

const unsubscribe = health.on('change', (event) => {
  switch (event.type) {
    case 'started':
      console.info(`startup gate opened by ${event.by}`)
      break
    case 'probe':
      console.info(`${event.probe}: ${event.previous ?? 'first answer'} -> ${event.current}`)
      break
    case 'check':
      // event.result.output is raw error text: redact() it before it leaves the process.
      console.warn(`check ${event.name}: ${event.previous ?? 'first result'} -> ${event.current}`)
      break
  }
})

export { unsubscribe }
