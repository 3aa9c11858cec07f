/** A writable stream that keeps what is written to it, for a command's stdout/stderr in tests. */
import { PassThrough } from 'node:stream';

export class Capture extends PassThrough {
  text = '';
  constructor() {
    super();
    this.on('data', (d) => (this.text += d));
  }
}
