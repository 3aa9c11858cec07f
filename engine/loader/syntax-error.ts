/**
 * A script that does not parse, with the line and column the parser stopped at. Its own module so
 * that the loader can recognise it without loading the transform and its parser (transform-cache.ts).
 */
export class ScriptSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}
