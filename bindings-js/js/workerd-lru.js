// workerd's `LRUCache`: its code, and its store's module imported compiled and
// instantiated on the class's first use (lru-lazy.js). A Worker that does not import it
// leaves both out of its bundle (workerd.js).
import lruModule from '../../dist/polycache_lrustore_bg.wasm';
import { SnapshotWriter, openSnapshot } from '../../dist/polycache_codec.js';
import { LRUCache, lruFrom } from './lru-lazy.js';
import { lruWith } from './lru-module.js';
import { setUp } from './workerd-setup.js';

setUp({ SnapshotWriter, openSnapshot });
lruFrom(() => lruWith(lruModule));

export { LRUCache };
