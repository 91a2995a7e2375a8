import { randomBytes } from 'node:crypto';
import type { CreateFault, Fault } from '@userflare/contract';
import { pathPattern } from './path-pattern.js';

interface Rule {
  fault: Fault;
  matches: { test(path: string): boolean };
}

/** Injected faults of one namespace: the first live rule matching a request fires (issue 7). */
export class FaultRules {
  #rules: Rule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(input: CreateFault): Fault {
    const fault: Fault = { id: randomBytes(8).toString('hex'), ...input, fired: 0 };
    this.#rules.push({ fault, matches: pathPattern(input.path) });
    return fault;
  }

  get isEmpty(): boolean {
    return this.#rules.length === 0;
  }

  list(): Fault[] {
    return this.#rules.map((rule) => rule.fault);
  }

  delete(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((rule) => rule.fault.id !== id);
    return this.#rules.length < before;
  }

  clear(): number {
    const cleared = this.#rules.length;
    this.#rules = [];
    return cleared;
  }

  /** The fault to apply to this request, counted as fired; a rule that has fired `times` stays listed, spent. */
  fire(method: string, path: string): Fault | undefined {
    for (const rule of this.#rules) {
      const { fault } = rule;
      if (fault.times !== undefined && fault.fired >= fault.times) continue;
      if (fault.method !== undefined && fault.method !== method) continue;
      if (!rule.matches.test(path)) continue;
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      fault.fired++;
      return fault;
    }
    return undefined;
  }
}
