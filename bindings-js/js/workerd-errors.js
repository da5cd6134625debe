// workerd's error classes, apart from the classes that throw them, so that importing one
// brings in no cache. Every workerd entry names them (setUp), whichever a Worker imports.
import * as errorClasses from './error-classes.js';
import { named } from './names.js';

/** Gives the error classes their names back (the bundle is minified); once is enough. */
export function nameErrors() {
  named(errorClasses);
}

nameErrors();

export * from './error-classes.js';
