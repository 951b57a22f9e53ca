/** One series: a probe node checking one target with one check kind. */
export interface SeriesKey {
  node: string;
  target: string;
  check: string;
}

/** A generated or stored sample, identified by its series and its sequence number. */
export interface OracleSample extends SeriesKey {
  seq: number;
}

/** The reliability verdict, as defined at the top of docs reliability-tests.md. */
export interface OracleResult {
  generated: number;
  /** Distinct stored samples that were generated. */
  stored_distinct: number;
  /** Rows read back, duplicates included. */
  rows: number;
  /** generated − distinct(stored) */
  lost: number;
  /** rows − distinct(stored) */
  dup: number;
  /** Distinct stored samples that were never generated (a harness or mapping bug). */
  unexpected: number;
  /** Up to 20 lost samples, to debug a failure. */
  lost_examples: OracleSample[];
}

export interface Oracle {
  /** Records the next sample of a series and returns its sequence number (1, 2, 3 …). */
  next(series: SeriesKey): number;
  /** Records a sample whose seq was assigned elsewhere (must be new for its series). */
  record(sample: OracleSample): void;
  readonly generated: number;
  /** Compares what was generated with the rows read from the database. */
  compare(rows: Iterable<OracleSample>): OracleResult;
}

const SEP = '\u0000';
const keyOf = (s: SeriesKey) => `${s.node}${SEP}${s.target}${SEP}${s.check}`;

/** Records every generated sample with a monotonic seq per series; then computes lost/dup. */
export function createOracle(): Oracle {
  /** series key → generated seqs (a set: record() may fill gaps out of order). */
  const series = new Map<string, Set<number>>();
  const lastSeq = new Map<string, number>();
  let generated = 0;

  function add(sample: OracleSample): void {
    const key = keyOf(sample);
    let seqs = series.get(key);
    if (!seqs) {
      seqs = new Set();
      series.set(key, seqs);
    }
    if (seqs.has(sample.seq)) throw new Error(`oracle: ${key.replaceAll(SEP, '/')} seq ${sample.seq} twice`);
    seqs.add(sample.seq);
    lastSeq.set(key, Math.max(lastSeq.get(key) ?? 0, sample.seq));
    generated += 1;
  }

  return {
    next(s) {
      const seq = (lastSeq.get(keyOf(s)) ?? 0) + 1;
      add({ node: s.node, target: s.target, check: s.check, seq });
      return seq;
    },
    record: add,
    get generated() {
      return generated;
    },
    compare(rows) {
      const stored = new Map<string, Set<number>>();
      let rowCount = 0;
      let distinct = 0;
      let unexpected = 0;
      for (const row of rows) {
        rowCount += 1;
        const key = keyOf(row);
        let seqs = stored.get(key);
        if (!seqs) {
          seqs = new Set();
          stored.set(key, seqs);
        }
        if (seqs.has(row.seq)) continue;
        seqs.add(row.seq);
        distinct += 1;
        if (!series.get(key)?.has(row.seq)) unexpected += 1;
      }
      const lostExamples: OracleSample[] = [];
      for (const [key, seqs] of series) {
        const got = stored.get(key);
        for (const seq of seqs) {
          if (lostExamples.length >= 20) break;
          if (got?.has(seq)) continue;
          const [node = '', target = '', check = ''] = key.split(SEP);
          lostExamples.push({ node, target, check, seq });
        }
      }
      const storedDistinct = distinct - unexpected;
      return {
        generated,
        stored_distinct: storedDistinct,
        rows: rowCount,
        lost: generated - storedDistinct,
        dup: rowCount - distinct,
        unexpected,
        lost_examples: lostExamples,
      };
    },
  };
}
