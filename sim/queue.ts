/**
 * The future-event list: a binary min-heap of timers on typed arrays.
 *
 * A timer is a persistent slot (an integer id) owned by one entity, e.g. "the next failure of
 * ups.a.3". It is either scheduled (in the heap, at most once) or idle. Scheduling an already
 * scheduled timer moves it, so models reschedule and cancel in O(log n) without allocating:
 * the heap stores ids in heap order beside their keys, and `pos[id]` is the id's heap index.
 *
 * Order: (time, priority, insertion sequence). Priority and sequence are packed into one
 * float64 key (priority * 2^40 + sequence): exact while sequence < 2^40 (about 1.1e12
 * schedules per replication) and priority < 2^12, so ties at one instant come out by priority,
 * then first scheduled first served (SimPy's rule).
 */
const SEQ_SPAN = 2 ** 40;
export const MAX_PRIORITY = 4095;

export class EventQueue {
  private heapTime: Float64Array;
  private heapKey: Float64Array;
  private heapId: Int32Array;
  private pos: Int32Array;
  private prio: Int32Array;
  private count = 0;
  private timers = 0;
  private seq = 0;
  /** The timer being fired: still in the heap until `endFire`, so re-arming it is one sift. */
  private firing = -1;
  private rearmed = false;

  constructor(initialCapacity = 64) {
    const c = Math.max(4, initialCapacity);
    this.heapTime = new Float64Array(c);
    this.heapKey = new Float64Array(c);
    this.heapId = new Int32Array(c);
    this.pos = new Int32Array(c).fill(-1);
    this.prio = new Int32Array(c);
  }

  /** Number of scheduled timers. */
  get size(): number {
    return this.count;
  }

  /** Number of timers ever allocated. */
  get timerCount(): number {
    return this.timers;
  }

  /** Creates an idle timer and returns its id. `priority` orders it among events at one instant (lower first). */
  allocate(priority = 0): number {
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
      throw new RangeError(`timer priority must be an integer in [0, ${MAX_PRIORITY}], got ${priority}`);
    }
    const id = this.timers++;
    if (id >= this.pos.length) this.grow(this.pos.length * 2);
    this.pos[id] = -1;
    this.prio[id] = priority;
    return id;
  }

  isScheduled(id: number): boolean {
    return this.pos[id]! >= 0 && (id !== this.firing || this.rearmed);
  }

  /** The time a scheduled timer fires (NaN when idle). */
  timeOf(id: number): number {
    const p = this.pos[id]!;
    return p >= 0 && (id !== this.firing || this.rearmed) ? this.heapTime[p]! : NaN;
  }

  /** Schedules `id` at `time`, or moves it there if already scheduled (it then counts as newly inserted). */
  schedule(id: number, time: number): void {
    if (id === this.firing) this.rearmed = true;
    const key = this.prio[id]! * SEQ_SPAN + this.seq++;
    const p = this.pos[id]!;
    if (p >= 0) {
      const oldTime = this.heapTime[p]!;
      this.heapTime[p] = time;
      this.heapKey[p] = key;
      // The new key is larger than before at equal time (sequence grew), so it can only move down then.
      if (time < oldTime) this.siftUp(p);
      else this.siftDown(p);
      return;
    }
    const i = this.count++;
    this.heapTime[i] = time;
    this.heapKey[i] = key;
    this.heapId[i] = id;
    this.pos[id] = i;
    this.siftUp(i);
  }

  /** Makes a scheduled timer idle; an idle timer is left as it is. */
  cancel(id: number): void {
    const p = this.pos[id]!;
    if (p < 0) return;
    if (id === this.firing) this.firing = -1;
    this.pos[id] = -1;
    const last = --this.count;
    if (p === last) return;
    this.move(last, p);
    // The moved element may belong above or below its new place.
    if (p > 0 && this.less(p, (p - 1) >> 1)) this.siftUp(p);
    else this.siftDown(p);
  }

  /** Time of the earliest scheduled timer, or +Infinity when none is. */
  peekTime(): number {
    return this.count > 0 ? this.heapTime[0]! : Infinity;
  }

  /** Removes the earliest timer and returns its id (its time is `peekTime()` before the call), or -1. */
  pop(): number {
    if (this.count === 0) return -1;
    const id = this.heapId[0]!;
    this.pos[id] = -1;
    const last = --this.count;
    if (last > 0) {
      this.move(last, 0);
      this.siftDown(0);
    }
    return id;
  }

  /**
   * Starts firing the earliest timer and returns its id (-1 when none). It counts as idle from
   * now on, but stays in the heap: if its handler re-arms it (the common case: next failure,
   * next arrival), the move is a single sift from the root instead of a pop plus a push.
   * Call `endFire` once the handler has run.
   */
  beginFire(): number {
    if (this.count === 0) return -1;
    this.firing = this.heapId[0]!;
    this.rearmed = false;
    return this.firing;
  }

  /** Finishes `beginFire`: removes the fired timer unless its handler re-armed or cancelled it. */
  endFire(): void {
    const id = this.firing;
    this.firing = -1;
    if (id >= 0 && !this.rearmed) this.cancel(id);
  }

  /** Removes every scheduled timer (timers stay allocated); the sequence restarts. */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.pos[this.heapId[i]!] = -1;
    this.count = 0;
    this.seq = 0;
    this.firing = -1;
  }

  private less(a: number, b: number): boolean {
    const ta = this.heapTime[a]!;
    const tb = this.heapTime[b]!;
    return ta < tb || (ta === tb && this.heapKey[a]! < this.heapKey[b]!);
  }

  private move(from: number, to: number): void {
    const id = this.heapId[from]!;
    this.heapTime[to] = this.heapTime[from]!;
    this.heapKey[to] = this.heapKey[from]!;
    this.heapId[to] = id;
    this.pos[id] = to;
  }

  private siftUp(i: number): void {
    const time = this.heapTime[i]!;
    const key = this.heapKey[i]!;
    const id = this.heapId[i]!;
    const ht = this.heapTime;
    const hk = this.heapKey;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = ht[parent]!;
      if (pt < time || (pt === time && hk[parent]! < key)) break;
      this.move(parent, i);
      i = parent;
    }
    ht[i] = time;
    hk[i] = key;
    this.heapId[i] = id;
    this.pos[id] = i;
  }

  private siftDown(i: number): void {
    const n = this.count;
    const time = this.heapTime[i]!;
    const key = this.heapKey[i]!;
    const id = this.heapId[i]!;
    const ht = this.heapTime;
    const hk = this.heapKey;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n) {
        const lt = ht[child]!;
        const rt = ht[right]!;
        if (rt < lt || (rt === lt && hk[right]! < hk[child]!)) child = right;
      }
      const ct = ht[child]!;
      if (time < ct || (time === ct && key < hk[child]!)) break;
      this.move(child, i);
      i = child;
    }
    ht[i] = time;
    hk[i] = key;
    this.heapId[i] = id;
    this.pos[id] = i;
  }

  private grow(capacity: number): void {
    const grow64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    const grow32 = (a: Int32Array, fill: number): Int32Array => {
      const b = new Int32Array(capacity).fill(fill);
      b.set(a);
      return b;
    };
    this.heapTime = grow64(this.heapTime);
    this.heapKey = grow64(this.heapKey);
    this.heapId = grow32(this.heapId, 0);
    this.pos = grow32(this.pos, -1);
    this.prio = grow32(this.prio, 0);
  }
}
