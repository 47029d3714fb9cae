// A base for every object that holds credentials: whatever prints it (String(), template literals,
// JSON.stringify, util.inspect, console.log, pino) gets only what `describe()` returns, which must name
// no secret. Credentials themselves live in `#private` fields or closures, which neither JSON nor
// inspect reaches; this base closes the remaining doors (own enumerable fields, toString).
import { inspect } from 'node:util';

export abstract class Redacted {
  /** A secret-free description: source names, hosts, counts; never a user's password or token. */
  protected abstract describe(): Record<string, unknown>;

  toJSON(): Record<string, unknown> {
    return this.describe();
  }

  toString(): string {
    return `${this.constructor.name} ${JSON.stringify(this.describe())}`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
