// @healthz/checks: shared check definitions. This entry needs no client library; the checks over
// database and broker clients live in their own entries (`@healthz/checks/pg`, `/mysql2`,
// `/ioredis`, `/redis`, `/amqplib`, `/nats`, `/mqtt`), so importing this one loads none of them.
export { httpCheck, tcpCheck, dnsCheck } from './network.js'
export { heapCheck, rssCheck, diskSpaceCheck } from './process.js'

export type { SharedCheckOptions } from './internal.js'
export type { DnsCheckOptions, DnsRecordType, ExpectedStatus, HttpCheckOptions, TcpCheckOptions } from './network.js'
export type { DiskSpaceCheckOptions, MemoryCheckOptions } from './process.js'
