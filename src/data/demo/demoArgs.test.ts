// The demo-data CLI's argument parser: defaults, both --opt value and --opt=value forms, and readable errors for
// missing, unknown and out-of-range options (the ranges come from the generator's own validation).
import { describe, expect, it } from 'vitest';
import { DEMO_USAGE, parseDemoArgs } from './demoArgs';

describe('parseDemoArgs', () => {
  it('applies defaults and parses every option', () => {
    expect(parseDemoArgs(['--out', 'dir'])).toEqual({ help: false, out: 'dir', seed: 1, size: 256, aerialGsd: 2, scl: true, landcover: false, json: false });
    expect(parseDemoArgs(['--out=d', '--seed', '7', '--size=128', '--aerial-gsd', '2.5', '--no-scl', '--landcover', '--json'])).toEqual({
      help: false,
      out: 'd',
      seed: 7,
      size: 128,
      aerialGsd: 2.5,
      scl: false,
      landcover: true,
      json: true,
    });
  });

  it('accepts --help without --out', () => {
    expect(parseDemoArgs(['--help']).help).toBe(true);
    expect(parseDemoArgs(['-h']).help).toBe(true);
    expect(DEMO_USAGE).toMatch(/--out DIR/);
  });

  it('rejects bad input with a message naming the option', () => {
    expect(() => parseDemoArgs([])).toThrow(/--out DIR is required/);
    expect(() => parseDemoArgs(['--out'])).toThrow(/--out needs a value/);
    expect(() => parseDemoArgs(['--out', 'd', '--size', 'big'])).toThrow(/--size must be a number, got "big"/);
    expect(() => parseDemoArgs(['--out', 'd', '--size', '2000'])).toThrow(/size must be an integer in \[32, 1024\]/);
    expect(() => parseDemoArgs(['--out', 'd', '--aerial-gsd', '3'])).toThrow(/aerialGsd must be one of/);
    expect(() => parseDemoArgs(['--out', 'd', '--seed', '0.5'])).toThrow(/seed must be an integer/);
    expect(() => parseDemoArgs(['--out', 'd', '--colour'])).toThrow(/unknown option "--colour"/);
  });
});
