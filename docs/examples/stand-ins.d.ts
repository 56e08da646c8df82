// Stand-ins for the application's own objects that the documentation samples use, so that the
// samples type-check exactly as they are printed. In a real service these are your clients.

/** The application's database client (a pool); `ping` honours an AbortSignal, `end` closes the pool. */
declare const db: { ping(options: { signal: AbortSignal }): Promise<void>; end(): Promise<void> }
/** A Kafka admin client (kafkajs-like). */
declare const kafkaAdmin: { describeCluster(): Promise<unknown> }
/** The application's migration runner. */
declare const migrator: { pending(): Promise<number> }
/** The application's request handler: an Express, Koa (`app.callback()`) or plain node:http app. */
declare const app: import('node:http').RequestListener
/** Whatever the service does before it can take traffic. */
declare function connectPools(): Promise<void>
/** The application's logger; `flush` writes out what is buffered. */
declare const logger: { flush(): Promise<void> }
/** A message taken from a queue. */
interface QueueMessage {
  ack(): Promise<void>
}
/** A queue client whose `poll` waits up to `waitMs` for messages and may return none. */
declare const broker: { poll(options: { max: number; waitMs: number }): Promise<QueueMessage[]> }
/** The application's work on one message. */
declare function handleMessage(message: QueueMessage): Promise<void>
/** A node-postgres-like pool. */
declare const pool: { query(text: string): Promise<unknown>; end(): Promise<void> }
/** The application's own boot work (migrations, warm caches). */
declare function boot(): Promise<void>
