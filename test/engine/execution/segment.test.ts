import { describe, expect, it } from 'vitest';
import { parseSegment, splitSegment, workerSegments } from '../../../engine/execution/segment.ts';
import { ConfigError } from '../../../engine/errors.ts';

/** All segments of a sequence string, parsed. */
function segmentsOf(sequence: string) {
  const points = sequence.split(',');
  return points.slice(0, -1).map((p, i) => parseSegment(`${p}:${points[i + 1]}`, sequence));
}

const SEQUENCES = [
  '0,1',
  '0,1/2,1',
  '0,1/3,2/3,1',
  '0,1/4,1/2,3/4,1',
  '0,1/3,1/2,1',
  '0,0.1,0.35,0.6,1',
  '0,10%,50%,1',
  '0,1/7,3/7,1/2,5/7,1',
  '0,2/5,1',
  '0,1/10,2/10,3/10,4/10,5/10,6/10,7/10,8/10,9/10,1',
];

describe('parseSegment', () => {
  it('is the whole test without flags', () => {
    const s = parseSegment();
    expect(s.label).toBe('0:1');
    expect(s.scale(17)).toBe(17);
    expect([0, 1, 99].every((i) => s.ownsIteration(i))).toBe(true);
  });

  it('accepts fractions, decimals, percentages and a lone end', () => {
    expect(parseSegment('0:1/2').label).toBe('0:1/2');
    expect(parseSegment('1/3:2/3').label).toBe('1/3:2/3');
    expect(parseSegment('0.5:1').label).toBe('1/2:1');
    expect(parseSegment('50%:100%').label).toBe('1/2:1');
    expect(parseSegment('25%').label).toBe('0:1/4');
    expect(parseSegment('0:2/4', '0,1/2,1').label).toBe('0:1/2');
    expect(parseSegment('0:1', '0,1').label).toBe('0:1');
  });

  it('without a sequence, the segment alone splits [0,1)', () => {
    const a = parseSegment('0:1/2');
    const b = parseSegment('1/2:1');
    for (const n of [0, 1, 2, 3, 10, 11, 101]) expect(a.scale(n) + b.scale(n)).toBe(n);
    expect(a.scale(1)).toBe(1);
  });

  it.each([
    ['1/2:1/3', undefined, '--execution-segment', 'must be less than the end'],
    ['abc', undefined, '--execution-segment', 'is not a fraction'],
    ['0:3/2', undefined, '--execution-segment', 'greater than 1'],
    ['0:1/0', undefined, '--execution-segment', 'is not a fraction'],
    ['0:1:2', undefined, '--execution-segment', 'is not of the form "from:to"'],
    ['0:1/3', '0,1/2,1', '--execution-segment', 'is not one of the segments of the sequence 0,1/2,1'],
    ['0:1/2', '0,1/2,1/4,1', '--execution-segment-sequence', 'values must increase'],
    ['0:1/2', '0,,1', '--execution-segment-sequence', 'empty value'],
    [undefined, '0,1/2,1', '--execution-segment', 'is required when --execution-segment-sequence'],
    ['0:1/1001', '0,1/1001,1/1000,1', '--execution-segment-sequence', 'too fine'],
  ])('refuses segment %s with sequence %s', (segment, sequence, option, text) => {
    let err: unknown;
    try {
      parseSegment(segment, sequence);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
    expect((err as ConfigError).message).toContain(`invalid option ${option}: `);
    expect((err as ConfigError).message).toContain(text);
    expect((err as ConfigError).exitCode).toBe(104);
  });
});

describe('segment arithmetic over whole sequences', () => {
  it.each(SEQUENCES)('shares of %s sum to n for n = 0..2000', (sequence) => {
    const segs = segmentsOf(sequence);
    for (let n = 0; n <= 2000; n++) {
      const shares = segs.map((s) => s.scale(n));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(n);
    }
  });

  it.each(SEQUENCES)('ownsIteration of %s partitions 0..N-1 and agrees with scale', (sequence) => {
    const segs = segmentsOf(sequence);
    const N = 1500;
    const owned = segs.map(() => 0);
    for (let i = 0; i < N; i++) {
      const owners = segs.flatMap((s, k) => (s.ownsIteration(i) ? [k] : []));
      expect(owners).toHaveLength(1);
      owned[owners[0]]++;
      // scale(i+1) counts exactly the owned indices below i+1.
      segs.forEach((s, k) => expect(s.scale(i + 1)).toBe(owned[k]));
    }
  });

  it('is monotonic and proportional within two units', () => {
    for (const sequence of SEQUENCES) {
      const points = sequence.split(',').map((p) => (p.endsWith('%') ? Number(p.slice(0, -1)) / 100 : eval(p) as number));
      segmentsOf(sequence).forEach((s, k) => {
        const len = points[k + 1] - points[k];
        let prev = 0;
        for (let n = 0; n <= 500; n++) {
          const v = s.scale(n);
          expect(v).toBeGreaterThanOrEqual(prev);
          expect(Math.abs(v - n * len)).toBeLessThan(2);
          prev = v;
        }
      });
    }
  });

  it('gives the first half-segment the odd unit, like k6', () => {
    const [a, b] = segmentsOf('0,1/2,1');
    expect([a.scale(1), b.scale(1)]).toEqual([1, 0]);
    expect([a.scale(3), b.scale(3)]).toEqual([2, 1]);
    expect([a.scale(10), b.scale(10)]).toEqual([5, 5]);
  });
});

describe('workerSegments', () => {
  it('builds the sequence 0,1/n,…,1 with one segment per worker', () => {
    expect(workerSegments(1)).toEqual([{ segment: '0:1', sequence: '0,1' }]);
    expect(workerSegments(4)).toEqual([
      { segment: '0:1/4', sequence: '0,1/4,1/2,3/4,1' },
      { segment: '1/4:1/2', sequence: '0,1/4,1/2,3/4,1' },
      { segment: '1/2:3/4', sequence: '0,1/4,1/2,3/4,1' },
      { segment: '3/4:1', sequence: '0,1/4,1/2,3/4,1' },
    ]);
  });

  it.each([1, 2, 3, 4, 5, 7, 8, 16])('%i workers share every n exactly and own every iteration once', (n) => {
    const segs = workerSegments(n).map((w) => parseSegment(w.segment, w.sequence));
    for (const total of [0, 1, 2, 3, 7, 10, 99, 100, 1000, 12345]) {
      const shares = segs.map((s) => s.scale(total));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
    for (let i = 0; i < 500; i++) expect(segs.filter((s) => s.ownsIteration(i))).toHaveLength(1);
  });

  it('refuses a bad worker count', () => {
    expect(() => workerSegments(0)).toThrow('invalid option --workers: must be a whole number of at least 1, got 0');
  });
});

describe('splitSegment', () => {
  it('cuts every segment of the sequence into n parts and returns this one\'s parts', () => {
    expect(splitSegment('1/3:2/3', '0,1/3,2/3,1', 2)).toEqual([
      { segment: '1/3:1/2', sequence: '0,1/6,1/3,1/2,2/3,5/6,1 workers=2' },
      { segment: '1/2:2/3', sequence: '0,1/6,1/3,1/2,2/3,5/6,1 workers=2' },
    ]);
    // one worker: the segment and its filled sequence in lowest terms, unmarked
    expect(splitSegment('0.5:1', undefined, 1)).toEqual([{ segment: '1/2:1', sequence: '0,1/2,1' }]);
    expect(splitSegment('0:1/2', undefined, 2).map((s) => s.segment)).toEqual(['0:1/4', '1/4:1/2']);
    expect(() => splitSegment('0:1/3', '0,1/2,1', 2)).toThrow('invalid option --execution-segment: segment 0:1/3 is not one of the segments of the sequence 0,1/2,1');
  });

  it.each([2, 3])('three instances × %i workers partition every iteration and share every n exactly', (workers) => {
    const sequence = '0,1/3,2/3,1';
    const all = ['0:1/3', '1/3:2/3', '2/3:1'].flatMap((seg) => splitSegment(seg, sequence, workers)).map((w) => parseSegment(w.segment, w.sequence));
    expect(all).toHaveLength(3 * workers);
    for (let i = 0; i < 300; i++) expect(all.filter((s) => s.ownsIteration(i))).toHaveLength(1);
    for (const n of [1, 5, 17, 100, 1001]) expect(all.reduce((a, s) => a + s.scale(n), 0)).toBe(n);
  });

  // k6 gives an instance its segment's share of the user's sequence; worker threads inside it must
  // neither add nor take any. Re-striping the quarters of "0,1/2,1" gave both VUs of a 2-VU
  // scenario (and so all its shared iterations) to the first instance.
  it.each([
    ['0,1/2,1', 2],
    ['0,1/2,1', 3],
    ['0,1/3,2/3,1', 2],
    ['0,1/4,1', 2],
    ['0,1/5,1/2,1', 4],
  ] as const)('inside %s, %i workers per instance own exactly the instance\'s units', (sequence, workers) => {
    const points = sequence.split(',');
    for (let s = 0; s + 1 < points.length; s++) {
      const segment = `${points[s]}:${points[s + 1]}`;
      const instance = parseSegment(segment, sequence);
      const parts = splitSegment(segment, sequence, workers).map((w) => parseSegment(w.segment, w.sequence));
      for (let i = 0; i < 400; i++) {
        const owners = parts.filter((p) => p.ownsIteration(i)).length;
        expect(owners, `${segment} unit ${i}`).toBe(instance.ownsIteration(i) ? 1 : 0);
      }
      for (const n of [1, 2, 3, 7, 20, 101, 1000]) expect(parts.reduce((a, p) => a + p.scale(n), 0), `${segment} scale(${n})`).toBe(instance.scale(n));
      // the workers take turns over the instance's units, so none idles while another has two more
      for (const n of [2, 20, 101]) {
        const shares = parts.map((p) => p.scale(n));
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('instances with different worker counts (pods on nodes with different core counts) still partition the test', () => {
    const sequence = '0,1/3,2/3,1';
    const all = [
      ...splitSegment('0:1/3', sequence, 1),
      ...splitSegment('1/3:2/3', sequence, 2),
      ...splitSegment('2/3:1', sequence, 3),
    ].map((w) => parseSegment(w.segment, w.sequence));
    for (let i = 0; i < 300; i++) expect(all.filter((s) => s.ownsIteration(i))).toHaveLength(1);
    for (const n of [1, 5, 17, 100, 1001]) expect(all.reduce((a, s) => a + s.scale(n), 0)).toBe(n);
  });

  it('2 VUs over "0,1/2,1" with 2 workers each: one VU per instance, as k6 splits them', () => {
    const per = ['0:1/2', '1/2:1'].map((seg) => splitSegment(seg, '0,1/2,1', 2).reduce((a, w) => a + parseSegment(w.segment, w.sequence).scale(2), 0));
    expect(per).toEqual([1, 1]);
  });

  it('refuses a marked sequence whose segments are not cut into equal parts', () => {
    expect(() => parseSegment('0:1/4', '0,1/4,1/2,1 workers=2')).toThrow('invalid option --execution-segment-sequence: "0,1/4,1/2,1 workers=2" does not cut every segment into 2 equal parts');
  });
});
