// /startupz and /startupz/<check>: answered by the health object (lib/probes.ts).
export { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } from '../../../lib/probes'

// Never cached or prerendered: every probe asks the health object.
export const dynamic = 'force-dynamic'
