/**
 * The `http.url` tagged template: http.url`http://host/items/${id}` gives the concrete URL and
 * sets the request's `name` tag to the template ("http://host/items/${}"), so all ids share one
 * metric series.
 */
export class TaggedUrl {
  constructor(
    readonly url: string,
    readonly name: string,
  ) {}
  toString(): string {
    return this.url;
  }
}

export function url(strings: TemplateStringsArray, ...values: unknown[]): TaggedUrl {
  let u = strings[0] ?? '';
  let n = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    u += String(values[i]) + (strings[i + 1] ?? '');
    n += '${}' + (strings[i + 1] ?? '');
  }
  return new TaggedUrl(u, n);
}
