// The value a snapshot holds that JS does not read (a Python pickle, a codec from a newer
// version): an OpaqueValue, carried through unchanged, never executed. How snapshot values
// are read and written is in snapshot-values.js, loaded with the code that snapshots.

/** The codecs of a snapshot value. */
export const JSON_CODEC = 0;
export const PICKLE_CODEC = 1;
export const BYTES_CODEC = 2;

/** A snapshot value JS does not read (codec 1 is a Python pickle); kept as its bytes. */
export class OpaqueValue {
  constructor(codec, bytes) {
    this.codec = codec;
    this.bytes = bytes;
    Object.freeze(this);
  }

  get isPickle() {
    return this.codec === PICKLE_CODEC;
  }
}
