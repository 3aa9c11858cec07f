/**
 * A set of objects that carry their own links: add and delete allocate nothing. For the sets a VU
 * fills and empties on every iteration (its pending sleeps, its requests in flight). A JS Set that
 * goes from one element back to none allocates a new hash table on the delete (V8 shrinks it),
 * and that table, held by a long-lived Set, outlives the young generation: ~120 B promoted per
 * iteration and per set at 10,000 VUs (bench/iteration-allocation.ts --survivors, issue 21).
 * A node belongs to at most one LinkedSet at a time.
 */
export interface Linked<T> {
  prev: T | null;
  next: T | null;
  /** True while the node is in a set. */
  linked: boolean;
}

export class LinkedSet<T extends Linked<T>> {
  private head: T | null = null;
  private tail: T | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(node: T): void {
    if (node.linked) return;
    node.linked = true;
    node.next = null;
    node.prev = this.tail;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.count++;
  }

  /** False when the node was not in the set. */
  delete(node: T): boolean {
    if (!node.linked) return false;
    node.linked = false;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = null;
    this.count--;
    return true;
  }

  /** The nodes in the order they were added (as a Set's), as an array: callers may delete while they go through it. */
  toArray(): T[] {
    const out: T[] = [];
    for (let n = this.head; n; n = n.next) out.push(n);
    return out;
  }
}
