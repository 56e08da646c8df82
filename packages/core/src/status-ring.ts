// A fixed-capacity ring buffer: the status page's history keeps its memory bounded with it (the
// oldest entry is overwritten once the ring is full; nothing ever grows past `capacity`).

/** @internal */
export class Ring<T> {
  private readonly items: (T | undefined)[]
  /** Where the next entry goes. */
  private next = 0
  private count = 0

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity)
  }

  /** How many entries it holds (at most `capacity`). */
  get size(): number {
    return this.count
  }

  push(item: T): void {
    this.items[this.next] = item
    this.next = (this.next + 1) % this.capacity
    if (this.count < this.capacity) this.count += 1
  }

  /** The newest entry, or undefined when empty. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.next - 1 + this.capacity) % this.capacity]
  }

  /** The entries, oldest first. */
  toArray(): T[] {
    const out: T[] = []
    const start = (this.next - this.count + this.capacity) % this.capacity
    for (let index = 0; index < this.count; index += 1) out.push(this.items[(start + index) % this.capacity] as T)
    return out
  }
}
