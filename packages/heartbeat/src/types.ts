// The wire format and the transport contract: what an emitter sends and what a monitor receives,
// whatever carries it (memory, HTTP, Redis, NATS).

/**
 * The status a beat carries: the node's own readiness (`pass | warn | fail`), or `leaving`
 * on the last beat of a node that is shutting down, so monitors mark it `left` at once
 * instead of waiting for a timeout.
 */
export type HeartbeatStatus = 'pass' | 'warn' | 'fail' | 'leaving'

/** Free-form facts a node attaches to its beats (version, zone, shard, load). JSON values only. */
export type HeartbeatMetadata = Record<string, unknown>

/** One beat, as it travels. */
export interface Heartbeat {
  /** Who is beating: unique within the fleet the monitor watches. */
  nodeId: string
  /**
   * Which life of the node this is: a whole number, higher on every process start (the
   * emitter's default is its start time in ms). A higher incarnation is a restart, never a
   * resurrection.
   */
  incarnation: number
  /** The beat's number within this incarnation, a whole number from 0; monitors drop duplicates and reordered beats. */
  seq: number
  /** The sender's clock at sending, in ms since the epoch (informational: monitors never compare clocks). */
  sentAt: number
  status: HeartbeatStatus
  /** At most 8 KB of JSON. @default {} */
  metadata: HeartbeatMetadata
}

/** What a sender gets with every send. */
export interface SendContext {
  /** Fires when the send has taken too long (the emitter's `sendTimeout`); abort the I/O. */
  signal: AbortSignal
  /**
   * The beat encoded as it must travel: its JSON text, or the signed envelope when the emitter
   * signs. Send exactly this text when it is given: a signature covers these bytes, and a
   * verifying monitor drops anything else as unsigned. Absent when `send` is called by hand.
   */
  message?: string
}

/** What a transport calls on the monitor's side. */
export interface HeartbeatReceiver {
  /**
   * One message arrived: the raw JSON text or bytes as they travelled (a signature covers
   * them), or a decoded object. The monitor authenticates and validates it and counts what it
   * drops; never throws.
   */
  deliver(message: unknown): void
  /**
   * The transport lost (`false`) or regained (`true`) its connection. While it is down the
   * monitor convicts nobody, and after it is back no node is convicted until fresh beats had
   * a chance to arrive.
   */
  connection(up: boolean): void
}

/** A running subscription, as returned by {@link HeartbeatTransport.listen}. */
export interface HeartbeatSubscription {
  /** Stops receiving. Leaves the client connection open: it belongs to the application. */
  close(): Promise<void>
}

/**
 * How beats travel. An emitter needs `send`, a monitor needs `listen`; most transports offer
 * both. Write your own for any other bus: `send` must reject (not hang) on failure and honour
 * the signal; `listen` must call `deliver` for every beat and `connection` on connection changes.
 *
 * @example
 * ```ts
 * const transport = createMemoryTransport()
 * const monitor = createHeartbeatMonitor({ transport })
 * const emitter = startHeartbeat({ nodeId: 'worker-1', transport })
 * ```
 */
export interface HeartbeatTransport {
  /** A short name for messages and the monitor's readiness check. */
  readonly name: string
  /** Sends one beat (`context.message`, its encoded text, when given); rejects when it could not be sent. */
  send?(beat: Heartbeat, context: SendContext): Promise<void>
  /** Starts delivering beats to `receiver`; resolves once subscribed. */
  listen?(receiver: HeartbeatReceiver): Promise<HeartbeatSubscription>
}
