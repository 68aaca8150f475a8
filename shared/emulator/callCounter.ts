import type { CallRecorder } from '../aws/clients.js';

/**
 * Counts SDK commands by name (not retries): how many calls a sweep costs. Given to `AwsClients`,
 * it records every command the clients send; the benchmarks and the tests read it.
 */
export class CallCounter implements CallRecorder {
  readonly byOperation = new Map<string, number>();
  total(filter: (operation: string) => boolean = () => true): number {
    let n = 0;
    for (const [op, count] of this.byOperation) if (filter(op)) n += count;
    return n;
  }
  record(operation: string): void {
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
  }
}

/** Whether an operation changes something, by the verbs CloudTrail's write operations start with. */
export const isWrite = (operation: string) =>
  /^(Put|Start|Stop|Update|Create|Delete|Add|Remove)/.test(operation.replace(/Command$/, ''));
