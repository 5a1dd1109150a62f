// One flag's or variable's string, and the ways a command line turns it into a value: text, an
// integer in a range, a port. The kit
// hands one to each setting of a table, named after where it came from, so that a bad value is
// told in the words of the flag or variable the user actually typed.
/** A flag or value the command cannot use; its message is for the user (the command adds its usage). */
export class CliError extends Error {
  override name = "CliError";
}

/** The sentences the kit says that the commands word differently (their tests read them). */
export interface CliWording {
  /** An argument that is none of the command's options. */
  unknownOption(arg: string): string;
  /** A port that is not one: not digits, or over 65535. */
  badPort(name: string, raw: string): string;
}

export const DEFAULT_WORDING: CliWording = {
  unknownOption: (arg) => `unknown option ${JSON.stringify(arg)}`,
  badPort: (name, raw) => `${name} must be a port number (0-65535; 0: any free port), got ${JSON.stringify(raw)}`,
};

const DIGITS = /^\d+$/;

export class CliValue {
  constructor(
    /** The string as given. */
    readonly raw: string,
    /** What the user typed to give it: the flag, or the variable. */
    readonly name: string,
    /** The argument's name in --help (PORT, URL…). */
    readonly arg: string,
    private readonly wording: CliWording,
  ) {}

  /** A non-empty string. */
  text(): string {
    if (this.raw === "") throw new CliError(`${this.name} needs a value (${this.arg})`);
    return this.raw;
  }

  /**
   * Decimal digits only (no sign, no exponent), from `min` (to `max`, when there is one). A value out
   * of range is quoted as typed, and an open range said "from N up" rather than with a 16-digit bound.
   */
  integer(min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const n = Number(this.raw);
    if (!DIGITS.test(this.raw) || !Number.isSafeInteger(n)) {
      throw new CliError(`${this.name} needs a non-negative integer, got ${JSON.stringify(this.raw)}`);
    }
    if (n < min || n > max) {
      const range = max < Number.MAX_SAFE_INTEGER ? `from ${min} to ${max}` : `from ${min} up`;
      throw new CliError(`${this.name} must be an integer ${range}, got ${JSON.stringify(this.raw)}`);
    }
    return n;
  }

  /** A switch's value: 1/true/yes or 0/false/no (any case). */
  yes(): boolean {
    const word = this.raw.toLowerCase();
    if (["1", "true", "yes"].includes(word)) return true;
    if (["0", "false", "no"].includes(word)) return false;
    throw new CliError(`${this.name} must be 1, true or yes (or 0, false, no), got ${JSON.stringify(this.raw)}`);
  }

  /** A TCP port, 0-65535 (0: any free one, which the command then prints). */
  port(): number {
    if (!DIGITS.test(this.raw) || Number(this.raw) > 65535) throw new CliError(this.wording.badPort(this.name, this.raw));
    return Number(this.raw);
  }
}
