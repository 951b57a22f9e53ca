export { createTestDatabase, TEST_PG_URL, type TestDatabase } from './pg.ts';
