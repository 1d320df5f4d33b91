import { isUtf8 } from 'node:buffer';

/** Thrown by a WireReader at anything it does not read; the caller decodes the body the general way instead. */
export class Unread {
  static readonly instance = new Unread();
  private constructor() {}
}

function unread(): never {
  throw Unread.instance;
}

/**
 * Reads protobuf wire format in the one way common exporters write it, and nothing else: varints of at most ten
 * bytes (lengths and tags of at most five, under 2^31), wire types 0, 1, 2 and 5, UTF-8 strings. Everything else,
 * valid or not, throws Unread: groups, end-group tags, field number 0, lengths past their message's end. So
 * whatever it reads, protobufjs reads the same way; what it refuses, protobufjs decides.
 */
export class WireReader {
  readonly #buf: Buffer;
  #pos = 0;
  /** Where the message being read ends. */
  #limit: number;

  constructor(body: Uint8Array) {
    this.#buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.#limit = this.#buf.length;
  }

  get more(): boolean {
    return this.#pos < this.#limit;
  }

  /** A tag or a length: a varint of at most five bytes below 2^31. */
  #varint32(): number {
    const buf = this.#buf;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.#pos >= this.#limit) unread();
      const byte = buf[this.#pos++]!;
      if (shift === 28 && byte > 7) unread();
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
    return unread();
  }

  tag(): number {
    const tag = this.#varint32();
    if (tag >>> 3 === 0) unread();
    return tag;
  }

  /** Enters a length-delimited message; returns the outer limit, for `leave`. */
  enter(): number {
    const length = this.#varint32();
    const end = this.#pos + length;
    if (end > this.#limit) unread();
    const outer = this.#limit;
    this.#limit = end;
    return outer;
  }

  leave(outer: number): void {
    this.#limit = outer;
  }

  string(): string {
    const length = this.#varint32();
    const start = this.#pos;
    const end = start + length;
    if (end > this.#limit) unread();
    this.#pos = end;
    const buf = this.#buf;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        if (!isUtf8(buf.subarray(start, end))) unread();
        return buf.toString('utf8', start, end);
      }
    }
    return buf.toString('latin1', start, end);
  }

  /** Bytes as lowercase hex. */
  hex(): string {
    const length = this.#varint32();
    const start = this.#pos;
    if (start + length > this.#limit) unread();
    this.#pos = start + length;
    return this.#buf.toString('hex', start, this.#pos);
  }

  #fixed(bytes: number): number {
    const at = this.#pos;
    if (at + bytes > this.#limit) unread();
    this.#pos = at + bytes;
    return at;
  }

  /** A fixed64 as its unsigned decimal text. */
  fixed64Text(): string {
    return this.#buf.readBigUInt64LE(this.#fixed(8)).toString();
  }

  double(): number {
    return this.#buf.readDoubleLE(this.#fixed(8));
  }

  /** A varint's bytes: at most ten, a tenth only as 0 or 1 (the 64th bit). Returns where it starts. */
  #varint64(): number {
    const buf = this.#buf;
    const start = this.#pos;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.#limit) unread();
      const byte = buf[this.#pos++]!;
      if (byte < 0x80) {
        if (i === 9 && byte > 1) unread();
        return start;
      }
    }
    return unread();
  }

  /** An int64 as its signed decimal text. */
  int64Text(): string {
    const start = this.#varint64();
    const buf = this.#buf;
    const end = this.#pos;
    if (end - start <= 7) {
      // 49 bits at most: exact as a double.
      let value = 0;
      for (let i = end - 1; i >= start; i--) value = value * 128 + (buf[i]! & 0x7f);
      return String(value);
    }
    let value = 0n;
    for (let i = end - 1; i >= start; i--) value = (value << 7n) | BigInt(buf[i]! & 0x7f);
    return BigInt.asIntN(64, value).toString();
  }

  /** An int32 or an enum, as written for values from 0 to 2^31 − 1 (five bytes at most). */
  int32(): number {
    return this.#varint32();
  }

  bool(): boolean {
    const start = this.#varint64();
    for (let i = start; i < this.#pos; i++) if ((this.#buf[i]! & 0x7f) !== 0) return true;
    return false;
  }

  /** Skips a field this reader does not keep (unknown, or known and sent with another wire type). */
  skip(tag: number): void {
    switch (tag & 7) {
      case 0:
        this.#varint64();
        return;
      case 1:
        this.#fixed(8);
        return;
      case 2: {
        const outer = this.enter();
        this.#pos = this.#limit;
        this.leave(outer);
        return;
      }
      case 5:
        this.#fixed(4);
        return;
      default:
        unread();
    }
  }
}
