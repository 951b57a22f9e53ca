/** An entry that still cannot be processed on this delivery is dead-lettered (see docs/etl.md). */
export const DEAD_LETTER_AFTER = 5;
