// A typed use of the package, checked by `tsc --noEmit` (see tsconfig.json here).
import { Cache, CacheKeyError, buildKey, makeKey, type Stats } from 'polycache';

interface Book {
  title: string;
  pages: number;
}

let now = 1_700_000_000_000;
const books = new Cache<Book>({
  max: 1000,
  maxSize: 1_000_000,
  sizeCalculation: (book, key) => book.title.length + key.length,
  ttl: 60_000,
  now: () => now,
});

books.set('b:1', { title: 'Dune', pages: 412 }).set('b:2', { title: 'Emma', pages: 474 }, { ttl: 5_000, size: 10 });
const dune: Book | undefined = books.get('b:1');
const pages: number = dune?.pages ?? 0;
now += 1_000;
const left: number = books.getRemainingTTL('b:2');
for (const [key, book] of books) console.log(key.toUpperCase(), book.title);
const stats: Stats = books.stats();

const byUser = books.namespace('user:7');
byUser.set('recent', { title: 'Ulysses', pages: 730 }, { timeout: null });
const generation: number = books.invalidate('user:7');

const key: string = buildKey({ resource: 'books', ids: [42], params: { page: 2 }, scope: 'user:7' });
const django: string = makeKey('site', 1, key);
const restored = new Cache<Book>({ max: 10, maxSize: 1_000_000, sizeCalculation: (b) => b.pages });
restored.load(books.dump());
const bytes: Uint8Array = books.snapshot({ key: 'app secret' });
const { verified }: { verified: boolean } = restored.loadSnapshot(bytes, { key: 'app secret' });

try {
  books.get(42 as unknown as string);
} catch (e) {
  if (e instanceof CacheKeyError) console.log(e.message);
}

// @ts-expect-error: values are typed
books.set('b:3', 'not a book');
// @ts-expect-error: a cache needs options
new Cache();

console.log(pages, left, stats.hits, generation, django, verified);
