/**
 * engine/modules/http/turn-batch.ts: items of one event-loop turn handled together in its check
 * phase, in order; batches in the order their turn's first item came; an item added while its
 * batch runs waits for the next turn.
 */
import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../../../engine/modules/http/turn-batch.ts';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('TurnBatch', () => {
  it('handles the items of a turn after its synchronous work, in the order added, batch after batch', async () => {
    const seen: string[] = [];
    const first = new TurnBatch<number>((n) => seen.push(`first ${n}`));
    const second = new TurnBatch<number>((n) => seen.push(`second ${n}`));
    second.add(1); // second's batch was asked for first in this turn: it runs first
    first.add(1);
    first.add(2);
    second.add(2);
    seen.push('sync end');
    await nextTurn();
    expect(seen).toEqual(['sync end', 'second 1', 'second 2', 'first 1', 'first 2']);
  });

  it('an item added while its batch runs is handled in the next turn, not lost and not looped on', async () => {
    const seen: number[] = [];
    const batch: TurnBatch<number> = new TurnBatch<number>((n) => {
      seen.push(n);
      if (n < 3) batch.add(n + 1);
    });
    batch.add(1);
    await nextTurn();
    expect(seen).toEqual([1]);
    await nextTurn();
    expect(seen).toEqual([1, 2]);
    await nextTurn();
    await nextTurn();
    expect(seen).toEqual([1, 2, 3]);
  });
});
