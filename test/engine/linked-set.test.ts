// LinkedSet: a Set's add/delete/size and insertion order, over nodes that carry their own links.
import { describe, expect, it } from 'vitest';
import { type Linked, LinkedSet } from '../../engine/linked-set.ts';

class Node implements Linked<Node> {
  prev: Node | null = null;
  next: Node | null = null;
  linked = false;
  constructor(readonly name: string) {}
}

const names = (s: LinkedSet<Node>) => s.toArray().map((n) => n.name);

describe('LinkedSet', () => {
  it('keeps insertion order through deletes at the head, the middle and the tail', () => {
    const s = new LinkedSet<Node>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => new Node(n)) as [Node, Node, Node, Node];
    for (const n of [a, b, c, d]) s.add(n);
    expect(names(s)).toEqual(['a', 'b', 'c', 'd']);
    expect(s.delete(b)).toBe(true);
    expect(names(s)).toEqual(['a', 'c', 'd']);
    expect(s.delete(a)).toBe(true);
    expect(s.delete(d)).toBe(true);
    expect(names(s)).toEqual(['c']);
    expect(s.size).toBe(1);
    s.add(a); // after a delete at the tail, a new node still goes last
    expect(names(s)).toEqual(['c', 'a']);
  });

  it('adding a member again and deleting a non-member change nothing; deleting while iterating a snapshot is safe', () => {
    const s = new LinkedSet<Node>();
    const a = new Node('a');
    const b = new Node('b');
    s.add(a);
    s.add(a);
    expect(s.size).toBe(1);
    expect(s.delete(b)).toBe(false);
    expect(s.delete(a)).toBe(true);
    expect(s.delete(a)).toBe(false);
    expect(s.size).toBe(0);
    expect(names(s)).toEqual([]);
    s.add(a);
    s.add(b);
    for (const n of s.toArray()) s.delete(n);
    expect(s.size).toBe(0);
    expect(a.linked || b.linked).toBe(false);
  });
});
