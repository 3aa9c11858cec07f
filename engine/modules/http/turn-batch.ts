/**
 * Items gathered during one event-loop turn and handled together in that turn's check phase (one
 * setImmediate per turn, not one per item), in the order they were added. Batches run in the order
 * their first item of the turn arrived: setImmediate keeps its queue in order, and h1-connection.ts
 * relies on that (its idle sockets are let go after the exchanges' results are handed over).
 * An item added while its batch runs waits for the next turn.
 */
export class TurnBatch<T> {
  private items: T[] = [];
  private scheduled = false;
  private readonly run = (): void => {
    this.scheduled = false;
    const list = this.items;
    this.items = [];
    for (let i = 0; i < list.length; i++) this.handle(list[i]!);
  };

  constructor(private readonly handle: (item: T) => void) {}

  add(item: T): void {
    this.items.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }
}
