/**
 * response.json(selector): gjson's path syntax, checked against the examples of gjson's own
 * documentation (the syntax k6 documents for json(selector)).
 */
import { describe, expect, it } from 'vitest';
import { selectJson } from '../../../../engine/modules/http/json-path.ts';

const doc = {
  name: { first: 'Tom', last: 'Anderson' },
  age: 37,
  children: ['Sara', 'Alex', 'Jack'],
  'fav.movie': 'Deer Hunter',
  friends: [
    { first: 'Dale', last: 'Murphy', age: 44, nets: ['ig', 'fb', 'tw'] },
    { first: 'Roger', last: 'Craig', age: 68, nets: ['fb', 'tw'] },
    { first: 'Jane', last: 'Murphy', age: 47, nets: ['ig', 'tw'] },
  ],
};

describe('gjson paths', () => {
  it.each([
    ['name.last', 'Anderson'],
    ['age', 37],
    ['children', ['Sara', 'Alex', 'Jack']],
    ['children.#', 3],
    ['children.1', 'Alex'],
    ['child*.2', 'Jack'],
    ['c?ildren.0', 'Sara'],
    ['fav\\.movie', 'Deer Hunter'],
    ['friends.#.first', ['Dale', 'Roger', 'Jane']],
    ['friends.1.last', 'Craig'],
    ['friends.#(last=="Murphy").first', 'Dale'],
    ['friends.#(last=="Murphy")#.first', ['Dale', 'Jane']],
    ['friends.#(age>45)#.last', ['Craig', 'Murphy']],
    ['friends.#(first%"D*").last', 'Murphy'],
    ['friends.#(first!%"D*").last', 'Craig'],
    ['friends.#(nets.#(=="fb"))#.first', ['Dale', 'Roger']],
    ['friends.#(age<=44)#.first', ['Dale']],
    ['friends.#(first!="Dale")#.age', [68, 47]],
    ['friends.#.nets.0', ['ig', 'fb', 'ig']],
    ['@this', doc],
  ])('%s', (path, want) => {
    expect(selectJson(doc, path)).toEqual(want);
  });

  it('a path that matches nothing gives undefined', () => {
    for (const p of ['children.5', 'name.middle', 'friends.#(last=="Nobody").first', 'age.x'])
      expect(selectJson(doc, p), p).toBeUndefined();
  });

  it('a query value may hold an operator or a dot inside its quotes', () => {
    const d = { items: [{ k: 'a==b' }, { k: 'x.y', v: 2 }] };
    expect(selectJson(d, 'items.#(k=="a==b").k')).toBe('a==b');
    expect(selectJson(d, 'items.#(k=="x.y").v')).toBe(2);
  });
});
