// workerd's key functions: their code comes with the Cache's extras (keys-lazy.js), and
// each calls the snapshot and key module.
import { extrasFrom } from './cache-extras.js';
import * as extras from './extras.js';
import { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey } from './keys-lazy.js';
import { named } from './names.js';
import { setUp } from './workerd-setup.js';

setUp();
extrasFrom(() => extras);
named({ buildKey, keyWarnings, makeKey, namespacedKey, shortenKey });

export { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey };
