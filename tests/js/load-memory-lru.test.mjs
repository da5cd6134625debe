import { loadMemoryTest } from './load-memory.mjs';

loadMemoryTest('lru');
