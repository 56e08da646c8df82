// Stand-ins for the application's own objects that the documentation samples use, so that the
// samples type-check exactly as they are printed. In a real service these are your clients.

/** The application's database client; `ping` honours an AbortSignal. */
declare const db: { ping(options: { signal: AbortSignal }): Promise<void> }
/** The application's Redis client (ioredis-like: `ping()` takes no signal). */
declare const redisClient: { ping(): Promise<string> }
/** A Kafka admin client (kafkajs-like). */
declare const kafkaAdmin: { describeCluster(): Promise<unknown> }
/** The application's migration runner. */
declare const migrator: { pending(): Promise<number> }
/** The application's request handler: an Express, Koa (`app.callback()`) or plain node:http app. */
declare const app: import('node:http').RequestListener
/** Whatever the service does before it can take traffic. */
declare function connectPools(): Promise<void>
